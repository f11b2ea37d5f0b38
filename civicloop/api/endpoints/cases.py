"""Cases: report, add photos, list, my work, detail, duplicates, photo files."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db.models import F, Q
from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from civicloop.cases.actions import (
    Invalid,
    add_evidence,
    find_duplicates,
    report_case,
    report_self_handled,
)
from civicloop.cases.models import Case, CaseRequest, Evidence, Light, State, SupervisionOrder
from civicloop.cases.permissions import sees_tracking_code, visibility_shape
from civicloop.core.compiled import Compiled
from civicloop.org.models import Role

from ..auth import actor
from ..errors import not_found
from ..schemas import (
    ERRORS,
    CaseCreatedOut,
    CaseDetailOut,
    CaseFilters,
    CasePageOut,
    DuplicateOut,
    EvidenceIn,
    Id,
    PageIn,
    ReportIn,
    SelfHandledIn,
    WorkPageOut,
)
from ..serialize import (
    CASE_RELATED,
    CASE_VALUES,
    actions_for,
    case_out,
    detail_out,
    ref,
    request_out,
)
from .common import COUNT_LIMIT, paginate, paginate_compiled, require_visible, visible_detail

router = Router(tags=["cases"])

PHOTOS = File(None, description="JPEG, PNG or WebP photos (multipart), up to 9.")
BEFORE_PHOTOS = File(None, description="Self-handling: photos before (at least one).")
AFTER_PHOTOS = File(None, description="Self-handling: photos after (at least one).")


@router.post("/cases", response={201: CaseCreatedOut, **ERRORS})
def create_case(request, payload: Form[ReportIn], photos: list[UploadedFile] = PHOTOS):
    """Report a case (multipart with photos, or JSON without).

    The case is located, routed, numbered and timed by the intake action; the
    fast lane, when enabled, dispatches it at once.
    """
    reporter = actor(request)
    case = report_case(reporter, photos=photos or (), **payload.dict())
    return Status(201, _created(case, reporter, None if photos else []))


def _created(case: Case, reporter, evidence: list[int] | None = None) -> dict:
    """The new case; ``evidence`` the ids of its photos when known (else one query)."""
    if evidence is None:
        evidence = list(case.evidence.values_list("pk", flat=True))
    # The tracking code rates the result: only the call desk gets it back (to read it
    # to the caller), never the inspector or unit whose work it would rate.
    code = case.tracking_code if sees_tracking_code(reporter, case) else None
    return {
        "id": case.pk, "number": case.number, "tracking_code": code,
        "version": case.version, "state": case.state, "light": case.light,
        "due_at": case.due_at, "proposed_unit": ref(case.proposed_unit),
        "routing_reason": case.routing_reason, "unit": ref(case.unit),
        "evidence": evidence,
    }  # fmt: skip


@router.post("/cases/self-handled", response={201: CaseCreatedOut, **ERRORS})
def create_self_handled(
    request,
    payload: Form[SelfHandledIn],
    before_photos: list[UploadedFile] = BEFORE_PHOTOS,
    after_photos: list[UploadedFile] = AFTER_PHOTOS,
):
    """An inspector reports a minor problem fixed on the spot (自处置): multipart with
    photos before and after. The case waits for the shift leader to close it."""
    reporter = actor(request)
    case = report_self_handled(
        reporter, before_photos=before_photos or (), after_photos=after_photos or (),
        **payload.dict(),
    )  # fmt: skip
    return Status(201, _created(case, reporter))


@router.post("/cases/{case_id}/evidence", response={201: list[int], **ERRORS})
def upload_evidence(
    request, case_id: Id, payload: Form[EvidenceIn], photos: list[UploadedFile] = PHOTOS
):
    """Add photos to an open case; returns the new evidence ids."""
    require_visible(request, case_id)
    stored = add_evidence(actor(request), case_id, photos=photos or (), kind=payload.kind,
                          note=payload.note, version=payload.version)  # fmt: skip
    return Status(201, [e.pk for e in stored])


def _choices(value: str | None, allowed, field: str) -> list[str]:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    for item in items:
        if item not in allowed:
            raise Invalid(_("%(value)s is not a valid %(field)s.") % {"value": item, "field": field},
                          field)  # fmt: skip
    return items


def _ids_of(value: str | None, field: str) -> tuple[int, ...] | None:
    """The ids an id-or-code filter names (region codes are digits too, so both are
    tried), looked up first in the small table: the case list then filters on the
    foreign key's own index instead of OR-ing a join, which no index serves."""
    if not value:
        return None
    value = value.strip()
    related = Case._meta.get_field(field).related_model
    ids = set(related.objects.filter(code=value).values_list("pk", flat=True))
    if value.isdecimal() and len(value) < 19:
        ids.add(int(value))
    return tuple(sorted(ids))


