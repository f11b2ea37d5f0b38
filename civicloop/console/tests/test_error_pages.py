"""403 and 404 pages in the user's language, with a way back (not Django's bare text)."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("language", "words"), [("zh-hans", ("无权访问", "返回首页")), ("en", ("Not allowed", "Back"))]
)
def test_a_refused_page_says_so_in_the_users_language(client, loop, language, words):
    client.force_login(loop["users"]["inspector"])
    response = client.get("/console/evaluation/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    body = response.content.decode()
    assert all(w in body for w in words) and "console.css" in body


@override_settings(DEBUG=False)
def test_a_missing_page_says_so(client, loop):
    client.force_login(loop["users"]["dispatcher"])
    response = client.get("/console/cases/999999999/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    anonymous = client.__class__().get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert anonymous.status_code == 404 and "返回首页" in anonymous.content.decode()
