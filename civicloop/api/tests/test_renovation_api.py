"""The field API under /api/renovation/: shapes, query counts, actions, resident endpoints."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from civicloop.api.actions import issue_token
from civicloop.renovation import actions
from civicloop.renovation.models import Order, Vote


def _client(reno, who):
    _token, key = issue_token(reno["users"][who], "test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")

    def get(path, **params):
        return client.get(path, params)

    def post(path, data=None):
        return client.post(path, json.dumps(data or {}), content_type="application/json")

    return get, post


@pytest.fixture
def filled(reno):
    west = reno["west"]
    for n in range(5):
        order = actions.place_order(reno["residents"][n % 3], west, title=f"需求{n}")
        if n < 3:
            actions.accept_order(reno["actors"]["worker"], order)
    accepted = list(Order.objects.filter(state="accepted"))
    vote = actions.create_vote(reno["actors"]["worker"], west, title="表决", orders=accepted,
                               opens_at=timezone.now() - datetime.timedelta(minutes=5),
                               closes_at=timezone.now() + datetime.timedelta(days=1))  # fmt: skip
    actions.open_vote(reno["actors"]["worker"], vote)
    answers = {q.pk: "for" for q in vote.questions.all()}
    for resident in reno["residents"]:
        actions.cast_vote(resident, vote, answers)
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now())
    vote.refresh_from_db()
    actions.close_vote(reno["actors"]["worker"], vote)
    item = actions.take_order(reno["actors"]["officer"], accepted[0], budget="10")
    actions.adopt_item(reno["actors"]["adopter"], item, kind="civilized", money="5")
    return {**reno, "accepted": accepted, "item": item, "vote": vote}


@pytest.mark.django_db
def test_programmes_list(filled, django_assert_max_num_queries):
    get, _post = _client(filled, "nobody")
    get("/api/renovation/programmes")  # the token and the memo counters warm
    with django_assert_max_num_queries(8):
        body = get("/api/renovation/programmes").json()
    assert set(body) == {"count", "count_exact", "page", "page_size", "pages", "items"}
    (programme,) = body["items"]
    assert programme["compounds"] == 2
    assert [(b["seq"], b["compounds"]) for b in programme["batches"]] == [(1, 1), (2, 1)]
    assert programme["batches"][0]["deadline"] == filled["first"].deadline.isoformat()


@pytest.mark.django_db
def test_compounds_list_search_and_query_count(filled, django_assert_max_num_queries):
    get, _post = _client(filled, "nobody")
    with django_assert_max_num_queries(6):
        body = get("/api/renovation/compounds", q="西").json()
    assert body["count"] == 1
    (row,) = body["items"]
    assert row["name"] == "西小区" and row["public_url"] == f"/compounds/{row['id']}/"
    assert row["light"] in {"green", "yellow", "red", "done"}
    assert get("/api/renovation/compounds", street="nope").status_code == 404
    assert get("/api/renovation/compounds", page_size=500).status_code == 400


@pytest.mark.django_db
def test_orders_list_carries_votes_and_adopter(filled, django_assert_max_num_queries):
    get, _post = _client(filled, "worker")
    compound = filled["west"].compound_id
    with django_assert_max_num_queries(8):
        body = get(f"/api/renovation/compounds/{compound}/orders").json()
    assert body["count"] == 5
    taken = next(o for o in body["items"] if o["id"] == filled["accepted"][0].pk)
    assert (taken["votes_for"], taken["votes_against"], taken["adopted_by"]) == (3, 0, "文明单位一")
    submitted = [o for o in body["items"] if o["state"] == "submitted"]
    assert submitted and all(o["actions"] == ["accept_order", "merge_order", "decline_order"]
                             for o in submitted)  # fmt: skip
    assert get("/api/renovation/compounds/999999/orders").status_code == 404


@pytest.mark.django_db
def test_actions_through_the_api(filled):
    _get, post = _client(filled, "worker")
    order = Order.objects.filter(state="submitted").first()
    r = post(f"/api/renovation/orders/{order.pk}/decline", {"reason": ""})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = post(f"/api/renovation/orders/{order.pk}/decline", {"reason": "重复", "version": 0})
    assert r.status_code == 200 and r.json()["state"] == "declined"
    r = post(f"/api/renovation/orders/{order.pk}/accept", {})
    assert r.status_code == 409
    _get, adopter_post = _client(filled, "adopter2")
    r = adopter_post(f"/api/renovation/orders/{order.pk}/accept", {})
    assert r.status_code == 403
    r = adopter_post(f"/api/renovation/items/{filled['item'].pk}/progress", {"progress": 50})
    assert r.status_code == 403
    _get, officer_post = _client(filled, "officer")
    r = officer_post(f"/api/renovation/items/{filled['item'].pk}/progress", {"progress": 101})
    assert r.status_code == 400 and "100" in r.json()["message"]
    r = officer_post(f"/api/renovation/items/{filled['item'].pk}/progress", {"progress": 60})
    assert r.status_code == 200
    r = Client().post("/api/renovation/orders/1/accept", "{}", content_type="application/json")
    assert r.status_code == 401
    r = officer_post(f"/api/renovation/items/{filled['item'].pk}/progress", None)
    assert r.status_code == 400


@pytest.mark.django_db
def test_resident_endpoints_use_the_household_code(filled):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    west = filled["west"].compound_id
    r = client.post(f"/api/renovation/compounds/{west}/orders",
                    {"code": filled["codes"][0], "title": "加装扶手"})  # fmt: skip
    assert r.status_code == 201 and r.json()["state"] == "submitted"
    r = client.post(f"/api/renovation/compounds/{west}/orders",
                    {"code": filled["east_code"], "title": "加装扶手"})  # fmt: skip
    assert r.status_code == 403
    r = client.post(f"/api/renovation/compounds/{west}/orders", {"code": "AAAA-BBBB-CCCC"})
    assert r.status_code == 400 and r.json()["field"] == "code"
    r = client.post(f"/api/renovation/votes/{filled['vote'].pk}/ballot",
                    json.dumps({"code": filled["codes"][0], "answers": {}}),
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 409  # closed


@pytest.mark.django_db
def test_the_openapi_document_lists_the_renovation_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/renovation/programmes", "/api/renovation/compounds",
                 "/api/renovation/compounds/{compound_id}/orders",
                 "/api/renovation/votes/{vote_id}/ballot"):  # fmt: skip
        assert path in paths
