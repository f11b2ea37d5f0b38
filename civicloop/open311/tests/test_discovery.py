"""GET discovery in both formats (Service Discovery spec fields)."""

import json

from .xmlcheck import parse


def test_discovery_json(client, db):
    response = client.get("/open311/v2/discovery.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(data)
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_discovery_xml(client, db):
    root = parse(client.get("/open311/v2/discovery.xml"), "discovery")
    assert root.findtext("changeset")
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_discovery_without_suffix_is_xml(client, db):
    parse(client.get("/open311/v2/discovery"), "discovery")
    parse(client.get("/open311/v2/"), "discovery")


def test_unknown_resource_is_404_in_the_error_format(client, db):
    response = client.get("/open311/v2/nothing.json")
    assert response.status_code == 404
    assert json.loads(response.content)[0]["code"] == 404
    response = client.get("/open311/v2/nothing.html")
    assert response.status_code == 404
    parse(response, "errors")
