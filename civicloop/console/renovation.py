"""Console desks of the renovation programme (老旧小区改造).

* the ledger (renovation office, leaders, supervisors, communities): batches
  with their lights, progress by street, every compound project, filters by
  street, batch, class and light; xlsx export and import;
* a compound's desk: the plan and its items, residents' orders to review,
  the stages of 一征三议两公开, votes, household codes, the timeline;
* the adopters' desk: items open for adoption and the unit's own adoptions.

Views only parse, authorise (``renovation.rules``) and call
``renovation.actions``; a compound outside the user's scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civicloop.core.errors import ActionError
from civicloop.geo.models import Region
from civicloop.org.models import Role
from civicloop.renovation import actions, progress, queries
from civicloop.renovation.models import (
    Adoption,
    Batch,
    Event,
    Household,
    Order,
    Programme,
    Project,
    ProjectClass,
    Stage,
    Vote,
    WorkItem,
    WorkType,
)
from civicloop.renovation.rules import RULES, may_see_desk, may_see_ledger
from civicloop.renovation.workbook import ImportRefused, export_programme, import_programme

from .access import staff_view

PAGE_SIZE = 50


def _programme(request) -> Programme:
    value = request.GET.get("programme") or request.POST.get("programme")
    programmes = Programme.objects.order_by("code")
    found = programmes.filter(pk=value).first() if str(value or "").isdecimal() else None
    found = found or programmes.first()
    if found is None:
        raise Http404("no programme")
    return found


def _int(value):
    return int(value) if str(value or "").isdecimal() and len(str(value)) < 19 else None


@staff_view
def ledger(request):
    if not may_see_ledger(request.actor):
        raise Http404
    programme = _programme(request)
    street = Region.objects.filter(
        level=Region.Level.STREET, pk=_int(request.GET.get("street"))
    ).first()
    batch = Batch.objects.filter(programme=programme, pk=_int(request.GET.get("batch"))).first()
    project_class = request.GET.get("class", "")
    project_class = project_class if project_class in ProjectClass.values else ""
    light = request.GET.get("light", "")
    q = request.GET.get("q", "").strip()[:50]
    projects = queries.ledger(q=q, street=street, batch=batch, project_class=project_class,
                              programme=programme)  # fmt: skip
    today = timezone.localdate()
    if light in progress.LIGHTS:
        projects = [
            p for p in projects if progress.light(progress.value(p), p.batch, today) == light
        ]
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for p in page.object_list:
        tone = progress.light(progress.value(p), p.batch, today)
        rows.append((p, progress.value(p), tone, progress.LIGHTS[tone]))
    items = WorkItem.objects.filter(project__programme=programme)
    by_batch = progress.rollup("project__batch", items)
    by_street = progress.rollup("project__compound__community__parent", items)
    batches = []
    for b in queries.programmes().get(pk=programme.pk).batches.all():
        value = by_batch.get(b.pk, {}).get("progress", 0.0)
        tone = progress.light(value, b, today)
        batches.append((b, value, tone, progress.LIGHTS[tone]))
    street_names = dict(Region.objects.filter(level=Region.Level.STREET).values_list("pk", "name"))
    streets = sorted(((street_names.get(k, "—"), v) for k, v in by_street.items()),
                     key=lambda r: r[0])  # fmt: skip
    total = progress.rollup("project__programme", items).get(programme.pk, {"progress": 0.0})
    return render(request, "console/renovation/ledger.html", {
        "programme": programme, "programmes": Programme.objects.order_by("code"),
        "batches": batches, "streets": streets, "rows": rows, "page": page,
        "total": total, "lights": progress.LIGHTS, "street_choices": sorted(
            street_names.items(), key=lambda r: r[1]),
        "classes": ProjectClass.choices, "filters": {"q": q, "street": street, "batch": batch,
                                                     "class": project_class, "light": light},
        "may_import": RULES.allows("import_programme", request.actor, programme),
    })  # fmt: skip


@staff_view
def export(request):
    if not may_see_ledger(request.actor):
        raise Http404
    programme = _programme(request)
    response = HttpResponse(export_programme(programme), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))  # fmt: skip
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="renovation-{programme.code}-{stamp}.xlsx"'
    )
    return response


@staff_view
@require_POST
def import_view(request):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an xlsx file to import."))
    elif upload.size > 20 * 1024 * 1024:
        messages.error(request, _("The file is larger than 20 MB."))
    else:
        try:
            counts = import_programme(upload.read(), request.actor)
        except ImportRefused as refused:
            messages.error(request, _("Nothing was imported: the file has %(n)d error(s).")
                           % {"n": len(refused.errors)})  # fmt: skip
            for sheet, row, message in refused.errors[:30]:
                messages.error(request, _("%(sheet)s row %(row)s: %(message)s")
                               % {"sheet": sheet, "row": row, "message": message})  # fmt: skip
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Imported: %(b)d batches, %(p)d projects, %(i)d items "
                                        "changed, %(f)d funding lines.")
                             % {"b": counts["batches"], "p": counts["projects"],
                                "i": counts["items"], "f": counts["funding"]})  # fmt: skip
    return redirect("console:renovation")


# --- a compound's desk ------------------------------------------------------------------


def _project_or_404(actor, compound_id) -> Project:
    project = queries.project_for(compound_id)
    if project is None or not may_see_desk(actor, project):
        raise Http404("not in scope")
    return project


@staff_view
def desk(request, compound_id: int):
    actor = request.actor
    project = _project_or_404(actor, compound_id)
    actions.ensure_stages(project)
    items = list(queries.items(project))
    orders = list(queries.orders(compound_id))
    stages = list(queries.stages(project))
    votes = list(queries.votes(project))
    value = progress.value(project)
    return render(request, "console/renovation/desk.html", {
        "project": project, "compound": project.compound, "progress": value,
        "light": progress.light(value, project.batch), "lights": progress.LIGHTS,
        "items": [(i, RULES.available(actor, i, kind="item")) for i in items],
        "orders": [(o, RULES.available(actor, o, kind="review")
                    + (["take_order"] if RULES.allows("take_order", actor, o) else []))
                   for o in orders],  # fmt: skip
        "mergeable": [o for o in orders if o.state in ("submitted", "accepted", "taken")],
        "accepted": [o for o in orders if o.state == Order.State.ACCEPTED],
        "stages": [(s, RULES.available(actor, s, kind="stage")) for s in stages],
        "votes": [(v, RULES.available(actor, v, kind="vote")) for v in votes],
        "may": {n: RULES.allows(n, actor, project)
                for n in ("add_item", "create_vote", "issue_codes")},
        "households": Household.objects.filter(compound_id=compound_id, is_active=True).count(),
        "events": [(e, _event_label(e.action)) for e in Event.objects.filter(
            compound_id=compound_id).order_by("-at", "-id")[:100]],
        "menu": WorkType.objects.filter(is_active=True), "adoption_kinds": Adoption.Kind.choices,
        "today": timezone.localdate(),
    })  # fmt: skip


EXTRA_LABELS = {"add_photos": gettext_lazy("Photos added"), "import": gettext_lazy("Import xlsx")}


def _event_label(action: str) -> str:
    if action in RULES:
        return str(RULES[action].label)
    return str(EXTRA_LABELS.get(action, action))


def _objects(actor, subject: str, pk: int):
    related = "project__compound__community"
    model = {"item": WorkItem, "stage": Stage, "vote": Vote}.get(subject)
    if subject == "order":
        obj = get_object_or_404(Order.objects.select_related("compound__community"), pk=pk)
        compound_id = obj.compound_id
    elif subject == "project":
        obj = get_object_or_404(
            Project.objects.select_related("compound__community", "batch"), pk=pk
        )
        compound_id = obj.compound_id
    elif model is not None:
        obj = get_object_or_404(model.objects.select_related(related), pk=pk)
        compound_id = obj.project.compound_id
    else:
        raise Http404
    _project_or_404(actor, compound_id)
    return obj, compound_id


def _run(actor, subject, name, obj, post, files):
    version = post.get("version")
    calls = {
        ("order", "accept_order"): lambda: actions.accept_order(actor, obj, version=version),
        ("order", "merge_order"): lambda: actions.merge_order(actor, obj, post.get("into"),
                                                              version=version),
        ("order", "decline_order"): lambda: actions.decline_order(
            actor, obj, reason=post.get("reason", ""), version=version),
        ("order", "take_order"): lambda: actions.take_order(
            actor, obj, budget=post.get("budget"), quantity=post.get("quantity"),
            title=post.get("title", ""), version=version),
        ("item", "update_item"): lambda: actions.update_item(
            actor, obj, progress=post.get("progress"), budget=post.get("budget"),
            quantity=post.get("quantity"), version=version),
        ("item", "adopt_item"): lambda: actions.adopt_item(
            actor, obj, kind=post.get("kind", ""), money=post.get("money"),
            labour=post.get("labour", ""), design=post.get("design", ""),
            unit=post.get("unit") or None, version=version),
        ("item", "deliver_item"): lambda: actions.deliver_item(
            actor, obj, photos=files.getlist("photos"), note=post.get("note", ""),
            version=version),
        ("stage", "open_stage"): lambda: actions.open_stage(actor, obj, version=version),
        ("stage", "complete_stage"): lambda: actions.complete_stage(
            actor, obj, held_on=post.get("held_on"), minutes=post.get("minutes", ""),
            published_text=post.get("published_text", ""), version=version),
        ("vote", "open_vote"): lambda: actions.open_vote(actor, obj, version=version),
        ("vote", "close_vote"): lambda: actions.close_vote(actor, obj, version=version),
        ("project", "add_item"): lambda: actions.add_item(
            actor, obj, title=post.get("title", ""), work_type=post.get("work_type", ""),
            quantity=post.get("quantity"), budget=post.get("budget"),
            progress=post.get("progress") or 0),
        ("project", "create_vote"): lambda: actions.create_vote(
            actor, obj, title=post.get("title", ""), opens_at=post.get("opens_at"),
            closes_at=post.get("closes_at"), orders=post.getlist("orders"),
            questions=post.get("questions", "").splitlines()),
        ("project", "add_photos"): lambda: actions.add_project_photos(
            actor, obj, kind=post.get("kind", ""), photos=files.getlist("photos")),
    }  # fmt: skip
    call = calls.get((subject, name))
    if call is None:
        raise Http404
    return call()


@staff_view
@require_POST
def act(request, subject: str, pk: int, name: str):
    obj, compound_id = _objects(request.actor, subject, pk)
    try:
        _run(request.actor, subject, name, obj, request.POST, request.FILES)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        label = RULES[name].label if name in RULES else _("Photos added")
        messages.success(request, _("Done: %(action)s.") % {"action": label})
    return redirect(reverse("console:renovation_desk", args=[compound_id]) + f"#{subject}-{pk}")


@staff_view
def codes(request, compound_id: int):
    """Issue household codes and print them once as a sheet of slips (the codes are not kept)."""
    project = _project_or_404(request.actor, compound_id)
    if request.method == "POST":
        try:
            issued = actions.issue_codes(request.actor, project,
                                         request.POST.get("labels", "").splitlines())  # fmt: skip
        except ActionError as error:
            messages.error(request, error.message)
            return redirect("console:renovation_codes", compound_id)
        context = {"compound": project.compound, "issued": issued,
                   "url": request.build_absolute_uri(
                       reverse("portal:renovation_compound", args=[compound_id]))}  # fmt: skip
        if request.POST.get("format") == "pdf":
            from django.template.loader import render_to_string
            from weasyprint import HTML  # imported late: it loads Pango and fonts

            html = render_to_string("console/renovation/slips_pdf.html", context, request=request)
            response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
            response["Content-Disposition"] = (
                f'attachment; filename="codes-{project.compound.code}.pdf"'
            )
        else:
            response = render(request, "console/renovation/slips.html", context)
        response["Cache-Control"] = "no-store"
        return response
    households = Household.objects.filter(compound_id=compound_id, is_active=True).order_by("label")
    return render(request, "console/renovation/codes.html",
                  {"compound": project.compound, "project": project,
                   "households": households,
                   "may": RULES.allows("issue_codes", request.actor, project)})  # fmt: skip


# --- adopters ------------------------------------------------------------------------------


@staff_view
def adopter(request):
    actor = request.actor
    if not actor.has(Role.ADOPTER, Role.ADMINISTRATOR, Role.RENOVATION_OFFICER):
        raise Http404
    q = request.GET.get("q", "").strip()[:50]
    open_items = (
        WorkItem.objects.filter(state=WorkItem.State.PLANNED)
        .select_related("project__compound__community__parent", "work_type", "project__batch")
        .order_by("project__batch__deadline", "project__compound__code", "id")
    )
    if q:
        open_items = open_items.filter(project__compound__name__icontains=q)
    page = Paginator(open_items, PAGE_SIZE).get_page(request.GET.get("page"))
    mine = (
        Adoption.objects.filter(unit_id__in=actor.unit_ids(Role.ADOPTER))
        .select_related("item__project__compound", "unit")
        .order_by("-adopted_at")
    )
    return render(request, "console/renovation/adopter.html", {
        "page": page, "mine": mine, "q": q, "kinds": Adoption.Kind.choices,
        "may_adopt": actor.has(Role.ADOPTER, Role.ADMINISTRATOR),
    })  # fmt: skip


urlpatterns = [
    path("renovation/", ledger, name="renovation"),
    path("renovation/export.xlsx", export, name="renovation_export"),
    path("renovation/import/", import_view, name="renovation_import"),
    path("renovation/adopt/", adopter, name="renovation_adopter"),
    path("renovation/compounds/<int:compound_id>/", desk, name="renovation_desk"),
    path("renovation/compounds/<int:compound_id>/codes/", codes, name="renovation_codes"),
    path("renovation/act/<slug:subject>/<int:pk>/<slug:name>/", act, name="renovation_act"),
]
