"""Structural checks of Open311 GeoReport v2 JSON, written from the specification.

The official schemas (open311/schema-validation) say: service_code,
service_name, metadata (boolean) and type (realtime|batch|blackbox) are
required for a service, keywords/group/description are strings or null; a
service definition has service_code and attributes, each attribute variable,
code, datatype (one of six), required, with optional datatype_description,
order (integer), description and values of {key, name} strings; a request has
service_request_id, status (open|closed), service_code, requested_datetime
(date-time), and optional strings or nulls elsewhere, lat/long numbers,
description at most 4,000 characters. These functions assert exactly that.
"""

import re

W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def _optional(value, kind):
    assert value is None or isinstance(value, kind), value


def _datetime(value, *, required=False):
    if value is None and not required:
        return
    assert isinstance(value, str) and W3C.match(value), value


def check_service(item: dict) -> None:
    for name in ("service_code", "service_name", "metadata", "type"):
        assert name in item, name
    assert isinstance(item["service_code"], str)
    assert isinstance(item["service_name"], str)
    assert isinstance(item["metadata"], bool)
    assert item["type"] in ("realtime", "batch", "blackbox")
    for name in ("description", "keywords", "group"):
        _optional(item.get(name), str)


def check_services(data) -> None:
    assert isinstance(data, list)
    for item in data:
        check_service(item)


def check_definition(data) -> None:
    assert isinstance(data, dict)
    assert isinstance(data["service_code"], str)
    assert isinstance(data["attributes"], list)
    orders = []
    for attribute in data["attributes"]:
        for name in ("variable", "code", "datatype", "required"):
            assert name in attribute, name
        assert isinstance(attribute["variable"], bool)
        assert isinstance(attribute["code"], str)
        assert attribute["datatype"] in DATATYPES
        assert isinstance(attribute["required"], bool)
        _optional(attribute.get("datatype_description"), str)
        _optional(attribute.get("description"), str)
        order = attribute.get("order")
        assert order is None or (
            isinstance(order, int) and not isinstance(order, bool) and order >= 1
        )
        orders.append(order)
        if attribute["datatype"] in ("singlevaluelist", "multivaluelist"):
            assert attribute["values"], attribute
        for value in attribute.get("values", []):
            assert isinstance(value["key"], str) and isinstance(value["name"], str)
    assert len(orders) == len(set(orders)), "order values must be unique"


def check_request(item: dict) -> None:
    for name in ("service_request_id", "status", "service_code", "requested_datetime"):
        assert name in item, name
    assert isinstance(item["service_request_id"], str)
    assert item["status"] in ("open", "closed")
    assert isinstance(item["service_code"], str)
    _datetime(item["requested_datetime"], required=True)
    for name in ("updated_datetime", "expected_datetime"):
        _datetime(item.get(name))
    for name in ("status_notes", "service_name", "agency_responsible", "service_notice",
                 "address", "address_id", "zipcode", "media_url"):  # fmt: skip
        _optional(item.get(name), str)
    description = item.get("description")
    assert description is None or (isinstance(description, str) and len(description) <= 4000)
    for name in ("lat", "long"):
        value = item.get(name)
        assert value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
    if item.get("media_url"):
        assert item["media_url"].startswith(("http://", "https://"))


def check_requests(data) -> None:
    assert isinstance(data, list)
    for item in data:
        check_request(item)


def check_errors(data) -> None:
    assert isinstance(data, list) and data
    for error in data:
        assert set(error) == {"code", "description"}
        assert isinstance(error["code"], int)
        assert isinstance(error["description"], str) and error["description"]
