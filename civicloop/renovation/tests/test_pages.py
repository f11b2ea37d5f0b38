"""Console desks and portal pages: they render, act through the actions, keep scope and secrecy."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from civicloop.renovation import actions
from civicloop.renovation.models import Ballot, Order, Vote


def _login(reno, who):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(reno["users"][who])
    return client


@pytest.fixture
def voted(reno):
    west = reno["west"]
    order = actions.place_order(reno["residents"][0], west, title="加装电梯")
    actions.accept_order(reno["actors"]["worker"], order)
    vote = actions.create_vote(reno["actors"]["worker"], west, title="表决", orders=[order],
                               opens_at=timezone.now() - datetime.timedelta(minutes=5),
                               closes_at=timezone.now() + datetime.timedelta(days=1))  # fmt: skip
    actions.open_vote(reno["actors"]["worker"], vote)
    (q,) = vote.questions.all()
    actions.cast_vote(reno["residents"][0], vote, {q.pk: "against"})
    actions.cast_vote(reno["residents"][1], vote, {q.pk: "for"})
    return {**reno, "vote": vote, "question": q, "order": order}


@pytest.mark.django_db
def test_ledger_renders_with_a_constant_number_of_queries(reno, django_assert_max_num_queries):
    client = _login(reno, "officer")
    with django_assert_max_num_queries(16):
        r = client.get("/console/renovation/")
    assert r.status_code == 200 and "西小区" in r.content.decode()
    r = client.get("/console/renovation/", {"street": reno["district"]["east"].pk})
    assert "东小区" in r.content.decode() and "西小区" not in r.content.decode()
    r = client.get("/console/renovation/", {"class": "quality"})
    assert "西小区" in r.content.decode() and "东小区" not in r.content.decode()
    assert client.get("/console/renovation/export.xlsx").status_code == 200
    assert _login(reno, "nobody").get("/console/renovation/").status_code == 404


@pytest.mark.django_db
def test_desk_scope_and_actions(voted):
    west = voted["west"].compound_id
    worker = _login(voted, "worker")
    assert worker.get(f"/console/renovation/compounds/{west}/").status_code == 200
    assert (
        _login(voted, "worker_east").get(f"/console/renovation/compounds/{west}/").status_code
        == 404
    )
    assert _login(voted, "nobody").get(f"/console/renovation/compounds/{west}/").status_code == 404
    order = actions.place_order(voted["residents"][2], voted["west"], title="修路")
    r = worker.post(f"/console/renovation/act/order/{order.pk}/decline_order/", {"reason": ""})
    assert r.status_code == 302
    assert Order.objects.get(pk=order.pk).state == "submitted"
    worker.post(f"/console/renovation/act/order/{order.pk}/decline_order/",
                {"reason": "已列入市政计划", "version": 0})  # fmt: skip
    assert Order.objects.get(pk=order.pk).state == "declined"
    # The resident sees the reason on their household page.
    page = (
        Client(HTTP_ACCEPT_LANGUAGE="en")
        .post(f"/compounds/{west}/mine/", {"code": voted["codes"][2]})
        .content.decode()
    )
    assert "已列入市政计划" in page
    # Codes: printed once on slips, then only the labels are listed.
    r = worker.post(f"/console/renovation/compounds/{west}/codes/", {"labels": "2-201\n2-202"})
    assert r.status_code == 200 and r.content.decode().count('class="slip"') == 2
    assert r["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_no_page_reveals_how_a_household_voted(voted):
    west = voted["west"].compound_id
    pages = [_login(voted, "worker").get(f"/console/renovation/compounds/{west}/").content.decode(),
             Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/compounds/{west}/").content.decode(),
             Client(HTTP_ACCEPT_LANGUAGE="en").post(f"/compounds/{west}/mine/", {"code": voted["codes"][0]}).content.decode()]  # fmt: skip
    for page in pages:
        assert "against" not in page.lower().replace("for / against", "")
    # Before closing, no counts anywhere; the export carries no ballots either.
    assert "Results are published when the vote closes" in pages[1]
    from civicloop.renovation.workbook import export_programme

    data = export_programme(voted["programme"])
    assert b"against" not in data and Ballot.objects.count() == 2
    Vote.objects.filter(pk=voted["vote"].pk).update(closes_at=timezone.now())
    actions.close_vote(voted["actors"]["worker"], Vote.objects.get(pk=voted["vote"].pk))
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/compounds/{west}/").content.decode()
    assert "Turnout: 2 of 3 households." in page


@pytest.mark.django_db
def test_portal_order_vote_and_rate(voted, photo, django_assert_max_num_queries):
    from django.core.files.uploadedfile import SimpleUploadedFile

    west = voted["west"].compound_id
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    with django_assert_max_num_queries(14):
        assert client.get(f"/compounds/{west}/").status_code == 200
    assert client.get("/compounds/", {"q": "西"}).status_code == 200
    r = client.post(f"/compounds/{west}/order/", {"code": voted["east_code"], "title": "x"})
    assert r.status_code == 400 and "does not belong" in r.content.decode()
    r = client.post(f"/compounds/{west}/order/", {
        "code": voted["codes"][1], "work_type": "R05",
        "photos": [SimpleUploadedFile("a.jpg", photo(), content_type="image/jpeg")]})  # fmt: skip
    assert r.status_code == 200 and Order.objects.filter(title="改绿化").exists()
    vote, q = voted["vote"], voted["question"]
    r = client.post(
        f"/compounds/{west}/votes/{vote.pk}/", {"code": voted["codes"][2], f"q{q.pk}": "for"}
    )
    assert r.status_code == 200 and "received" in r.content.decode()
    r = client.post(
        f"/compounds/{west}/votes/{vote.pk}/", {"code": voted["codes"][2], f"q{q.pk}": "against"}
    )
    assert r.status_code == 200 and "changed" in r.content.decode()
    assert Ballot.objects.filter(vote=vote).count() == 3
    r = client.post(
        f"/compounds/{west}/votes/{vote.pk}/", {"code": "ZZZZ-ZZZZ-ZZZZ", f"q{q.pk}": "for"}
    )
    assert r.status_code == 400
    item = actions.add_item(voted["actors"]["officer"], voted["west"], title="路灯", budget="1")
    actions.adopt_item(voted["actors"]["adopter"], item, kind="civilized", money="1")
    actions.deliver_item(voted["actors"]["adopter"], item, photos=[photo()])
    r = client.post(
        f"/compounds/{west}/items/{item.pk}/rate/", {"code": voted["codes"][0], "stars": "5"}
    )
    assert r.status_code == 200
    r = client.post(
        f"/compounds/{west}/items/{item.pk}/rate/", {"code": voted["codes"][0], "stars": "9"}
    )
    assert r.status_code == 400
    assert client.get("/compounds/999999/").status_code == 404


@pytest.mark.django_db
def test_desks_and_lists_keep_a_constant_number_of_queries(voted, django_assert_max_num_queries):
    officer = voted["actors"]["officer"]
    for n in range(6):
        item = actions.add_item(officer, voted["west"], title=f"项{n}", budget="1")
        if n % 2:
            actions.adopt_item(voted["actors"]["adopter"], item, kind="civilized", money="1")
        actions.place_order(voted["residents"][n % 3], voted["west"], title=f"订单{n}")
    west = voted["west"].compound_id
    worker, adopter = _login(voted, "worker"), _login(voted, "adopter")
    with django_assert_max_num_queries(20):
        assert worker.get(f"/console/renovation/compounds/{west}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert adopter.get("/console/renovation/adopt/").status_code == 200
    with django_assert_max_num_queries(4):
        assert Client().get("/compounds/").status_code == 200
    with django_assert_max_num_queries(14):
        assert Client().get(f"/compounds/{west}/").status_code == 200


@pytest.mark.django_db
def test_code_slips_as_pdf(reno):
    west = reno["west"].compound_id
    r = _login(reno, "worker").post(f"/console/renovation/compounds/{west}/codes/",
                                    {"labels": "4-401\n4-402", "format": "pdf"})  # fmt: skip
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and r["Cache-Control"] == "no-store"
    r = _login(reno, "worker_east").post(f"/console/renovation/compounds/{west}/codes/",
                                         {"labels": "4-403"})  # fmt: skip
    assert r.status_code == 404