#: Case lists are compiled once per scope, filters and page (civicloop.core.compiled).
_LIST = Compiled(Case, name="api.case_list")


def _list_queryset(who, filters: CaseFilters, streets, units):
    cases = Case.objects.visible_to(who)
    state, light, category = filters.state, filters.light, filters.category
    since, until = filters.since, filters.until
    if states := _choices(state, State.values, "state"):
        cases = cases.filter(state__in=states)
    if lights := _choices(light, Light.values, "light"):
        cases = cases.filter(light__in=lights)
    if category:
        cases = cases.filter(small_class__full_code__startswith=category.strip().upper())
    if streets is not None:
        cases = cases.filter(street_id__in=streets)
    if units is not None:
        cases = cases.filter(unit_id__in=units)
    if since:
        cases = cases.filter(reported_at__gte=since)
    if until:
        cases = cases.filter(reported_at__lt=until)
    return cases.order_by("-reported_at", "-id").values(*CASE_VALUES)


@router.get("/cases", response={200: CasePageOut, **ERRORS})
def list_cases(request, filters: Query[CaseFilters], paging: Query[PageIn]):
    """The cases this user may see, newest first.

    ``count`` is exact up to 10,000 cases; beyond, it is 10,000 and ``count_exact``
    is false (counting a million rows for a page of 100 is most of the work).
    """
    who = actor(request)
    _choices(filters.state, State.values, "state")  # refused before anything runs
    _choices(filters.light, Light.values, "light")
    streets, units = _ids_of(filters.street, "street"), _ids_of(filters.unit, "unit")
    # The shape: everything the SQL depends on (the scope, each filter as given and
    # the ids a street or unit filter names).
    shape = (visibility_shape(who), tuple(sorted(filters.dict().items())), streets, units)
    result = paginate_compiled(
        _LIST, shape, lambda: _list_queryset(who, filters, streets, units), paging.page,
        paging.page_size, count_limit=COUNT_LIMIT,
    )  # fmt: skip
    result["items"] = [case_out(c) for c in result["items"]]
    return result


def work_filter(who) -> Q:
    """The cases waiting for this user's next step, by role."""
    q = Q(pk__in=[])
    admin = who.has(Role.ADMINISTRATOR)
    if who.has(Role.INSPECTOR) or admin:
        mine = Q(assigned_inspector_id=who.user_id) | Q(
            assigned_inspector__isnull=True, patrol_area_id__in=who.patrol_area_ids
        )
        q |= Q(state__in=[State.VERIFYING, State.PENDING_CHECK]) & (Q() if admin else mine)
    if who.has(Role.ACCEPTOR) or admin:
        q |= Q(state=State.REPORTED)
    if who.has(Role.SHIFT_LEADER) or admin:
        q |= Q(state__in=[State.REPORTED, State.PENDING_FILING, State.PENDING_CLOSURE])
        q |= Q(pk__in=CaseRequest.objects.filter(
            status=CaseRequest.Status.PENDING,
            kind__in=[CaseRequest.Kind.VOID, CaseRequest.Kind.REOPEN]).values("case_id"))  # fmt: skip
    if who.has(Role.DISPATCHER) or admin:
        q |= Q(state__in=[State.PENDING_DISPATCH, State.SUSPENDED])
        q |= Q(pk__in=CaseRequest.objects.filter(
            status=CaseRequest.Status.PENDING,
            kind__in=[CaseRequest.Kind.RETURN, CaseRequest.Kind.EXTENSION,
                      CaseRequest.Kind.SUSPENSION]).values("case_id"))  # fmt: skip
    unit_ids = who.unit_ids(Role.HANDLER, Role.UNIT_LEADER)
    if unit_ids:
        q |= Q(state__in=[State.DISPATCHED, State.IN_PROGRESS], unit_id__in=unit_ids)
        q |= Q(pk__in=SupervisionOrder.objects.filter(
            status=SupervisionOrder.Status.OPEN, unit_id__in=unit_ids).values("case_id"))  # fmt: skip
    if who.has(Role.SUPERVISOR):
        q |= Q(light=Light.RED)
    return q


