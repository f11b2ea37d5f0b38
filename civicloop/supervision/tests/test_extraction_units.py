"""Units named in the text are matched to the registry, each with a confidence."""

import pytest

from civicloop.supervision.extraction.units import UnitMatcher

from .helpers import small_registry


@pytest.fixture(scope="module")
def matcher():
    return UnitMatcher(small_registry())


def found(matcher, text):
    return [(text[m.start : m.end], m.unit.name, m.confidence) for m in matcher.find(text)]


CASES = [
    ("区城管局要在8月底前完成", "区城管局", "区城管局", 1.0),
    ("二七区城管局负责", "二七区城管局", "区城管局", 1.0),
    ("二七区城市管理局要在10月1日前完成", "二七区城市管理局", "区城管局", 0.85),
    ("区城市管理局牵头", "区城市管理局", "区城管局", 0.85),
    ("城管局负责督导", "城管局", "区城管局", 0.9),
    ("区建设交通局要加快推进", "区建设交通局", "区建设和交通局", 0.85),
    ("区建交局牵头", "区建交局", "区建设和交通局", 0.9),
    ("区交通局负责", "区交通局", "区建设和交通局", 0.6),
    ("要会同区城管执法局完成", "区城管执法局", "区城管局", 0.6),
    ("二七区城管执法局要完成", "二七区城管执法局", "区城管局", 0.6),
    ("区人力资源和社会保障局要在3月底前", "区人力资源和社会保障局", "区人社局", 0.85),
    ("区精细化管理办公室要在年底前", "区精细化管理办公室", "区精细办", 0.85),
    ("停车管理办公室将新增泊位", "停车管理办公室", "停管办", 0.85),
    ("环卫公司要更换果皮箱", "环卫公司", "环卫清扫公司", 0.9),
    ("淮河路街道要在10月下旬前完成", "淮河路街道", "淮河路街道办事处", 0.95),
    ("淮河路街道办事处要完成", "淮河路街道办事处", "淮河路街道办事处", 1.0),
    ("马寨镇要确保", "马寨镇", "马寨镇人民政府", 0.95),
    ("樱桃沟管委会要在11月中旬前", "樱桃沟管委会", "樱桃沟管委会", 1.0),
]


@pytest.mark.parametrize(("text", "mention", "unit", "confidence"), CASES)
def test_unit_is_matched(matcher, text, mention, unit, confidence):
    assert found(matcher, text) == [(mention, unit, confidence)]


def test_several_units_in_order(matcher):
    text = "区商务局牵头，区城管局、停管办配合"
    assert [name for _m, name, _c in found(matcher, text)] == ["区城管局", "停管办"]


def test_a_road_is_not_its_street_office(matcher):
    # 淮河路 is a road as well as the short name of 淮河路街道办事处.
    assert found(matcher, "加快推进淮河路、人和路道路提升工程") == []


def test_an_unknown_unit_is_not_guessed(matcher):
    assert found(matcher, "区应急管理局负责督导") == []
    assert found(matcher, "区城市管理委员会召开专题会议") == []


def test_a_recipient_is_marked(matcher):
    (m,) = matcher.find("将台账报区督查局")
    assert m.unit.name == "区督查局" and m.recipient
    (m,) = matcher.find("区督查局要建立台账")
    assert not m.recipient


def test_a_kind_of_unit_after_each_is_not_one_unit(matcher):
    assert found(matcher, "全区各环卫公司要在8月底前完成") == []
    assert found(matcher, "环卫公司要在8月底前完成") == [("环卫公司", "环卫清扫公司", 0.9)]
