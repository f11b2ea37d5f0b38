"""The locator: cells, edges, holes, fallbacks, roads, outside, refresh."""

import math

import pytest
import shapely
from django.test import override_settings

from civicloop.geo import locator
from civicloop.geo.locator import CellRecord, Locator, RegionRecord, locate
from civicloop.geo.models import GeoDataVersion, GridCell

M_PER_DEG_LAT = 111_195.0


def test_point_inside_a_cell_gives_the_whole_chain(district):
    where = locate(113.602, 34.703)
    assert where.inside
    assert where.cell_code == "41010300100101"
    assert where.area_class == "A"
    assert where.patrol_area_id == district["area"].id
    assert where.community_id == district["west_c"].id
    assert where.street_id == district["west"].id
    assert where.district_id == district["district"].id
    assert where.region_ids == [district["west_c"].id, district["west"].id, district["district"].id]


def test_point_on_a_shared_edge_belongs_to_the_lower_code(district):
    assert locate(113.605, 34.703).cell_code == "41010300100101"
    # and on the corner shared by both cells and the district edge
    assert locate(113.605, 34.70).cell_code == "41010300100101"


def test_point_in_a_hole_is_not_in_the_cell_but_still_in_the_community(district):
    where = locate(113.6075, 34.705)
    assert where.inside
    assert where.cell_id is None
    assert where.community_id == district["west_c"].id
    assert where.street_id == district["west"].id


def test_point_on_the_rim_of_a_hole_is_in_the_cell(district):
    assert locate(113.606, 34.705).cell_code == "41010300100102"


def test_point_in_a_street_without_cells_has_street_but_no_cell(district):
    where = locate(113.618, 34.703)
    assert where.inside and where.cell_id is None
    assert where.street_id == district["east"].id


def test_point_outside_the_district_is_an_answer_not_an_error(district):
    where = locate(113.70, 34.80)
    assert not where.inside
    assert where.cell_id is None and where.street_id is None
    assert "outside" in where.message or "辖区" in where.message


def test_non_numbers_are_refused(district):
    with pytest.raises(ValueError):
        locate(math.nan, 34.7)


def test_nearest_road_section_within_tolerance(district):
    near = locate(113.603, 34.705 + 10 / M_PER_DEG_LAT)  # 10 m north of the road
    assert near.road_section_id == district["sections"][0].id
    assert near.road_id == district["road"].id
    assert near.road_distance_m == pytest.approx(10, abs=0.1)
    east = locate(113.612, 34.705 - 5 / M_PER_DEG_LAT)
    assert east.road_section_id == district["sections"][1].id


def test_no_road_beyond_tolerance(district):
    far = locate(113.603, 34.705 + 60 / M_PER_DEG_LAT)
    assert far.road_section_id is None and far.road_distance_m is None
    assert locate(113.603, 34.705 + 60 / M_PER_DEG_LAT, road_tolerance_m=80).road_section_id


def test_index_is_rebuilt_when_a_cell_changes(district):
    assert locate(113.618, 34.703).cell_id is None
    cell = GridCell(code="41010300200102", community=district["east_c"], area_class="B")
    cell.geometry = shapely.box(113.615, 34.70, 113.62, 34.71)
    cell.save()
    assert locate(113.618, 34.703).cell_code == "41010300200102"


@override_settings(GEO_INDEX_CHECK_SECONDS=0)
def test_index_follows_a_change_made_by_another_process(district):
    assert locate(113.618, 34.703).cell_id is None
    # Another process writes in bulk (no signals here) and bumps the version.
    cell = GridCell(code="41010300200102", community=district["east_c"], area_class="B")
    cell.geometry = shapely.box(113.615, 34.70, 113.62, 34.71)
    GridCell.objects.bulk_create([cell])
    assert locate(113.618, 34.703).cell_id is None  # this process has not looked yet…
    locator._cache["checked"] = 0.0
    GeoDataVersion.bump()
    assert locate(113.618, 34.703).cell_code == "41010300200102"


def test_vectorised_lookup_agrees_with_single_lookups():
    cells = [
        CellRecord(1, "b", 10, "A", None, shapely.box(0, 0, 1, 1)),
        CellRecord(2, "a", 10, "B", None, shapely.box(1, 0, 2, 1)),
    ]
    index = Locator(cells, [RegionRecord(10, 3, None)])
    found = index.cell_indexes([0.5, 1.0, 1.5, 5.0], [0.5, 0.5, 0.5, 0.5])
    codes = [index.cell_row(i)[1] if i >= 0 else None for i in found]
    assert codes == ["b", "a", "a", None]  # the shared edge goes to code "a"
    assert [index.locate(x, 0.5).cell_code for x in (0.5, 1.0, 1.5)] == ["b", "a", "a"]


def test_locate_many_gives_what_locate_gives(district):
    index = locator.get_locator()
    lons = [113.602, 113.605, 113.603, 113.603, 113.612, 113.618, 170.0, 113.6031]
    lats = [34.703, 34.703, 34.705 + 10 / M_PER_DEG_LAT, 34.705 + 60 / M_PER_DEG_LAT,
            34.705 - 5 / M_PER_DEG_LAT, 34.703, 10.0, 34.705]  # fmt: skip
    for tolerance in (None, 80):
        many = index.locate_many(lons, lats, tolerance)
        assert many == [index.locate(x, y, tolerance) for x, y in zip(lons, lats, strict=True)]
    assert [w.message for w in index.locate_many(lons, lats)][-2]  # outside: with its message
    assert index.locate_many([], []) == []
    with pytest.raises(ValueError):
        index.locate_many([math.nan], [34.7])
