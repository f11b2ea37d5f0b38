"""The shipped catalogue file: it loads, is complete and covers the district's problems."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from civicloop.cases.catalogue_loader import load_catalogue
from civicloop.cases.models import (
    CategoryClass,
    Family,
    FilingStandard,
    LimitUnit,
    SmallClass,
    TimeLimit,
    Urgency,
)
from civicloop.geo.choices import AreaClass

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalogue")]

# The problems DOMAIN.md says the district fights, as residents or staff would type them.
DISTRICT_PROBLEM_WORDS = [
    "窨井",
    "井盖",
    "墙体立面",
    "外立面",
    "施工围挡",
    "建筑垃圾",
    "户外广告",
    "占道停车",
    "停车秩序",
    "渣土车",
    "扬尘",
    "突出门店经营",
    "占道经营",
    "垃圾占道",
    "违法建设",
    "商场",
    "电动车停放",
    "背街小巷",
    "集贸市场",
    "公益广告",
    "行人",
    "非机动车",
    "交通违法",
    "道路物业化",
    "绿地",
    "公共厕所",
    "垃圾分类",
]


@pytest.fixture
def loaded():
    return load_catalogue()


def test_shipped_file_loads_with_expected_counts(loaded):
    assert loaded.category_classes.created == 12
    assert CategoryClass.objects.filter(family=Family.COMPONENT).count() == 6
    assert CategoryClass.objects.filter(family=Family.EVENT).count() == 6
    assert SmallClass.objects.count() >= 60
    assert FilingStandard.objects.count() > SmallClass.objects.count()
    assert loaded.standards.created == FilingStandard.objects.count() == loaded.rows


def test_class_names_follow_the_design():
    load_catalogue()
    names = {c.prefix: c.name for c in CategoryClass.objects.all()}
    assert names == {
        "C01": "公用设施",
        "C02": "道路交通",
        "C03": "市容环境",
        "C04": "园林绿化",
        "C05": "房屋土地",
        "C06": "其他设施",
        "E01": "市容环境",
        "E02": "宣传广告",
        "E03": "施工管理",
        "E04": "突发事件",
        "E05": "街面秩序",
        "E06": "其他事件",
    }


@pytest.mark.parametrize(
    ("full_code", "name"),
    [
        ("C0101", "上水井盖"),
        ("C0118", "路灯"),
        ("C0305", "垃圾箱"),
        ("E0101", "私搭乱建"),
        ("E0102", "暴露垃圾"),
        ("E0201", "非法小广告"),
        ("E0302", "工地扬尘"),
        ("E0504", "店外经营"),
        ("E0505", "机动车乱停放"),
        ("E0506", "非机动车乱停放"),
        ("E0507", "乱堆物堆料"),
    ],
)
def test_national_codes(loaded, full_code, name):
    assert SmallClass.by_code(full_code).name == name


def test_all_manhole_covers_0101_to_0114(loaded):
    codes = set(
        SmallClass.objects.filter(full_code__startswith="C01").values_list("code", flat=True)
    )
    assert {f"{n:02d}" for n in range(1, 15)} <= codes


@pytest.mark.parametrize("word", DISTRICT_PROBLEM_WORDS)
def test_every_district_problem_is_findable(loaded, word):
    assert SmallClass.objects.matching(word).exists(), word


def test_main_classes_have_an_other_small_class(loaded):
    for category in CategoryClass.objects.all():
        other = category.small_classes.get(code="99")
        assert other.name.startswith("其他")


def test_every_standard_is_complete(loaded):
    for standard in FilingStandard.objects.prefetch_related("time_limits"):
        assert standard.condition and standard.closure_condition
        for area_class in AreaClass.values:
            assert standard.limit_for(area_class) is not None, standard.code
    # Exactly one default per small class after a fresh load.
    for small in SmallClass.objects.prefetch_related("standards"):
        assert sum(s.is_default for s in small.standards.all()) == 1, small.full_code


def test_c_areas_never_get_a_shorter_limit_than_a(loaded):
    by_key = {(t.standard_id, t.urgency, t.area_class): t for t in TimeLimit.objects.all()}
    for (standard_id, urgency, area), limit in by_key.items():
        if area != AreaClass.C:
            continue
        a = by_key[(standard_id, urgency, AreaClass.A)]
        if a.unit == limit.unit:
            assert limit.amount >= a.amount, (limit.standard.code, urgency)


def test_design_time_limits(loaded):
    def limit(code, area="A", urgency=Urgency.NORMAL):
        found = FilingStandard.objects.get(code=code).limit_for(area, urgency)
        return found.amount, found.unit

    illegal = [s.code for s in SmallClass.by_code("E0101").standards.order_by("order")]
    assert [limit(code) for code in illegal] == [
        (Decimal(4), LimitUnit.WORKING_HOURS),
        (Decimal(7), LimitUnit.WORKING_DAYS),
        (Decimal(20), LimitUnit.WORKING_DAYS),
    ]
    assert limit("E010201") == (Decimal(4), LimitUnit.WORKING_HOURS)
    assert limit("E010401") == (Decimal(2), LimitUnit.WORKING_HOURS)
    assert limit("E010301") == (Decimal(4), LimitUnit.WORKING_HOURS)
    assert limit("E010302") == (Decimal(2), LimitUnit.WORKING_DAYS)
    assert limit("E010601") == (Decimal(4), LimitUnit.WORKING_HOURS)
    assert limit("C040501") == (Decimal(5), LimitUnit.WORKING_DAYS)
    assert limit("C011201", "B") == (Decimal(6), LimitUnit.HOURS)  # DESIGN §3: 6 h continuous
    assert limit("C011201", "B", Urgency.URGENT) == (Decimal(3), LimitUnit.HOURS)


def test_local_small_classes_do_not_reuse_national_positions(loaded):
    # Local small classes count down from 99 and stay above the national ones used.
    for category in CategoryClass.objects.all():
        codes = sorted(int(c) for c in category.small_classes.values_list("code", flat=True))
        national = [c for c in codes if c < 90]
        local = [c for c in codes if c >= 90]
        assert not national or max(national) < 40
        assert local == list(range(99, 99 - len(local), -1))[::-1]


def test_command_loads_the_shipped_file(capsys):
    call_command("load_catalogue")
    out = capsys.readouterr().out
    assert "12 created" in out
    call_command("load_catalogue")
    assert "0 created, 0 updated" in capsys.readouterr().out
