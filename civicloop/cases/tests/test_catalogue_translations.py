"""The catalogue's key terms are named in Chinese (completeness: core/tests)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def _catalog(language: str):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po)


def test_key_terms():
    catalog = _catalog("zh_Hans")
    expected = {
        "category class": "大类",
        "small class": "小类",
        "filing standard": "立案标准",
        "filing condition": "立案条件",
        "closure condition": "结案条件",
        "time limit": "处置时限",
        "area class": "区域类别",
        "Component": "部件",
        "Event": "事件",
        "Urgent": "紧急",
    }
    assert {key: catalog[key].string for key in expected} == expected


def test_placeholders_survive_translation():
    for message in _catalog("zh_Hans"):
        if message.id and "%(" in message.id:
            names = sorted(re.findall(r"%\((\w+)\)", message.id))
            assert sorted(re.findall(r"%\((\w+)\)", message.string)) == names, message.id
