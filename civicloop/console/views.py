"""Views of the staff console.

Every view is a :func:`staff_view` (signed in; ``request.actor``), reads cases
only through ``visible_cases`` (a case page through :func:`detail_case`), and
changes them only through ``civicloop.cases.actions``. Anything outside the user's scope is 404.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from civicloop.cases import actions
from civicloop.cases.actions import ActionError, available_actions, find_duplicates
from civicloop.cases.models import (
    BOX_LATITUDE,
    HANDLING_STATES,
    OPEN_STATES,
    Case,
    CaseRequest,
    Evidence,
    LoopConfig,
    State,
    SupervisionOrder,
    near_lookup,
)
from civicloop.cases.permissions import UNIT_ROLES, can_see, visibility_shape, visible_cases
from civicloop.cases.timeline import annotate
from civicloop.core.compiled import Compiled
from civicloop.org.models import Role
from civicloop.worktime import services as worktime

from . import desks, map_views, queries
from .access import role_labels, staff_view
from .batch import BatchForm, batch_actions
from .case_actions import (
    ACTIONS,
    decision_function,
    form_kwargs,
    initial_for,
    mark_decisions,
    run,
)
from .forms import CaseFilterForm, DecisionForm, ReplyForm, ReportForm

QUEUE_SIZE = 10
PAGE_SIZE = 50
#: States in which merging a duplicate still saves work.
MERGEABLE_STATES = (State.REPORTED, State.VERIFYING, State.PENDING_FILING, State.PENDING_DISPATCH)


def _list_url(**params) -> str:
    from urllib.parse import urlencode

    clean = {k: v for k, v in params.items() if v not in (None, "", False)}
    return reverse("console:cases") + ("?" + urlencode(clean) if clean else "")


def _rows(queryset):
    return list(queryset.select_related("small_class", "unit", "street", "community")[:QUEUE_SIZE])


def _queue(key, title, queryset, more_url, hint=""):
    rows = _rows(queryset)
    # Always counted (one query), so the number of queries never depends on the rows.
    count = queryset[: queries.COUNT_CAP + 1].count()
    return {"key": key, "title": title, "rows": rows, "count": count, "more_url": more_url,
            "hint": hint}  # fmt: skip


def _requests(actor, kinds):
    rows = list(
        CaseRequest.objects.filter(
            status=CaseRequest.Status.PENDING,
            kind__in=kinds,
            case__in=visible_cases(actor).values("pk"),
        )
        .select_related("case__small_class", "unit", "requested_by__person")
        .order_by("requested_at")[:50]
    )
    mark_decisions(actor, rows)
    return rows


def merge_candidates(visible):
    """Open early-stage cases with another open case of the same class nearby (bounding box)."""
    config = LoopConfig.get()
    window = datetime.timedelta(days=config.duplicate_days)
    twins = (
        Case.objects.open()
        .filter(
            small_class_id=OuterRef("small_class_id"),
            reported_at__gte=OuterRef("reported_at") - window,
            reported_at__lte=OuterRef("reported_at") + window,
            **near_lookup(OuterRef("lon"), OuterRef("lat"), config.duplicate_radius_m,
                          at_lat=BOX_LATITUDE),
        )
        .exclude(pk=OuterRef("pk"))
    )  # fmt: skip
    return visible.filter(state__in=MERGEABLE_STATES).filter(Exists(twins))


# --- home -------------------------------------------------------------------------


#: Each stage queue of the home: (key, title, order).
STAGE_QUEUES = {
    State.REPORTED: ("accept", gettext_lazy("Incoming reports"), "reported_at"),
    State.VERIFYING: ("verify", gettext_lazy("To verify on site"), "due_at"),
    State.PENDING_FILING: ("file", gettext_lazy("To file"), "due_at"),
    State.PENDING_DISPATCH: ("dispatch", gettext_lazy("To dispatch"), "due_at"),
    State.DISPATCHED: ("sign", gettext_lazy("To sign for (newly dispatched)"), "due_at"),
    State.IN_PROGRESS: ("handle", gettext_lazy("In handling"), "due_at"),
    State.PENDING_CHECK: ("check", gettext_lazy("To check on site"), "due_at"),
    State.PENDING_CLOSURE: ("close", gettext_lazy("To close"), "due_at"),
    State.SUSPENDED: ("suspended", gettext_lazy("Suspended"), "suspended_at"),
}

STAGE_KEYS = frozenset({key for key, _title, _order in STAGE_QUEUES.values()} | {"red"})


def _stage_queue(key, title, queryset, count, more_url, hint="", red=0):
    rows = _rows(queryset) if count else []
    return {"key": key, "title": title, "rows": rows, "count": count, "more_url": more_url,
            "hint": hint, "red": red}  # fmt: skip


@staff_view
def home(request):
    """The user's own work: one queue per stage that is theirs (the rule table's
    ``stage_states``), counted in one query, then the red cases of those stages only."""
    actor = request.actor
    visible = visible_cases(actor)
    queues, decisions = [], []
    stages = queries.my_stages(actor)
    counts = queries.stage_counts(actor)
    units = actor.unit_ids(*UNIT_ROLES)
    unit_id = next(iter(units)) if len(units) == 1 and actor.has(Role.HANDLER) else None
    for state, scope in stages.items():
        key, title, order = STAGE_QUEUES[state]
        figures = counts["stages"][state]
        queues.append(_stage_queue(
            key, title, visible.filter(scope, state=state).order_by(order, "id"), figures["n"],
            _list_url(state=state, unit=unit_id), red=figures["red"],
        ))  # fmt: skip
    if stages:
        queues.append(_stage_queue(
            "red", _("Red: past the stage deadline (your stages)"),
            visible.filter(queries.mine_q(stages)).filter(queries.red_q(timezone.now()))
            .order_by("due_at", "id"), counts["red"], "",
            _("Only cases waiting for you or your unit; lateness at other stages is theirs."),
        ))  # fmt: skip
    if actor.has(Role.SHIFT_LEADER):
        queues.append(_queue("merge", _("Possible duplicates to merge"),
                             merge_candidates(visible).order_by("-reported_at"), "",
                             _("Open cases with another open case of the same category nearby.")))  # fmt: skip
        decisions.append({"key": "shift", "title": _("Reopen and void requests"),
                          "rows": _requests(actor, ["reopen", "void"])})  # fmt: skip
    if actor.has(Role.DISPATCHER):
        decisions.append({"key": "dispatch", "title": _("Return, extension and suspension requests"),
                          "rows": _requests(actor, ["return", "extension", "suspension"])})  # fmt: skip
    if actor.has(Role.ROAD_CHIEF):
        queues.append(_queue("road", _("Open cases on my roads"),
                             visible.filter(road_section_id__in=actor.road_section_ids,
                                            state__in=OPEN_STATES).order_by("-reported_at"),
                             _list_url(state="open")))  # fmt: skip
    orders = []
    if actor.has(*UNIT_ROLES):
        orders = list(
            SupervisionOrder.objects.filter(
                unit_id__in=actor.unit_ids(*UNIT_ROLES),
                status=SupervisionOrder.Status.OPEN,
                case__in=visible.values("pk"),
            )
            .select_related("case", "issued_by__person")
            .order_by("reply_due", "id")[:20]
        )
    if (
        not queues
        and not decisions
        and actor.has(Role.UNIT_LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR)
    ):
        return redirect("console:dashboard")
    return render(request, "console/home.html", {
        "queues": queues, "stage_strip": [q for q in queues if q["key"] in STAGE_KEYS], "decisions": decisions, "orders": orders,
        "roles": role_labels(actor), "decision_form": DecisionForm(), "reply_form": ReplyForm(),
        "can_report": bool(ReportForm(actor=actor).allowed_sources),
    })  # fmt: skip


# --- dashboard ---------------------------------------------------------------------


def _map_config(request) -> dict:
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "tileSubdomains": settings.MAP_TILE_SUBDOMAINS,
        "casesUrl": reverse("console:map_cases"),
        "streetsUrl": reverse("console:map_streets"),
        "cellsUrl": reverse("console:map_cells"),
        "listUrl": reverse("console:cases"),
        "caseUrl": reverse("console:case", args=[0]).replace("/0/", "/{id}/"),
        "cellsMinZoom": 15,
        **map_views.layer_config(),
    }


@staff_view
def dashboard(request):
    figures = queries.dashboard_figures(request.actor)
    since = figures["since"].isoformat()
    charts = {
        "trend": figures["trend"],
        "top": figures["top"],
        "since": since,
        "labels": {
            "reported": pgettext("chart", "reported"),
            "closed": pgettext("chart", "closed"),
        },
    }
    return render(request, "console/dashboard.html", {
        "f": figures, "charts": charts, "map_config": _map_config(request),
        "since": since, "today": figures["today_date"].isoformat(),
    })  # fmt: skip


def _filters_from(request) -> dict:
    form = CaseFilterForm(request.GET)
    form.is_valid()
    return getattr(form, "cleaned_data", {})


@staff_view
def map_cases(request):
    zoom = request.GET.get("zoom")
    data = queries.map_cases(
        request.actor,
        bbox=queries.parse_bbox(request.GET.get("bbox")),
        zoom=int(zoom) if zoom and zoom.isdecimal() else None,
        filters=_filters_from(request),
    )
    return JsonResponse(data)


@staff_view
def map_streets(request):
    return JsonResponse(queries.street_boundaries(request.actor))


@staff_view
def map_cells(request):
    bbox = queries.parse_bbox(request.GET.get("bbox"))
    if bbox is None:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    return JsonResponse(queries.cell_boundaries(bbox))


# --- the case list ------------------------------------------------------------------


@staff_view
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else (
        getattr(form, "cleaned_data", {}) if form.is_bound else {}
    )  # fmt: skip
    cases = queries.filter_cases(queries.list_queryset(request.actor), data)
    paginator = queries.CappedPaginator(cases, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    offered = batch_actions(request.actor)
    return render(request, "console/case_list.html", {
        "form": form, "page": page, "paginator": paginator,
        "batch": BatchForm(offered=offered) if offered else None,
        "count": min(paginator.count, queries.COUNT_CAP), "capped": paginator.capped,
        "map_config": _map_config(request),
    })  # fmt: skip


# --- the case page ---------------------------------------------------------------------


def deadline_info(case: Case, now: datetime.datetime) -> dict | None:
    """Time used of the current stage's limit, for the deadline bar."""
    if not (case.due_at and case.stage_started_at):
        return None
    continuous = case.state in HANDLING_STATES and bool(case.limit_unit) and (
        worktime.TimeUnit(case.limit_unit).continuous
    )  # fmt: skip
    if continuous:
        used, limit = now - case.stage_started_at, case.due_at - case.stage_started_at
    else:
        used = worktime.working_time_between(case.stage_started_at, now).duration
        limit = worktime.working_time_between(case.stage_started_at, case.due_at).duration
    if limit.total_seconds() <= 0:
        percent = 100.0 if now >= case.due_at else 0.0
    else:
        percent = max(0.0, used / limit * 100)
    left = limit - used
    return {
        "percent": round(percent, 1),
        "bar": min(percent, 100.0),
        "light": worktime.light_for(used, limit).value if limit.total_seconds() > 0 else "red",
        "due_at": case.due_at,
        "left_minutes": int(left.total_seconds() // 60),
        "overdue_minutes": int(-left.total_seconds() // 60) if left.total_seconds() < 0 else 0,
        "working": not continuous,
        "handling": case.state in HANDLING_STATES,
    }


def duplicates_of(actor, case: Case, now) -> list[tuple[Case, int]]:
    """Open cases of the same category near ``case`` that ``actor`` can see (merge candidates)."""
    if not case.is_open:
        return []
    found = find_duplicates(case.small_class_id, case.lon, case.lat, exclude_id=case.pk, now=now)
    if not found:
        return []
    seen = set(
        visible_cases(actor).filter(pk__in=[c.pk for c, _d in found]).values_list("pk", flat=True)
    )
    return [(c, round(d)) for c, d in found if c.pk in seen]


def _detail_context(request, case: Case, bound: tuple | None = None, error: str = "") -> dict:
    actor = request.actor
    now = timezone.now()
    events = list(
        case.events.select_related("actor", "unit")
        .prefetch_related("evidence")
        .order_by("at", "id")
    )
    photos = [e for event in events for e in event.evidence.all()]
    requests = list(case.requests.select_related("unit", "requested_by__person", "decided_by"))
    annotate(events, requests)
    orders = list(case.supervision_orders.select_related("unit", "issued_by__person"))
    duplicates = duplicates_of(actor, case, now)
    forms = []
    offered = available_actions(actor, case)
    for name in offered:
        spec = ACTIONS.get(name)
        if spec is None:
            continue
        if bound and bound[0] == name:
            form = bound[1]
        else:
            form = spec.form(initial=initial_for(name, case), prefix=name, case=case,
                             **form_kwargs(name, duplicates))  # fmt: skip
        forms.append({"spec": spec, "form": form, "open": bool(bound and bound[0] == name)})
    unit_ids = actor.unit_ids(*UNIT_ROLES)
    for order in orders:
        order.can_reply = order.status == SupervisionOrder.Status.OPEN and (
            order.unit_id in unit_ids or actor.has(Role.ADMINISTRATOR)
        )
    mark_decisions(actor, requests)
    cell_geojson = None
    if case.cell_id and case.cell and case.cell.geom is not None:
        cell_geojson = case.cell.geojson()
    return {
        "override": desks.last_override(events), "verifier": desks.who_verifies(case),
        "case": case, "events": events, "photos": photos, "requests": requests,
        "orders": orders, "duplicates": duplicates, "action_forms": forms, "error": error,
        "can_merge": "merge" in offered,
        "deadline": deadline_info(case, now), "decision_form": DecisionForm(),
        "reply_form": ReplyForm(), "map_config": _map_config(request),
        "point": {"lon": case.lon, "lat": case.lat, "light": case.light,
                  "cell": cell_geojson},
        "roles": role_labels(actor),
    }  # fmt: skip


DETAIL_RELATED = (
    "small_class__category_class", "standard", "unit", "proposed_unit", "street", "community",
    "cell", "road_section__road", "road_chief", "assigned_inspector__person", "duplicate_of",
    "patrol_area",
)  # fmt: skip


#: The case page's join of thirteen tables, built once per scope (civicloop.core.compiled).
_DETAIL = Compiled(Case, int, name="console.case_detail")


def detail_case(actor, pk: int) -> Case:
    """The case with what its page shows (one compiled query), if ``actor`` may see it;
    else 404. The case page, its actions and its printed sheet read it this way."""
    case = _DETAIL.first(
        visibility_shape(actor),
        lambda key: visible_cases(actor, Case.objects.select_related(*DETAIL_RELATED)).filter(
            pk=key
        ),
        pk,
    )
    if case is None:
        raise Http404("No such case.")
    return case


@staff_view
def case_detail(request, pk):
    case = detail_case(request.actor, pk)
    return render(request, "console/case_detail.html", _detail_context(request, case))


@staff_view
@require_POST
def case_act(request, pk, name):
    actor = request.actor
    case = detail_case(actor, pk)
    spec = ACTIONS.get(name)
    if spec is None:
        raise Http404("No such action.")
    candidates = duplicates_of(actor, case, timezone.now()) if name == "merge" else []
    form = spec.form(request.POST, request.FILES, prefix=name, case=case,
                     **form_kwargs(name, candidates))  # fmt: skip
    status = 400
    if name not in available_actions(actor, case):
        posted = request.POST.get(f"{name}-version", "")
        if posted.isdecimal() and int(posted) != case.version:
            error = _(
                "Someone else changed this case in the meantime (it is now %(state)s). "
                "Reload it and try again."
            ) % {"state": case.get_state_display()}
        else:
            error = _("You cannot do this on this case now.")
        messages.error(request, error)
        return render(request, "console/case_detail.html",
                      _detail_context(request, case, error=error), status=409)  # fmt: skip
    if form.is_valid():
        try:
            message = run(name, actor, case, form.cleaned_data, visible_cases(actor))
        except ActionError as exc:
            status = exc.status
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            error = exc.message
        else:
            messages.success(request, message)
            if can_see(actor, case):
                return redirect("console:case", pk=case.pk)
            return redirect("console:home")
    else:
        error = _("Please correct the form below.")
    case.refresh_from_db()
    return render(request, "console/case_detail.html",
                  _detail_context(request, case, bound=(name, form), error=error), status=status)  # fmt: skip


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


@staff_view
@require_POST
def decide_request(request, pk, decision):
    actor = request.actor
    req = get_object_or_404(
        CaseRequest.objects.filter(case__in=visible_cases(actor).values("pk")), pk=pk
    )
    function = decision_function(req.kind, decision)
    if function is None:
        raise Http404("No such decision.")
    fallback = reverse("console:case", args=[req.case_id])
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the decision: %(e)s") % {
            "e": "; ".join(str(m) for errors in form.errors.values() for m in errors)})  # fmt: skip
        return redirect(_next_url(request, fallback))
    kwargs = {"note": form.cleaned_data.get("note") or ""}
    if req.kind == "extension" and decision == "approve" and form.cleaned_data.get("hours"):
        kwargs["hours"] = form.cleaned_data["hours"]
    try:
        function(actor, req, **kwargs)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            (_("Approved: %(kind)s request of %(number)s.") if decision == "approve"
             else _("Rejected: %(kind)s request of %(number)s."))
            % {"kind": req.get_kind_display(), "number": req.case.number},
        )  # fmt: skip
    target = _next_url(request, fallback)
    if target == fallback and not can_see(actor, req.case):
        target = reverse("console:home")
    return redirect(target)


