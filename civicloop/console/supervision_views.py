"""The supervision desk of the console (督查督办): office, units, leaders, details.

* the office (``supervisor``): every item with colour filters, bulk assign and
  chase, campaigns with import and export;
* units (``handler``, ``unit_leader``): their items and their campaign rows,
  with inline progress;
* district leaders (``leader``): one page of what is late, by street and by
  unit, each figure a link to the items behind it;
* item, campaign and inspection detail with their timelines.

Everything is read through ``supervision.rules.visible_*`` (out of scope is a
404) and changed through ``supervision.actions``.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civicloop.core.errors import ActionError
from civicloop.core.importing import ImportRejected
from civicloop.org.models import Role, Unit
from civicloop.supervision import actions as sv
from civicloop.supervision.actions.campaigns import (
    KIND_LABELS,
    export_rows,
    import_rows,
    preview_import,
    update_row,
)
from civicloop.supervision.models import (
    Campaign,
    CampaignRow,
    CampaignRowEvent,
    Colour,
    ExtensionRequest,
    Inspection,
    InspectionProblem,
    Item,
    State,
)
from civicloop.supervision.queries import campaign_list, rollup
from civicloop.supervision.rankings import ranking
from civicloop.supervision.rules import (
    TABLE,
    available,
    may_edit_row,
    sees_all,
    visible_items,
    visible_rows,
)
from civicloop.supervision.timeline import timeline

from .access import staff_view

#: Input fields of each action's form: (name, kind) with kind text, textarea, number, date, file.
FORM_FIELDS = {
    "assign": [("lead_unit", "unit"), ("person", "text"), ("post", "text"), ("note", "textarea")],
    "sign": [("note", "textarea")],
    "report_progress": [("note", "textarea"), ("percent", "number"), ("quantity", "number"),
                        ("photos", "file")],
    "report_part": [("note", "textarea"), ("photos", "file")],
    "submit_completion": [("note", "textarea"), ("percent", "number"), ("quantity", "number"),
                          ("photos", "file")],
    "pass_review": [("note", "textarea")],
    "reject_review": [("reason", "textarea")],
    "close": [("note", "textarea")],
    "reopen": [("reason", "textarea")],
    "request_extension": [("new_deadline", "date"), ("reason", "textarea")],
    "approve_extension": [("new_deadline", "date"), ("note", "textarea")],
    "reject_extension": [("note", "textarea")],
    "chase": [("note", "textarea")],
    "order_interview": [("on", "date"), ("note", "textarea")],
}  # fmt: skip
FIELD_LABELS = {
    "lead_unit": gettext_lazy("lead unit"), "person": gettext_lazy("responsible person (id or name)"), "post": gettext_lazy("post"),
    "note": gettext_lazy("note"), "reason": gettext_lazy("reason"), "percent": gettext_lazy("done (%)"),
    "quantity": gettext_lazy("quantity done"), "photos": gettext_lazy("photos"), "new_deadline": gettext_lazy("new deadline"),
    "on": gettext_lazy("interview date"),
}  # fmt: skip
PAGE_SIZE = 50


def _today() -> datetime.date:
    return timezone.localdate()


def _item_or_404(actor, pk) -> Item:
    item = (
        visible_items(actor, Item.objects.filter(pk=pk))
        .select_related("lead_unit", "person", "case")
        .prefetch_related("cooperating_units",
                          Prefetch("extension_requests", queryset=ExtensionRequest.objects.order_by("-id")))
        .first()
    )  # fmt: skip
    if item is None:
        raise Http404("No such item.")
    return item


def _colour_counts(queryset) -> dict:
    return queryset.aggregate(
        **{c: Count("id", filter=Q(colour=c, state__in=[s for s in State.values
                                                         if s not in ("passed", "closed")]))
           for c in Colour.values})  # fmt: skip


@staff_view
def desk(request):
    """The supervision menu entry: each role's own page."""
    actor = request.actor
    if actor.has(Role.SUPERVISOR, Role.ADMINISTRATOR):
        return redirect("console:sv_items")
    if actor.has(Role.LEADER):
        return redirect("console:sv_late")
    return redirect("console:sv_mine")


