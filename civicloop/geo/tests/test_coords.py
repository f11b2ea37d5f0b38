"""Tests for civicloop.geo.coords (pure functions, no database).

Degree tolerances in metres: 1e-6 degree is about 0.11 m of latitude (and less
of longitude away from the equator); 1e-5 degree is about 1.1 m of latitude.
Round-trip errors are measured in metres with the haversine formula.
"""

import math
import warnings

import pytest

from civicloop.geo.choices import CoordSystem
from civicloop.geo.coords import convert, from_wgs84, to_wgs84

# Published reference pairs, all written here as (lon, lat).

# googollee/eviltransform, python/test.py (TESTS; stored there as wgsLat,
# wgsLng, gcjLat, gcjLng and asserted to 6 decimal places):
# https://github.com/googollee/eviltransform/blob/master/python/test.py
EVILTRANSFORM_WGS_GCJ = [
    pytest.param((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597), id="shanghai"),
    pytest.param((113.912316, 22.543847), (113.9171764808363, 22.540796131694766), id="shenzhen"),
    pytest.param((116.377817, 39.911954), (116.38404722455657, 39.91334545536069), id="beijing"),
]

# wandergis/coordtransform, test/app.js ("//result" block; input 116.404, 39.915
# for every function, printed to full double precision):
# https://github.com/wandergis/coordtransform/blob/master/test/app.js
WANDERGIS_INPUT = (116.404, 39.915)
WANDERGIS_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
WANDERGIS_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
WANDERGIS_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)

# AMap Web Service coordinate conversion API (coordsys=gps, i.e. WGS-84 in,
# GCJ-02 out), documented at https://lbs.amap.com/api/webservice/guide/api/convert
# with the request locations=116.481499,39.990475|116.481499,39.990375; the
# example response as published in the apifox copy of the AMap documentation:
# https://apifox.com/apidoc/docs-site/759159/api-14671355
# The response is AMap's live server output and differs from the formula by
# about 4e-7 degree (about 4 cm), so it is checked to 1e-6 degree.
AMAP_DOC_WGS_GCJ = [
    pytest.param((116.481499, 39.990475), (116.487585177952, 39.991754014757), id="amap-1"),
    pytest.param((116.481499, 39.990375), (116.487585177952, 39.991653917101), id="amap-2"),
]

# Alibaba Cloud address purification API, TransferCoord example
# (SrcCoord=gcj02, Text=120.026268,30.279164; BD09 "120.032768,30.285238"),
# published to 6 decimals, hence the 1e-6 degree tolerance:
# https://help.aliyun.com/zh/address-purification/addrpapi/developer-reference/coordinate-system-conversion
# (Its WGS84 value in the same example comes from the rough one-step inverse,
# about 1.8 m from the exact inverse, so it is not used here.)
ALIYUN_GCJ_BD = ((120.026268, 30.279164), (120.032768, 30.285238))

# Round-trip points (lon, lat): Zhengzhou first, then cities spread over China.
CHINESE_CITIES = [
    pytest.param(113.63, 34.72, id="zhengzhou"),
    pytest.param(116.397, 39.909, id="beijing"),
    pytest.param(121.4737, 31.2304, id="shanghai"),
    pytest.param(113.2644, 23.1291, id="guangzhou"),
    pytest.param(104.0665, 30.5723, id="chengdu"),
    pytest.param(87.6168, 43.8256, id="urumqi"),
    pytest.param(126.535, 45.8038, id="harbin"),
    pytest.param(91.1409, 29.6456, id="lhasa"),
    pytest.param(110.3312, 20.0311, id="haikou"),
]

OUTSIDE_CHINA = [
    pytest.param(2.3522, 48.8566, id="paris"),
    pytest.param(-74.006, 40.7128, id="new-york"),
    pytest.param(151.2093, -33.8688, id="sydney"),
]