# --- requests and supervision pages -------------------------------------------------------


@staff_view
def request_list(request):
    actor = request.actor
    status = request.GET.get("status") or CaseRequest.Status.PENDING
    if status not in CaseRequest.Status.values:
        status = CaseRequest.Status.PENDING
    rows = list(
        CaseRequest.objects.filter(
            status=status, case__in=visible_cases(actor).values("pk"),
        )
        .select_related("case__small_class", "case__unit", "unit", "requested_by__person",
                        "decided_by")
        .order_by("-requested_at")[:200]
    )  # fmt: skip
    mark_decisions(actor, rows)
    return render(request, "console/requests.html", {
        "rows": rows, "status": status, "statuses": CaseRequest.Status.choices,
        "decision_form": DecisionForm(),
    })  # fmt: skip


@staff_view
def supervision_list(request):
    actor = request.actor
    status = request.GET.get("status", "")
    orders = SupervisionOrder.objects.filter(case__in=visible_cases(actor).values("pk"))
    if actor.has(*UNIT_ROLES) and not actor.has(Role.SUPERVISOR, Role.SHIFT_LEADER,
                                                 Role.ADMINISTRATOR):  # fmt: skip
        orders = orders.filter(unit_id__in=actor.unit_ids(*UNIT_ROLES))
    if status in SupervisionOrder.Status.values:
        orders = orders.filter(status=status)
    paginator = queries.CappedPaginator(
        orders.select_related("case__small_class", "unit", "issued_by__person",
                              "replied_by__person").order_by("-issued_at", "-id"),
        PAGE_SIZE,
    )  # fmt: skip
    page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    unit_ids = actor.unit_ids(*UNIT_ROLES)
    for order in page:
        order.can_reply = order.status == SupervisionOrder.Status.OPEN and (
            order.unit_id in unit_ids or actor.has(Role.ADMINISTRATOR)
        )
        order.late = (order.replied_at or now) > order.reply_due
    return render(request, "console/supervision.html", {
        "page": page, "status": status, "statuses": SupervisionOrder.Status.choices,
        "reply_form": ReplyForm(),
    })  # fmt: skip