def _filtered(request, queryset):
    colour, state, unit = (request.GET.get(k, "") for k in ("colour", "state", "unit"))
    street = request.GET.get("street", "")
    if colour in Colour.values:
        queryset = queryset.filter(colour=colour).exclude(state__in=("passed", "closed"))
    if state in State.values:
        queryset = queryset.filter(state=state)
    if state == "open":
        queryset = queryset.exclude(state__in=("passed", "closed"))
    if unit.isdecimal():
        queryset = queryset.filter(lead_unit_id=int(unit))
    if street.isdecimal():
        queryset = queryset.filter(lead_unit__region_id=int(street))
    ids = [int(v) for v in request.GET.get("ids", "").split(",")[:200] if v.isdecimal()]
    if ids:  # the items just registered (from a meeting report)
        queryset = queryset.filter(pk__in=ids)
    if request.GET.get("overdue"):
        queryset = queryset.filter(deadline__lt=_today()).exclude(state__in=("passed", "closed"))
    return queryset, {"colour": colour, "state": state, "unit": unit, "street": street}


@staff_view
def items(request):
    """The office's list: every item, colour tabs, filters, bulk assign and chase."""
    actor = request.actor
    base = visible_items(actor, Item.objects.all())
    queryset, chosen = _filtered(request, base.select_related("lead_unit", "person"))
    page = Paginator(queryset.order_by("deadline", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    office = actor.has(Role.SUPERVISOR, Role.ADMINISTRATOR)
    return render(request, "console/sv/items.html", {
        "page": page, "chosen": chosen, "counts": _colour_counts(base), "colours": Colour.choices,
        "states": State.choices, "office": office,
        "units": Unit.objects.filter(is_active=True).order_by("kind", "name") if office else [],
        "campaigns": campaign_list(_today())[:20] if sees_all(actor) else [],
    })  # fmt: skip


@staff_view
@require_POST
def bulk(request):
    """Bulk assign (to one unit and person) or chase the ticked items; each through its action."""
    actor = request.actor
    ids = [int(v) for v in request.POST.getlist("items") if v.isdecimal()]
    name = request.POST.get("bulk")
    if name not in ("assign", "chase") or not ids:
        messages.error(request, _("Tick items and choose what to do with them."))
        return redirect("console:sv_items")
    done, refused = 0, []
    data = {"note": request.POST.get("note", "")}
    if name == "assign":
        data.update(lead_unit=request.POST.get("lead_unit") or None,
                    person=request.POST.get("person") or None, post=request.POST.get("post") or None)  # fmt: skip
    for item in visible_items(actor, Item.objects.filter(pk__in=ids)):
        try:
            sv.act(actor, item, name, **data)
            done += 1
        except ActionError as error:
            refused.append(f"{item.number}: {error.message}")
    if done:
        messages.success(request, _("%(n)d items done.") % {"n": done})
    for line in refused:
        messages.error(request, line)
    return redirect(request.POST.get("next") or "console:sv_items")


REGISTER_FIELDS = ("title", "requirement", "source", "source_title", "source_date", "minutes",
                   "lead_unit", "person", "post", "responsibility", "start", "deadline",
                   "deadline_days", "target_quantity", "target_noun", "target_at_least",
                   "reporting", "reporting_days", "case")  # fmt: skip


@staff_view
def register(request):
    """The office (or a district leader) registers an item; ``?case=`` escalates a case."""
    from civicloop.cases.models import Case
    from civicloop.supervision.models import Reporting, SourceKind

    actor = request.actor
    if not actor.has(Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR):
        raise Http404("The office and leaders only.")
    case = None
    case_id = request.POST.get("case") or request.GET.get("case") or ""
    if case_id.isdecimal():
        case = Case.objects.filter(pk=int(case_id)).select_related("small_class").first()
    values = {"source": "case" if case else "meeting", "reporting": "one_off",
              "start": _today().isoformat(), "case": case.pk if case else ""}  # fmt: skip
    if case is not None:
        values.update(title=f"{case.number} {case.small_class.name}", requirement=case.description)
    error, field, status = "", "", 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in REGISTER_FIELDS}
        data = {k: v for k, v in values.items() if v != ""}
        data["cooperating_units"] = request.POST.getlist("cooperating_units")
        data["target_at_least"] = "true" if request.POST.get("target_at_least") else ""
        data["photos"], data["files"] = (
            request.FILES.getlist("photos"),
            request.FILES.getlist("files"),
        )
        if case is not None:
            data["case"] = case
        else:
            data.pop("case", None)
        try:
            item = sv.register_item(actor, **data)
        except ActionError as exc:
            error, field, status = exc.message, exc.field or "", exc.status
        else:
            messages.success(request, _("Registered: %(number)s.") % {"number": item.number})
            return redirect("console:sv_item", pk=item.pk)
    return render(request, "console/sv/register.html", {
        "values": values, "error": error, "field": field, "case": case,
        "units": Unit.objects.filter(is_active=True).order_by("kind", "name"),
        "sources": SourceKind.choices, "reportings": Reporting.choices,
        "chosen_units": request.POST.getlist("cooperating_units"),
    }, status=status)  # fmt: skip


@staff_view
def mine(request):
    """A unit's page: its items (lead or cooperating) and its campaign rows with inline progress."""
    actor = request.actor
    units = actor.unit_ids(Role.HANDLER, Role.UNIT_LEADER)
    through = Item.cooperating_units.through.objects.filter(unit_id__in=units)
    items_qs = (
        Item.objects.filter(Q(lead_unit_id__in=units) | Q(pk__in=through.values("item_id")))
        .exclude(state=State.CLOSED).select_related("lead_unit", "person").order_by("deadline", "id")
    )  # fmt: skip
    rows = (
        CampaignRow.objects.filter(unit_id__in=units, done=False)
        .select_related("campaign", "street", "unit").order_by("deadline", "campaign_id", "key")
    )  # fmt: skip
    rows_page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("rows"))
    return render(request, "console/sv/mine.html", {
        "items": items_qs[:200], "rows": rows_page, "kind_labels": KIND_LABELS,
    })  # fmt: skip


