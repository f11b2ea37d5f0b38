"""Importer edge cases found in review: nothing destroyed, nothing crashes."""

import io

import pytest

from civicloop.core.importing import ImportRejected
from civicloop.geo.importers import import_compounds, import_regions, import_roads
from civicloop.geo.models import Compound, Region, Road

from .test_importers import REGIONS, fc, feat


def line(x0, x1, y=34.705):
    return {"type": "LineString", "coordinates": [[x0, y], [x1, y]]}


@pytest.mark.django_db
def test_reimporting_a_region_without_geometry_keeps_its_boundary():
    import_regions(REGIONS)
    import_regions(fc(feat(None, code="410103001", name="淮河路街道")))
    assert Region.objects.get(code="410103001").geometry is not None


@pytest.mark.django_db
def test_importing_one_section_keeps_the_rest_of_the_road_and_its_grade():
    import_regions(REGIONS)
    import_roads(fc(
        feat(line(113.600, 113.605), road_code="R01", road_name="陇海路", grade="arterial", seq=1),
        feat(line(113.605, 113.610), road_code="R01", road_name="陇海路", seq=2),
    ))  # fmt: skip
    import_roads(fc(feat(line(113.605, 113.611), road_code="R01", road_name="陇海路", seq=2)))
    road = Road.objects.get(code="R01")
    assert road.grade == "arterial"
    assert road.geometry.length == pytest.approx(0.011)


@pytest.mark.django_db
@pytest.mark.parametrize("seq", [1.7, "Infinity", float("inf"), 0, True, 40000])
def test_bad_sequence_numbers_are_named(seq):
    import_regions(REGIONS)
    with pytest.raises(ImportRejected, match="feature 1"):
        import_roads(fc(feat(line(113.6, 113.61), road_code="R01", road_name="陇海路", seq=seq)))


@pytest.mark.django_db
def test_too_long_values_are_named_not_crashed():
    with pytest.raises(ImportRejected, match="name"):
        import_regions(fc(feat(None, code="410103", name="长" * 101)))
    import_regions(REGIONS)
    with pytest.raises(ImportRejected, match="code"):
        import_roads(fc(feat(line(113.6, 113.61), road_code="R" * 40, road_name="陇海路", seq=1)))


@pytest.mark.django_db
def test_a_compound_outside_the_district_or_with_bad_numbers_is_refused():
    import_regions(REGIONS)
    table = io.BytesIO(
        "code,name,community_code,households,lon,lat\n"
        "XQ1,远方小区,410103001001,10,0,0\n"
        "XQ2,负数小区,410103001001,-5,113.603,34.703\n"
        "XQ3,无穷小区,410103001001,inf,113.603,34.703\n".encode()
    )
    table.name = "c.csv"
    with pytest.raises(ImportRejected) as err:
        import_compounds(table)
    text = "\n".join(err.value.problems)
    assert "row 2" in text and "outside the district" in text
    assert "row 3" in text and "row 4" in text
    assert Compound.objects.count() == 0


@pytest.mark.django_db
def test_a_column_given_twice_is_refused():
    import_regions(REGIONS)
    table = io.BytesIO("code,编码,name,community_code\nA,B,院,410103001001\n".encode())
    table.name = "c.csv"
    with pytest.raises(ImportRejected, match="twice"):
        import_compounds(table)


@pytest.mark.django_db
def test_geojson_with_a_byte_order_mark_is_read():
    data = io.BytesIO("\ufeff".encode() + b'{"type": "FeatureCollection", "features": '
                      b'[{"type": "Feature", "geometry": null, "properties": '
                      b'{"code": "410103", "name": "x"}}]}')  # fmt: skip
    assert import_regions(data).created == 1