DEG_1E6 = 1e-6  # ~0.11 m of latitude


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def assert_close_deg(got: tuple[float, float], expected: tuple[float, float], tol: float) -> None:
    assert got[0] == pytest.approx(expected[0], abs=tol), f"lon {got} vs {expected}"
    assert got[1] == pytest.approx(expected[1], abs=tol), f"lat {got} vs {expected}"


# Forward conversions against published pairs ---------------------------------


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM_WGS_GCJ)
def test_wgs_to_gcj_matches_eviltransform(wgs, gcj):
    assert_close_deg(convert(*wgs, "wgs84", "gcj02"), gcj, DEG_1E6)


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM_WGS_GCJ)
def test_gcj_to_wgs_inverts_eviltransform_pairs(wgs, gcj):
    # eviltransform requires its "exact" inverse to land within 0.5 m.
    assert metres(to_wgs84(*gcj, CoordSystem.GCJ02), wgs) < 0.5


@pytest.mark.parametrize(("wgs", "gcj"), AMAP_DOC_WGS_GCJ)
def test_wgs_to_gcj_matches_amap_documentation(wgs, gcj):
    assert_close_deg(from_wgs84(*wgs, CoordSystem.GCJ02), gcj, DEG_1E6)


def test_wgs_to_gcj_matches_wandergis():
    got = convert(*WANDERGIS_INPUT, CoordSystem.WGS84, CoordSystem.GCJ02)
    assert_close_deg(got, WANDERGIS_WGS84_TO_GCJ02, DEG_1E6)


def test_gcj_to_bd_matches_wandergis():
    got = convert(*WANDERGIS_INPUT, CoordSystem.GCJ02, CoordSystem.BD09)
    assert_close_deg(got, WANDERGIS_GCJ02_TO_BD09, DEG_1E6)


def test_gcj_to_bd_matches_aliyun_documentation():
    gcj, bd = ALIYUN_GCJ_BD
    assert_close_deg(convert(*gcj, "gcj02", "bd09"), bd, DEG_1E6)


def test_bd_to_gcj_matches_wandergis():
    # wandergis uses the one-step inverse; the exact inverse differs by ~4e-7
    # degree (~4 cm), well inside 1e-6 degree.
    got = convert(*WANDERGIS_INPUT, "bd09", "gcj02")
    assert_close_deg(got, WANDERGIS_BD09_TO_GCJ02, DEG_1E6)


def test_wgs_to_bd_composes_gcj_steps():
    gcj = from_wgs84(*WANDERGIS_INPUT, "gcj02")
    assert from_wgs84(*WANDERGIS_INPUT, "bd09") == convert(*gcj, "gcj02", "bd09")


# Round trips ------------------------------------------------------------------


@pytest.mark.parametrize(("lon", "lat"), CHINESE_CITIES)
@pytest.mark.parametrize("system", [CoordSystem.GCJ02, CoordSystem.BD09])
def test_round_trip_from_wgs84(lon, lat, system):
    shifted = from_wgs84(lon, lat, system)
    # The conversion really moves the point (hundreds of metres) ...
    assert metres(shifted, (lon, lat)) > 100
    # ... and the exact inverse brings it back well within 0.5 m; in practice
    # within millimetres, so check "a few centimetres" too.
    back = to_wgs84(*shifted, system)
    assert metres(back, (lon, lat)) < 0.5
    assert metres(back, (lon, lat)) < 0.05


@pytest.mark.parametrize(("lon", "lat"), CHINESE_CITIES)
@pytest.mark.parametrize("system", [CoordSystem.GCJ02, CoordSystem.BD09])
def test_round_trip_to_wgs84(lon, lat, system):
    wgs = to_wgs84(lon, lat, system)
    assert metres(from_wgs84(*wgs, system), (lon, lat)) < 0.05


@pytest.mark.parametrize(("lon", "lat"), CHINESE_CITIES)
def test_round_trip_gcj_bd(lon, lat):
    bd = convert(lon, lat, "gcj02", "bd09")
    assert metres(convert(*bd, "bd09", "gcj02"), (lon, lat)) < 0.05


