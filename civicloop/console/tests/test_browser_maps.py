"""In Chromium: place search on the hotline form, the case list and the portal; the map layers.

Screenshots go to var/screenshots/ (kept as CI artifacts).
"""

import pytest
import shapely
from playwright.sync_api import expect

from civicloop.cases.models import Case
from civicloop.geo.models import Compound, Road, RoadSection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def places(loop):
    """A second road crossing the test road, and a compound."""
    road = Road.objects.create(code="R2", name="南北路", grade=Road.Grade.SECONDARY)
    section = RoadSection(road=road, seq=1, name="南北路全段", street=loop["west"])
    section.geometry = shapely.LineString([(113.607, 34.700), (113.607, 34.710)])
    section.save()
    compound = Compound(code="XQ1", name="绿云小区", community=loop["west_c"], households=300)
    compound.geometry = shapely.box(113.601, 34.706, 113.603, 34.708)
    compound.save()
    return {"road": road, "compound": compound}


def pick_place(page, selector, text, expected):
    page.click(selector)
    page.keyboard.type(text, delay=40)
    option = page.locator(".place-results li.place-item").filter(has_text=expected).first
    expect(option).to_be_visible()
    return option


def test_hotline_finds_a_street_fills_lon_lat_and_registers(sign_in, live_server, loop, places,
                                                            screenshots):  # fmt: skip
    page = sign_in("acceptor")
    page.goto(f"{live_server.url}/console/hotline/")
    page.wait_for_selector("#pick-map[data-ready='1']")
    pick_place(page, "#place-search", "西街", "西街道")
    # The dropdown names the kind in the user's language and is keyboard-driven.
    first = page.locator(".place-results li.place-item").first
    assert "街道/镇" in first.inner_text()
    assert page.get_attribute("#place-search", "aria-expanded") == "true"
    page.screenshot(path=str(screenshots / "hotline_place_search.png"))
    page.keyboard.press("Enter")
    expect(page.locator(".place-results")).to_be_hidden()
    lon, lat = float(page.input_value("#id_lon")), float(page.input_value("#id_lat"))
    assert loop["west"].geometry.contains(shapely.Point(lon, lat))
    assert page.input_value("#id_address") == "西街道"
    # A crossing, chosen with the arrow keys, replaces the address the search filled.
    page.fill("#place-search", "")
    pick_place(page, "#place-search", "南北路与", "南北路与测试路交叉口")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    assert page.input_value("#id_address") == "南北路与测试路交叉口"
    assert (
        float(page.input_value("#id_lon")),
        float(page.input_value("#id_lat")),
    ) == pytest.approx((113.607, 34.705), abs=1e-6)
    # The 103 categories are filtered by what is typed.
    page.fill("#id_category_filter", "暴露垃圾")
    selected = page.evaluate("document.getElementById('id_category').selectedOptions[0].text")
    assert "暴露垃圾" in selected
    visible = page.evaluate(
        "Array.from(document.getElementById('id_category').options).filter(o => !o.hidden).length"
    )
    assert 1 < visible < 10  # the empty choice and the few matches
    page.fill("#id_description", "路口垃圾堆放")
    page.fill("#id_reporter_phone", "13800000000")
    page.screenshot(path=str(screenshots / "hotline_filled.png"), full_page=True)
    with page.expect_navigation():
        page.click("#report-submit")
    case = Case.objects.get()
    assert (case.lon, case.lat) == pytest.approx((113.607, 34.705), abs=1e-6)
    assert case.address == "南北路与测试路交叉口" and case.small_class.full_code == "E0102"


def test_dashboard_map_draws_roads_compounds_and_finds_places(sign_in, live_server, loop, places,
                                                              screenshots):  # fmt: skip
    page = sign_in("dispatcher")
    page.goto(f"{live_server.url}/console/dashboard/")
    page.wait_for_selector("#dashboard-map[data-ready='1']")
    layers = page.get_attribute("#dashboard-map", "data-layers").split()
    assert {"streets", "communities", "roads", "compounds"} <= set(layers)
    # Two roads drawn as lines in the lines pane, the compound as a polygon over them.
    assert page.locator("#dashboard-map .leaflet-cl-lines-pane path").count() >= 3
    switch = page.locator(".layer-switch")
    for name in ("街道", "社区", "道路", "路段", "小区", "单元网格", "在办案件"):
        expect(switch).to_contain_text(name)
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshots / "dashboard_layers.png"))
    # Switching road sections on draws them, with their chief in the tooltip.
    page.locator(".layer-switch label", has_text="路段").locator("input").check()
    page.wait_for_function(
        "() => document.querySelectorAll('#dashboard-map .leaflet-cl-lines-pane path.leaflet-interactive').length >= 4"
    )
    # Finding a compound pans the map there and marks it.
    pick_place(page, "#map-place-search", "绿云", "绿云小区").click()
    expect(
        page.locator("#dashboard-map .leaflet-tooltip", has_text="绿云小区 · 小区")
    ).to_be_visible()
    expect(page.locator("#dashboard-map .compound-label", has_text="绿云小区")).to_be_visible()
    page.wait_for_timeout(400)
    page.screenshot(path=str(screenshots / "dashboard_place_found.png"))
    # Hovering a section shows its name and chief.
    page.goto(f"{live_server.url}/console/dashboard/")
    page.wait_for_selector("#dashboard-map[data-ready='1']")
    page.locator(".layer-switch label", has_text="路段").locator("input").check()
    page.wait_for_timeout(500)
    page.evaluate(
        "document.querySelectorAll('#dashboard-map .leaflet-cl-lines-pane path.leaflet-interactive')"
        ".forEach(p => p.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})))"
    )
    tips = page.locator(".leaflet-tooltip:not(.map-label)")
    expect(tips.filter(has_text="路长 road_chief")).to_be_visible()
    expect(tips.filter(has_text="未设路长").first).to_be_visible()


