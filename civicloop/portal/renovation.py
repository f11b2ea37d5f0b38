"""Residents' renovation pages: compound pages (public) and ordering, voting, rating (with the household code).

The household code is typed each time and never kept (not in the session,
not in a cookie): it is the household's key, and a shared phone must not keep it.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicloop.core.errors import ActionError
from civicloop.renovation import actions, progress, queries
from civicloop.renovation.actions import votes as vote_actions
from civicloop.renovation.models import (
    Choice,
    Funding,
    Order,
    Photo,
    Stage,
    Vote,
    WorkItem,
    WorkType,
)

from .views import limit_intake

PAGE = 30


def _project_or_404(compound_id: int):
    project = queries.project_for(compound_id)
    if project is None:
        raise Http404("not under renovation")
    return project


@require_GET
def compound_list(request):
    q = request.GET.get("q", "").strip()[:50]
    projects = queries.ledger(q=q)
    rows = [(p, progress.value(p)) for p in projects[:PAGE]]
    return render(request, "portal/renovation/list.html", {"rows": rows, "q": q})


@require_GET
def compound(request, compound_id: int):
    project = _project_or_404(compound_id)
    value = progress.value(project)
    light = progress.light(value, project.batch)
    items = list(queries.items(project))
    orders = list(queries.orders(compound_id).exclude(state=Order.State.MERGED)[:50])
    stages = list(queries.stages(project))
    votes = list(queries.votes(project).exclude(state=Vote.State.DRAFT))
    funding = list(Funding.objects.filter(project=project).order_by("source", "id"))
    photos = list(Photo.objects.filter(project=project, kind__in=["before", "after"])[:12])
    adopters = [i.adoption for i in items if _adopted(i)]
    return render(request, "portal/renovation/compound.html", {
        "project": project, "compound": project.compound, "progress": value,
        "light": light, "light_label": progress.LIGHTS[light],
        "items": items, "orders": orders, "stages": stages, "votes": votes,
        "funding": funding, "photos": photos, "adopters": adopters,
        "published": [s for s in stages if s.published_text and s.state == Stage.State.DONE],
        "open_votes": [v for v in votes if queries.vote_is_open(v)],
    })  # fmt: skip


def _adopted(item) -> bool:
    try:
        return item.adoption is not None
    except WorkItem.adoption.RelatedObjectDoesNotExist:
        return False


@require_http_methods(["GET", "POST"])
@limit_intake
def order(request, compound_id: int):
    project = _project_or_404(compound_id)
    menu = WorkType.objects.filter(is_active=True)
    context = {"project": project, "compound": project.compound, "menu": menu, "data": request.POST}
    if request.method == "POST":
        try:
            resident = actions.resident_for(request.POST.get("code", ""), compound=project.compound)
            placed = actions.place_order(
                resident, project, title=request.POST.get("title", ""),
                text=request.POST.get("text", ""), work_type=request.POST.get("work_type", ""),
                photos=request.FILES.getlist("photos"),
            )  # fmt: skip
        except ActionError as error:
            context["error"] = error
            return render(request, "portal/renovation/order.html", context, status=400)
        return render(request, "portal/renovation/done.html", {
            "compound": project.compound, "message": _("Your order was received: %(t)s. The "
            "community will review it; look it up under “My household” with your code.")
            % {"t": placed.title}})  # fmt: skip
    return render(request, "portal/renovation/order.html", context)


@require_http_methods(["GET", "POST"])
@limit_intake
def mine(request, compound_id: int):
    """A household's own orders (with the reason of a decline), votes and items to rate."""
    project = _project_or_404(compound_id)
    context = {"project": project, "compound": project.compound}
    if request.method == "POST":
        try:
            resident = actions.resident_for(request.POST.get("code", ""), compound=project.compound)
        except ActionError as error:
            context["error"] = error
            return render(request, "portal/renovation/mine.html", context, status=400)
        votes = list(queries.votes(project).filter(state=Vote.State.OPEN))
        voted = set(resident.household.receipts.values_list("vote_id", flat=True))
        context.update({
            "household": resident.household,
            "my_orders": Order.objects.filter(household=resident.household)
            .select_related("merged_into", "work_type").order_by("-created_at"),
            "votes": [(v, v.pk in voted) for v in votes if queries.vote_is_open(v)],
            "to_rate": WorkItem.objects.filter(project=project, state__in=["delivered", "done"])
            .exclude(ratings__household=resident.household).select_related("adoption__unit"),
        })  # fmt: skip
    return render(request, "portal/renovation/mine.html", context)


