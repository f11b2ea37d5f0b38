"""The staff timeline of a case, read from its history rows (``CaseEvent``).

:func:`annotate` puts on each event what the faces (the console's case page
and sheet, the API's ``timeline``) show beside the row itself, in at most two
extra queries whatever the number of events:

* ``actor_unit_name`` / ``actor_unit_id``: the unit the actor acted for, as
  recorded on the row (``data["actor_unit"]``, written by
  :func:`civicloop.cases.actions.base.write` since it records it); for older
  rows, the actor's current membership under the role recorded (one query for
  all of them). Never the case's unit (``event.unit`` is the handling unit the
  step concerns).
* ``hours_label``: for extension requests and their decisions, the hours
  asked and granted ("申请 8 小时 · 批准 4 小时"), from the request row.

Notes are the row's own: a request's row carries the requester's reason, a
decision's row the decider's note (written so by the decision actions).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from civicloop.org.models import Membership

from .models import CaseEvent, CaseRequest, hours_label

Action = CaseEvent.Action
EXTENSION_ACTIONS = (Action.REQUEST_EXTENSION, Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION)


def _fallback_units(events: list[CaseEvent]) -> dict[int, list[Membership]]:
    """Current memberships of the actors of rows that did not record their unit (1 query)."""
    users = {e.actor_id for e in events if e.actor_id and "actor_unit" not in (e.data or {})}
    if not users:
        return {}
    found: dict[int, list[Membership]] = {}
    for m in (
        Membership.objects.filter(person__user_id__in=users, is_active=True)
        .select_related("unit", "person")
        .order_by("id")
    ):
        found.setdefault(m.person.user_id, []).append(m)
    return found


def _requests(events: list[CaseEvent], requests: Iterable[CaseRequest] | None) -> dict:
    ids = {
        e.data.get("request")
        for e in events
        if e.action in EXTENSION_ACTIONS and isinstance(e.data, dict) and e.data.get("request")
    }
    if requests is not None:
        known = {r.pk: r for r in requests}
        if ids <= known.keys():
            return known
    if not ids:
        return {}
    return CaseRequest.objects.in_bulk(ids)


def _event_hours(event: CaseEvent, request: CaseRequest | None) -> str:
    data = event.data or {}
    if event.action == Action.APPROVE_EXTENSION:
        asked = data.get("hours_asked") or (request.hours if request is not None else None)
        return hours_label(_decimal(asked), _decimal(data.get("hours")))
    if request is not None:
        return request.hours_label
    return hours_label(_decimal(data.get("hours")))


def _decimal(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def annotate(events: Iterable[CaseEvent], requests: Iterable[CaseRequest] | None = None) -> list:
    """``events`` with ``actor_unit_id``, ``actor_unit_name`` and ``hours_label`` set.

    ``requests``: the case's requests when the caller has them (no query then).
    """
    events = list(events)
    memberships = _fallback_units(events)
    by_id = _requests(events, requests)
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        if "actor_unit" in data:
            event.actor_unit_id = data.get("actor_unit")
            event.actor_unit_name = data.get("actor_unit_name") or ""
        else:
            ms = memberships.get(event.actor_id, [])
            ms = [m for m in ms if m.role == event.role] or ms
            chosen = next((m for m in ms if m.unit_id == event.unit_id), ms[0] if ms else None)
            event.actor_unit_id = chosen.unit_id if chosen else None
            event.actor_unit_name = chosen.unit.name if chosen else ""
        event.hours_label = ""
        if event.action in EXTENSION_ACTIONS:
            event.hours_label = _event_hours(event, by_id.get(data.get("request")))
    return events
