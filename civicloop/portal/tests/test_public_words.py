"""The tracking page in residents' words: public steps, what follows a rating, own data, icon."""

from django.test import Client
from django.utils import translation

from civicloop.cases import actions
from civicloop.cases.models import CaseEvent, CaseFollower, CaseRequest, Evidence, State
from civicloop.cases.public_steps import PUBLIC_STATES, PUBLIC_STEPS
from civicloop.cases.tests.loop_helpers import advance


def test_every_action_and_state_is_decided_for_the_public():
    assert set(PUBLIC_STEPS) == set(CaseEvent.Action)
    assert set(PUBLIC_STATES) == set(State)


def test_every_public_word_has_chinese():
    from civicloop.cases.public_steps import CHECK_FAILED, VERIFY_FALSE

    words = [*PUBLIC_STATES.values(), *filter(None, PUBLIC_STEPS.values()), CHECK_FAILED,
             VERIFY_FALSE]  # fmt: skip
    english = [str(w) for w in words]
    with translation.override("zh-hans"):
        chinese = [str(w) for w in words]
    assert [e for e, c in zip(english, chinese, strict=True) if e == c] == []


def test_internal_steps_are_said_plainly(client, loop, public_report):
    a = loop["actors"]
    case = advance(loop, public_report(category="E0101"), State.IN_PROGRESS)
    returned = actions.request_return(a["handler_west"], case, reason="不属于本单位")
    case = actions.approve_return(a["dispatcher"], returned)
    case = actions.dispatch_case(a["dispatcher"], case, unit=loop["cleaning"], reason="退回后改派")
    actions.issue_supervision(a["supervisor"], case, opinion="尽快处置")
    page = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert "the centre is finding the right unit" in page
    assert "The centre told the unit to hurry up." in page
    for internal in ("return approved", "return requested", "supervision order", "不属于本单位",
                     "尽快处置"):  # fmt: skip
        assert internal not in page, internal
    assert 'id="case-state"' in page and "sent to the unit that handles it" in page
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/track/{case.tracking_code}/")
    text = zh.content.decode()
    assert "原单位不负责此事，指挥中心正在另找负责单位。" in text
    assert "指挥中心已督促处置单位抓紧办理。" in text
    assert "批准回退" not in text and "下发督办" not in text and "督办单" not in text


def test_after_an_unsatisfied_rating_the_page_says_what_happens(client, loop, public_report, photo):
    case = advance(loop, public_report(), "closed", photo=photo)
    client.post(f"/track/{case.tracking_code}/rate/", {"level": 1, "reason": "没扫干净"})
    page = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert 'id="after-rating"' in page and "goes back to the city management centre" in page
    request = CaseRequest.objects.get(case=case, kind="reopen")
    actions.reject_reopen(loop["actors"]["shift_leader"], request, note="已复查")
    page = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert "decided that the result stands" in page


def test_a_reopened_case_says_so(client, loop, public_report, photo):
    case = advance(loop, public_report(), "closed", photo=photo)
    client.post(f"/track/{case.tracking_code}/rate/", {"level": 2})
    request = CaseRequest.objects.get(case=case, kind="reopen")
    actions.approve_reopen(loop["actors"]["shift_leader"], request)
    page = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert "Reopened: it is handled again." in page and 'id="rate"' not in page


def test_a_satisfied_rating_says_nothing_more(client, loop, public_report, photo):
    case = advance(loop, public_report(), "closed", photo=photo)
    client.post(f"/track/{case.tracking_code}/rate/", {"level": 5})
    page = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert 'id="rated"' in page and 'id="after-rating"' not in page


def test_the_reporter_sees_their_address_and_photos_followers_do_not(client, public_report, photo):
    case = public_report(address="西街 8 号楼下", photos=[photo()])
    before = Evidence.objects.get(case=case, kind="before")
    page = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert 'id="own-address"' in page and "西街 8 号楼下" in page
    assert 'id="own-photos"' in page and f"/photos/{before.pk}/thumb/" in page
    assert f"/photos/{before.pk}/public/" in page and "/original" not in page
    client.post("/report/follow/", {"number": case.number})
    code = CaseFollower.objects.get().tracking_code
    page = client.get(f"/track/{code}/").content.decode()
    assert "西街 8 号楼下" not in page and 'id="own-photos"' not in page


def test_the_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.ico")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content if icon.streaming else [icon.content])[:4] == (
        b"\x00\x00\x01\x00"
    )
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "shared/favicon.svg" in page


def test_the_reporters_page_shows_their_own_photos_only(client, loop, public_report, photo):
    """Their photos sent with the report; not a "before" photo staff added later."""
    case = public_report(photos=[photo()])
    actions.accept_case(loop["actors"]["acceptor"], case)
    actions.add_evidence(loop["actors"]["acceptor"], case, photos=[photo()], kind="before")
    page = client.get(f"/track/{case.tracking_code}/")
    own = page.context["own_photos"]
    assert len(own) == 1 and own[0].event.action == "report"
    assert 'id="own-photos"' in page.content.decode()
