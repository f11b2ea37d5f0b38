"""The gazetteer: what it holds (crossings included), how it searches, when it is rebuilt.

Runs on SQLite and, with DATABASE_URL, on PostgreSQL (trigram index).
"""

import pytest
import shapely
from django.core.management import call_command
from django.db import connection

from civicloop.geo import places
from civicloop.geo.models import Compound, GeoDataVersion, Place, Road, RoadSection


@pytest.fixture
def town(district):
    """The test district plus a north–south road crossing the test road, a road ending
    just short of it (a T-junction drawn 5 m short) and a compound."""
    ns = Road.objects.create(code="R2", name="南北路")
    section = RoadSection(road=ns, seq=1, name="南北路（南端—北端）", street=district["west"])
    section.geometry = shapely.LineString([(113.607, 34.700), (113.607, 34.710)])
    section.save()
    short = Road.objects.create(code="R3", name="短支路")
    stub = RoadSection(road=short, seq=1, name="短支路全段", street=district["east"])
    stub.geometry = shapely.LineString([(113.615, 34.7099), (113.615, 34.70505)])
    stub.save()
    compound = Compound(
        code="XQ1", name="绿云小区", community=district["west_c"], address="西街 9 号"
    )
    compound.geometry = shapely.box(113.601, 34.706, 113.602, 34.707)
    compound.save()
    return {**district, "ns": ns, "short": short, "compound": compound}


def by_kind(kind):
    return sorted(Place.objects.filter(kind=kind).values_list("name", flat=True))


def test_rebuild_holds_every_named_place(town):
    n = places.rebuild()
    assert n == Place.objects.count()
    assert by_kind("street") == ["东街道", "西街道"]
    assert by_kind("community") == ["东社区", "西社区"]
    assert by_kind("road") == ["南北路", "测试路", "短支路"]
    assert by_kind("section") == ["南北路（南端—北端）", "测试路1段", "测试路2段", "短支路全段"]
    assert by_kind("compound") == ["绿云小区"]
    assert by_kind("cell") == sorted(town["cells"])
    assert not Place.objects.filter(name="测试区").exists()  # the district is not a search target


def test_crossings_are_computed_from_the_road_lines(town):
    places.rebuild()
    crossings = {p.name: p for p in Place.objects.filter(kind="crossing")}
    # Each crossing under both orders of its roads' names.
    assert set(crossings) == {"测试路与南北路交叉口", "南北路与测试路交叉口",
                              "测试路与短支路交叉口", "短支路与测试路交叉口"}  # fmt: skip
    assert crossings["南北路与测试路交叉口"].lon == crossings["测试路与南北路交叉口"].lon
    real = crossings["测试路与南北路交叉口"]
    assert (real.lon, real.lat) == pytest.approx((113.607, 34.705), abs=1e-7)
    # The T-junction drawn 5 m short still counts, at the middle of the gap.
    tee = crossings["测试路与短支路交叉口"]
    assert (tee.lon, tee.lat) == pytest.approx((113.615, 34.705025), abs=1e-6)
    # Sections of one road never "cross" each other.
    assert not Place.objects.filter(name__contains="测试路与测试路").exists()


def test_points_lie_on_their_places(town):
    places.rebuild()
    street = Place.objects.get(kind="street", name="西街道")
    assert town["west"].geometry.contains(shapely.Point(street.lon, street.lat))
    road = Place.objects.get(kind="road", name="测试路")
    assert road.lat == pytest.approx(34.705)
    compound = Place.objects.get(kind="compound")
    assert town["compound"].geometry.contains(shapely.Point(compound.lon, compound.lat))
    assert compound.context == "西社区 · 西街 9 号"


def test_search_orders_exact_then_prefix_then_anywhere(town):
    hits = places.search("测试路")
    names = [h.name for h in hits]
    # Exact first; among prefixes shorter names first (then the kind's RANK).
    assert names == [
        "测试路",
        "测试路1段",
        "测试路2段",
        "测试路与南北路交叉口",
        "测试路与短支路交叉口",
    ]
    anywhere = [h.name for h in places.search("南北路")]
    assert anywhere == ["南北路", "南北路（南端—北端）", "南北路与测试路交叉口"]


def test_a_crossing_is_found_by_either_road_once(town):
    assert [h.name for h in places.search("南北路与")] == ["南北路与测试路交叉口"]
    hits = [h.name for h in places.search("交叉口")]
    assert len(hits) == 2 and len({h for h in hits}) == 2


def test_search_normalises_queries(town):
    assert [h.name for h in places.search(" 绿 云 ")] == ["绿云小区"]
    # Full-width digits of a cell code typed on a Chinese keyboard.
    hits = places.search("４１０１０３００１００１０１")
    assert [h.name for h in hits] == ["41010300100101"]
    assert hits[0].kind == "cell"


def test_search_by_kind_and_limit(town):
    assert {h.kind for h in places.search("路", kinds=("road",))} == {"road"}
    assert len(places.search("4101", limit=2)) == 2


@pytest.mark.parametrize("bad", ["", "   ", "·", "x" * 51, None])
def test_bad_queries_are_refused(town, bad):
    with pytest.raises(ValueError):
        places.search(bad)


def test_a_change_to_the_places_reaches_the_search(town):
    assert places.search("绿云")
    compound = town["compound"]
    compound.name = "碧云小区"
    compound.save()  # the signal bumps GeoDataVersion
    assert GeoDataVersion.objects.get(pk=1).places_version < GeoDataVersion.current()
    assert [h.name for h in places.search("碧云")] == ["碧云小区"]
    assert places.search("绿云") == []
    assert GeoDataVersion.objects.get(pk=1).places_version == GeoDataVersion.current()


def test_search_costs_few_queries_once_built(town, django_assert_max_num_queries, settings):
    settings.GEO_INDEX_CHECK_SECONDS = 60
    places.search("测试")
    with django_assert_max_num_queries(2):
        places.search("测试路")
    with django_assert_max_num_queries(2):
        places.search("南北")


def test_command_rebuilds(town, capsys):
    call_command("places")
    out = capsys.readouterr().out
    assert "crossing: 4" in out and f"{Place.objects.count()} places." in out
    assert Place.objects.filter(kind="crossing").count() == 4


def test_postgresql_has_the_trigram_index(db):
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            indexes = connection.introspection.get_constraints(cursor, "geo_place")
        assert "geo_place_key" in indexes
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'geo_place_key_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition
