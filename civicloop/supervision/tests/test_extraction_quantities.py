"""Target quantities with their counted noun and "at least": a table of cases."""

import pytest

from civicloop.supervision.extraction.quantities import find_quantities


def read(text, blocked=()):
    return [
        (q.value, q.measure, q.unit, q.at_least, text[q.start : q.end])
        for q in find_quantities(text, 0, len(text), blocked)
    ]


CASES = [
    # (text, value, measure, unit shown, at least)
    ("每个镇办要建成2个以上的垃圾分类示范小区", 2, "个", "垃圾分类示范小区", True),
    ("第一批120处背街小巷年内完成整治", 120, "处", "背街小巷", False),
    ("新增公共停车泊位不少于500个", 500, "个", "公共停车泊位", True),
    ("加装门禁系统不少于4套", 4, "套", "门禁系统", True),
    ("配备专职网格员不少于2名", 2, "名", "专职网格员", True),
    ("打造精细化管理示范街道3条", 3, "条", "精细化管理示范街道", False),
    ("完成线上招聘会不少于5场", 5, "场", "线上招聘会", True),
    ("招聘不少于1000人", 1000, "人", "人", True),
    ("12处破损窨井盖的更换", 12, "处", "破损窨井盖", False),
    ("完成景区沿线20公里道路的绿化提升", 20, "公里", "公里道路", False),
    ("拆除违法建设1.5万平方米", 15000, "平方米", "平方米", False),
    ("检查覆盖率达到100%", 100, "%", "%", False),
    ("确保渣土车密闭运输率达到95%以上", 95, "%", "%", True),
    ("不少于30%的老旧小区", 30, "%", "%", True),
    ("抽检比例不低于20%", 20, "%", "%", True),
    ("张寨村、张河村两个村的人居环境", 2, "个", "村", False),
    ("对全区三十处临时垃圾中转点进行规范提升", 30, "处", "临时垃圾中转点", False),
    ("一百二十处背街小巷", 120, "处", "背街小巷", False),
    ("每个街道至少打造1条精品路段", 1, "条", "精品路段", True),
    ("组织至少一次安全生产大检查", 1, "次", "安全生产大检查", True),
    ("实现垃圾分类全覆盖", 100, "%", "%", False),
]


@pytest.mark.parametrize(("text", "value", "measure", "unit", "at_least"), CASES)
def test_quantity(text, value, measure, unit, at_least):
    found = read(text)
    assert len(found) == 1
    assert found[0][:4] == (value, measure, unit, at_least)


NOT_QUANTITIES = [
    "第一批背街小巷",  # ordinal
    "勤劳街3号院",  # house number
    "一次性创业补贴",
    "建成一批示范小区",  # vague
    "持续经营3个月以上",  # duration
    "一是完成排查",
    "“三无”小区",
    "做到一户一档",  # a method
    "实行一点一策",
]


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_not_a_quantity(text):
    assert read(text) == []


def test_numbers_inside_a_deadline_are_skipped():
    text = "9月15日前完成12处改造"
    assert [q[0] for q in read(text, blocked=[(0, 6)])] == [12]


def test_offsets_point_to_the_characters():
    text = "要建成2个以上的示范小区"
    (q,) = find_quantities(text, 0, len(text))
    assert text[q.start : q.end] == "2个以上的"
