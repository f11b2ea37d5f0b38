"""Cases and their parts as plain dicts for the response schemas.

Everything here reads attributes that the queries in the endpoints already
loaded (select_related / one query per related table), so building a response
never queries per row.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.urls import reverse

from civicloop.cases.models import (
    Case,
    CaseEvent,
    CaseRequest,
    Evidence,
    State,
    SupervisionOrder,
)
from civicloop.cases.permissions import (
    Actor,
    sees_reporter_contact,
    sees_tracking_code,
    visibility_shape,
)
from civicloop.cases.rules import RULES, available_actions, decisions_for
from civicloop.cases.timeline import annotate
from civicloop.core.choices import label
from civicloop.core.compiled import Compiled

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


#: What a case in a list shows (CaseOut), by value name: lists read them with values().
CASE_VALUES = (
    "id", "number", "version", "state", "light", "source", "urgency", "address",
    "description", "lon", "lat", "reported_at", "due_at", "handling_deadline", "is_overdue",
    "small_class__full_code", "small_class__name", "street_id", "street__code",
    "street__name", "unit_id", "unit__code", "unit__name",
)  # fmt: skip


def case_values(case) -> dict:
    """:data:`CASE_VALUES` of a case loaded with ``select_related(*CASE_RELATED)``."""
    values = {name: getattr(case, name) for name in CASE_VALUES if "__" not in name}
    small, street, unit = case.small_class, case.street, case.unit
    values.update({
        "small_class__full_code": small.full_code, "small_class__name": small.name,
        "street__code": street.code if street else None,
        "street__name": street.name if street else None,
        "unit__code": unit.code if unit else None, "unit__name": unit.name if unit else None,
    })  # fmt: skip
    return values


def _ref_of(row: Mapping, name: str) -> dict | None:
    pk = row[f"{name}_id"]
    if pk is None:
        return None
    return {"id": pk, "code": row[f"{name}__code"], "name": row[f"{name}__name"]}


def case_out(case) -> dict:
    """CaseOut of a case: a mapping of :data:`CASE_VALUES` (a list's rows) or a case."""
    row = case if isinstance(case, Mapping) else case_values(case)
    return {
        "id": row["id"], "number": row["number"], "version": row["version"],
        "state": row["state"], "state_label": label(State, row["state"]),
        "light": row["light"], "source": row["source"],
        "category": {"code": row["small_class__full_code"], "name": row["small_class__name"]},
        "urgency": row["urgency"], "address": row["address"],
        "description": row["description"], "lon": row["lon"], "lat": row["lat"],
        "street": _ref_of(row, "street"), "unit": _ref_of(row, "unit"),
        "reported_at": row["reported_at"], "due_at": row["due_at"],
        "handling_deadline": row["handling_deadline"], "is_overdue": row["is_overdue"],
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
        "id": request.pk, "kind": request.kind, "kind_label": label(CaseRequest.Kind, request.kind),
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
        "action_label": label(CaseEvent.Action, event.action), "actor": event.actor_name,
        "role": event.role, "unit": ref(event.unit),
        "actor_unit": ({"id": event.actor_unit_id, "name": event.actor_unit_name}
                       if getattr(event, "actor_unit_id", None) else None),
        "hours_label": getattr(event, "hours_label", ""), "from_state": event.from_state,
        "to_state": event.to_state, "note": event.note, "on_time": event.on_time,
        "data": event.data, "evidence": evidence_ids,
    }  # fmt: skip


# The detail's queries, compiled once per process (civicloop.core.compiled): building
# them cost Django several times what running them costs.
_DETAIL = Compiled(Case, int, name="api.case_detail")
_EVIDENCE = Compiled(Evidence, int, name="api.case_evidence")
_PENDING = Compiled(CaseRequest, int, name="api.case_pending_requests")
_EVENTS = Compiled(CaseEvent, int, name="api.case_events")
_ORDERS = Compiled(SupervisionOrder, int, name="api.case_orders")


def visible_case(actor: Actor, case_id: int) -> Case | None:
    """The case with what its detail shows (one query), if ``actor`` may see it."""
    return _DETAIL.first(
        visibility_shape(actor),  # the same scope, the same SQL
        lambda pk: Case.objects.filter(pk=pk).visible_to(actor).select_related(*DETAIL_RELATED)
        .order_by(),
        case_id,
    )  # fmt: skip


def _case_parts(case) -> tuple[list, list, list, list]:
    """Evidence, pending requests, history rows and supervision orders (three or four
    queries)."""
    pk = case.pk
    evidence = _EVIDENCE.all("case", lambda pk: Evidence.objects.filter(case_id=pk), pk)
    requests = _PENDING.all(
        "pending",
        lambda pk: CaseRequest.objects.filter(case_id=pk, status=CaseRequest.Status.PENDING)
        .select_related("unit", "requested_by__person"),
        pk,
    )  # fmt: skip
    events = _EVENTS.all(
        "case",
        lambda pk: CaseEvent.objects.filter(case_id=pk).select_related("unit").order_by("at", "id"),
        pk,
    )  # fmt: skip
    # Issuing an order counts it on the case (actions.supervision, in one transaction):
    # most cases have none, and their detail asks for none.
    orders = _ORDERS.all(
        "case",
        lambda pk: SupervisionOrder.objects.filter(case_id=pk)
        .select_related("unit", "issued_by__person"),
        pk,
    ) if case.supervision_count else []  # fmt: skip
    for row in (*evidence, *requests, *events, *orders):
        row.case = case  # what the related manager would set (can_decide reads the state)
    return evidence, requests, events, orders


def detail_out(actor: Actor, case) -> dict:
    """The case with its timeline, evidence, requests and orders: four queries (five
    when the case has supervision orders)."""
    evidence, requests, events, orders = _case_parts(case)
    by_event: dict[int, list[int]] = {}
    for item in evidence:
        by_event.setdefault(item.event_id, []).append(item.pk)
    # Decided requests are read by id only when the timeline has extension rows.
    events = annotate(events, requests)
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