def test_zhengzhou_offset_direction():
    # Sanity check of the (lon, lat) order: near Zhengzhou GCJ-02 lies roughly
    # 0.006 degree east and 0.0012 degree south of WGS-84.
    lon, lat = from_wgs84(113.63, 34.72, "gcj02")
    assert 0.004 < lon - 113.63 < 0.008
    assert -0.003 < lat - 34.72 < 0


# Outside China ----------------------------------------------------------------


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(("lon", "lat"), OUTSIDE_CHINA)
def test_gcj_is_wgs_outside_china(lon, lat):
    assert convert(lon, lat, "wgs84", "gcj02") == (lon, lat)
    assert convert(lon, lat, "gcj02", "wgs84") == (lon, lat)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(("lon", "lat"), OUTSIDE_CHINA)
def test_bd_outside_china_is_only_the_baidu_offset(lon, lat):
    bd = from_wgs84(lon, lat, "bd09")
    assert bd == convert(lon, lat, "gcj02", "bd09")
    assert metres(to_wgs84(*bd, "bd09"), (lon, lat)) < 0.05


def test_no_warnings_inside_china():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for source in CoordSystem.values:
            for target in CoordSystem.values:
                convert(113.63, 34.72, source, target)


# Identity and types -----------------------------------------------------------


@pytest.mark.parametrize("system", list(CoordSystem) + CoordSystem.values)
def test_same_system_is_identity(system):
    assert convert(113.63, 34.72, system, system) == (113.63, 34.72)


def test_returns_plain_float_tuple():
    result = convert(113, 34, "wgs84", "wgs84")
    assert result == (113.0, 34.0)
    assert type(result) is tuple
    assert all(type(v) is float for v in result)
    assert all(type(v) is float for v in to_wgs84(113.63, 34.72, "bd09"))


def test_extreme_valid_positions_accepted():
    for lon, lat in [(180.0, 90.0), (-180.0, -90.0), (0.0, 0.0)]:
        assert convert(lon, lat, "gcj02", "wgs84") == (lon, lat)


# Validation -------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["WGS84", "wgs-84", "epsg:4326", "", None, 4326])
def test_unknown_source_system(bad):
    with pytest.raises(ValueError, match="source coordinate system") as exc:
        convert(113.63, 34.72, bad, "wgs84")
    assert "'wgs84', 'gcj02', 'bd09'" in str(exc.value)


def test_unknown_target_system():
    with pytest.raises(ValueError, match=r"target coordinate system 'bd09ll'.*'bd09'"):
        from_wgs84(113.63, 34.72, "bd09ll")


@pytest.mark.parametrize(
    ("lon", "lat", "pattern"),
    [
        (180.0001, 34.72, "Longitude"),
        (-181, 34.72, "Longitude"),
        (113.63, 90.5, "Latitude"),
        (113.63, -91, "Latitude"),
        # Swapped (lat, lon) input is rejected, never silently corrected.
        (34.72, 113.63, "Latitude 113.63 is outside"),
        (math.nan, 34.72, "finite"),
        (113.63, math.nan, "finite"),
        (math.inf, 34.72, "finite"),
        (113.63, -math.inf, "finite"),
    ],
)
def test_invalid_position(lon, lat, pattern):
    with pytest.raises(ValueError, match=pattern):
        convert(lon, lat, "wgs84", "gcj02")


def test_invalid_position_rejected_even_for_identity():
    with pytest.raises(ValueError, match="Longitude"):
        convert(200, 34.72, "wgs84", "wgs84")
    with pytest.raises(ValueError, match="finite"):
        to_wgs84(math.nan, 34.72, "wgs84")


@pytest.mark.parametrize(
    ("lon", "lat"),
    [("113.63", 34.72), (113.63, b"34"), (True, 34.72), (None, 34.72), (113.63, [34])],
)
def test_non_numeric_position(lon, lat):
    with pytest.raises(TypeError, match="must be numbers"):
        convert(lon, lat, "gcj02", "wgs84")
