"""MAP_TILE_CRS: points and shapes for GCJ-02 tiles (AMap, Tencent) and back."""

import pytest
import shapely

from civicloop.geo import coords, display


def test_default_is_wgs84_and_changes_nothing(settings):
    settings.MAP_TILE_CRS = ""
    assert display.system() == "wgs84" and not display.shifted()
    assert display.to_map(113.6, 34.7) == (113.6, 34.7)
    line = shapely.LineString([(113.6, 34.7), (113.61, 34.71)])
    assert display.geometry_to_map(line) is line


def test_unknown_systems_fall_back_to_wgs84(settings):
    settings.MAP_TILE_CRS = "bd09"  # Baidu tiles use their own projection: not supported
    assert display.system() == "wgs84"


def test_gcj02_round_trip(settings):
    settings.MAP_TILE_CRS = " GCJ02 "
    assert display.system() == "gcj02"
    gx, gy = display.to_map(113.6, 34.7)
    assert (gx, gy) == coords.from_wgs84(113.6, 34.7, "gcj02")
    # In Zhengzhou the shift is some hundreds of metres.
    assert 0.003 < abs(gx - 113.6) + abs(gy - 34.7) < 0.01
    assert display.from_map(gx, gy) == pytest.approx((113.6, 34.7), abs=1e-7)


def test_gcj02_shapes_keep_their_form(settings):
    settings.MAP_TILE_CRS = "gcj02"
    box = shapely.box(113.60, 34.70, 113.61, 34.71)
    moved = display.geometry_to_map(box)
    assert moved.geom_type == "Polygon" and len(moved.exterior.coords) == 5
    assert moved.exterior.coords[0] == pytest.approx(coords.from_wgs84(113.61, 34.70, "gcj02"))
    assert moved.area == pytest.approx(box.area, rel=1e-3)


def test_bad_points_are_refused(settings):
    settings.MAP_TILE_CRS = "gcj02"
    with pytest.raises(ValueError):
        display.from_map(200, 34.7)
    settings.MAP_TILE_CRS = "wgs84"
    with pytest.raises(ValueError):
        display.from_map(113.6, 95)
