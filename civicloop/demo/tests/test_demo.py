"""manage.py demo builds the whole Erqi dataset, and reuses it when run again."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from civicloop.cases.models import Case, CaseEvent, SmallClass
from civicloop.geo.locator import get_locator
from civicloop.geo.models import Compound, GridCell, PatrolArea, Region, Road, RoadSection
from civicloop.org.models import Membership, Person, ResponsibilityRule, Role, Unit
from civicloop.org.routing import route

from .conftest import build_demo, flush


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    yield build_demo(django_db_blocker, "--days", "2", "--per-day", "30")
    flush(django_db_blocker)


@pytest.fixture
def db_demo(demo, db):
    return demo


def test_the_district_and_its_19_street_level_units(db_demo):
    district = Region.objects.get(code="410103")
    assert district.name == "二七区"
    streets = Region.objects.filter(level=Region.Level.STREET)
    assert streets.count() == 19
    names = set(streets.values_list("name", flat=True))
    for name in ("淮河路街道", "五里堡街道", "金水源街道", "福华街街道", "人和路街道", "嵩山路街道",
                 "京广路街道", "大学路街道", "马寨镇", "樱桃沟管委会", "侯寨乡"):  # fmt: skip
        assert name in names
    assert Region.objects.get(name="樱桃沟管委会").kind == Region.Kind.COMMITTEE
    assert not Region.objects.filter(level=Region.Level.STREET, is_synthetic=False).exists()


def test_named_communities_villages_and_compounds(db_demo):
    renhe = Region.objects.get(name="人和路街道")
    assert set(renhe.children.values_list("name", flat=True)) >= {"广兴社区", "华府社区"}
    mazhai = Region.objects.get(name="马寨镇")
    assert {"张寨村", "张河村", "王庄社区"} <= set(mazhai.children.values_list("name", flat=True))
    assert Compound.objects.get(name="长江花园").community.name == "广兴社区"
    assert Compound.objects.get(name="勤劳街3号院").community.parent.name == "淮河路街道"
    assert not Compound.objects.get(name="古建所家属院").has_property_management
    assert Compound.objects.count() >= 11


def test_at_least_2000_synthetic_cells_with_area_classes_around_erqi(db_demo):
    cells = GridCell.objects.all()
    assert cells.count() >= 2000
    assert not cells.filter(is_synthetic=False).exists()
    assert set(cells.values_list("area_class", flat=True).distinct()) == {"A", "B", "C"}
    locator = get_locator()
    where = locator.locate(113.63, 34.72)
    assert where.inside and where.cell_id and where.street_id
    assert PatrolArea.objects.count() == 19


def test_roads_in_sections_each_with_a_road_chief(db_demo):
    assert Road.objects.filter(name="陇海路").exists()
    assert Road.objects.count() == 22  # 陇海路 + 10 横 + 10 纵 + the ring
    sections = RoadSection.objects.all()
    assert sections.count() > 100
    chiefs = Membership.objects.filter(role=Role.ROAD_CHIEF, is_active=True)
    assert chiefs.count() == sections.count()
    assert chiefs.values("road_section").distinct().count() == sections.count()


def test_units_people_and_roles(db_demo):
    assert Unit.objects.filter(kind=Unit.Kind.STREET_OFFICE).count() == 19
    for name in (
        "区城管局",
        "区建设和交通局",
        "区督查局",
        "停管办",
        "区住房保障中心",
        "环卫清扫公司",
    ):
        assert Unit.objects.filter(name=name).exists()
    assert Unit.objects.filter(kind=Unit.Kind.POLICE, parent=None).count() == 5
    assert Unit.objects.filter(kind=Unit.Kind.POLICE).exclude(parent=None).count() == 16
    for role in Role.values:
        assert Membership.objects.filter(role=role).exists(), role
    assert not Person.objects.filter(is_synthetic=False).exists()


def test_routing_as_erqi_does(db_demo):
    where = get_locator().locate(113.63, 34.72)
    street_office = Unit.objects.get(kind=Unit.Kind.STREET_OFFICE, region_id=where.street_id)
    expect = {
        "E0505": "停管办",
        "E0104": "环卫清扫公司",
        "E0102": "环卫清扫公司",
        "E0504": "区城管局",
        "E0201": "区城管局",
        "E0401": "区建设和交通局",
        "E0191": "区建设和交通局",
        "E0101": street_office.name,
        "E0507": street_office.name,
    }
    for code, unit in expect.items():
        assert SmallClass.objects.filter(full_code=code).exists(), code
        assert route(code, where).unit.name == unit, code
    assert ResponsibilityRule.objects.filter(road__name="陇海路").exists()


def test_logins_are_printed_and_work(db_demo, settings):
    assert "admin" in db_demo and "inspector01" in db_demo and "erqi-demo" in db_demo
    assert "/console/" in db_demo and "/open311/v2/discovery.json" in db_demo
    assert settings.DEMO_OPEN311_KEY in db_demo  # the demo Open311 client's key
    assert f": {Case.objects.count()}" in db_demo  # the summary prints the case count
    assert authenticate(username="dispatcher01", password="erqi-demo") is not None
    assert authenticate(username="admin", password="erqi-demo").is_superuser


def test_running_again_reuses_the_data(db_demo):
    counts = (GridCell, Unit, Person, Case, CaseEvent)
    before = [model.objects.count() for model in counts]
    assert before[3] > 40  # the first run wrote a history
    out = io.StringIO()
    call_command("demo", stdout=out)  # no second history, whatever --days says
    assert [model.objects.count() for model in counts] == before
    assert "reusing" in out.getvalue() or "复用" in out.getvalue()


def test_the_administrator_role_can_use_the_admin(db_demo, client):
    assert client.login(username="administrator01", password="erqi-demo")
    assert client.get("/admin/").status_code == 200


def test_the_demo_refuses_a_database_with_a_real_district(db_demo):
    from django.core.management.base import CommandError

    Region.objects.filter(code="410103").update(is_synthetic=False)  # rolled back after the test
    with pytest.raises(CommandError, match="real district"):
        call_command("demo", stdout=io.StringIO())
