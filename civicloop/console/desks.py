"""What the console's desks show before an action is confirmed.

* hotline: the possible duplicates of a call while it is typed (the one
  duplicate search, :func:`civicloop.cases.actions.find_duplicates`), and
  "follow this case instead" (the residents' ``follow`` action on the
  caller's behalf: the caller's phone becomes a follower of the open case);
* dispatch: the units grouped by kind, the time limit and the deadline a
  dispatch now would set (``handling_clock``, the function ``do_dispatch``
  itself uses);
* filing: the category's filing standards with their wording and limits;
* verification: the inspectors with their patrol areas, those whose area
  holds the case first, and who is to verify the case.

Nothing here writes; every change still goes through the actions.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from civicloop.cases import actions, memos
from civicloop.cases.actions import ActionError, find_duplicates
from civicloop.cases.models import Case, CaseEvent, SmallClass, Source, State
from civicloop.cases.models.catalogue import LimitUnit
from civicloop.cases.permissions import Actor, sees_tracking_code, visible_cases
from civicloop.cases.rules import SOURCE_ROLES
from civicloop.org.models import Membership, Role, Unit

from .access import case_or_404, staff_view

#: Roles that take hotline calls (and may record a caller on an existing case): the
#: hotline source's roles in the rule table, and administrators, who may do what any role may.
HOTLINE_ROLES = (*SOURCE_ROLES[Source.HOTLINE], Role.ADMINISTRATOR)
#: At most this many possible duplicates are shown on the hotline form.
DUPLICATES_SHOWN = 5


def limit_text(amount, unit: str) -> str:
    """``2 working hours`` in the user's language (``2 工作小时``)."""
    number = f"{amount.normalize():f}" if hasattr(amount, "normalize") else str(amount)
    try:
        label = LimitUnit(unit).label
    except ValueError:
        label = unit
    return f"{number} {label}"


def local(at: datetime.datetime) -> str:
    return date_format(timezone.localtime(at), "Y-m-d H:i")


# --- dispatch ----------------------------------------------------------------------------


def dispatch_preview(case: Case, now: datetime.datetime | None = None) -> dict:
    """The limit and the deadline a dispatch at ``now`` would give (as ``do_dispatch`` does).

    The limit comes from the case's filing standard, area class and urgency, not
    from the unit, so one preview holds for every unit. ``error`` says why the
    case cannot be dispatched (no limit in the catalogue).
    """
    now = now or timezone.now()
    try:
        clock = actions.handling_clock(case, now)
    except ActionError as error:
        return {"error": error.message}
    return {
        "limit": limit_text(clock["limit_amount"], clock["limit_unit"]),
        "deadline": clock["handling_deadline"],
        "deadline_text": local(clock["handling_deadline"]),
        "provisional": clock["deadline_provisional"],
        "at": now,
    }


def unit_groups(queryset=None) -> list[tuple[str, list[Unit]]]:
    """Active units grouped by kind (in the order of ``Unit.Kind``), by code inside."""
    queryset = queryset if queryset is not None else Unit.objects.filter(is_active=True)
    groups: dict[str, list[Unit]] = defaultdict(list)
    for unit in queryset.order_by("kind", "code"):
        groups[unit.kind].append(unit)
    labels = dict(Unit.Kind.choices)
    return [
        (str(labels.get(kind, kind)), groups[kind]) for kind in Unit.Kind.values if kind in groups
    ] + [(kind, units) for kind, units in groups.items() if kind not in labels]


def last_override(events) -> dict | None:
    """The override of the latest dispatch, if it set the routing suggestion aside (from the
    loaded history; a later dispatch to the suggested unit shows none)."""
    for event in reversed(events):
        if event.action != CaseEvent.Action.DISPATCH:
            continue
        if (event.data or {}).get("override_reason"):
            return {"reason": event.data["override_reason"], "at": event.at,
                    "by": event.actor_name, "unit": event.unit}  # fmt: skip
        return None
    return None


