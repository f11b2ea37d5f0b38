"""Names from the data are shown as text in the map's tooltips and the charts' tooltips."""

import pytest
from django.core.cache import cache

from civicloop.cases.models import SmallClass
from civicloop.geo.models import Region, Road

from .conftest import make_cases

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOAD = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'


def test_street_and_category_names_are_escaped(sign_in, live_server, loop):
    make_cases(loop, 2)
    Region.objects.filter(level__gte=Region.Level.STREET).update(name="街道" + PAYLOAD)
    Road.objects.update(name="路" + PAYLOAD)
    SmallClass.objects.filter(full_code="E0102").update(name="垃圾" + PAYLOAD)
    cache.clear()  # the street shapes are cached with their names
    page = sign_in("dispatcher")
    page.goto(f"{live_server.url}/console/dashboard/")
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-marker-icon.case-marker').length >= 2"
    )
    # a street's tooltip
    page.locator("#dashboard-map path.leaflet-interactive").first.hover(force=True)
    page.wait_for_selector(".leaflet-tooltip:not(.map-label)")
    assert PAYLOAD in page.locator(".leaflet-tooltip:not(.map-label)").first.inner_text()
    # road, community and compound names are written on the map as text too
    assert (
        PAYLOAD
        in page.locator("#dashboard-map .leaflet-tooltip.community-label").first.inner_text()
    )
    # a case's popup
    page.locator(".leaflet-marker-icon.case-marker").first.click(force=True)
    page.wait_for_selector(".leaflet-popup-content")
    assert PAYLOAD in page.locator(".leaflet-popup-content").inner_text()
    # the top-categories chart's tooltip
    page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('top-chart'))"
        ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})"
    )
    page.wait_for_timeout(500)
    assert PAYLOAD in page.locator("#top-chart").inner_text()
    page.wait_for_timeout(300)  # let a broken image's onerror run, if there were one
    assert page.evaluate("window.__xss") is None
