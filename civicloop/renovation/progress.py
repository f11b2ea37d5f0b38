"""Progress rolled up from work items, weighted by budget, and lights against batch deadlines.

One definition, used by every face: the progress of any group of items (a
compound, a batch, a street, a programme) is Σ(budget × progress) / Σ budget
over its items, counted in SQL; when the items of a group have no budget yet
it is the plain mean of their progress; a group without items is at 0 %.

Lights (:func:`light`): ``done`` at 100 %; ``red`` past the batch deadline;
``yellow`` within ``RENOVATION_YELLOW_DAYS`` of it, or more than 20 points
behind the straight line from the batch's start to its deadline; else
``green``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Project, WorkItem

LIGHTS = {
    "done": _("done"),
    "green": _("on schedule"),
    "yellow": _("at risk"),
    "red": _("late"),
}
BEHIND_POINTS = 20


def _sums(prefix: str = "") -> dict:
    weighted = ExpressionWrapper(
        F(f"{prefix}budget") * F(f"{prefix}progress"),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )
    return {
        "w_sum": Sum(weighted),
        "b_sum": Sum(f"{prefix}budget"),
        "p_avg": Avg(f"{prefix}progress"),
        "n_items": Count(f"{prefix}id"),
    }


def value(row) -> float:
    """Progress (0–100, one decimal) from a row annotated by :func:`with_progress` / :func:`rollup`."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k, None)
    budget, weighted, mean = get("b_sum"), get("w_sum"), get("p_avg")
    if budget:
        return round(float(weighted or 0) / float(budget), 1)
    return round(float(mean or 0), 1)


def with_progress(projects: QuerySet | None = None) -> QuerySet:
    """Projects annotated with their items' sums (``value(project)`` reads them)."""
    projects = Project.objects.all() if projects is None else projects
    return projects.annotate(**_sums("items__"))


def rollup(group: str, items: QuerySet | None = None) -> dict:
    """{group value: {"progress", "budget", "items"}} for ``group`` a WorkItem path.

    ``group`` examples: ``project__batch`` (batches), ``project__compound__community__parent``
    (streets), ``project__programme`` (programmes).
    """
    items = WorkItem.objects.all() if items is None else items
    rows = items.order_by().values(group).annotate(**_sums())
    return {
        row[group]: {"progress": value(row), "budget": row["b_sum"] or 0, "items": row["n_items"]}
        for row in rows
    }


def light(progress: float, batch, today: datetime.date | None = None) -> str:
    """The light of something at ``progress`` % in ``batch`` (one rule for compounds and batches)."""
    today = today or timezone.localdate()
    if progress >= 100:
        return "done"
    if today > batch.deadline:
        return "red"
    if (batch.deadline - today).days <= settings.RENOVATION_YELLOW_DAYS:
        return "yellow"
    span = (batch.deadline - batch.starts_on).days or 1
    elapsed = min(max((today - batch.starts_on).days, 0), span)
    if progress < elapsed / span * 100 - BEHIND_POINTS:
        return "yellow"
    return "green"