# --- filing ------------------------------------------------------------------------------


def standards_of(small_class_id: int | None, case: Case | None = None) -> list[dict]:
    """The active filing standards of a small class with wording and limits (default first).

    With ``case``, each says which limit applies to it (its area class and urgency).
    """
    if not small_class_id:
        return []
    found = []
    # the catalogue memo holds them (default first, then order and code; limits loaded)
    for standard in memos.catalogue().standards.get(small_class_id, []):
        limits = sorted(standard.time_limits.all(), key=lambda t: (t.area_class, t.urgency))
        applies = standard.limit_for(case.area_class, case.urgency) if case is not None else None
        found.append({
            "code": standard.code,
            "default": standard.is_default,
            "condition": standard.condition,
            "closure": standard.closure_condition,
            "limits": [
                {"area_class": t.area_class, "urgency": t.urgency,
                 "urgency_label": str(t.get_urgency_display()),
                 "text": limit_text(t.amount, t.unit)}
                for t in limits
            ],
            "applies": limit_text(applies.amount, applies.unit) if applies else "",
        })  # fmt: skip
    return found


def standard_label(standard: dict) -> str:
    condition = " ".join(standard["condition"].split())
    if len(condition) > 60:
        condition = condition[:59] + "…"
    limits = "；".join(f"{t['area_class']}{'' if t['urgency'] == 'normal' else '·' + t['urgency_label']} {t['text']}"
                      for t in standard["limits"])  # fmt: skip
    mark = _(" (default)") if standard["default"] else ""
    return f"{standard['code']}{mark} — {condition}" + (f" [{limits}]" if limits else "")


@require_GET
@staff_view
def standards(request):
    """``GET /console/desk/standards?category=ID[&case=ID]``: a category's standards (JSON)."""
    raw = request.GET.get("category", "")
    if not raw.isdecimal() or len(raw) > 9:
        return JsonResponse({"error": _("Give the category as its id.")}, status=400)
    small = SmallClass.objects.filter(pk=int(raw), is_active=True).first()
    if small is None:
        return JsonResponse({"error": _("No such category.")}, status=400)
    case = None
    if request.GET.get("case"):
        case = case_or_404(request.actor, request.GET["case"])
    rows = standards_of(small.pk, case)
    for row in rows:
        row["label"] = standard_label(row)
    return JsonResponse({"category": small.full_code, "standards": rows})


# --- verification ------------------------------------------------------------------------


def inspector_areas() -> dict[int, list]:
    """Each active inspector's patrol areas (user id → areas), in one query."""
    areas: dict[int, list] = defaultdict(list)
    rows = (
        Membership.objects.filter(role=Role.INSPECTOR, is_active=True, person__user__isnull=False)
        .order_by("patrol_area__code")
        .values_list("person__user_id", "patrol_area_id", "patrol_area__code", "patrol_area__name")
    )
    for user_id, area_id, code, name in rows:
        if area_id is not None:
            areas[user_id].append({"id": area_id, "code": code, "name": name})
        else:
            areas.setdefault(user_id, [])
    return dict(areas)


def inspector_choices(inspectors, case: Case | None, areas: dict[int, list]) -> list:
    """(user id, label) of the inspectors: those whose patrol area holds the case first."""
    area_id = case.patrol_area_id if case is not None else None

    def label(user):
        person = getattr(user, "person", None)
        name = f"{person.name}（{user.username}）" if person else user.username
        mine = areas.get(user.pk, [])
        where = "、".join(f"{a['code']} {a['name']}" for a in mine) or _("no patrol area")
        here = _(" · this case's area") if area_id and any(a["id"] == area_id for a in mine) else ""
        return f"{name} — {where}{here}"

    def key(user):
        holds = area_id is not None and any(a["id"] == area_id for a in areas.get(user.pk, []))
        return (0 if holds else 1, user.username)

    return [(user.pk, label(user)) for user in sorted(inspectors, key=key)]


