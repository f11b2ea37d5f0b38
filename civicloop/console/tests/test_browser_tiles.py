"""The dashboard map: boundaries on a plain background without tiles, a tile layer with one."""

import pytest

from .conftest import make_cases

pytestmark = pytest.mark.django_db(transaction=True)


def test_map_without_a_tile_server_draws_boundaries_only(sign_in, live_server, loop, settings):
    settings.MAP_TILE_URL = ""
    make_cases(loop, 2)
    page = sign_in("dispatcher")
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{live_server.url}/console/dashboard/")
    page.wait_for_selector(".leaflet-marker-icon.case-marker")
    assert "no-tiles" in page.locator("#dashboard-map").get_attribute("class")
    assert page.locator("#dashboard-map img.leaflet-tile").count() == 0
    assert page.locator("#dashboard-map path.leaflet-interactive").count() == 2
    assert all(url.startswith(live_server.url) for url in requested), requested


def test_map_with_a_tile_url_loads_its_tiles(sign_in, live_server, loop, settings):
    settings.MAP_TILE_URL = f"{live_server.url}/tiles/{{s}}/{{z}}/{{x}}/{{y}}.png"
    settings.MAP_TILE_SUBDOMAINS = "t1,t2"
    settings.MAP_TILE_ATTRIBUTION = "Test tiles"
    make_cases(loop, 2)
    page = sign_in("dispatcher")
    page.goto(f"{live_server.url}/console/dashboard/")
    page.wait_for_selector(".leaflet-marker-icon.case-marker")
    page.wait_for_selector("#dashboard-map img.leaflet-tile", state="attached")
    assert "no-tiles" not in page.locator("#dashboard-map").get_attribute("class")
    sources = page.eval_on_selector_all(
        "#dashboard-map img.leaflet-tile", "els => els.map(e => e.getAttribute('src'))"
    )
    assert sources and all(src.startswith(f"{live_server.url}/tiles/t") for src in sources)
    assert {src.split("/tiles/")[1].split("/")[0] for src in sources} <= {"t1", "t2"}
    assert "Test tiles" in page.locator(".leaflet-control-attribution").inner_text()
    # the boundaries and cases are drawn over the tiles as before
    assert page.locator("#dashboard-map path.leaflet-interactive").count() == 2
