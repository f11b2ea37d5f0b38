"""GET /api/cases: the user's visible cases, filtered and paginated."""

import datetime

from django.utils import timezone


def numbers(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_scope(api, case_in):
    west = case_in("in_progress")
    east = case_in("reported", point="east_point")
    assert numbers(api("dispatcher").get("/api/cases")) == {west.pk, east.pk}
    assert numbers(api("handler_clean").get("/api/cases")) == {west.pk}
    assert numbers(api("handler_east").get("/api/cases")) == {east.pk}  # their street
    assert numbers(api("inspector").get("/api/cases")) == {west.pk, east.pk}  # reported both
    assert numbers(api("inspector2").get("/api/cases")) == set()


def test_filters(api, case_in, loop):
    a = case_in("in_progress")
    b = case_in("reported", point="east_point")
    c = case_in("closed")
    client = api("dispatcher")
    assert numbers(client.get("/api/cases", {"state": "in_progress,closed"})) == {a.pk, c.pk}
    assert numbers(client.get("/api/cases", {"light": "green"})) == {a.pk, b.pk}
    assert numbers(client.get("/api/cases", {"category": "E01"})) == {a.pk, b.pk, c.pk}
    assert numbers(client.get("/api/cases", {"category": "C"})) == set()
    assert numbers(client.get("/api/cases", {"street": loop["east"].code})) == {b.pk}
    assert numbers(client.get("/api/cases", {"street": str(loop["west"].pk)})) == {a.pk, c.pk}
    assert numbers(client.get("/api/cases", {"unit": "HW"})) == {a.pk, c.pk}
    assert numbers(client.get("/api/cases", {"unit": "NOPE"})) == set()  # no such unit
    assert numbers(client.get("/api/cases", {"street": "99999999"})) == set()
    now = timezone.now()
    later = (now + datetime.timedelta(hours=1)).isoformat()
    earlier = (now - datetime.timedelta(hours=1)).isoformat()
    assert numbers(client.get("/api/cases", {"since": later})) == set()
    assert numbers(client.get("/api/cases", {"since": earlier, "until": later})) == {
        a.pk, b.pk, c.pk}  # fmt: skip


def test_bad_filters_are_400(api, loop):
    client = api("dispatcher")
    response = client.get("/api/cases", {"state": "lost"})
    assert response.status_code == 400 and response.json()["field"] == "state"
    response = client.get("/api/cases", {"light": "blue"})
    assert response.status_code == 400 and response.json()["field"] == "light"
    response = client.get("/api/cases", {"since": "yesterday"})
    assert response.status_code == 400 and response.json()["field"] == "since"
    response = client.get("/api/cases", {"page": 0})
    assert response.status_code == 400 and response.json()["field"] == "page"


def test_pagination_newest_first(api, case_in):
    made = [case_in("reported").pk for _ in range(5)]
    client = api("dispatcher")
    page = client.get("/api/cases", {"page_size": 2, "page": 1}).json()
    assert page["count"] == 5 and page["pages"] == 3
    assert [i["id"] for i in page["items"]] == made[::-1][:2]
    last = client.get("/api/cases", {"page_size": 2, "page": 3}).json()
    assert [i["id"] for i in last["items"]] == [made[0]]
    beyond = client.get("/api/cases", {"page_size": 2, "page": 9}).json()
    assert beyond["items"] == [] and beyond["count"] == 5
