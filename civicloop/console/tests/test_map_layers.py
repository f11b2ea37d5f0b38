"""The map layers (communities, roads, sections with chiefs, compounds), their cache,
and the GCJ-02 option for AMap/Tencent tiles (MAP_TILE_CRS=gcj02)."""

import pytest
import shapely
from django.test import Client
from django.urls import reverse

from civicloop.cases import actions
from civicloop.geo import coords
from civicloop.geo.models import Compound, Road

pytestmark = pytest.mark.django_db


@pytest.fixture
def compound(loop):
    c = Compound(code="XQ1", name="绿云小区", community=loop["west_c"], households=300,
                 has_property_management=False)  # fmt: skip
    c.geometry = shapely.box(113.601, 34.706, 113.602, 34.707)
    c.save()
    return c


def layer(client, name, **params):
    response = client.get(reverse("console:map_layer", args=[name]), params)
    assert response.status_code == 200, response.content
    return response.json()["features"]


def test_layers_are_for_signed_in_staff(loop):
    response = Client().get(reverse("console:map_layer", args=["roads"]))
    assert response.status_code == 302


def test_unknown_layer_is_404(client_for):
    assert client_for("acceptor").get("/console/map/layers/planets.json").status_code == 404


def test_roads_sections_compounds_and_communities(client_for, loop, compound):
    c = client_for("acceptor")
    (road,) = layer(c, "roads")
    assert road["properties"]["name"] == "测试路" and road["properties"]["grade"] == "arterial"
    assert road["geometry"]["type"] == "LineString"
    assert road["properties"]["labels"]  # where the name is written along the line
    sections = {f["properties"]["name"]: f["properties"] for f in layer(c, "sections")}
    assert sections["测试路1段"]["chief"] == "road_chief"  # the chief's name (Person.name)
    assert sections["测试路2段"]["chief"] == ""
    assert sections["测试路1段"]["street"] == "西街道" and sections["测试路1段"]["road"] == "测试路"
    (comp,) = layer(c, "compounds")
    assert comp["properties"] == {
        "id": compound.pk, "code": "XQ1", "name": "绿云小区", "community": "西社区",
        "households": 300, "managed": False,
    }  # fmt: skip
    communities = {f["properties"]["name"]: f["properties"] for f in layer(c, "communities")}
    assert communities["东社区"]["street"] == "东街道"


def test_layers_are_cached_and_follow_geometry_changes(
    client_for, loop, django_assert_max_num_queries
):
    c = client_for("acceptor")
    layer(c, "roads")
    with django_assert_max_num_queries(5):  # session, user, memberships, version; no geometry
        layer(c, "roads")
    road = Road.objects.get(code="R1")
    road.name = "新测试路"
    road.save()  # bumps GeoDataVersion
    assert layer(c, "roads")[0]["properties"]["name"] == "新测试路"


def test_chief_names_are_fresh_even_when_geometry_is_cached(client_for, loop):
    c = client_for("acceptor")
    assert layer(c, "sections")[0]["properties"]["chief"] == "road_chief"
    person = loop["users"]["road_chief"].person
    person.name = "张路长"
    person.save()
    assert layer(c, "sections")[0]["properties"]["chief"] == "张路长"


def test_map_config_names_the_layers_in_the_users_language(client_for):
    html = client_for("acceptor").get(reverse("console:dashboard")).content.decode()
    assert '"layerUrls"' in html and "/console/map/layers/roads.json" in html
    assert "Road sections" in html and "/console/places/search" in html
    # No inline script: every <script> is a file or a JSON data block.
    import re

    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


# --- GCJ-02 tiles -------------------------------------------------------------------------