@require_http_methods(["GET", "POST"])
@limit_intake
def ballot(request, compound_id: int, vote_id: int):
    project = _project_or_404(compound_id)
    vote = get_object_or_404(queries.votes(project), pk=vote_id)
    context = {"project": project, "compound": project.compound, "vote": vote,
               "questions": list(vote.questions.all()), "answers": Choice.Answer.choices,
               "is_open": queries.vote_is_open(vote)}  # fmt: skip
    if request.method == "POST":
        answers = {str(q.pk): request.POST.get(f"q{q.pk}", "") for q in context["questions"]}
        try:
            resident = actions.resident_for(request.POST.get("code", ""), compound=project.compound)
            if vote_actions.has_voted(resident, vote):
                actions.change_vote(resident, vote, answers)
                message = _(
                    "Your household's vote was changed. You may change it again until the vote closes."
                )
            else:
                actions.cast_vote(resident, vote, answers)
                message = _(
                    "Your household's vote was received. You may change it until the vote closes."
                )
        except ActionError as error:
            context["error"] = error
            return render(request, "portal/renovation/ballot.html", context, status=400)
        return render(request, "portal/renovation/done.html",
                      {"compound": project.compound, "message": message})  # fmt: skip
    return render(request, "portal/renovation/ballot.html", context)


@require_http_methods(["GET", "POST"])
@limit_intake
def rate(request, compound_id: int, item_id: int):
    project = _project_or_404(compound_id)
    item = get_object_or_404(
        WorkItem.objects.select_related("project__compound__community", "adoption__unit"),
        pk=item_id,
        project=project,
    )
    context = {"project": project, "compound": project.compound, "item": item,
               "photos": Photo.objects.filter(item=item, kind="delivery")}  # fmt: skip
    if request.method == "POST":
        try:
            resident = actions.resident_for(request.POST.get("code", ""), compound=project.compound)
            actions.rate_item(resident, item, stars=request.POST.get("stars"),
                              comment=request.POST.get("comment", ""))  # fmt: skip
        except ActionError as error:
            context["error"] = error
            return render(request, "portal/renovation/rate.html", context, status=400)
        return render(request, "portal/renovation/done.html",
                      {"compound": project.compound, "message": _("Thank you for rating.")})  # fmt: skip
    return render(request, "portal/renovation/rate.html", context)


@require_GET
def photo(request, pk: int, variant: str):
    if variant not in ("public", "thumbnail"):
        raise Http404
    found = get_object_or_404(Photo, pk=pk)
    field = getattr(found, variant)
    if not field.name or not default_storage.exists(field.name):
        raise Http404
    content_type = "image/jpeg" if variant == "thumbnail" else found.content_type
    return FileResponse(default_storage.open(field.name, "rb"), content_type=content_type)


urlpatterns = [
    path("compounds/", compound_list, name="renovation_compounds"),
    path("compounds/<int:compound_id>/", compound, name="renovation_compound"),
    path("compounds/<int:compound_id>/order/", order, name="renovation_order"),
    path("compounds/<int:compound_id>/mine/", mine, name="renovation_mine"),
    path("compounds/<int:compound_id>/votes/<int:vote_id>/", ballot, name="renovation_ballot"),
    path("compounds/<int:compound_id>/items/<int:item_id>/rate/", rate, name="renovation_rate"),
    path("compounds/photos/<int:pk>/<str:variant>/", photo, name="renovation_photo"),
]
