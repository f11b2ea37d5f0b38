"""The desks: what the hotline, dispatch, filing and verification forms show before an
action is confirmed, and that the actions behind them check it again."""

import re

import pytest
from django.urls import reverse

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseFollower, FilingStandard

pytestmark = pytest.mark.django_db


def _case(loop, state="reported", category="E0102"):
    a = loop["actors"]
    lon, lat = loop["west_point"]
    case = actions.report_case(a["inspector"], source="inspector", category=category, lon=lon,
                               lat=lat, description="垃圾堆在路边", address="西街 1 号")  # fmt: skip
    if state in ("pending_filing", "pending_dispatch"):
        actions.accept_case(a["acceptor"], case)
    if state == "pending_dispatch":
        actions.file_case(a["shift_leader"], case)
    case.refresh_from_db()
    return case


# --- hotline ----------------------------------------------------------------------


def test_hotline_duplicates_before_saving(client_for, loop):
    existing = _case(loop)
    lon, lat = loop["west_point"]
    c = client_for("acceptor")
    page = c.get(reverse("console:hotline")).content.decode()
    assert 'id="hotline-duplicates"' in page and "data-filter-placeholder" in page
    url = reverse("console:hotline_duplicates")
    found = c.get(url, {"category": existing.small_class_id, "lon": lon + 1e-4, "lat": lat}).json()
    assert [r["number"] for r in found["results"]] == [existing.number]
    assert found["results"][0]["follow_url"] == reverse(
        "console:hotline_follow", args=[existing.pk]
    )
    assert found["results"][0]["distance_m"] < 50
    # another category, or far away: nothing
    other = existing.small_class.__class__.objects.exclude(pk=existing.small_class_id).first()
    assert c.get(url, {"category": other.pk, "lon": lon, "lat": lat}).json()["results"] == []
    assert c.get(url, {"category": existing.small_class_id, "lon": lon + 0.01,
                       "lat": lat}).json()["results"] == []  # fmt: skip
    # bad input is a 400 that says why; no hotline role is a 403
    for bad in ({}, {"category": "x", "lon": lon, "lat": lat},
                {"category": existing.small_class_id, "lon": "nan?", "lat": lat},
                {"category": "9" * 30, "lon": lon, "lat": lat}):  # fmt: skip
        response = c.get(url, bad)
        assert response.status_code == 400 and "error" in response.json(), bad
    assert (
        client_for("handler_clean").get(url, {"category": 1, "lon": lon, "lat": lat}).status_code
        == 403
    )
    assert Case.objects.count() == 1  # nothing was saved


def test_follow_this_case_instead(client_for, loop):
    existing = _case(loop)
    c = client_for("acceptor")
    url = reverse("console:hotline_follow", args=[existing.pk])
    refused = c.post(url, {"reporter_phone": ""})
    assert refused.status_code == 302 and not CaseFollower.objects.exists()
    response = c.post(url, {"reporter_phone": "13800000000"})
    assert response["Location"] == reverse("console:case", args=[existing.pk])
    follower = CaseFollower.objects.get()
    assert follower.case == existing and follower.phone == "13800000000"
    assert existing.events.filter(action="follow").exists()
    assert Case.objects.count() == 1
    assert client_for("handler_clean").post(url, {"reporter_phone": "1"}).status_code == 404
    assert c.get(url).status_code == 405


# --- dispatch ------------------------------------------------------------------------


def test_dispatch_desk_groups_units_and_shows_limit_and_deadline(client_for, loop):
    case = _case(loop, "pending_dispatch")
    html = client_for("dispatcher").get(reverse("console:case", args=[case.pk])).content.decode()
    form = html[html.index('id="form-dispatch"') :]
    form = form[: form.index("</form>")]
    assert form.count("<optgroup") >= 2
    assert re.search(r'<optgroup label="[^"]+"><option value="\d+"', form)
    assert f'data-proposed="{loop["cleaning"].pk}"' in form
    assert "★" in form and 'id="dispatch-suggestion"' in form
    assert 'id="dispatch-limit"' in form and 'id="dispatch-deadline"' in form
    clock = actions.handling_clock(case, case.reported_at)
    assert clock["limit_amount"] and str(clock["limit_amount"].normalize()) in form
    assert 'name="dispatch-reason"' in form