def test_gcj02_shifts_layers_points_and_places_for_display(client_for, loop, settings):
    settings.MAP_TILE_CRS = "gcj02"
    c = client_for("acceptor")
    (road,) = layer(c, "roads")
    (x0, y0), (x1, y1) = road["geometry"]["coordinates"][0], road["geometry"]["coordinates"][-1]
    assert (x0, y0) == pytest.approx(coords.from_wgs84(113.60, 34.705, "gcj02"), abs=2e-6)
    assert (x1, y1) == pytest.approx(coords.from_wgs84(113.62, 34.705, "gcj02"), abs=2e-6)
    streets = c.get(reverse("console:map_streets")).json()["features"]
    west = shapely.geometry.shape(streets[0]["geometry"]) if streets else None
    assert west is not None and west.bounds[0] != pytest.approx(113.60, abs=1e-5)
    # Cases: stored WGS-84, drawn shifted.
    lon, lat = loop["west_point"]
    actions.report_case(loop["actors"]["inspector"], source="inspector", category="E0102",
                        lon=lon, lat=lat, description="x")  # fmt: skip
    (point,) = c.get(reverse("console:map_cases")).json()["features"]
    assert point["geometry"]["coordinates"] == pytest.approx(
        list(coords.from_wgs84(lon, lat, "gcj02"))
    )
    # A view box sent in GCJ-02 selects the WGS-84 rows under it.
    gx, gy = coords.from_wgs84(lon, lat, "gcj02")
    box = f"{gx - 0.0002},{gy - 0.0002},{gx + 0.0002},{gy + 0.0002}"
    assert len(c.get(reverse("console:map_cases"), {"bbox": box}).json()["features"]) == 1
    # Places: lon/lat stay WGS-84 for the forms, map_lon/map_lat are for the map.
    hit = c.get(reverse("console:places_search"), {"q": "测试路"}).json()["results"][0]
    assert (hit["lon"], hit["lat"]) == pytest.approx((113.61, 34.705))
    assert (hit["map_lon"], hit["map_lat"]) == pytest.approx(
        coords.from_wgs84(113.61, 34.705, "gcj02"), abs=1e-6
    )


def test_gcj02_points_picked_on_the_map_come_back_as_wgs84(client_for, settings):
    settings.MAP_TILE_CRS = "gcj02"
    c = client_for("acceptor")
    gx, gy = coords.from_wgs84(113.61, 34.705, "gcj02")
    back = c.get(reverse("console:map_wgs84"), {"lon": gx, "lat": gy}).json()
    assert (back["lon"], back["lat"]) == pytest.approx((113.61, 34.705), abs=1e-6)
    assert c.get(reverse("console:map_wgs84"), {"lon": "x", "lat": "1"}).status_code == 400
    assert c.get(reverse("console:map_wgs84"), {"lon": "200", "lat": "1"}).status_code == 400
    html = c.get(reverse("console:hotline")).content.decode()
    assert '"tileCrs": "gcj02"' in html and "/console/map/wgs84.json" in html


def test_wgs84_tiles_change_nothing(client_for, settings):
    settings.MAP_TILE_CRS = "wgs84"
    (road,) = layer(client_for("acceptor"), "roads")
    assert road["geometry"]["coordinates"][0] == pytest.approx([113.60, 34.705])


def test_the_case_list_filters_by_a_picked_grid_cell(client_for, loop):
    lon, lat = loop["west_point"]
    case = actions.report_case(loop["actors"]["inspector"], source="inspector", category="E0102",
                               lon=lon, lat=lat, description="x")  # fmt: skip
    c = client_for("acceptor")
    html = c.get(reverse("console:cases"), {"cell": case.cell_id}).content.decode()
    assert case.number in html
    other = loop["cells"]["41010300200101"].pk
    assert case.number not in c.get(reverse("console:cases"), {"cell": other}).content.decode()


def test_gcj02_case_page_draws_the_case_and_its_cell_shifted(client_for, loop, settings):
    import json
    import re

    settings.MAP_TILE_CRS = "gcj02"
    lon, lat = loop["west_point"]
    case = actions.report_case(loop["actors"]["inspector"], source="inspector", category="E0102",
                               lon=lon, lat=lat, description="x")  # fmt: skip
    html = client_for("acceptor").get(reverse("console:case", args=[case.pk])).content.decode()
    block = re.search(r'<script id="case-point" type="application/json">(.*?)</script>', html, re.S)
    point = json.loads(block.group(1))
    assert (point["lon"], point["lat"]) == pytest.approx(coords.from_wgs84(lon, lat, "gcj02"))
    cell = shapely.geometry.shape(point["cell"])
    assert cell.contains(shapely.Point(point["lon"], point["lat"]))
    assert cell.bounds[0] == pytest.approx(coords.from_wgs84(113.600, 34.70, "gcj02")[0], abs=1e-6)
