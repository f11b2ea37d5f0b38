"""GET requests publish no personal data: no reporter name, phone or e-mail, and for
reports not made by residents neither the description nor the typed address."""

import json

from civicloop.cases import actions
from civicloop.cases.permissions import public_actor


def _item(client, case):
    response = client.get(f"/open311/v2/requests/{case.number}.json")
    assert response.status_code == 200
    return json.loads(response.content)[0]


def test_hotline_address_and_description_are_not_published(client, loop):
    lon, lat = loop["west_point"]
    case = actions.report_case(
        loop["actors"]["acceptor"], source="hotline", category="E0102", lon=lon, lat=lat,
        description="王先生来电", address="王先生家楼下3号楼501", reporter_name="王先生",
        reporter_phone="13900000000",
    )  # fmt: skip
    item = _item(client, case)
    body = json.dumps(item, ensure_ascii=False)
    for secret in ("王先生", "501", "13900000000"):
        assert secret not in body, secret
    assert item["description"] is None
    assert item["address"] is None or "3号楼" not in item["address"]
    xml = client.get(f"/open311/v2/requests/{case.number}.xml").content.decode()
    assert "王先生" not in xml and "13900000000" not in xml


def test_resident_address_is_published(client, loop):
    lon, lat = loop["west_point"]
    case = actions.report_case(
        public_actor(),
        source="public", category="E0102", lon=lon, lat=lat, address="路口东侧",
        reporter_email="me@example.org", reporter_phone="13800000000",
    )  # fmt: skip
    item = _item(client, case)
    assert item["address"].startswith("路口东侧")
    body = json.dumps(item, ensure_ascii=False)
    assert "me@example.org" not in body and "13800000000" not in body
