"""Reads shared by every face (API, console, portal): one definition each, counted in SQL."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from . import progress
from .models import Batch, Order, Programme, Project, Stage, Vote, WorkItem

PROJECT_RELATED = ("batch", "programme", "compound__community__parent")


def programmes() -> QuerySet:
    """Programmes with their compound count and batches (with theirs), in three queries."""
    batches = Batch.objects.annotate(compounds=Count("projects")).order_by("seq")
    return (
        Programme.objects.annotate(compounds=Count("projects"))
        .prefetch_related(Prefetch("batches", queryset=batches))
        .order_by("code")
    )


def ledger(*, q: str = "", street=None, batch=None, project_class: str = "", programme=None,
           state: str = "") -> QuerySet:  # fmt: skip
    """Compound projects for the ledger, each annotated with its progress sums."""
    projects = Project.objects.select_related(*PROJECT_RELATED)
    if programme:
        projects = projects.filter(programme=programme)
    if q:
        projects = projects.filter(
            Q(compound__name__icontains=q) | Q(compound__code__iexact=q)
            | Q(bid_section__icontains=q) | Q(compound__community__name__icontains=q)
        )  # fmt: skip
    if street:
        projects = projects.filter(compound__community__parent=street)
    if batch:
        projects = projects.filter(batch=batch)
    if project_class:
        projects = projects.filter(project_class=project_class)
    if state:
        projects = projects.filter(state=state)
    # The pilot first, then by batch and compound code.
    return progress.with_progress(projects).order_by("-is_pilot", "batch__seq", "compound__code")


def light_of(project, today=None) -> str:
    return progress.light(progress.value(project), project.batch, today)


def project_for(compound_id: int) -> Project | None:
    """The compound's current renovation project (the latest programme's)."""
    return (
        progress.with_progress(Project.objects.filter(compound_id=compound_id))
        .select_related(*PROJECT_RELATED)
        .order_by("-programme_id")
        .first()
    )


def orders(compound_id: int) -> QuerySet:
    """A compound's orders with the published vote counts and the adopter of their item."""
    closed = Q(questions__vote__state=Vote.State.CLOSED)
    return (
        Order.objects.filter(compound_id=compound_id)
        .select_related(
            "work_type", "compound__community", "work_item__adoption__unit", "merged_into"
        )  # fmt: skip
        .annotate(
            votes_for_sum=Sum("questions__votes_for", filter=closed),
            votes_against_sum=Sum("questions__votes_against", filter=closed),
        )
        .order_by("-created_at", "-id")
    )


def adopted_by(order) -> str:
    item = getattr(order, "work_item", None) if _has(order, "work_item") else None
    adoption = (
        getattr(item, "adoption", None) if item is not None and _has(item, "adoption") else None
    )
    return adoption.unit.name if adoption is not None else ""


def _has(obj, name: str) -> bool:
    try:
        getattr(obj, name)
    except Exception:  # RelatedObjectDoesNotExist of a reverse one-to-one
        return False
    return True


def items(project) -> QuerySet:
    return (
        WorkItem.objects.filter(project=project)
        .select_related(
            "work_type", "adoption__unit", "adoption__person", "project__compound__community"
        )  # fmt: skip
        .order_by("id")
    )


def stages(project) -> QuerySet:
    return Stage.objects.filter(project=project).select_related("project__compound__community")


def votes(project) -> QuerySet:
    return (
        Vote.objects.filter(project=project)
        .select_related("project__compound__community")
        .prefetch_related("questions")
        .order_by("-opens_at")
    )


def vote_is_open(vote, at=None) -> bool:
    at = at or timezone.now()
    return vote.state == Vote.State.OPEN and vote.opens_at <= at < vote.closes_at


def project_at(lon: float, lat: float, community_id: int | None):
    """The renovation project of the compound a point lies in (two small queries), or None.

    Compounds are searched within the point's community (a handful), and the
    point tested against each outline with shapely.
    """
    if community_id is None or lon is None or lat is None:
        return None
    import shapely

    from civicloop.geo.models import Compound

    point = shapely.Point(lon, lat)
    for compound in Compound.objects.filter(
        community_id=community_id, renovations__isnull=False
    ).distinct():
        shape = compound.geometry
        if shape is not None and shape.covers(point):
            return project_for(compound.pk)
    return None
