"""Rating after closure: five levels, optional reason; unsatisfied reaches the shift leader."""

from civicloop.cases.models import CaseFollower, CaseRequest, Rating
from civicloop.cases.tests.loop_helpers import advance


def test_no_rating_before_closure(client, loop, public_report):
    case = public_report()
    assert 'id="rate"' not in client.get(f"/track/{case.tracking_code}/").content.decode()
    response = client.post(f"/track/{case.tracking_code}/rate/", {"level": 5})
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_satisfied_rating(client, loop, public_report, photo):
    case = advance(loop, public_report(), "closed", photo=photo)
    page = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert 'id="rate"' in page and page.count('name="level"') == 5
    response = client.post(f"/track/{case.tracking_code}/rate/", {"level": 4, "reason": "快"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.level, rating.reason) == (4, "快")
    assert not CaseRequest.objects.filter(kind="reopen").exists()
    page = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert 'id="rated"' in page and 'id="rate"' not in page
    again = client.post(f"/track/{case.tracking_code}/rate/", {"level": 1})
    assert again.status_code == 400 and Rating.objects.count() == 1


def test_unsatisfied_rating_becomes_a_reopen_request(client, loop, public_report, photo):
    case = advance(loop, public_report(), "closed", photo=photo)
    client.post(f"/track/{case.tracking_code}/rate/", {"level": 2, "reason": "没扫干净"})
    request = CaseRequest.objects.get(case=case, kind="reopen", status="pending")
    assert request.reason == "没扫干净"


def test_invalid_level(client, loop, public_report, photo):
    case = advance(loop, public_report(), "closed", photo=photo)
    response = client.post(f"/track/{case.tracking_code}/rate/", {"level": 9})
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_followers_see_but_do_not_rate(client, loop, public_report, photo):
    case = public_report()
    client.post("/report/follow/", {"number": case.number})
    code = CaseFollower.objects.get().tracking_code
    advance(loop, case, "closed", photo=photo)
    assert 'id="rate"' not in client.get(f"/track/{code}/").content.decode()
    assert client.post(f"/track/{code}/rate/", {"level": 5}).status_code == 404
