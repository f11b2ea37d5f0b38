"""Place importers: good files load, bad files are refused whole."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicloop.core.importing import ImportRejected
from civicloop.geo.importers import import_cells, import_compounds, import_regions, import_roads
from civicloop.geo.locator import locate
from civicloop.geo.models import Compound, GridCell, Region, Road, RoadSection


def box(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def fc(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def feat(geometry, **props):
    return {"type": "Feature", "geometry": geometry, "properties": props}


REGIONS = fc(
    feat(box(113.6, 34.7, 113.62, 34.71), code="410103", name="二七区"),
    feat(box(113.6, 34.7, 113.61, 34.71), code="410103001", name="淮河路街道", kind="街道"),
    feat(box(113.6, 34.7, 113.61, 34.71), code="410103001001", name="示例社区", synthetic=True),
    feat(None, code="410103101", name="马寨镇", kind="镇"),
    feat(None, code="410103101001", name="张寨村", kind="村"),
)


@pytest.mark.django_db
def test_regions_load_with_parents_kinds_and_boundaries():
    report = import_regions(REGIONS)
    assert (report.created, report.updated) == (5, 0)
    town = Region.objects.get(code="410103101")
    assert town.kind == Region.Kind.TOWN and town.parent.code == "410103"
    village = Region.objects.get(code="410103101001")
    assert village.kind == Region.Kind.VILLAGE and village.geom is None
    assert Region.objects.get(code="410103001001").is_synthetic
    assert locate(113.605, 34.705).community_id is not None


@pytest.mark.django_db
def test_importing_twice_updates_instead_of_duplicating():
    import_regions(REGIONS)
    again = import_regions(REGIONS)
    assert (again.created, again.updated) == (0, 5)
    assert Region.objects.count() == 5


@pytest.mark.django_db
def test_a_bad_region_file_names_each_problem_and_imports_nothing():
    bad = fc(
        feat(box(113.6, 34.7, 113.62, 34.71), code="410103", name="二七区"),
        feat(box(113.6, 34.7, 113.61, 34.71), code="41010300", name="bad code"),
        feat(
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            code="410103002",
            name="bow tie",
        ),  # fmt: skip
        feat(None, code="410103003001", name="orphan"),
        feat(None, code="410103004", name=""),
    )
    with pytest.raises(ImportRejected) as err:
        import_regions(bad)
    text = "\n".join(err.value.problems)
    assert "feature 2 (41010300)" in text
    assert "feature 3 (410103002)" in text and "Self-intersection" in text
    assert "feature 4 (410103003001)" in text and "410103003" in text
    assert "feature 5 (410103004)" in text
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_not_geojson_is_refused():
    with pytest.raises(ImportRejected):
        import_regions(io.StringIO("not json"))
    with pytest.raises(ImportRejected):
        import_regions({"type": "Feature"})


@pytest.mark.django_db
def test_cells_load_with_patrol_areas_and_derived_figures():
    import_regions(REGIONS)
    report = import_cells(fc(
        feat(box(113.600, 34.700, 113.601, 34.701), code="41010300100101", area_class="a",
             patrol_area="PA1", patrol_area_name="一号责任网格"),
        feat(box(113.601, 34.700, 113.602, 34.701), code="41010300100102", patrol_area="PA1"),
    ))  # fmt: skip
    assert report.created == 2
    cell = GridCell.objects.get(code="41010300100101")
    assert cell.area_class == "A" and cell.patrol_area.name == "一号责任网格"
    assert cell.area_m2 == pytest.approx(91.4 * 111.2, rel=0.01)  # 0.001° × 0.001° here
    assert GridCell.objects.get(code="41010300100102").area_class == "B"
    assert locate(113.6005, 34.7005).cell_code == "41010300100101"


@pytest.mark.django_db
def test_bad_cells_are_refused_whole():
    import_regions(REGIONS)
    with pytest.raises(ImportRejected) as err:
        import_cells(fc(
            feat(box(113.600, 34.700, 113.601, 34.701), code="41010300100101"),
            feat(box(113.601, 34.700, 113.602, 34.701), code="41010300100101"),
            feat(box(113.601, 34.700, 113.602, 34.701), code="41010300900101"),
            feat(box(113.601, 34.700, 113.602, 34.701), code="41010300100103", area_class="D"),
            feat({"type": "LineString", "coordinates": [[113.6, 34.7], [113.61, 34.7]]},
                 code="41010300100104"),
            feat(box(34.7, 113.6, 34.71, 113.61), code="41010300100105"),
            feat(box(113.601, 34.700, 113.602, 34.701), code="4101030010010"),
        ))  # fmt: skip
    problems = err.value.problems
    assert any(p.startswith("feature 2") and "repeats" in p for p in problems)
    assert any(p.startswith("feature 3") and "410103009001" in p for p in problems)
    assert any(p.startswith("feature 4") and "A, B or C" in p for p in problems)
    assert any(p.startswith("feature 5") and "LineString" in p for p in problems)
    assert any(p.startswith("feature 6") and "lon first" in p for p in problems)
    assert any(p.startswith("feature 7") and "14 digits" in p for p in problems)
    assert GridCell.objects.count() == 0


@pytest.mark.django_db
def test_cell_sequence_length_is_a_setting(settings):
    settings.GEO_CELL_SEQUENCE_DIGITS = 3
    import_regions(REGIONS)
    import_cells(fc(feat(box(113.600, 34.700, 113.601, 34.701), code="410103001001001")))
    with pytest.raises(ImportRejected):
        import_cells(fc(feat(box(113.600, 34.700, 113.601, 34.701), code="41010300100101")))


@pytest.mark.django_db
def test_roads_load_in_sections_and_are_found():
    import_regions(REGIONS)
    report = import_roads(fc(
        feat({"type": "LineString", "coordinates": [[113.600, 34.705], [113.605, 34.705]]},
             road_code="R01", road_name="陇海路", grade="arterial", seq=1, street_code="410103001"),
        feat({"type": "LineString", "coordinates": [[113.605, 34.705], [113.610, 34.705]]},
             road_code="R01", road_name="陇海路", seq=2, name="陇海路（京广路—大学路）"),
    ))  # fmt: skip
    assert report.created == 2
    road = Road.objects.get(code="R01")
    assert road.grade == "arterial" and road.geometry.length == pytest.approx(0.01)
    first, second = RoadSection.objects.filter(road=road).order_by("seq")
    assert first.name == "陇海路 1" and first.street.code == "410103001"
    assert second.name == "陇海路（京广路—大学路）"
    assert first.length_m == pytest.approx(457, rel=0.01)
    assert locate(113.607, 34.7051).road_section_id == second.id


@pytest.mark.django_db
def test_bad_roads_are_refused_whole():
    import_regions(REGIONS)
    line = {"type": "LineString", "coordinates": [[113.600, 34.705], [113.605, 34.705]]}
    with pytest.raises(ImportRejected) as err:
        import_roads(fc(
            feat(line, road_code="R01", road_name="陇海路", seq=1),
            feat(line, road_code="R01", road_name="航海路", seq=2),
            feat(line, road_code="R01", road_name="陇海路", seq=1),
            feat(line, road_code="R02", road_name="淮河路", seq="x"),
            feat(line, road_code="R03", road_name="长江路", seq=1, street_code="410103999"),
            feat(box(113.6, 34.7, 113.61, 34.71), road_code="R04", road_name="福华街", seq=1),
        ))  # fmt: skip
    assert len(err.value.problems) == 5
    assert Road.objects.count() == 0 and RoadSection.objects.count() == 0


@pytest.mark.django_db
def test_compounds_from_geojson_and_from_csv():
    import_regions(REGIONS)
    import_compounds(fc(
        feat(box(113.601, 34.701, 113.602, 34.702), code="XQ1", name="绿云小区",
             community_code="410103001001", households=320, managed=True),
    ))  # fmt: skip
    table = io.BytesIO(
        "编码,名称,社区编码,地址,户数,有物业,经度,纬度\n"
        "XQ2,勤劳街3号院,410103001001,勤劳街3号,48,否,113.603,34.703\n".encode()
    )
    table.name = "compounds.csv"
    report = import_compounds(table)
    assert report.created == 1
    courtyard = Compound.objects.get(code="XQ2")
    assert not courtyard.has_property_management and courtyard.households == 48
    assert courtyard.geometry.geom_type == "Point"
    assert Compound.objects.get(code="XQ1").has_property_management


@pytest.mark.django_db
def test_bad_compound_table_is_refused_whole():
    import_regions(REGIONS)
    table = io.BytesIO(
        "编码,名称,社区编码,户数,有物业,经度,纬度\n"
        "XQ2,好院,410103001001,48,否,113.603,34.703\n"
        "XQ3,坏院,410103001999,many,也许,200,34.703\n".encode()
    )
    table.name = "compounds.csv"
    with pytest.raises(ImportRejected) as err:
        import_compounds(table)
    text = "\n".join(err.value.problems)
    assert "row 3 (XQ3)" in text and "410103001999" in text and "households" in text
    assert Compound.objects.count() == 0


@pytest.mark.django_db
def test_import_command_prints_problems_and_fails(tmp_path):
    path = tmp_path / "regions.geojson"
    path.write_text(json.dumps(fc(feat(None, code="999999", name="外区"))), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "regions", str(path))
    assert Region.objects.count() == 0
    path.write_text(json.dumps(REGIONS), encoding="utf-8")
    out = io.StringIO()
    call_command("import", "regions", str(path), stdout=out)
    assert "5" in out.getvalue() and Region.objects.count() == 5