@staff_view
def late(request):
    """The leaders' page: what is late, by street and by unit, with drill-down links."""
    actor = request.actor
    if not sees_all(actor):
        raise Http404("Leaders and the office only.")
    today = _today()
    open_items = Item.objects.exclude(state__in=("passed", "closed"))
    counts = {
        "red": Count("id", filter=Q(colour=Colour.RED)),
        "yellow": Count("id", filter=Q(colour=Colour.YELLOW)),
        "blue": Count("id", filter=Q(colour=Colour.BLUE)),
        "overdue": Count("id", filter=Q(deadline__lt=today)),
        "open": Count("id"),
    }
    by_street = list(
        open_items.filter(lead_unit__region__isnull=False)
        .values("lead_unit__region_id", "lead_unit__region__name").annotate(**counts)
        .order_by("-red", "-overdue", "lead_unit__region__name")
    )  # fmt: skip
    by_unit = list(
        open_items.values("lead_unit_id", "lead_unit__name").annotate(**counts)
        .filter(Q(red__gt=0) | Q(yellow__gt=0) | Q(overdue__gt=0))
        .order_by("-red", "-overdue", "lead_unit__name")
    )  # fmt: skip
    rows = (
        CampaignRow.objects.filter(done=False, deadline__lt=today)
        .values("campaign_id", "campaign__name", "unit_id", "unit__name").annotate(n=Count("id"))
        .order_by("-n", "campaign__name")[:30]
    )  # fmt: skip
    worst = open_items.filter(colour=Colour.RED).select_related("lead_unit", "person").order_by(
        "deadline", "id")[:20]  # fmt: skip
    return render(request, "console/sv/late.html", {
        "by_street": by_street, "by_unit": by_unit, "rows": rows, "worst": worst,
        "totals": open_items.aggregate(**counts), "today": today,
    })  # fmt: skip