def who_verifies(case: Case, areas: dict[int, list] | None = None) -> dict | None:
    """Who is to verify or check the case on site: the assigned inspector, else the
    inspectors of its patrol area (``None`` when the case is past on-site work)."""
    if case.state not in (State.REPORTED, State.VERIFYING, State.PENDING_FILING,
                          State.PENDING_DISPATCH, State.DISPATCHED, State.IN_PROGRESS,
                          State.PENDING_CHECK):  # fmt: skip
        return None
    if case.assigned_inspector_id:
        user = case.assigned_inspector
        person = getattr(user, "person", None)
        return {"assigned": True, "names": [person.name if person else user.username]}
    if case.patrol_area_id is None:
        return {"assigned": False, "names": [], "area": None}
    names = list(
        Membership.objects.filter(role=Role.INSPECTOR, is_active=True,
                                  patrol_area_id=case.patrol_area_id,
                                  person__user__is_active=True)
        .order_by("person__name").values_list("person__name", flat=True).distinct()
    )  # fmt: skip
    return {"assigned": False, "names": names, "area": case.patrol_area}


# --- hotline -----------------------------------------------------------------------------


def takes_calls(actor: Actor) -> bool:
    return actor.has(*HOTLINE_ROLES)


def _float(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -180 <= number <= 180 else None


@require_GET
@staff_view
def hotline_duplicates(request):
    """``GET /console/hotline/duplicates?category=ID&lon=…&lat=…``: open cases of the
    category near the point the caller names, nearest first (JSON), before anything is saved."""
    actor = request.actor
    if not takes_calls(actor):
        return JsonResponse({"error": _("Only the hotline desk may look for duplicates.")},
                            status=403)  # fmt: skip
    raw = request.GET.get("category", "")
    lon, lat = _float(request.GET.get("lon")), _float(request.GET.get("lat"))
    if not raw.isdecimal() or len(raw) > 9 or lon is None or lat is None or not -90 <= lat <= 90:
        return JsonResponse({"error": _("Give a category id and a point (lon, lat).")}, status=400)
    found = find_duplicates(int(raw), lon, lat)
    seen = set(
        visible_cases(actor).filter(pk__in=[c.pk for c, _d in found]).values_list("pk", flat=True)
    )
    results = [
        {
            "id": case.pk,
            "number": case.number,
            "state": case.state,
            "state_label": str(case.get_state_display()),
            "distance_m": round(distance),
            "reported_at": local(case.reported_at),
            "address": case.address,
            "description": case.description[:120],
            "url": reverse("console:case", args=[case.pk]),
            "follow_url": reverse("console:hotline_follow", args=[case.pk]),
        }
        for case, distance in found
        if case.pk in seen
    ][:DUPLICATES_SHOWN]
    return JsonResponse({"results": results})


@sensitive_post_parameters("reporter_phone")
@require_POST
@staff_view
def hotline_follow(request, pk):
    """ "Follow this case instead": the caller's phone follows the open case (the residents'
    ``follow`` action, done by the desk for the caller); nothing new is registered."""
    actor = request.actor
    if not takes_calls(actor):
        raise Http404("No hotline desk for this user.")
    case = case_or_404(actor, pk)
    phone = (request.POST.get("reporter_phone") or "").strip()
    back = reverse("console:hotline")
    if not phone:
        messages.error(request, _("Give the caller's phone to let them follow %(number)s.")
                       % {"number": case.number})  # fmt: skip
        return redirect(back)
    try:
        follower = actions.follow_case(case, phone=phone)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect(back)
    if sees_tracking_code(actor, case):  # the call desk reads the code to the caller
        messages.success(request, _(
            "The caller now follows %(number)s (tracking code %(code)s); no new case was "
            "registered."
        ) % {"number": case.number, "code": follower.tracking_code})  # fmt: skip
    else:
        messages.success(request, _(
            "The caller now follows %(number)s; no new case was registered."
        ) % {"number": case.number})  # fmt: skip
    return redirect("console:case", pk=case.pk)
