"""The portal's report map on GCJ-02 tiles (MAP_TILE_CRS=gcj02): boundaries shifted,
points converted by the server; on WGS-84 tiles nothing changes."""

import json

import pytest
import shapely
from django.test import Client

from civicloop.geo import coords

pytestmark = pytest.mark.django_db

POINT = "/report/map-point.json"


def test_wgs84_tiles_need_no_conversion(district, settings):
    settings.MAP_TILE_CRS = "wgs84"
    html = Client().get("/report/").content.decode()
    assert "data-point-url" not in html
    streets = json.loads(Client().get("/boundaries.geojson").content)["features"]
    assert shapely.geometry.shape(streets[0]["geometry"]).bounds[0] == pytest.approx(113.60)


def test_gcj02_tiles_shift_the_boundaries_and_convert_points(district, settings):
    settings.MAP_TILE_CRS = "gcj02"
    c = Client()
    assert f'data-point-url="{POINT}"' in c.get("/report/").content.decode()
    district_shape = shapely.geometry.shape(
        json.loads(c.get("/boundaries.geojson").content)["features"][0]["geometry"]
    )
    assert district_shape.bounds[0] == pytest.approx(
        coords.from_wgs84(113.60, 34.70, "gcj02")[0], abs=1e-4
    )
    gx, gy = coords.from_wgs84(113.61, 34.705, "gcj02")
    back = c.get(POINT, {"lon": gx, "lat": gy, "to": "wgs84"}).json()
    assert (back["lon"], back["lat"]) == pytest.approx((113.61, 34.705), abs=1e-6)
    there = c.get(POINT, {"lon": 113.61, "lat": 34.705, "to": "map"}).json()
    assert (there["lon"], there["lat"]) == pytest.approx((gx, gy), abs=1e-6)
    hit = c.get("/report/places.json", {"q": "测试路"}).json()["results"][0]
    assert (hit["map_lon"], hit["map_lat"]) == pytest.approx(
        coords.from_wgs84(hit["lon"], hit["lat"], "gcj02"), abs=1e-6
    )


@pytest.mark.parametrize("params", [{}, {"lon": "x", "lat": "1", "to": "map"},
                                    {"lon": "113", "lat": "34", "to": "bd09"},
                                    {"lon": "200", "lat": "34", "to": "map"}])  # fmt: skip
def test_bad_points_are_400(district, settings, params):
    settings.MAP_TILE_CRS = "gcj02"
    response = Client().get(POINT, params)
    assert response.status_code == 400 and response.json()["error"]