def _forms(actor, item, names):
    return [{"name": n, "label": TABLE[n].label, "kind": TABLE[n].kind,
             "fields": [(f, k, FIELD_LABELS[f]) for f, k in FORM_FIELDS[n]]} for n in names]  # fmt: skip


def _item_context(request, item, error=""):
    actor = request.actor
    return {"item": item, "timeline": timeline(item), "forms": _forms(actor, item, available(actor, item)),
            "error": error, "problem": InspectionProblem.objects.filter(item=item).select_related("inspection").first(),
            "units": Unit.objects.filter(is_active=True).order_by("kind", "name")}  # fmt: skip


@staff_view
def item_detail(request, pk):
    item = _item_or_404(request.actor, pk)
    return render(request, "console/sv/item_detail.html", _item_context(request, item))


@staff_view
@require_POST
def item_act(request, pk, name):
    actor = request.actor
    item = _item_or_404(actor, pk)
    if name not in FORM_FIELDS:
        raise Http404("No such action.")
    data = {}
    for field, kind in FORM_FIELDS[name]:
        if kind == "file":
            data[field] = request.FILES.getlist(field)
        elif request.POST.get(field, "") != "":
            data[field] = request.POST[field]
        elif field in ("note",) or field == "reason":
            data[field] = ""
    try:
        sv.act(actor, item, name, version=request.POST.get("version") or None, **data)
    except ActionError as error:
        item = _item_or_404(actor, pk)
        return render(request, "console/sv/item_detail.html",
                      _item_context(request, item, error=error.message), status=error.status)  # fmt: skip
    messages.success(request, _("Done: %(action)s.") % {"action": TABLE[name].label})
    if visible_items(actor, Item.objects.filter(pk=pk)).exists():
        return redirect("console:sv_item", pk=pk)
    return redirect("console:sv_desk")


# --- campaigns ---------------------------------------------------------------------


def _campaign_or_404(actor, pk) -> Campaign:
    queryset = Campaign.objects.filter(pk=pk)
    if not sees_all(actor):
        queryset = queryset.filter(rows__unit_id__in=actor.unit_ids()).distinct()
    campaign = queryset.select_related("channel").first()
    if campaign is None:
        raise Http404("No such campaign.")
    return campaign


@staff_view
def campaigns(request):
    actor = request.actor
    queryset = Campaign.objects.all()
    if not sees_all(actor):
        queryset = Campaign.objects.filter(pk__in=CampaignRow.objects.filter(
            unit_id__in=actor.unit_ids()).values("campaign_id"))  # fmt: skip
    return render(request, "console/sv/campaigns.html",
                  {"campaigns": campaign_list(_today(), queryset)})  # fmt: skip


@staff_view
def campaign_detail(request, pk):
    return _campaign_page(request, pk)


