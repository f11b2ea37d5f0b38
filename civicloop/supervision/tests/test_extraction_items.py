"""From text to items: what is kept, what is skipped, how clauses group, offsets."""

import datetime

import pytest

from civicloop.supervision.extraction import TextError, check_text, extract
from civicloop.supervision.extraction.sentences import clauses, sentences
from civicloop.supervision.extraction.text import MAX_CHARS, normalise

from .helpers import small_registry, statutory_workday

REGISTRY = small_registry()


def items(text, on="2020-08-20"):
    return extract(text, datetime.date.fromisoformat(on), REGISTRY, is_workday=statutory_workday)


def test_sentences_and_clauses_keep_offsets():
    text = "会议要求，要确保完成。\n各镇办要在8月底前完成排查；一是清理，二是上报！"
    got = sentences(text)
    assert [s.value for s in got] == [
        "会议要求，要确保完成",
        "各镇办要在8月底前完成排查",
        "一是清理，二是上报",
    ]
    for s in got:
        assert text[s.start : s.end] == s.value
    assert [c.value for c in clauses(text, got[0])] == ["会议要求", "要确保完成"]


def test_normalising_keeps_the_length():
    text = "１０月底前完成１２０处，覆盖率１００％"
    assert len(normalise(text)) == len(text)
    assert normalise(text) == "10月底前完成120处，覆盖率100%"


def test_the_issue_examples():
    text = (
        "要确保在9月15日之前完成辖区公厕提升改造。"
        "10月底前，每个镇办要建成2个以上的垃圾分类示范小区。"
        "第一批120处背街小巷年内完成整治，其余明年3月底前完成。"
    )
    got = items(text, "2020-08-20")
    assert [(i.requirement, str(i.deadline), i.quantity, i.at_least, i.per) for i in got] == [
        ("要确保在9月15日之前完成辖区公厕提升改造", "2020-09-15", None, False, None),
        ("10月底前，每个镇办要建成2个以上的垃圾分类示范小区", "2020-10-31", 2, True, "街道"),
        ("第一批120处背街小巷年内完成整治", "2020-12-31", 120, False, None),
        ("其余明年3月底前完成", "2021-03-31", None, False, None),
    ]
    assert [t.name for t in got[1].targets] == [
        "淮河路街道",
        "人和路街道",
        "马寨镇",
        "樱桃沟管委会",
    ]


def test_every_field_points_to_its_characters():
    text = "会议强调，10月底前，每个镇办要建成2个以上的垃圾分类示范小区，由区城管局负责验收。"
    (item,) = items(text)
    assert text[item.start : item.end] == item.requirement
    assert text[item.sentence_start : item.sentence_end] == item.sentence
    assert text[slice(*item.deadline_span)] == "10月底前"
    assert text[slice(*item.quantity_span)] == "2个以上的"
    assert text[slice(*item.per_span)] == "每个镇办"
    (unit,) = item.units
    assert (text[unit.start : unit.end], unit.name, unit.id) == ("区城管局", "区城管局", 101)


def test_full_width_text_gives_original_characters():
    text = "区城管局要在１０月底前完成１２处窨井盖更换。"
    (item,) = items(text)
    assert item.requirement == "区城管局要在１０月底前完成１２处窨井盖更换"
    assert (item.deadline, item.quantity) == (datetime.date(2020, 10, 31), 12)
    assert text[slice(*item.quantity_span)] == "１２处"


NOTHING = [
    "截至目前，全区已完成老旧小区改造38个，共清理卫生死角1200余处。",
    "目前已解决群众反映的突出问题56件。",
    "今年以来，区停管办累计施划停车泊位3200个。",
    "共出动执法人员2300余人次，查处渣土车违规行为180起。",
    "会议听取了区城管局关于背街小巷整治工作的汇报。",
    "对注册一年以内、持续经营3个月以上的小微企业，区人社局给予一次性创业补贴。",
    "今后，凡列入督办的事项，责任单位须在3个工作日内签收。",
    "根据规定，新建小区须按照不低于总户数10%的比例配建充电设施。",
    "各相关单位要高度重视，切实提高思想认识。",
    "申请材料须在受理后10个工作日内审核完毕。",
    "8月20日，区城市管理委员会召开专题会议。",
    "# 二七区城市精细化管理工作推进会会议纪要",
    "会议要求，各单位要点面结合。",
]