def test_case_list_filters_by_a_picked_street(sign_in, live_server, loop, places, reported):
    page = sign_in("acceptor")
    page.goto(f"{live_server.url}/console/cases/")
    option = pick_place(page, "#filter-place", "东街", "东街道")
    with page.expect_navigation():
        option.click()
    assert f"street={loop['east'].pk}" in page.url
    assert page.locator(".case-row").count() == 0  # the reported case is in the west street
    page.fill("#filter-place", "")
    option = pick_place(page, "#filter-place", "西街", "西街道")
    with page.expect_navigation():
        option.click()
    assert page.locator(".case-row").count() == 1


def test_case_page_map_shows_the_place_layers(sign_in, live_server, loop, places, reported):
    page = sign_in("acceptor")
    page.goto(f"{live_server.url}/console/cases/{reported.pk}/")
    page.wait_for_selector("#case-map[data-ready='1']")
    layers = page.get_attribute("#case-map", "data-layers").split()
    assert {"roads", "compounds", "sections"} <= set(layers)
    expect(page.locator("#case-map .layer-switch")).to_be_attached()


def test_portal_report_finds_a_road_but_not_case_addresses(live_server, loop, places, browser,
                                                           reported, screenshots):  # fmt: skip
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    answers = []
    page.on(
        "response",
        lambda r: answers.append(r.json()) if "/report/places.json" in r.url and r.ok else None,
    )
    try:
        page.goto(f"{live_server.url}/report/")
        expect(page.locator("#map[data-ready='1']")).to_be_visible()
        pick_place(page, "#place-search", "南北", "南北路")
        page.screenshot(path=str(screenshots / "portal_place_search.png"))
        page.keyboard.press("Enter")
        expect(page.locator("#pin-status")).not_to_be_empty()
        lon = float(page.input_value("input[name=lon]"))
        assert lon == pytest.approx(113.607, abs=1e-6)
        assert page.input_value("#id_address") == "南北路"
        # The reported case's address ("西街 1 号") is never offered to the public.
        page.fill("#place-search", "")
        page.click("#place-search")
        page.keyboard.type("西街 1 号", delay=40)
        page.wait_for_timeout(800)
        kinds = {r["kind"] for a in answers for r in a["results"]}
        assert "address" not in kinds and kinds
        assert not errors
    finally:
        context.close()


def test_gcj02_tiles_hotline_click_and_portal_pick_store_wgs84(sign_in, live_server, loop, places,
                                                              settings, browser):  # fmt: skip
    from civicloop.geo import coords

    settings.MAP_TILE_CRS = "gcj02"
    page = sign_in("acceptor")
    asked = []
    page.on(
        "request", lambda r: asked.append(r.url) if "/console/map/wgs84.json" in r.url else None
    )
    page.goto(f"{live_server.url}/console/hotline/")
    page.wait_for_selector("#pick-map[data-ready='1']")
    box = page.locator("#pick-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    assert asked, "the clicked GCJ-02 point was not converted by the server"
    clicked = asked[0].split("?")[1]
    params = dict(p.split("=") for p in clicked.split("&"))
    expected = coords.to_wgs84(float(params["lon"]), float(params["lat"]), "gcj02")
    got = (float(page.input_value("#id_lon")), float(page.input_value("#id_lat")))
    assert got == pytest.approx(expected, abs=2e-6)
    # The portal: a place picked by name fills the form in WGS-84.
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        portal = context.new_page()
        portal.goto(f"{live_server.url}/report/")
        expect(portal.locator("#map[data-ready='1']")).to_be_visible()
        pick_place(portal, "#place-search", "南北路与", "南北路与测试路交叉口")
        portal.keyboard.press("Enter")
        expect(portal.locator("#pin-status")).not_to_be_empty()
        assert float(portal.input_value("input[name=lon]")) == pytest.approx(113.607, abs=1e-6)
        assert float(portal.input_value("input[name=lat]")) == pytest.approx(34.705, abs=1e-6)
    finally:
        context.close()