def test_dispatch_override_needs_a_reason_in_the_console_and_shows_both(client_for, loop):
    case = _case(loop, "pending_dispatch")
    west = loop["offices"]["west"]
    c = client_for("dispatcher")
    url = reverse("console:case_act", args=[case.pk, "dispatch"])
    refused = c.post(url, {"dispatch-version": case.version, "dispatch-unit": west.pk})
    assert refused.status_code == 400
    assert "suggested unit" in refused.content.decode()
    case.refresh_from_db()
    assert case.state == "pending_dispatch"
    done = c.post(url, {"dispatch-version": case.version, "dispatch-unit": west.pk,
                        "dispatch-reason": "该路段由西街道保洁"})  # fmt: skip
    assert done.status_code == 302
    page = c.get(reverse("console:case", args=[case.pk])).content.decode()
    assert 'id="case-routing"' in page and case.routing_reason in page
    assert 'id="case-override"' in page and "该路段由西街道保洁" in page


# --- filing ------------------------------------------------------------------------------


def test_filing_desk_offers_the_category_standards(client_for, loop):
    case = _case(loop, "pending_filing")
    standards = list(FilingStandard.objects.filter(small_class=case.small_class, is_active=True))
    assert standards
    html = client_for("shift_leader").get(reverse("console:case", args=[case.pk])).content.decode()
    form = html[html.index('id="form-file"') :]
    form = form[: form.index("</form>")]
    assert 'name="file-standard"' in form and 'id="file-standard"' in form
    for standard in standards:
        assert f'value="{standard.code}"' in form
    assert "data-condition=" in form and "data-applies=" in form
    # the JSON the desk reloads when the category changes
    data = (
        client_for("shift_leader")
        .get(reverse("console:desk_standards"), {"category": case.small_class_id, "case": case.pk})
        .json()
    )
    assert {s["code"] for s in data["standards"]} == {s.code for s in standards}
    assert all(s["limits"] and s["label"] for s in data["standards"])
    assert data["standards"][0]["applies"]
    bad = client_for("shift_leader").get(reverse("console:desk_standards"), {"category": "x"})
    assert bad.status_code == 400


def test_filing_with_another_category_standard_is_refused_at_the_field(client_for, loop):
    case = _case(loop, "pending_filing")
    foreign = FilingStandard.objects.exclude(small_class=case.small_class).first()
    c = client_for("shift_leader")
    url = reverse("console:case_act", args=[case.pk, "file"])
    response = c.post(url, {"file-version": case.version, "file-category": case.small_class_id,
                            "file-urgency": "normal", "file-standard": foreign.code})  # fmt: skip
    assert response.status_code == 400
    assert "is not a filing standard of" in response.content.decode()
    own = FilingStandard.objects.filter(small_class=case.small_class).first()
    ok = c.post(url, {"file-version": case.version, "file-category": case.small_class_id,
                      "file-urgency": "normal", "file-standard": own.code})  # fmt: skip
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.standard == own


# --- verification ------------------------------------------------------------------------


def test_verification_desk_lists_patrol_areas_and_the_case_says_who_verifies(client_for, loop):
    case = _case(loop)
    c = client_for("acceptor")
    html = c.get(reverse("console:case", args=[case.pk])).content.decode()
    form = html[html.index('id="form-send_for_verification"') :]
    form = form[: form.index("</form>")]
    area = loop["area"]
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', form)
    inspectors = [(v, label) for v, label in options if v]
    # the inspector of the case's patrol area first, with the area named
    assert inspectors[0][0] == str(loop["users"]["inspector"].pk)
    assert area.code in inspectors[0][1]
    assert any(v == str(loop["users"]["inspector2"].pk) for v, _l in inspectors)
    assert (
        'id="case-verifier"' in html
        and "inspector" in html[html.index('id="case-verifier"') :][:300]
    )
    actions.assign_inspector(
        loop["actors"]["shift_leader"], case, inspector=loop["users"]["inspector2"]
    )
    html = c.get(reverse("console:case", args=[case.pk])).content.decode()
    verifier = html[html.index('id="case-verifier"') :][:300]
    assert "inspector2" in verifier and "(assigned)" in verifier


def test_only_the_latest_dispatch_override_is_shown():
    from types import SimpleNamespace as E

    from civicloop.console.desks import last_override

    first = E(
        action="dispatch", data={"override_reason": "路段归属"}, at=1, actor_name="d", unit="W"
    )
    again = E(action="dispatch", data={"unit": 1}, at=2, actor_name="d", unit="HW")
    sign = E(action="sign", data={}, at=3, actor_name="h", unit="HW")
    assert last_override([first, sign])["reason"] == "路段归属"
    assert last_override([first, again, sign]) is None
    assert last_override([]) is None
