"""Parse an Open311 XML answer and check the declaration and root element."""

from xml.etree import ElementTree as ET

DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'


def parse(response, root: str) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content
    assert body.startswith(DECLARATION), body[:60]
    element = ET.fromstring(body)
    assert element.tag == root, element.tag
    return element
