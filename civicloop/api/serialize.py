"""Cases and their parts as plain dicts for the response schemas.

Everything here reads attributes that the queries in the endpoints already
loaded (select_related / one query per related table), so building a response
never queries per row.
"""

from __future__ import annotations

from django.urls import reverse

from civicloop.cases.models import CaseRequest
from civicloop.cases.permissions import Actor, sees_reporter_contact, sees_tracking_code
from civicloop.cases.rules import RULES, available_actions, decisions_for
from civicloop.cases.timeline import annotate

#: select_related for lists (CaseOut).
CASE_RELATED = ("small_class", "street", "unit")
#: select_related for the detail (CaseDetailOut).
DETAIL_RELATED = (
    *CASE_RELATED, "community", "cell", "road_section", "standard", "proposed_unit",
    "assigned_inspector__person", "reporter__person",
)  # fmt: skip


def ref(obj) -> dict | None:
    if obj is None:
        return None
    code = getattr(obj, "code", None)
    if code is None:  # road sections have no code
        code = f"{obj.road_id}-{obj.seq}" if hasattr(obj, "seq") else str(obj.pk)
    return {"id": obj.pk, "code": code, "name": str(getattr(obj, "name", obj))}


def user_name(user) -> str | None:
    if user is None:
        return None
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def user_out(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "name": user_name(user)}


def case_out(case) -> dict:
    return {
        "id": case.pk, "number": case.number, "version": case.version, "state": case.state,
        "state_label": str(case.get_state_display()), "light": case.light,
        "source": case.source,
        "category": {"code": case.small_class.full_code, "name": case.small_class.name},
        "urgency": case.urgency, "address": case.address, "description": case.description,
        "lon": case.lon, "lat": case.lat, "street": ref(case.street), "unit": ref(case.unit),
        "reported_at": case.reported_at, "due_at": case.due_at,
        "handling_deadline": case.handling_deadline, "is_overdue": case.is_overdue,
    }  # fmt: skip


def actions_for(actor: Actor, case) -> list[str]:
    """The rule table's menu for ``case``, then adding photos where the table allows it."""
    return available_actions(actor, case) + RULES.available(actor, case, kind="evidence")


def can_decide(actor: Actor, request) -> bool:
    """Whether ``actor`` may decide ``request`` now (pending, their role, the case's state:
    the rule table's decision rows). Reads ``request.case``."""
    return bool(decisions_for(actor, request))


def request_out(request, actor: Actor | None = None) -> dict:
    out = {
        "id": request.pk, "kind": request.kind, "kind_label": str(request.get_kind_display()),
        "status": request.status, "reason": request.reason, "hours": request.hours,
        "granted_hours": request.granted_hours, "hours_label": request.hours_label,
        "decision_note": request.decision_note,
        "after_deadline": request.after_deadline, "unit": ref(request.unit),
        "requested_at": request.requested_at, "requested_by": user_name(request.requested_by),
    }  # fmt: skip
    if actor is not None:
        out["can_decide"] = can_decide(actor, request)
    return out


def order_out(order) -> dict:
    return {
        "id": order.pk, "unit": ref(order.unit), "issued_at": order.issued_at,
        "issued_by": user_name(order.issued_by), "opinion": order.opinion,
        "reply_due": order.reply_due, "status": order.status, "reply": order.reply,
        "replied_at": order.replied_at,
    }  # fmt: skip


def evidence_urls(evidence_id: int, with_original: bool) -> dict:
    def url(variant):
        return reverse("api:evidence-file", kwargs={"evidence_id": evidence_id, "variant": variant})

    return {
        "original": url("original") if with_original else None,
        "public": url("public"),
        "thumbnail": url("thumbnail"),
    }


def evidence_out(evidence) -> dict:
    return {
        "id": evidence.pk, "kind": evidence.kind, "content_type": evidence.content_type,
        "width": evidence.width, "height": evidence.height, "uploaded_at": evidence.uploaded_at,
        "step": evidence.event_id, **evidence_urls(evidence.pk, True),
    }  # fmt: skip


def event_out(event, evidence_ids: list[int]) -> dict:
    return {
        "id": event.pk, "at": event.at, "action": event.action,
        "action_label": str(event.get_action_display()), "actor": event.actor_name,
        "role": event.role, "unit": ref(event.unit),
        "actor_unit": ({"id": event.actor_unit_id, "name": event.actor_unit_name}
                       if getattr(event, "actor_unit_id", None) else None),
        "hours_label": getattr(event, "hours_label", ""), "from_state": event.from_state,
        "to_state": event.to_state, "note": event.note, "on_time": event.on_time,
        "data": event.data, "evidence": evidence_ids,
    }  # fmt: skip


def detail_out(actor: Actor, case) -> dict:
    """The case with its timeline, evidence, requests and orders: five queries in all."""
    evidence = list(case.evidence.all())
    by_event: dict[int, list[int]] = {}
    for item in evidence:
        by_event.setdefault(item.event_id, []).append(item.pk)
    requests = list(
        case.requests.filter(status=CaseRequest.Status.PENDING).select_related(
            "unit", "requested_by__person"
        )
    )
    # Decided requests are read by id only when the timeline has extension rows.
    events = annotate(case.events.select_related("unit").order_by("at", "id"), requests)
    for request in requests:
        request.case = case  # can_decide reads the case's state: no query per request
    orders = list(case.supervision_orders.select_related("unit", "issued_by__person"))
    limit = f"{case.limit_amount} {case.limit_unit}" if case.limit_amount is not None else None
    # The rule table's see rows (docs/privacy.md): contacts for the centre and the unit
    # handling the case; the tracking code (the key that rates the case) for the call desk.
    contact = sees_reporter_contact(actor, case)
    return {
        **case_out(case),
        "tracking_code": case.tracking_code if sees_tracking_code(actor, case) else None,
        "reporter_name": (case.reporter_name or None) if contact else None,
        "reporter_phone": (case.reporter_phone or None) if contact else None,
        "reporter_email": (case.reporter_email or None) if contact else None,
        "cancel_reason": case.cancel_reason,
        "community": ref(case.community), "cell": case.cell.code if case.cell else None,
        "area_class": case.area_class, "road_section": ref(case.road_section),
        "standard": case.standard.code if case.standard else None,
        "proposed_unit": ref(case.proposed_unit), "routing_reason": case.routing_reason,
        "assigned_inspector": user_out(case.assigned_inspector),
        # A staff reporter's name; a resident's or caller's name only with their contacts.
        "reporter": user_name(case.reporter) or (case.reporter_name if contact else ""),
        # an Open311 app's account of the reporter identifies them: with the contacts
        "external_id": (case.external_id or None) if contact else None,
        "fast_lane": case.fast_lane,
        "self_handled": case.self_handled, "limit": limit,
        "deadline_provisional": case.deadline_provisional,
        "counts": {name: getattr(case, f"{name}_count") for name in (
            "rework", "return", "extension", "suspension", "supervision", "reopen")},
        "timeline": [event_out(e, by_event.get(e.pk, [])) for e in events],
        "evidence": [evidence_out(e) for e in evidence],
        "pending_requests": [request_out(r, actor) for r in requests],
        "supervision_orders": [order_out(o) for o in orders],
        "actions": actions_for(actor, case),
    }  # fmt: skip