@router.get("/my-work", response={200: WorkPageOut, **ERRORS})
def my_work(request, paging: Query[PageIn]):
    """The cases this user should act on now, most urgent deadline first.

    Inspectors: verify and check in their patrol area (or where assigned).
    Handlers and unit leaders: dispatched and in-progress cases of their unit,
    and open supervision orders. Acceptors: new reports. Shift leaders: new
    reports, filing, closure, void and reopen requests. Dispatchers: dispatch,
    suspended cases, return/extension/suspension requests. Supervisors: red lights.
    """
    who = actor(request)
    cases = Case.objects.filter(work_filter(who)).visible_to(who)
    cases = cases.select_related(*CASE_RELATED).order_by(F("due_at").asc(nulls_last=True), "id")
    result = paginate(cases, paging.page, paging.page_size)
    pending: dict[int, list] = {}
    if result["items"]:
        requests = CaseRequest.objects.filter(
            case_id__in=[c.pk for c in result["items"]], status=CaseRequest.Status.PENDING
        ).select_related("unit", "requested_by__person")
        by_id = {c.pk: c for c in result["items"]}
        for r in requests:
            r.case = by_id[r.case_id]  # can_decide reads the case's state: no query per request
            pending.setdefault(r.case_id, []).append(request_out(r, who))
    result["items"] = [
        {**case_out(c), "actions": actions_for(who, c), "pending_requests": pending.get(c.pk, [])}
        for c in result["items"]
    ]
    return result


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS})
def case_detail(request, case_id: Id):
    """A case with its timeline, photos, pending requests, supervision orders and the
    actions this user may take."""
    return detail_out(actor(request), visible_detail(request, case_id))


@router.get("/cases/{case_id}/duplicates", response={200: list[DuplicateOut], **ERRORS})
def duplicates(request, case_id: Id):
    """Open cases of the same category near this one (merge candidates), nearest first."""
    case = visible_detail(request, case_id)
    found = find_duplicates(case.small_class_id, case.lon, case.lat, exclude_id=case.pk,
                            now=case.reported_at)  # fmt: skip
    visible = set(
        Case.objects.filter(pk__in=[c.pk for c, _d in found])
        .visible_to(actor(request))
        .values_list("pk", flat=True)
    )
    related = {c.pk: c for c in Case.objects.filter(pk__in=visible).select_related(*CASE_RELATED)}
    return [{"case": case_out(related[c.pk]), "distance_m": round(d, 1)}
            for c, d in found if c.pk in visible]  # fmt: skip


VARIANTS = {"original", "public", "thumbnail"}


@router.get("/evidence/{evidence_id}/{variant}", url_name="evidence-file",
            response={200: None, **ERRORS})  # fmt: skip
def evidence_file(request, evidence_id: Id, variant: str):
    """A photo: ``original`` (with its metadata), ``public`` (location removed) or
    ``thumbnail``; for staff who can see its case."""
    if variant not in VARIANTS:
        raise not_found()
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:
        raise not_found()
    require_visible(request, evidence.case_id)
    name = getattr(evidence, variant).name
    content_type = "image/jpeg" if variant == "thumbnail" else evidence.content_type
    try:
        stored = default_storage.open(name, "rb") if name else None
    except FileNotFoundError:
        stored = None
    if stored is None:  # the row outlived its file (a restore without media, a cleanup)
        raise not_found(_("The photo file is missing."))
    response = FileResponse(stored, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
