"""GET requests: filters, the 90-day default window, paging, errors, query count."""

import datetime
import json

import pytest
from django.utils import timezone

from civicloop.cases import actions
from civicloop.cases.permissions import public_actor
from civicloop.cases.tests.loop_helpers import advance

from .schema import check_errors, check_requests
from .xmlcheck import parse


def _report(loop, category="E0102", days_ago=0, where="west_point", **kwargs):
    lon, lat = loop[where]
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return actions.report_case(public_actor(), source="public", category=category,
                               lon=lon, lat=lat, at=at, **kwargs)  # fmt: skip


def _get(client, query="", fmt="json"):
    response = client.get(f"/open311/v2/requests.{fmt}{query}")
    assert response.status_code == 200, response.content
    if fmt == "xml":
        return response
    data = json.loads(response.content)
    check_requests(data)
    return data


def _ids(data):
    return [r["service_request_id"] for r in data]


@pytest.fixture
def cases(loop, photo):
    recent = _report(loop, description="recent garbage")
    old = _report(loop, days_ago=100)
    other = _report(loop, category="E0101", days_ago=2)
    closed = advance(loop, _report(loop, days_ago=1), "closed", photo=photo)
    return {"recent": recent, "old": old, "other": other, "closed": closed}


def test_default_is_the_last_90_days_newest_first(client, cases):
    data = _get(client)
    assert _ids(data) == [c.number for c in (cases["recent"], cases["closed"], cases["other"])]


def test_fields(client, cases):
    (item,) = _get(client, f"?service_request_id={cases['closed'].number}")
    closed = cases["closed"]
    assert item["status"] == "closed"
    assert item["agency_responsible"] == closed.unit.name
    assert item["service_code"] == "E0102"
    assert item["expected_datetime"] == timezone.localtime(closed.handling_deadline).isoformat(
        timespec="seconds"
    )
    assert item["updated_datetime"] == timezone.localtime(closed.closed_at).isoformat(
        timespec="seconds"
    )
    assert item["requested_datetime"].endswith("+08:00")
    assert item["lat"] == pytest.approx(34.703) and item["long"] == pytest.approx(113.602)
    assert item["status_notes"]


def test_service_request_id_list_overrides_the_rest(client, cases):
    query = f"?service_request_id={cases['old'].number},{cases['recent'].number}&status=closed"
    assert set(_ids(_get(client, query))) == {cases["old"].number, cases["recent"].number}


def test_service_code_filter(client, cases):
    assert _ids(_get(client, "?service_code=E0101")) == [cases["other"].number]
    assert len(_get(client, "?service_code=E0101,E0102")) == 3


def test_status_filter(client, cases):
    assert _ids(_get(client, "?status=closed")) == [cases["closed"].number]
    assert set(_ids(_get(client, "?status=open"))) == {
        cases["recent"].number,
        cases["other"].number,
    }
    assert len(_get(client, "?status=open,closed")) == 3


def test_date_window(client, cases):
    start = (timezone.now() - datetime.timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    end = (timezone.now() - datetime.timedelta(days=50)).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = _get(client, f"?start_date={start}&end_date={end}".replace("+", "%2B"))
    assert _ids(data) == [cases["old"].number]
    # Only a start: 90 days from it.
    assert _ids(_get(client, f"?start_date={start}".replace("+", "%2B"))) == [cases["old"].number]


@pytest.mark.parametrize(
    "query, text",
    [
        ("?start_date=yesterday", "start_date"),
        ("?start_date=2024-01-01T00:00:00Z&end_date=2024-06-01T00:00:00Z", "90 days"),
        ("?start_date=2024-06-01T00:00:00Z&end_date=2024-01-01T00:00:00Z", "before"),
        ("?status=pending", "status"),
        ("?page=0", "page"),
        ("?page_size=abc", "page_size"),
        ("?jurisdiction_id=sfgov.org", "jurisdiction_id"),
    ],
)
def test_bad_queries(client, loop, query, text):
    response = client.get(f"/open311/v2/requests.json{query}")
    assert response.status_code == (404 if "jurisdiction" in query else 400)
    data = json.loads(response.content)
    check_errors(data)
    assert text in data[0]["description"]
    xml = client.get(f"/open311/v2/requests.xml{query}")
    assert xml.status_code == response.status_code
    parse(xml, "errors")


def test_paging(client, loop):
    made = [_report(loop, description=f"n{i}") for i in range(5)]
    newest_first = [c.number for c in reversed(made)]
    assert _ids(_get(client, "?page_size=2")) == newest_first[:2]
    assert _ids(_get(client, "?page_size=2&page=2")) == newest_first[2:4]
    assert _ids(_get(client, "?page_size=2&page=3")) == newest_first[4:]
    assert _get(client, "?page_size=2&page=4") == []
    assert len(_get(client, "?page_size=5000")) == 5  # at most 1,000 per page


def test_xml_list(client, cases):
    root = parse(_get(client, fmt="xml"), "service_requests")
    requests = root.findall("request")
    assert len(requests) == 3
    names = [child.tag for child in requests[0]]
    for name in ("service_request_id", "status", "service_name", "service_code", "description",
                 "requested_datetime", "updated_datetime", "lat", "long"):  # fmt: skip
        assert name in names


def test_queries_do_not_grow_with_the_list(client, loop, photo, django_assert_num_queries):
    for _i in range(8):
        _report(loop, photos=[photo()])
    # one query for the page (the first photo is a subquery), one for a single request
    with django_assert_num_queries(1):
        data = _get(client)
    assert len(data) == 8
    assert all(item["media_url"].startswith("http://testserver/photos/") for item in data)
    with django_assert_num_queries(1):
        single = client.get(f"/open311/v2/requests/{data[0]['service_request_id']}.json")
    assert single.json()[0]["media_url"] == data[0]["media_url"]


def test_staff_descriptions_and_reporter_data_are_never_published(client, loop):
    lon, lat = loop["west_point"]
    actions.report_case(loop["actors"]["inspector"], source="inspector", category="E0102",
                        lon=lon, lat=lat, description="张三家门口")  # fmt: skip
    _report(loop, description="public words", reporter_phone="13912345678",
            reporter_email="x@example.org")  # fmt: skip
    body = client.get("/open311/v2/requests.json").content.decode()
    assert "张三家门口" not in body
    assert "public words" in body
    assert "13912345678" not in body and "x@example.org" not in body
