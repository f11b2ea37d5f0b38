"""Open cases of the same kind within 250 m, offered before sending; following one."""

from civicloop.cases.models import CaseFollower
from civicloop.cases.tests.loop_helpers import advance


def _nearby(client, category, lon, lat):
    return client.get("/report/nearby.json", {"category": category, "lon": lon, "lat": lat})


def test_nearby_open_cases_of_the_same_kind(client, loop, public_report, photo):
    near = public_report(where=(113.6020, 34.7030), description="by the gate")
    public_report(where=(113.6020, 34.7060))  # about 330 m north: too far
    public_report(category="E0101", where=(113.6021, 34.7030))  # another kind
    advance(loop, public_report(where=(113.6021, 34.7031)), "closed", photo=photo)  # closed
    data = _nearby(client, "E0102", 113.6022, 34.7031).json()
    assert data["radius_m"] == 250
    assert [c["number"] for c in data["cases"]] == [near.number]
    item = data["cases"][0]
    assert item["description"] == "by the gate"
    assert 10 < item["distance_m"] < 30
    assert "tracking_code" not in item and near.tracking_code not in str(data)


def test_radius_follows_the_loop_settings(client, loop, public_report):
    public_report(where=(113.6020, 34.7060))
    loop["config"].public_nearby_radius_m = 400
    loop["config"].save()
    assert len(_nearby(client, "E0102", 113.6020, 34.7030).json()["cases"]) == 1


def test_bad_queries(client, loop):
    assert _nearby(client, "E0102", "x", 34.7).status_code == 400
    assert _nearby(client, "X9999", 113.6, 34.7).status_code == 400


def test_follow_instead_of_reporting(client, loop, public_report):
    case = public_report()
    response = client.post("/report/follow/", {"number": case.number, "email": "f@example.org"})
    follower = CaseFollower.objects.get()
    assert follower.case == case and follower.email == "f@example.org"
    assert response["Location"] == f"/track/{follower.tracking_code}/"
    page = client.get(response["Location"]).content.decode()
    assert case.number in page and "You follow this case" in page
    assert follower.tracking_code in page  # shown once, right after following
    assert case.tracking_code not in page


def test_follow_refused_for_closed_or_unknown(client, loop, public_report, photo):
    closed = advance(loop, public_report(), "closed", photo=photo)
    assert client.post("/report/follow/", {"number": closed.number}).status_code == 400
    assert client.post("/report/follow/", {"number": "nothing"}).status_code == 400
    assert not CaseFollower.objects.exists()


def test_follow_checks_the_phone_like_the_report_form(client, loop, public_report):
    case = public_report()
    response = client.post("/report/follow/", {"number": case.number, "phone": "<b>call</b>"})
    assert response.status_code == 400
    assert "A phone number has digits only" in response.content.decode()
    assert "<b>call</b>" not in response.content.decode()
    assert not CaseFollower.objects.exists()
    bad_email = client.post("/report/follow/", {"number": case.number, "email": "nope"})
    assert bad_email.status_code == 400 and "valid email" in bad_email.content.decode()