def _campaign_page(request, pk, preview=None):
    actor = request.actor
    campaign = _campaign_or_404(actor, pk)
    rows = visible_rows(actor, campaign.rows.select_related("street", "unit", "person"))
    unit = request.GET.get("unit", "")
    street = request.GET.get("street", "")
    colour = request.GET.get("colour", "")
    if unit.isdecimal():
        rows = rows.filter(unit_id=int(unit))
    if street.isdecimal():
        rows = rows.filter(street_id=int(street))
    if colour in Colour.values:
        rows = rows.filter(colour=colour)
    page = Paginator(rows.order_by("key"), PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.editable = may_edit_row(actor, row)
    events = (
        visible_rows(actor, CampaignRow.objects.filter(campaign=campaign))
        .values_list("pk", flat=True)
    )  # fmt: skip
    history = (CampaignRowEvent.objects.filter(row_id__in=events).select_related("row")
               .order_by("-at", "-id")[:30])  # fmt: skip
    return render(request, "console/sv/campaign_detail.html", {
        "campaign": campaign, "page": page,
        "figures": rollup(campaign, _today(), visible_rows(actor, CampaignRow.objects.all())),
        "history": history, "office": actor.has(Role.SUPERVISOR, Role.ADMINISTRATOR),
        "preview": preview, "kind_labels": KIND_LABELS,
        "chosen": {"unit": unit, "street": street, "colour": colour},
    }, status=400 if preview is not None and not preview.ok else 200)  # fmt: skip


@staff_view
@require_POST
def row_update(request, pk, row):
    """Inline progress on a row: the posted status fields, checked by kind."""
    actor = request.actor
    campaign = _campaign_or_404(actor, pk)
    found = visible_rows(actor, CampaignRow.objects.filter(pk=row, campaign=campaign)).first()
    if found is None:
        raise Http404("No such row.")
    values = {}
    for spec in campaign.fields:
        key = spec["key"]
        if spec["kind"] == "bool":
            values[key] = request.POST.get(f"f-{key}") == "on"
        elif f"f-{key}" in request.POST:
            values[key] = request.POST[f"f-{key}"]
    try:
        update_row(actor, found, values=values, version=request.POST.get("version") or None)
    except ActionError as error:
        messages.error(request, f"{found.name}: {error.message}")
    else:
        messages.success(request, _("Saved: %(row)s.") % {"row": found.name})
    target = request.POST.get("next", "")
    if target.startswith("/console/") and "//" not in target:
        return redirect(target)
    return redirect("console:sv_campaign", pk=pk)


@staff_view
def campaign_export(request, pk):
    campaign = _campaign_or_404(request.actor, pk)
    rows = visible_rows(request.actor, campaign.rows.select_related("street", "unit", "person"))
    kind = "csv" if request.GET.get("format") == "csv" else "xlsx"
    data = export_rows(campaign, rows.order_by("key"), kind=kind)
    content_type = ("text/csv; charset=utf-8" if kind == "csv" else
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.code}.{kind}"'
    return response


@staff_view
@require_POST
def campaign_import(request, pk):
    """Upload: preview with row errors; "confirm" imports a file without errors, all or nothing."""
    actor = request.actor
    campaign = _campaign_or_404(actor, pk)
    if not actor.has(Role.SUPERVISOR, Role.ADMINISTRATOR):
        raise Http404("The office only.")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return redirect("console:sv_campaign", pk=pk)
    try:
        if request.POST.get("confirm"):
            created, updated = import_rows(actor, campaign, upload, upload.name)
            messages.success(
                request, _("%(c)d rows created, %(u)d updated.") % {"c": created, "u": updated}
            )
            return redirect("console:sv_campaign", pk=pk)
        preview = preview_import(campaign, upload, upload.name)
    except ImportRejected as rejected:
        for line in rejected.problems[:50]:
            messages.error(request, line)
        return redirect("console:sv_campaign", pk=pk)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("console:sv_campaign", pk=pk)
    return _campaign_page(request, pk, preview=preview)


# --- inspections and rankings ---------------------------------------------------------------


@staff_view
def inspections(request):
    if not sees_all(request.actor):
        raise Http404("Leaders and the office only.")
    queryset = Inspection.objects.select_related("leader").annotate(
        n=Count("problems"), cases=Count("problems", filter=Q(problems__outcome="case")),
    ).order_by("-on", "-id")  # fmt: skip
    return render(request, "console/sv/inspections.html", {"inspections": queryset[:100]})


PROBLEM_ROWS = 5


@staff_view
def inspection_new(request):
    """A leader records an inspection: up to five problems, each a case or an item."""
    from civicloop.geo.models import Road
    from civicloop.supervision.actions.inspections import record_inspection

    actor = request.actor
    if not actor.has(Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR):
        raise Http404("Leaders and the office only.")
    error, status = "", 200
    posted = request.POST if request.method == "POST" else {}
    rows = []
    for n in range(1, PROBLEM_ROWS + 1):
        rows.append({k: posted.get(f"p{n}-{k}", "") for k in
                     ("text", "lon", "lat", "unit", "deadline", "outcome", "category")})  # fmt: skip
    if request.method == "POST":
        problems = []
        for n, row in enumerate(rows, start=1):
            if not row["text"].strip():
                continue
            problem = dict(row)
            if request.FILES.get(f"p{n}-photo"):
                problem["photo"] = request.FILES[f"p{n}-photo"]
            problems.append(problem)
        road_id = request.POST.get("road", "")
        road = Road.objects.filter(pk=int(road_id)).first() if road_id.isdecimal() else None
        try:
            inspection = record_inspection(actor, title=request.POST.get("title", ""),
                                           on=request.POST.get("on") or None, road=road,
                                           note=request.POST.get("note", ""), problems=problems)  # fmt: skip
        except ActionError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect("console:sv_inspection", pk=inspection.pk)
    return render(request, "console/sv/inspection_new.html", {
        "rows": rows, "error": error, "posted": posted,
        "units": Unit.objects.filter(is_active=True).order_by("kind", "name"),
        "roads": Road.objects.order_by("code"), "outcomes": InspectionProblem.Outcome.choices,
    }, status=status)  # fmt: skip


@staff_view
def inspection_detail(request, pk):
    if not sees_all(request.actor):
        raise Http404("Leaders and the office only.")
    inspection = Inspection.objects.select_related("leader", "road").filter(pk=pk).first()
    if inspection is None:
        raise Http404("No such inspection.")
    problems = inspection.problems.select_related("unit", "case", "item").order_by("seq")
    return render(request, "console/sv/inspection_detail.html",
                  {"inspection": inspection, "problems": problems})  # fmt: skip


@staff_view
def rankings(request):
    if not sees_all(request.actor):
        raise Http404("Leaders and the office only.")
    from civicloop.evaluation.periods import parse as parse_period

    text = request.GET.get("period") or (
        _today().replace(day=1) - datetime.timedelta(days=1)
    ).strftime("%Y-%m")
    try:
        period = parse_period(text)
    except ValueError as error:
        messages.error(request, str(error))
        period = parse_period(
            (_today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
        )
    units = ranking(period, streets=False)
    streets = ranking(period, streets=True)
    return render(request, "console/sv/rankings.html",
                  {"period": period, "units": units, "streets": streets, "text": text})  # fmt: skip


urlpatterns = [
    path("supervision/desk/", desk, name="sv_desk"),
    path("supervision/items/", items, name="sv_items"),
    path("supervision/items/bulk/", bulk, name="sv_bulk"),
    path("supervision/items/new/", register, name="sv_register"),
    path("supervision/items/<int:pk>/", item_detail, name="sv_item"),
    path("supervision/items/<int:pk>/act/<slug:name>/", item_act, name="sv_item_act"),
    path("supervision/mine/", mine, name="sv_mine"),
    path("supervision/late/", late, name="sv_late"),
    path("supervision/campaigns/", campaigns, name="sv_campaigns"),
    path("supervision/campaigns/<int:pk>/", campaign_detail, name="sv_campaign"),
    path("supervision/campaigns/<int:pk>/rows/<int:row>/", row_update, name="sv_row"),
    path("supervision/campaigns/<int:pk>/export/", campaign_export, name="sv_campaign_export"),
    path("supervision/campaigns/<int:pk>/import/", campaign_import, name="sv_campaign_import"),
    path("supervision/inspections/", inspections, name="sv_inspections"),
    path("supervision/inspections/new/", inspection_new, name="sv_inspection_new"),
    path("supervision/inspections/<int:pk>/", inspection_detail, name="sv_inspection"),
    path("supervision/rankings/", rankings, name="sv_rankings"),
]
