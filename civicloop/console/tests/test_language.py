"""The language menu switches the console between Chinese and English."""

import pytest
from django.test import Client
from django.urls import reverse

from civicloop.cases import actions

pytestmark = pytest.mark.django_db


def test_language_switch_and_no_chinese_punctuation_in_english(loop, reported):
    actions.accept_case(loop["actors"]["acceptor"], reported)
    actions.file_case(loop["actors"]["shift_leader"], reported)  # proposed unit, not dispatched
    c = Client()
    c.force_login(loop["users"]["dispatcher"])
    detail = reverse("console:case", args=[reported.pk])
    c.post("/i18n/setlang/", {"language": "en", "next": detail})
    html = c.get(detail).content.decode()
    assert "What you can do" in html and "(proposed: " in html and "(working time)" in html
    assert "（" not in html and "）" not in html
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": detail})
    html = c.get(detail).content.decode()
    assert "（建议：" in html and "（按工作时间）" in html
