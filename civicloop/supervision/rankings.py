"""Rankings and 红黑榜 of units and street-level leaders per period, in SQL.

For a period (:class:`civicloop.evaluation.periods.Period`) each lead unit is
counted on the items and campaign rows **due** in it (deadline inside the
period):

* ``on_time`` — items completed on time, rows done by their deadline;
* ``overdue`` — items completed late or still not complete after their
  deadline, rows not done by their deadline;
* ``reds`` — red sheets issued in the period (the worker's colour change to
  red and each chasing notice while red);
* ``rejections`` — review rejections in the period.

The supervision score is a weighted mean (weights in
:class:`~.models.SupervisionSettings`, defaults 60/20/10/10) of the on-time
rate, 1 − overdue share, 1 − red share and 1 − rejection share (shares of
the due count, capped at 1), × 100. Where ``case_weight`` > 0 and the unit
(or, for street offices, the street) has a case-loop composite score from
:mod:`civicloop.evaluation` in the period, the final score is
``(1 − w) × supervision + w × case loop``. Units with nothing due are listed
but not ranked. The red list is the best ``list_size``, the black list the
worst ``list_size`` of the others.

``streets=True`` ranks the street offices only, each named with its unit
leaders: the street-level leaders of the 红黑榜.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from civicloop.org.models import Membership, Role, Unit

from .models import CampaignRow, Completion, Item, ItemEvent, SupervisionSettings


@dataclass
class RankRow:
    unit_id: int
    name: str
    leaders: list[str] = field(default_factory=list)
    due: int = 0
    on_time: int = 0
    overdue: int = 0
    reds: int = 0
    rejections: int = 0
    on_time_rate: float | None = None
    supervision_score: float | None = None
    case_score: float | None = None
    score: float | None = None
    rank: int | None = None
    red: bool = False
    black: bool = False


@dataclass
class RankTable:
    period: object
    rows: list[RankRow]

    @property
    def ranked(self) -> list[RankRow]:
        return [r for r in self.rows if r.rank is not None]

    @property
    def red_list(self) -> list[RankRow]:
        return [r for r in self.rows if r.red]

    @property
    def black_list(self) -> list[RankRow]:
        return sorted((r for r in self.rows if r.black), key=lambda r: -(r.rank or 0))


def _add(target: dict, rows, key: str, value: str) -> None:
    for entry in rows:
        target.setdefault(entry[key], {}).setdefault(value, 0)
        target[entry[key]][value] += entry["n"]


def counts(period, today: datetime.date) -> dict[int, dict[str, int]]:
    """{unit id: {due, on_time, overdue, reds, rejections}} (five aggregate queries)."""
    first, last = period.first, period.last
    out: dict[int, dict[str, int]] = {}
    items = Item.objects.filter(deadline__gte=first, deadline__lte=last)
    late = Q(completion=Completion.OVERDUE) | (Q(completion="") & Q(deadline__lt=today))
    for entry in items.values("lead_unit_id").annotate(
        due=Count("id"), on_time=Count("id", filter=Q(completion=Completion.ON_TIME)),
        overdue=Count("id", filter=late),
    ):  # fmt: skip
        row = out.setdefault(entry["lead_unit_id"], {})
        for key in ("due", "on_time", "overdue"):
            row[key] = row.get(key, 0) + entry[key]
    rows = CampaignRow.objects.filter(deadline__gte=first, deadline__lte=last)
    row_late = Q(done=False, deadline__lt=today) | Q(done=True, done_on__gt=F("deadline"))
    for entry in rows.values("unit_id").annotate(
        due=Count("id"), on_time=Count("id", filter=Q(done=True, done_on__lte=F("deadline"))),
        overdue=Count("id", filter=row_late),
    ):  # fmt: skip
        row = out.setdefault(entry["unit_id"], {})
        for key in ("due", "on_time", "overdue"):
            row[key] = row.get(key, 0) + entry[key]
    events = ItemEvent.objects.filter(at__gte=period.start, at__lt=period.end)
    reds = events.filter(Q(action=ItemEvent.Action.COLOUR, data__to="red")
                         | Q(action=ItemEvent.Action.CHASE, data__red_sheet=True))  # fmt: skip
    _add(
        out, reds.values("item__lead_unit_id").annotate(n=Count("id")), "item__lead_unit_id", "reds"
    )
    rejected = events.filter(action=ItemEvent.Action.REJECT)
    _add(out, rejected.values("item__lead_unit_id").annotate(n=Count("id")), "item__lead_unit_id",
         "rejections")  # fmt: skip
    return out


def _case_scores(period, streets: bool) -> dict[int, float]:
    """Case-loop composite scores by unit id (streets: by street office via its street)."""
    from civicloop.evaluation.indicators import evaluate

    table = evaluate("street" if streets else "unit", period, with_previous=False)
    scores = {r.entity_id: r.score for r in table.rows if r.score is not None}
    if not streets:
        return scores
    offices = Unit.objects.filter(kind=Unit.Kind.STREET_OFFICE, region_id__in=scores)
    return {u.pk: scores[u.region_id] for u in offices}


def ranking(period, *, streets: bool = False, today: datetime.date | None = None,
            config: SupervisionSettings | None = None) -> RankTable:  # fmt: skip
    config = config or SupervisionSettings.get()
    today = today or timezone.localdate()
    found = counts(period, today)
    units = Unit.objects.filter(Q(pk__in=found) | Q(kind=Unit.Kind.STREET_OFFICE, is_active=True))
    if streets:
        units = units.filter(kind=Unit.Kind.STREET_OFFICE)
    units = list(units.order_by("name").values_list("pk", "name"))
    leaders: dict[int, list[str]] = {}
    for unit_id, name in (
        Membership.objects.filter(unit_id__in=[u for u, _n in units], role=Role.UNIT_LEADER,
                                  is_active=True).order_by("person__name")
        .values_list("unit_id", "person__name")
    ):  # fmt: skip
        leaders.setdefault(unit_id, []).append(name)
    weight = float(config.case_weight or 0)
    case = _case_scores(period, streets) if weight > 0 else {}
    weights = (config.weight_on_time, config.weight_not_overdue, config.weight_no_red,
               config.weight_no_rejection)  # fmt: skip
    total_weight = sum(weights) or 1
    rows = []
    for unit_id, name in units:
        values = found.get(unit_id, {})
        row = RankRow(unit_id=unit_id, name=name, leaders=leaders.get(unit_id, []),
                      **{k: values.get(k, 0) for k in ("due", "on_time", "overdue", "reds",
                                                       "rejections")})  # fmt: skip
        if row.due:
            row.on_time_rate = row.on_time / row.due
            shares = (row.on_time_rate, 1 - min(1, row.overdue / row.due),
                      1 - min(1, row.reds / row.due), 1 - min(1, row.rejections / row.due))  # fmt: skip
            row.supervision_score = round(
                100 * sum(w * s for w, s in zip(weights, shares, strict=True)) / total_weight, 2
            )
            row.case_score = case.get(unit_id)
            row.score = row.supervision_score if row.case_score is None else round(
                (1 - weight) * row.supervision_score + weight * row.case_score, 2)  # fmt: skip
        rows.append(row)
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.name))
    rank, previous = 0, None
    for index, row in enumerate(r for r in rows if r.score is not None):
        if row.score != previous:
            rank, previous = index + 1, row.score
        row.rank = rank
    ranked = [r for r in rows if r.rank is not None]
    n = config.list_size
    for row in ranked[:n]:
        row.red = True
    for row in ranked[::-1][:n]:
        if not row.red:
            row.black = True
    return RankTable(period=period, rows=rows)
