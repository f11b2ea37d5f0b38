"""History is append-only, and the timeline is read from it."""

import pytest
from django.core.exceptions import PermissionDenied

from civicloop.cases.models import CaseEvent, State

from .loop_helpers import advance, report

pytestmark = pytest.mark.django_db


def test_history_cannot_be_edited_or_deleted(loop):
    case = advance(loop, report(loop), State.DISPATCHED)
    event = case.events.first()
    event.note = "rewritten"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        CaseEvent.objects.filter(case=case).update(note="x")
    with pytest.raises(PermissionDenied):
        CaseEvent.objects.filter(case=case).delete()
    assert CaseEvent.objects.get(pk=event.pk).note == ""


def test_every_change_appends_who_when_from_to(loop):
    case = advance(loop, report(loop), State.IN_PROGRESS)
    rows = list(
        case.events.values_list("action", "from_state", "to_state", "role", "actor__username")
    )
    assert rows == [
        ("report", "", "reported", "inspector", "inspector"),
        ("accept", "reported", "pending_filing", "acceptor", "acceptor"),
        ("file", "pending_filing", "pending_dispatch", "shift_leader", "shift_leader"),
        ("dispatch", "pending_dispatch", "dispatched", "dispatcher", "dispatcher"),
        ("sign", "dispatched", "in_progress", "handler", "handler_west"),
    ]


def test_the_admin_shows_cases_read_only(loop, admin_client):
    case = advance(loop, report(loop), State.DISPATCHED)
    page = admin_client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200 and case.number in page.content.decode()
    assert admin_client.get("/admin/cases/caseevent/").status_code == 200
    assert (
        admin_client.post(f"/admin/cases/caseevent/{case.events.first().pk}/delete/").status_code
        == 403
    )
