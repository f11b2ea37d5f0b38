"""Open311 responses in JSON and XML (GeoReport v2, Spark convention).

The JSON is the programmatic mapping of the XML: a container element with one
kind of repeated child becomes an array. Every XML document starts with the
UTF-8 declaration and uses the specification's element names, no namespace.
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

from django.http import HttpResponse

XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"

#: Container element -> the name of its repeated child.
CHILDREN = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry (C0 controls other than tab, LF and CR).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _INVALID_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        child = CHILDREN[element.tag]
        for item in value:
            _fill(ET.SubElement(element, child), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> str:
    """``data`` (a list or a dict) under the root element ``root``."""
    element = ET.Element(root)
    _fill(element, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")


def respond(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            to_xml(root, data).encode("utf-8"), content_type=XML_TYPE, status=status
        )
    body = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    return HttpResponse(body.encode("utf-8"), content_type=JSON_TYPE, status=status)


def errors(fmt: str, status: int, *messages: str, code: int | None = None) -> HttpResponse:
    """The specification's error list: ``[{"code": …, "description": …}]``."""
    data = [{"code": code or status, "description": str(message)} for message in messages]
    return respond(fmt, "errors", data, status=status)