@pytest.mark.parametrize("text", NOTHING)
def test_reports_rules_and_exhortations_yield_nothing(text):
    assert items(text) == []


def test_a_second_quantity_makes_a_second_item_that_keeps_deadline_and_unit():
    text = "区人社局要在3月底前帮助辖区企业招聘不少于1000人，完成线上招聘会不少于5场。"
    first, second = items(text, "2020-02-10")
    assert (first.quantity, second.quantity) == (1000, 5)
    assert first.deadline == second.deadline == datetime.date(2020, 3, 31)
    assert [u.name for u in second.units] == ["区人社局"]


def test_a_clause_with_its_own_subject_does_not_inherit_the_unit():
    text = "区精细办要在年底前打造示范街道3条，每个街道至少打造1条精品路段。"
    first, second = items(text, "2020-11-05")
    assert [u.name for u in first.units] == ["区精细办"]
    assert (second.per, second.units, second.deadline) == ("街道", [], datetime.date(2020, 12, 31))
    assert (second.quantity, second.at_least) == (1, True)


def test_a_clause_with_a_scope_of_its_own_does_not_inherit_the_unit():
    text = "区城管局力争在年底前建成示范路段5个，实现每个街道至少1个。"
    first, second = items(text, "2020-10-26")
    assert [u.name for u in first.units] == ["区城管局"]
    assert (second.units, second.per, second.quantity, second.at_least) == ([], "街道", 1, True)
    assert second.deadline == datetime.date(2020, 12, 31)


def test_lead_and_supporting_units_join_the_item():
    text = "区城管局牵头，停管办配合，11月15日前完成全区集贸市场环境专项整治。"
    (item,) = items(text)
    assert [u.name for u in item.units] == ["区城管局", "停管办"]


def test_a_recipient_is_not_responsible():
    (item,) = items("各镇办要于3月上旬前将复工复产情况报区督查局。", "2020-02-20")
    assert item.units == [] and item.per == "街道"


def test_communities_of_a_named_street():
    (item,) = items("人和路街道各社区要在本月底前实现垃圾分类全覆盖。", "2020-04-08")
    assert item.per == "社区"
    assert [t.name for t in item.targets] == ["广兴社区", "华府社区"]
    assert (item.quantity, item.quantity_unit) == (100, "%")


def test_villages_only():
    (item,) = items("年内每个村至少打造1处游园。", "2020-09-14")
    assert item.per == "村" and [t.name for t in item.targets] == ["张寨村"]


def test_an_enumerator_is_not_part_of_the_requirement():
    text = "二、关于垃圾分类。（一）各社区要在9月底前实现垃圾分类宣传全覆盖；二是区城管局要在10月底前完成验收。"
    first, second = items(text, "2020-09-14")
    assert first.requirement == "各社区要在9月底前实现垃圾分类宣传全覆盖"
    assert second.requirement == "区城管局要在10月底前完成验收"
    assert text[first.start : first.end] == first.requirement


def test_text_checks():
    with pytest.raises(TextError) as e:
        check_text("   \n")
    assert e.value.reason == "empty" and e.value.field == "text"
    with pytest.raises(TextError) as e:
        check_text("要" * (MAX_CHARS + 1))
    assert e.value.reason == "too_long"
    with pytest.raises(TextError) as e:
        check_text("The district will complete 30 compounds by June.")
    assert e.value.reason == "language"
    with pytest.raises(TextError):
        extract("", datetime.date(2020, 1, 1), REGISTRY)


def test_english_sentences_inside_chinese_text_are_skipped():
    text = "See annex A. 区城管局要在8月底前完成陇海路沿线12处破损窨井盖的更换。"
    (item,) = items(text)
    assert item.quantity == 12
