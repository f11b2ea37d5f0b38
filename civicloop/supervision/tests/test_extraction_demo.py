"""Against the Erqi demo registry (manage.py demo): scopes, units, the benchmark's figures."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from civicloop.geo.models import Region
from civicloop.org.models import Unit
from civicloop.supervision.extraction import Registry, Target, extract, register_scope_provider
from civicloop.supervision.extraction.registry import unregister_scope_provider
from civicloop.supervision.extraction.scoring import LABELLED, load_labelled, score
from civicloop.supervision.extraction.units import UnitMatcher

from .helpers import statutory_workday


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo without case history, built as civicloop/demo/tests builds it (no import:
    supervision sits below demo in the layers)."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        call_command("demo", "--days", "0", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", verbosity=0)


@pytest.fixture
def registry(demo, db):
    return Registry.from_database()


def one(text, registry, on="2020-09-10"):
    (item,) = extract(text, datetime.date.fromisoformat(on), registry, is_workday=statutory_workday)
    return item


def test_the_registry_is_read_in_three_queries(demo, db, django_assert_num_queries):
    with django_assert_num_queries(3):
        registry = Registry.from_database()
    assert registry.district_name == "二七区"
    assert len(registry.streets()) == 19


@pytest.mark.parametrize("scope", ["每个镇办", "各镇办", "各街道", "全区各乡镇街道", "各镇街"])
def test_every_street_is_one_row(registry, scope):
    item = one(f"10月底前，{scope}要建成2个以上的垃圾分类示范小区。", registry)
    streets = Region.objects.filter(level=Region.Level.STREET).order_by("code")
    assert item.per == "街道"
    assert [t.name for t in item.targets] == list(streets.values_list("name", flat=True))
    offices = {u.region_id: u.pk for u in Unit.objects.filter(kind=Unit.Kind.STREET_OFFICE)}
    assert [t.unit_id for t in item.targets] == [offices[t.id] for t in item.targets]
    assert "樱桃沟管委会" in [t.name for t in item.targets]


def test_every_community_of_the_district_or_of_a_street(registry):
    everywhere = one("各社区要在本月底前实现垃圾分类全覆盖。", registry)
    communities = Region.objects.filter(level=Region.Level.COMMUNITY)
    assert len(everywhere.targets) == communities.count()
    renhe = one("人和路街道各社区要在本月底前实现垃圾分类全覆盖。", registry)
    children = Region.objects.get(name="人和路街道").children.order_by("code")
    assert [t.name for t in renhe.targets] == list(children.values_list("name", flat=True))
    assert {"广兴社区", "华府社区"} <= {t.name for t in renhe.targets}
    assert [u.name for u in renhe.units] == ["人和路街道办事处"]


def test_every_department(registry):
    item = one("区直各部门要在三季度末前报送年度重点工作完成情况。", registry)
    departments = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, is_active=True)
    assert item.per == "部门"
    assert {t.name for t in item.targets} == set(departments.values_list("name", flat=True))


def test_schools_come_from_a_registered_provider(registry):
    text = "全区各学校要在开学前完成校园周边环境整治，区教体局负责督导。"
    item = one(text, registry)
    assert (item.per, item.targets) == ("学校", [])  # no provider: the kind, no rows
    register_scope_provider(
        "学校", lambda reg: ["二七区示例小学", Target("二七区示例中学", 7)], aliases=("中小学",)
    )
    try:
        item = one(text, registry)
        assert [t.name for t in item.targets] == ["二七区示例小学", "二七区示例中学"]
        item = one("各中小学要在9月底前完成消防检查。", registry)
        assert item.per == "学校" and len(item.targets) == 2
    finally:
        unregister_scope_provider("学校")
    assert [u.name for u in item.units] == []


@pytest.mark.parametrize(
    ("mention", "unit", "confidence"),
    [
        ("二七区城市管理局", "区城管局", 0.85),
        ("区城管局", "区城管局", 1.0),
        ("城管局", "区城管局", 0.9),
        ("区建设交通局", "区建设和交通局", 0.85),
        ("区住保中心", "区住房保障中心", 0.9),
        ("区文化广电和旅游局", "区文化旅游局", 0.8),
        ("区教育体育局", "区教体局", 0.85),
        ("区机关事务管理局", "区事管局", 0.85),
        ("区委社会治理委员会", "区委社治委", 0.85),
        ("淮河路街道", "淮河路街道办事处", 0.95),
        ("马寨镇", "马寨镇人民政府", 0.95),
        ("侯寨乡", "侯寨乡人民政府", 0.95),
        ("樱桃沟管委会", "樱桃沟管委会", 1.0),
        ("嵩山路分局", "嵩山路公安分局", 0.9),
    ],
)
def test_units_of_the_demo(registry, mention, unit, confidence):
    (m,) = UnitMatcher(registry).find(f"{mention}要在9月底前完成整改")
    assert (m.unit.name, m.confidence) == (unit, confidence)
    assert m.unit.id == Unit.objects.get(name=unit).pk


# Figures reached on the labelled set when this test was written (bench/extraction.py).
ACHIEVED = {
    "items": (0.980, 1.000),
    "deadline": (0.956, 0.977),
    "quantity": (1.000, 1.000),
    "quantity_unit": (0.964, 0.964),
    "scope": (1.000, 1.000),
    "units": (0.971, 1.000),
}
# And on the held-out set (data/heldout.json), after the fixes docs/extraction.md lists.
HELD_OUT = {
    "items": (0.919, 0.971),
    "deadline": (0.941, 0.941),
    "quantity": (0.941, 1.000),
    "scope": (1.000, 1.000),
    "units": (0.846, 0.917),
}
MARGIN = 0.03


@pytest.mark.parametrize(
    ("name", "achieved"), [("labelled.json", ACHIEVED), ("heldout.json", HELD_OUT)]
)
def test_the_benchmark_figures_hold_on_the_demo_registry(registry, name, achieved):
    matcher = UnitMatcher(registry)
    result = score(
        load_labelled(LABELLED.parent / name),
        lambda text, day: extract(
            text, day, registry, matcher=matcher, is_workday=statutory_workday, check=False
        ),
    )
    figures = result.as_dict()
    assert figures["items"]["labelled"] >= 35
    assert figures["items"]["precision"] >= 0.9 and figures["items"]["recall"] >= 0.85
    for field, (precision, recall) in achieved.items():
        assert figures[field]["precision"] >= precision - MARGIN, (field, result.misses)
        assert figures[field]["recall"] >= recall - MARGIN, (field, result.misses)
