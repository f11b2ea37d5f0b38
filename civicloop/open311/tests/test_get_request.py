"""GET requests/{id} and tokens/{token}; a POSTed request turns closed when its case closes."""

import json

from civicloop.cases import actions
from civicloop.cases.tests.loop_helpers import advance
from civicloop.open311.models import Open311Request

from .schema import check_errors, check_requests
from .xmlcheck import parse


def _number(response):
    return json.loads(response.content)[0]["service_request_id"]


def test_posted_request_is_open_then_closed(client, loop, post_request, photo):
    number = _number(post_request())
    data = json.loads(client.get(f"/open311/v2/requests/{number}.json").content)
    check_requests(data)
    assert data[0]["status"] == "open"
    assert data[0]["agency_responsible"] is None
    case = Open311Request.objects.get(case__number=number).case
    advance(loop, case, "closed", photo=photo)
    data = json.loads(client.get(f"/open311/v2/requests/{number}.json").content)
    assert data[0]["status"] == "closed"
    assert data[0]["agency_responsible"] == "环卫清扫公司"
    root = parse(client.get(f"/open311/v2/requests/{number}.xml"), "service_requests")
    assert root.findtext("request/status") == "closed"


def test_merged_request_says_where_it_went(client, loop, post_request):
    first = Open311Request.objects.get(case__number=_number(post_request())).case
    second = Open311Request.objects.get(case__number=_number(post_request())).case
    actions.merge_case(loop["actors"]["shift_leader"], second, into=first)
    (item,) = json.loads(client.get(f"/open311/v2/requests/{second.number}.json").content)
    assert item["status"] == "closed"
    assert first.number in item["status_notes"]


def test_unknown_request_is_404(client, loop):
    response = client.get("/open311/v2/requests/E0102209901010001.json")
    assert response.status_code == 404
    check_errors(json.loads(response.content))
    assert client.get("/open311/v2/requests/nope.xml").status_code == 404


def test_token_endpoint(client, post_request):
    number = _number(post_request())
    token = Open311Request.objects.get(case__number=number).token
    data = json.loads(client.get(f"/open311/v2/tokens/{token}.json").content)
    assert data == [{"service_request_id": number, "token": token}]
    root = parse(client.get(f"/open311/v2/tokens/{token}.xml"), "service_requests")
    assert root.findtext("request/service_request_id") == number
    assert root.findtext("request/token") == token
    response = client.get("/open311/v2/tokens/unknown.json")
    assert response.status_code == 404
    check_errors(json.loads(response.content))
    parse(client.get("/open311/v2/tokens/unknown.xml"), "errors")


def test_status_notes_use_the_portal_s_public_words(client, loop):
    from civicloop.cases import actions
    from civicloop.cases.permissions import public_actor

    lon, lat = loop["west_point"]
    case = actions.report_case(public_actor(), source="public", category="E0102", lon=lon, lat=lat)
    item = client.get(f"/open311/v2/requests/{case.number}.json").json()[0]
    assert item["status_notes"] == "received, waiting to be taken up"
