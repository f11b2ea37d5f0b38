"""Every way a POST can be refused: 403 for the key, 404 for unknown things, 400 otherwise."""

import json

import pytest

from civicloop.cases.models import Case
from civicloop.open311.models import Open311Client

from .conftest import KEY
from .schema import check_errors
from .xmlcheck import parse


def _error(response, status):
    assert response.status_code == status, response.content
    data = json.loads(response.content)
    check_errors(data)
    return data[0]["description"]


@pytest.mark.parametrize(
    "fields, status, text",
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "X9999"}, 404, "X9999"),
        ({"jurisdiction_id": "sfgov.org"}, 404, "jurisdiction_id"),
        ({"lat": None, "long": None}, 400, "location"),
        ({"long": None}, 400, "lat and long"),
        ({"lat": "north"}, 400, "decimal degrees"),
        ({"lat": "95"}, 400, "WGS-84"),
        ({"lat": "39.9", "long": "116.4"}, 400, "outside the district"),
        ({"lat": None, "long": None, "address_string": "nowhere street 1"}, 400, "address_string"),
        ({"lat": None, "long": None, "address_id": "545483"}, 400, "address_id"),
        ({"attribute[colour]": "red"}, 400, "colour"),
        ({"service_code": "C0101", "attribute[standard]": "E999999"}, 400, "standard"),
        ({"service_code": "C0101", "attribute[owner]": "a\nb"}, 400, "owner"),
        ({"description": "x" * 4001}, 400, "4000"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ],
)
def test_refused(post_request, fields, status, text):
    description = _error(post_request(**fields), status)
    assert text in description
    assert not Case.objects.exists()


def test_multiple_values_for_a_single_value_attribute(client, api_client, loop):
    lon, lat = loop["west_point"]
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": KEY, "service_code": "C0101", "lat": lat, "long": lon,
         "attribute[urgency][]": ["normal", "urgent"]},
    )  # fmt: skip
    assert "one value" in _error(response, 400)


def test_inactive_client_is_refused(post_request, api_client):
    Open311Client.objects.filter(pk=api_client.pk).update(is_active=False)
    assert "api_key" in _error(post_request(), 403)


def test_errors_in_xml(post_request):
    response = post_request(fmt="xml", api_key="wrong")
    assert response.status_code == 403
    root = parse(response, "errors")
    assert root.findtext("error/code") == "403"
    assert "api_key" in root.findtext("error/description")


def test_wrong_method(client, db):
    response = client.delete("/open311/v2/requests.json")
    assert response.status_code == 400
    assert response["Allow"] == "GET, POST"
    response = client.post("/open311/v2/services.xml")
    assert response.status_code == 400
    parse(response, "errors")


def test_errors_speak_chinese_by_default(loop, api_client):
    from django.test import Client

    response = Client().post("/open311/v2/requests.json", {"api_key": "wrong"})
    assert response.status_code == 403
    assert "api_key" in json.loads(response.content)[0]["description"]
    assert response["Content-Language"] == "zh-hans"
