"""Every catalogue is complete, and the compiled Chinese is what users see."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_there_are_catalogues():
    apps = {p.parts[-5] for p in CATALOGUES}
    assert {"geo", "org", "worktime", "cases", "civicloop"} <= apps


def _translated(message) -> bool:
    """A message has a translation (every plural form, for plural messages)."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def _any_translation(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return any(strings)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_message_has_a_chinese_translation(path):
    with open(path, "rb") as po:
        catalog = read_po(po)
    missing = [m.id for m in catalog if m.id and (not _translated(m) or m.fuzzy)]
    assert missing == []


CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _has_chinese(message) -> bool:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    return any(CJK.search(i) for i in ids)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_the_english_catalogue_keeps_the_msgids(path):
    """English msgids stay as they are; a msgid with Chinese in it gets an English msgstr."""
    with open(str(path).replace("zh_Hans", "en"), "rb") as po:
        messages = [m for m in read_po(po) if m.id]
    assert [m.id for m in messages if not _has_chinese(m) and _any_translation(m)] == []
    strings = [m.string if isinstance(m.string, tuple) else (m.string,) for m in messages]
    assert [s for s in strings if any(CJK.search(x) for x in s)] == []


def test_chinese_is_the_default_and_english_is_available(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]
    with translation.override("zh-hans"):
        assert translation.gettext("grid cell") == "单元网格"
        assert translation.gettext("road chief") == "路长"
    with translation.override("en"):
        assert translation.gettext("grid cell") == "grid cell"
