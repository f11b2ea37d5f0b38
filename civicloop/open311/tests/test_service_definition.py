"""GET services/{code}: attributes where a category needs them."""

import json

from civicloop.cases.models import SmallClass

from .schema import check_definition, check_errors
from .xmlcheck import parse


def _definition(client, code, fmt="json"):
    return client.get(f"/open311/v2/services/{code}.{fmt}")


def test_component_definition_has_owner(client, loop):
    response = _definition(client, "C0101")
    assert response.status_code == 200
    data = json.loads(response.content)
    check_definition(data)
    assert data["service_code"] == "C0101"
    codes = [a["code"] for a in data["attributes"]]
    assert "owner" in codes
    owner = next(a for a in data["attributes"] if a["code"] == "owner")
    assert owner["datatype"] == "string" and owner["required"] is False


def test_standards_become_a_value_list(client, loop):
    small = SmallClass.by_code("C0101")
    standards = list(small.standards.filter(is_active=True))
    assert len(standards) > 1
    data = json.loads(_definition(client, "C0101").content)
    standard = next(a for a in data["attributes"] if a["code"] == "standard")
    assert standard["datatype"] == "singlevaluelist"
    assert [v["key"] for v in standard["values"]] == [s.code for s in standards]


def test_every_service_with_metadata_has_attributes(client, loop):
    services = json.loads(client.get("/open311/v2/services.json").content)
    for service in services[:40]:
        data = json.loads(_definition(client, service["service_code"]).content)
        check_definition(data)
        assert bool(data["attributes"]) == service["metadata"], service["service_code"]


def test_definition_xml(client, loop):
    root = parse(_definition(client, "C0101", "xml"), "service_definition")
    assert root.findtext("service_code") == "C0101"
    attribute = root.find("attributes/attribute")
    for name in ("variable", "code", "datatype", "required", "order", "description"):
        assert attribute.find(name) is not None, name
    assert root.find("attributes/attribute/values/value/key") is not None


def test_unknown_service_is_404_both_formats(client, loop):
    response = _definition(client, "X9999")
    assert response.status_code == 404
    check_errors(json.loads(response.content))
    response = _definition(client, "X9999", "xml")
    assert response.status_code == 404
    assert parse(response, "errors").findtext("error/code") == "404"