@staff_view
@require_POST
def supervision_reply(request, pk):
    actor = request.actor
    order = get_object_or_404(
        SupervisionOrder.objects.filter(case__in=visible_cases(actor).values("pk")), pk=pk
    )
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for m in form.errors["reply"]))
    else:
        try:
            actions.reply_supervision(actor, order, reply=form.cleaned_data["reply"])
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Reply sent."))
    return redirect(_next_url(request, reverse("console:supervision")))


# --- intake ---------------------------------------------------------------------------------


@staff_view
@sensitive_post_parameters("reporter_name", "reporter_phone")  # docs/privacy.md
def report(request, source=None):
    """A report by staff: an inspector's own, a hotline call (acceptor), a road chief's …"""
    actor = request.actor
    source = source or request.GET.get("source") or None
    form = ReportForm(request.POST or None, request.FILES or None, actor=actor, source=source)
    if not form.allowed_sources:
        raise Http404("No intake for this user.")
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.report_case(
                actor, source=data["source"], category=data["category"],
                lon=data["lon"], lat=data["lat"], description=data["description"],
                address=data["address"], urgency=data["urgency"], photos=data["photos"],
                reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"],
            )  # fmt: skip
        except ActionError as exc:
            error = exc.message
            field = {"location": "lon"}.get(exc.field, exc.field)
            if field in form.fields:
                form.add_error(field, exc.message)
        else:
            messages.success(request, _("Case %(number)s registered.") % {"number": case.number})
            return redirect("console:case", pk=case.pk)
    elif request.method == "POST":
        error = _("Please correct the form below.")
    hotline = form.allowed_sources == ["hotline"] or source == "hotline"
    return render(request, "console/report.html", {
        "form": form, "error": error, "hotline": hotline, "map_config": _map_config(request),
        "duplicates_url": reverse("console:hotline_duplicates") if desks.takes_calls(actor) else "",
    }, status=400 if error else 200)  # fmt: skip


# --- evidence files -------------------------------------------------------------------------

VARIANTS = {"thumb": "thumbnail", "public": "public", "original": "original"}


@staff_view
def evidence_file(request, pk, variant):
    field = VARIANTS.get(variant)
    if field is None:
        raise Http404("No such variant.")
    evidence = get_object_or_404(Evidence.objects.select_related("case"), pk=pk)
    if not can_see(request.actor, evidence.case):
        raise Http404("No such photo.")
    if field == "original" and not (request.actor.roles or request.user.is_superuser):
        raise Http404("No such photo.")
    name = getattr(evidence, field).name
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    content_type = "image/jpeg" if field == "thumbnail" else evidence.content_type
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
