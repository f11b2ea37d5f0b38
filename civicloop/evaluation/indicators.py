"""Indicators, composite scores, grades, rankings and red/black lists, computed in SQL.

Each *scope* (handling units, streets, communities, grid cells, road chiefs,
inspectors, acceptors, shift leaders, dispatchers) is described by data:

* **sources**: a table (cases, case events or case requests), the rows of
  the period (``base``) and the column the rows are grouped by;
* **measures**: conditional counts or sums over one source
  (``Count("pk", filter=Q(...))``); one ``GROUP BY`` query per source
  computes all of them for every entity at once;
* **derived** counts (sums of measures), **rates** (ratios of counts) and the
  **composite** score: weights and bands from :class:`EvaluationConfig`.

Because every measure is a source plus a ``Q``, the rows behind any number
are that source filtered by the same ``Q`` (:func:`drilldown`): the list a
number links to is exactly what was counted.

What each measure counts is written next to it; the README section explains
the choices. "Now" (``as_of``) matters only for the stock measures (pending
and overdue pending), which describe the cases' current state.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from civicloop.cases.models import (
    CancelReason,
    Case,
    CaseEvent,
    CaseRequest,
    Source,
    State,
    past_deadline_q,
)
from civicloop.geo.models import GridCell, Region
from civicloop.org.models import Membership, Person, Role, Unit

from .models import EvaluationConfig
from .periods import Period

Action = CaseEvent.Action

#: Sources that count as reports by the public (监督举报: residents, the hotline, volunteers).
PUBLIC_SOURCES = (Source.PUBLIC, Source.HOTLINE, Source.VOLUNTEER)

# --- building blocks ------------------------------------------------------------


@dataclass(frozen=True)
class SourceSpec:
    key: str
    model: type
    group: str  # the column grouped by (an entity id, or a key mapped to entities)
    row: str  # "case", "event" or "request": what one counted row is
    base: Callable[[Period, datetime.datetime], Q]
    annotate: Callable[[], dict] | None = None
    #: entity id → group keys, when groups are not entities (an inspector's patrol areas)
    entity_groups: Callable[[], dict[int, list[int]]] | None = None


@dataclass(frozen=True)
class Measure:
    key: str
    label: object
    source: str
    q: Callable[[datetime.datetime], Q] | Q | None = None
    sum_field: str | None = None  # Sum of this field instead of a row count
    help: object = ""

    def condition(self, as_of: datetime.datetime) -> Q | None:
        return self.q(as_of) if callable(self.q) else self.q


@dataclass(frozen=True)
class Derived:
    key: str
    label: object
    parts: tuple[str, ...]
    help: object = ""


@dataclass(frozen=True)
class Rate:
    key: str
    label: object
    num: str
    den: str
    bad: bool = False  # score = (1 - rate) × 100


@dataclass(frozen=True)
class Component:
    weight: str  # key in the configured weights of the family
    rate: str | None = None
    band: str | None = None  # "filed_count_bands" or "dispatch_count_bands"
    count: str | None = None  # the count the band is read from


@dataclass(frozen=True)
class Scope:
    key: str
    label: object
    entity_label: object
    family: str
    entities: Callable[[set], list[tuple[int, str]]]
    sources: tuple[SourceSpec, ...]
    measures: tuple[Measure, ...]
    derived: tuple[Derived, ...]
    rates: tuple[Rate, ...]
    components: tuple[Component, ...]
    activity: tuple[str, ...]  # ranked when any of these counts is above zero
    columns: tuple[str, ...]  # counts shown in tables, in order

    def measure(self, key: str) -> Measure | None:
        return next((m for m in self.measures if m.key == key), None)

    def source(self, key: str) -> SourceSpec:
        return next(s for s in self.sources if s.key == key)

    def label_of(self, key: str):
        for item in (*self.measures, *self.derived, *self.rates):
            if item.key == key:
                return item.label
        return key

    @property
    def indicator_keys(self) -> set[str]:
        return {m.key for m in self.measures} | {d.key for d in self.derived}


def _in(field_name: str, period: Period) -> Q:
    return Q(**{f"{field_name}__gte": period.start, f"{field_name}__lt": period.end})


HANDLED = Q(handled_at__isnull=False)
CLOSED = Q(state=State.CLOSED)


def overdue_pending(as_of: datetime.datetime) -> Q:
    """Not handled and past the handling deadline now (a suspension stops the clock)."""
    return Q(handled_at__isnull=True) & (
        past_deadline_q(as_of) | Q(state=State.SUSPENDED, suspended_at__gt=F("handling_deadline"))
    )


def due_for_closure(as_of: datetime.datetime) -> Q:
    """Handled, or past the deadline without a result: these should be closed by now."""
    return HANDLED | overdue_pending(as_of)


# --- entities ----------------------------------------------------------------------


def _units(found: set) -> list[tuple[int, str]]:
    return list(
        Unit.objects.filter(Q(is_active=True) | Q(pk__in=found))
        .order_by("kind", "code")
        .values_list("pk", "name")
    )


def _regions(level: int) -> Callable[[set], list[tuple[int, str]]]:
    def entities(found: set) -> list[tuple[int, str]]:
        return list(Region.objects.filter(level=level).order_by("code").values_list("pk", "name"))

    return entities


def _cells(found: set) -> list[tuple[int, str]]:
    # Thousands of cells: only those with cases in the period are listed. When
    # most are, they are read whole and picked here: an IN list of thousands of
    # ids cost PostgreSQL 75 ms to plan (the table read is 7 ms).
    cells = GridCell.objects.order_by("code").values_list("pk", "code", "community__name")
    if len(found) <= 100:
        cells = cells.filter(pk__in=found)
    return [(pk, f"{code} {community}") for pk, code, community in cells if pk in found]


def _people(role: str) -> Callable[[set], list[tuple[int, str]]]:
    """Users holding ``role`` (entity id = user id), plus any user found in the data."""

    def entities(found: set) -> list[tuple[int, str]]:
        User = get_user_model()
        rows = (
            User.objects.filter(
                Q(person__memberships__role=role, person__memberships__is_active=True)
                | Q(pk__in=found)
            )
            .distinct()
            .order_by("username")
            .values_list("pk", "person__name", "username")
        )
        return [(pk, name or username) for pk, name, username in rows]

    return entities


def _road_chiefs(found: set) -> list[tuple[int, str]]:
    return list(
        Person.objects.filter(
            Q(memberships__role=Role.ROAD_CHIEF, memberships__is_active=True) | Q(pk__in=found)
        )
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )


def _inspector_areas() -> dict[int, list[int]]:
    areas: dict[int, list[int]] = {}
    for user_id, area_id in Membership.objects.filter(
        role=Role.INSPECTOR, is_active=True, patrol_area__isnull=False, person__user__isnull=False
    ).values_list("person__user_id", "patrol_area_id"):
        areas.setdefault(user_id, []).append(area_id)
    return areas


# --- the scopes ----------------------------------------------------------------------


def _unit_scope() -> Scope:
    sources = (
        SourceSpec(
            "case", Case, "unit_id", "case",
            lambda p, now: _in("dispatched_at", p) & Q(unit__isnull=False)
            & ~Q(state=State.CANCELLED),
        ),
        SourceSpec(
            "returns", CaseRequest, "unit_id", "request",
            lambda p, now: _in("decided_at", p) & Q(
                kind=CaseRequest.Kind.RETURN, status=CaseRequest.Status.APPROVED,
                unit__isnull=False,
            ),
        ),
    )  # fmt: skip
    measures = (
        Measure("dispatched", pgettext_lazy("evaluation", "dispatched"), "case",
                help=pgettext_lazy("evaluation", "Cases whose latest dispatch to the unit falls in the period (voided cases excluded).")),
        Measure("handled", pgettext_lazy("evaluation", "handled"), "case", HANDLED,
                help=pgettext_lazy("evaluation", "Of those, cases with a result submitted (waiting for check, closure, or closed).")),
        Measure("on_time", pgettext_lazy("evaluation", "handled on time"), "case", HANDLED & Q(handled_on_time=True),
                help=pgettext_lazy("evaluation", "Result submitted before the handling deadline, which extensions and suspensions moved.")),
        Measure("overdue_handled", pgettext_lazy("evaluation", "handled overdue"), "case", HANDLED & Q(handled_on_time=False)),
        Measure("pending", pgettext_lazy("evaluation", "pending"), "case", Q(handled_at__isnull=True),
                help=pgettext_lazy("evaluation", "No result yet (current state, including suspended and reworked cases).")),
        Measure("overdue_pending", pgettext_lazy("evaluation", "overdue pending"), "case", overdue_pending),
        Measure("due_for_closure", pgettext_lazy("evaluation", "due for closure"), "case", due_for_closure,
                help=pgettext_lazy("evaluation", "Handled, or past the deadline without a result.")),
        Measure("closed", pgettext_lazy("evaluation", "closed"), "case", CLOSED),
        Measure("reworks", pgettext_lazy("evaluation", "reworks"), "case", sum_field="rework_count",
                help=pgettext_lazy("evaluation", "Failed checks (each one counts).")),
        Measure("extensions", pgettext_lazy("evaluation", "extensions"), "case", sum_field="extension_count"),
        Measure("suspensions", pgettext_lazy("evaluation", "suspensions"), "case", sum_field="suspension_count"),
        Measure("returns", pgettext_lazy("evaluation", "returns"), "returns",
                help=pgettext_lazy("evaluation", "Returns approved in the period.")),
        Measure("late_returns", pgettext_lazy("evaluation", "late returns"), "returns", Q(after_deadline=True),
                help=pgettext_lazy("evaluation", "Returns asked for after the deadline: they count as due and not on time.")),
    )  # fmt: skip
    return Scope(
        key="unit", label=pgettext_lazy("evaluation", "handling units"), entity_label=pgettext_lazy("evaluation", "unit"), family="unit",
        entities=_units, sources=sources, measures=measures,
        derived=(Derived("due", pgettext_lazy("evaluation", "due"), ("dispatched", "late_returns"),
                         help=pgettext_lazy("evaluation", "Dispatched to the unit, plus its late returns.")),),
        rates=(
            Rate("on_time_rate", pgettext_lazy("evaluation", "on-time rate"), "on_time", "due"),
            Rate("closure_rate", pgettext_lazy("evaluation", "closure rate"), "closed", "due_for_closure"),
            Rate("rework_rate", pgettext_lazy("evaluation", "rework rate"), "reworks", "due_for_closure", bad=True),
        ),
        components=(
            Component("filed_count", band="filed_count_bands", count="due"),
            Component("closure_rate", rate="closure_rate"),
            Component("on_time_rate", rate="on_time_rate"),
            Component("rework_rate", rate="rework_rate"),
        ),
        activity=("due",),
        columns=("due", "handled", "on_time", "overdue_handled", "pending", "overdue_pending",
                 "due_for_closure", "closed", "reworks", "returns", "late_returns",
                 "extensions", "suspensions"),
    )  # fmt: skip


def _region_scope(key, label, entity_label, group, entities) -> Scope:
    sources = (
        SourceSpec(
            "case", Case, group, "case",
            lambda p, now: _in("filed_at", p) & Q(**{f"{group}__isnull": False})
            & ~Q(state=State.CANCELLED),
        ),
    )  # fmt: skip
    measures = (
        Measure("filed", pgettext_lazy("evaluation", "filed"), "case",
                help=pgettext_lazy("evaluation", "Cases filed in the period (voided and merged cases excluded).")),
        Measure("public_reports", pgettext_lazy("evaluation", "public reports"), "case", Q(source__in=PUBLIC_SOURCES),
                help=pgettext_lazy("evaluation", "Filed cases reported by residents, the hotline or volunteers.")),
        Measure("handled", pgettext_lazy("evaluation", "handled"), "case", HANDLED),
        Measure("due_for_closure", pgettext_lazy("evaluation", "due for closure"), "case", due_for_closure),
        Measure("closed", pgettext_lazy("evaluation", "closed"), "case", CLOSED),
        Measure("closed_on_time", pgettext_lazy("evaluation", "closed on time"), "case", CLOSED & Q(handled_on_time=True)),
        Measure("overdue_pending", pgettext_lazy("evaluation", "overdue pending"), "case", overdue_pending),
    )  # fmt: skip
    return Scope(
        key=key, label=label, entity_label=entity_label, family="region", entities=entities,
        sources=sources, measures=measures, derived=(),
        rates=(
            Rate("public_report_rate", pgettext_lazy("evaluation", "public-report rate"), "public_reports", "filed"),
            Rate("closure_rate", pgettext_lazy("evaluation", "closure rate"), "closed", "due_for_closure"),
            Rate("on_time_closure_rate", pgettext_lazy("evaluation", "on-time closure rate"), "closed_on_time",
                 "due_for_closure"),
        ),
        components=(
            Component("public_report_rate", rate="public_report_rate"),
            Component("filed_count", band="filed_count_bands", count="filed"),
            Component("closure_rate", rate="closure_rate"),
            Component("on_time_closure_rate", rate="on_time_closure_rate"),
        ),
        activity=("filed",),
        columns=("filed", "public_reports", "handled", "due_for_closure", "closed",
                 "closed_on_time", "overdue_pending"),
    )  # fmt: skip


def _inspector_scope() -> Scope:
    sources = (
        SourceSpec(
            "reports", Case, "reporter_id", "case",
            lambda p, now: _in("reported_at", p) & Q(source=Source.INSPECTOR,
                                                     reporter__isnull=False),
        ),
        SourceSpec(
            "missed", Case, "patrol_area_id", "case",
            lambda p, now: _in("reported_at", p) & Q(filed_at__isnull=False,
                                                     patrol_area__isnull=False)
            & ~Q(source=Source.INSPECTOR) & ~Q(state=State.CANCELLED),
            entity_groups=_inspector_areas,
        ),
        SourceSpec(
            "steps", CaseEvent, "actor_id", "event",
            lambda p, now: _in("at", p) & Q(action__in=[Action.VERIFY, Action.CHECK],
                                            role=Role.INSPECTOR, actor__isnull=False),
        ),
    )  # fmt: skip
    measures = (
        Measure("reports", pgettext_lazy("evaluation", "reports"), "reports",
                help=pgettext_lazy("evaluation", "Reports the inspector made in the period.")),
        Measure("effective_reports", pgettext_lazy("evaluation", "effective reports"), "reports",
                Q(filed_at__isnull=False) & ~Q(state=State.CANCELLED),
                help=pgettext_lazy("evaluation", "Of those, reports that were filed and not voided or merged.")),
        Measure("missed", pgettext_lazy("evaluation", "missed reports"), "missed",
                help=pgettext_lazy("evaluation", "Problems in the inspector's patrol areas reported by others and filed.")),
        Measure("verifications", pgettext_lazy("evaluation", "verifications"), "steps", Q(action=Action.VERIFY)),
        Measure("verifications_on_time", pgettext_lazy("evaluation", "verified on time"), "steps",
                Q(action=Action.VERIFY, on_time=True)),
        Measure("checks", pgettext_lazy("evaluation", "checks"), "steps", Q(action=Action.CHECK)),
        Measure("checks_on_time", pgettext_lazy("evaluation", "checked on time"), "steps",
                Q(action=Action.CHECK, on_time=True)),
    )  # fmt: skip
    return Scope(
        key="inspector", label=pgettext_lazy("evaluation", "inspectors"), entity_label=pgettext_lazy("evaluation", "inspector"), family="inspector",
        entities=_people(Role.INSPECTOR), sources=sources, measures=measures,
        derived=(Derived("found", pgettext_lazy("evaluation", "problems found"), ("effective_reports", "missed")),),
        rates=(
            Rate("effective_rate", pgettext_lazy("evaluation", "effective report rate"), "effective_reports", "reports"),
            Rate("missed_rate", pgettext_lazy("evaluation", "missed rate"), "missed", "found", bad=True),
            Rate("verify_on_time_rate", pgettext_lazy("evaluation", "on-time verification"), "verifications_on_time",
                 "verifications"),
            Rate("check_on_time_rate", pgettext_lazy("evaluation", "on-time check"), "checks_on_time", "checks"),
        ),
        components=(
            Component("effective_rate", rate="effective_rate"),
            Component("missed_rate", rate="missed_rate"),
            Component("verify_on_time_rate", rate="verify_on_time_rate"),
            Component("check_on_time_rate", rate="check_on_time_rate"),
        ),
        activity=("reports", "verifications", "checks"),
        columns=("reports", "effective_reports", "missed", "verifications",
                 "verifications_on_time", "checks", "checks_on_time"),
    )  # fmt: skip


def _acceptor_scope() -> Scope:
    sources = (
        SourceSpec(
            "steps", CaseEvent, "actor_id", "event",
            lambda p, now: _in("at", p) & Q(
                action__in=[Action.ACCEPT, Action.SEND_FOR_VERIFICATION, Action.REFUSE],
                role=Role.ACCEPTOR, actor__isnull=False,
            ),
        ),
    )  # fmt: skip
    measures = (
        Measure("intake", pgettext_lazy("evaluation", "reports handled"), "steps",
                help=pgettext_lazy("evaluation", "Reports accepted, sent for verification or refused by the acceptor.")),
        Measure("intake_on_time", pgettext_lazy("evaluation", "handled on time"), "steps", Q(on_time=True)),
        Measure("accepted", pgettext_lazy("evaluation", "accepted"), "steps", Q(action=Action.ACCEPT)),
        Measure("wrongly_accepted", pgettext_lazy("evaluation", "accepted but not filed"), "steps",
                Q(action=Action.ACCEPT,
                  case__cancel_reason__in=[CancelReason.NOT_FILED, CancelReason.VOID])),
    )  # fmt: skip
    return Scope(
        key="acceptor", label=pgettext_lazy("evaluation", "acceptors"), entity_label=pgettext_lazy("evaluation", "acceptor"), family="acceptor",
        entities=_people(Role.ACCEPTOR), sources=sources, measures=measures, derived=(),
        rates=(
            Rate("intake_on_time_rate", pgettext_lazy("evaluation", "on-time acceptance"), "intake_on_time", "intake"),
            Rate("wrong_acceptance_rate", pgettext_lazy("evaluation", "wrong acceptance rate"), "wrongly_accepted",
                 "accepted", bad=True),
        ),
        components=(
            Component("intake_on_time_rate", rate="intake_on_time_rate"),
            Component("wrong_acceptance_rate", rate="wrong_acceptance_rate"),
        ),
        activity=("intake",),
        columns=("intake", "intake_on_time", "accepted", "wrongly_accepted"),
    )  # fmt: skip


def _shift_leader_scope() -> Scope:
    sources = (
        SourceSpec(
            "steps", CaseEvent, "actor_id", "event",
            lambda p, now: _in("at", p) & Q(action__in=[Action.FILE, Action.CLOSE],
                                            role=Role.SHIFT_LEADER, actor__isnull=False),
        ),
    )  # fmt: skip
    measures = (
        Measure("filings", pgettext_lazy("evaluation", "filed"), "steps", Q(action=Action.FILE)),
        Measure("filings_on_time", pgettext_lazy("evaluation", "filed on time"), "steps", Q(action=Action.FILE, on_time=True)),
        Measure("filings_voided", pgettext_lazy("evaluation", "filed, later voided"), "steps",
                Q(action=Action.FILE, case__cancel_reason=CancelReason.VOID)),
        Measure("closures", pgettext_lazy("evaluation", "closed"), "steps", Q(action=Action.CLOSE)),
        Measure("closures_on_time", pgettext_lazy("evaluation", "closed on time"), "steps",
                Q(action=Action.CLOSE, on_time=True)),
    )  # fmt: skip
    return Scope(
        key="shift_leader", label=pgettext_lazy("evaluation", "shift leaders"), entity_label=pgettext_lazy("evaluation", "shift leader"),
        family="shift_leader", entities=_people(Role.SHIFT_LEADER), sources=sources,
        measures=measures, derived=(),
        rates=(
            Rate("filing_on_time_rate", pgettext_lazy("evaluation", "on-time filing"), "filings_on_time", "filings"),
            Rate("void_rate", pgettext_lazy("evaluation", "voided filing rate"), "filings_voided", "filings", bad=True),
            Rate("closure_on_time_rate", pgettext_lazy("evaluation", "on-time closure"), "closures_on_time", "closures"),
        ),
        components=(
            Component("filing_on_time_rate", rate="filing_on_time_rate"),
            Component("void_rate", rate="void_rate"),
            Component("closure_on_time_rate", rate="closure_on_time_rate"),
        ),
        activity=("filings", "closures"),
        columns=("filings", "filings_on_time", "filings_voided", "closures", "closures_on_time"),
    )  # fmt: skip


def _misdispatched():
    later_return = CaseRequest.objects.filter(
        case=OuterRef("case"), kind=CaseRequest.Kind.RETURN, status=CaseRequest.Status.APPROVED,
        unit=OuterRef("unit"), requested_at__gte=OuterRef("at"), after_deadline=False,
    )  # fmt: skip
    return {"misdispatched": Exists(later_return)}


def _dispatcher_scope() -> Scope:
    sources = (
        SourceSpec(
            "steps", CaseEvent, "actor_id", "event",
            lambda p, now: _in("at", p) & Q(action=Action.DISPATCH, role=Role.DISPATCHER,
                                            actor__isnull=False),
            annotate=_misdispatched,
        ),
    )  # fmt: skip
    measures = (
        Measure("dispatches", pgettext_lazy("evaluation", "dispatches"), "steps"),
        Measure("dispatches_on_time", pgettext_lazy("evaluation", "dispatched on time"), "steps", Q(on_time=True)),
        Measure("misdispatches", pgettext_lazy("evaluation", "returned as not theirs"), "steps", Q(misdispatched=True),
                help=pgettext_lazy("evaluation", "Dispatches the unit returned before its deadline (a wrong unit).")),
    )  # fmt: skip
    return Scope(
        key="dispatcher", label=pgettext_lazy("evaluation", "dispatchers"), entity_label=pgettext_lazy("evaluation", "dispatcher"),
        family="dispatcher", entities=_people(Role.DISPATCHER), sources=sources,
        measures=measures, derived=(),
        rates=(
            Rate("dispatch_on_time_rate", pgettext_lazy("evaluation", "on-time dispatch"), "dispatches_on_time",
                 "dispatches"),
            Rate("misdispatch_rate", pgettext_lazy("evaluation", "wrong dispatch rate"), "misdispatches", "dispatches",
                 bad=True),
        ),
        components=(
            Component("dispatch_count", band="dispatch_count_bands", count="dispatches"),
            Component("dispatch_on_time_rate", rate="dispatch_on_time_rate"),
            Component("misdispatch_rate", rate="misdispatch_rate"),
        ),
        activity=("dispatches",),
        columns=("dispatches", "dispatches_on_time", "misdispatches"),
    )  # fmt: skip


SCOPES: dict[str, Scope] = {
    scope.key: scope
    for scope in (
        _unit_scope(),
        _region_scope("street", pgettext_lazy("evaluation", "streets"), pgettext_lazy("evaluation", "street"), "street_id",
                      _regions(Region.Level.STREET)),
        _region_scope("community", pgettext_lazy("evaluation", "communities"), pgettext_lazy("evaluation", "community"), "community_id",
                      _regions(Region.Level.COMMUNITY)),
        _region_scope("cell", pgettext_lazy("evaluation", "grid cells"), pgettext_lazy("evaluation", "grid cell"), "cell_id", _cells),
        _region_scope("road_chief", pgettext_lazy("evaluation", "road chiefs"), pgettext_lazy("evaluation", "road chief"), "road_chief_id",
                      _road_chiefs),
        _inspector_scope(),
        _acceptor_scope(),
        _shift_leader_scope(),
        _dispatcher_scope(),
    )
}  # fmt: skip


class UnknownScope(ValueError):
    pass


def get_scope(key: str) -> Scope:
    try:
        return SCOPES[key]
    except KeyError:
        raise UnknownScope(key) from None


# --- evaluation ----------------------------------------------------------------------


@dataclass
class Row:
    entity_id: int
    name: str
    values: dict[str, int] = field(default_factory=dict)
    rates: dict[str, float | None] = field(default_factory=dict)
    components: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    grade: str = ""
    rank: int | None = None
    previous_rank: int | None = None
    previous_score: float | None = None
    red: bool = False
    black: bool = False
    #: Cases behind the row (the sum of the scope's activity counts).
    activity: int = 0
    #: Scored but fewer cases than the configured minimum: listed, not ranked.
    too_few: bool = False

    @property
    def empty(self) -> bool:
        """No case at all in the period (hidden by default on the pages)."""
        return not any(self.values.values())

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    @property
    def rank_delta(self) -> int | None:
        """Places moved up since the previous period (negative: down)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def score_delta(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 2)


@dataclass
class Table:
    scope: Scope
    period: Period
    rows: list[Row]
    as_of: datetime.datetime
    previous: Table | None = None

    @property
    def ranked(self) -> list[Row]:
        return [r for r in self.rows if r.rank is not None]

    @property
    def red_list(self) -> list[Row]:
        return [r for r in self.rows if r.red]

    @property
    def black_list(self) -> list[Row]:
        return sorted((r for r in self.rows if r.black), key=lambda r: -(r.rank or 0))

    def row(self, entity_id: int) -> Row | None:
        return next((r for r in self.rows if r.entity_id == entity_id), None)

    def total(self, key: str) -> int:
        return sum(r.values.get(key, 0) for r in self.rows)


def _aggregates(scope: Scope, as_of: datetime.datetime) -> dict:
    out = {}
    for measure in scope.measures:
        condition = measure.condition(as_of)
        if measure.sum_field:
            out[measure.key] = Coalesce(Sum(measure.sum_field, filter=condition), 0)
        else:
            out[measure.key] = Count("pk", filter=condition)
    return out


def source_rows(source: SourceSpec, period: Period, as_of: datetime.datetime) -> QuerySet:
    """The rows of ``source`` in ``period`` (before grouping)."""
    queryset = source.model.objects.filter(source.base(period, as_of))
    if source.annotate is not None:
        queryset = queryset.annotate(**source.annotate())
    return queryset


def _counts(scope: Scope, period: Period, as_of: datetime.datetime) -> dict[int, dict[str, int]]:
    """entity id → {measure: value}: one GROUP BY query per source."""
    aggregates = _aggregates(scope, as_of)
    result: dict[int, dict[str, int]] = {}
    for source in scope.sources:
        keys = [m.key for m in scope.measures if m.source == source.key]
        grouped = (
            source_rows(source, period, as_of)
            .order_by()
            .values(source.group)
            .annotate(**{k: aggregates[k] for k in keys})
        )
        by_group = {row[source.group]: row for row in grouped}
        if source.entity_groups is None:
            for group, row in by_group.items():
                target = result.setdefault(group, {})
                for k in keys:
                    target[k] = int(row[k] or 0)
        else:
            for entity_id, groups in source.entity_groups().items():
                target = result.setdefault(entity_id, {})
                for k in keys:
                    target[k] = sum(int(by_group[g][k] or 0) for g in groups if g in by_group)
    return result


def _score(scope: Scope, row: Row, config: EvaluationConfig) -> None:
    weights = config.weights_for(scope.family)
    total = 0.0
    for component in scope.components:
        if component.rate is not None:
            rate = row.rates[component.rate]
            bad = next(r.bad for r in scope.rates if r.key == component.rate)
            # A rate with nothing to judge (zero denominator) is no fault: full marks.
            value = 100.0 if rate is None else (1 - rate) * 100 if bad else rate * 100
        else:
            bands = getattr(config, component.band) or []
            value = EvaluationConfig.band_score(bands, row.values.get(component.count, 0))
        row.components[component.weight] = round(value, 2)
        total += value * float(weights.get(component.weight, 0)) / 100
    row.score = round(total, 2)
    row.grade = config.grade_for(row.score)


def evaluate(
    scope: str | Scope,
    period: Period,
    *,
    as_of: datetime.datetime | None = None,
    config: EvaluationConfig | None = None,
    with_previous: bool = True,
) -> Table:
    """The indicator table of ``scope`` for ``period``: counts, rates, scores, grades,
    ranks, change against the previous period, and the red and black lists."""
    scope = get_scope(scope) if isinstance(scope, str) else scope
    as_of = as_of or timezone.now()
    config = config or EvaluationConfig.get()
    counts = _counts(scope, period, as_of)
    keys = [m.key for m in scope.measures]
    rows = []
    for entity_id, name in scope.entities(set(counts)):
        values = {k: 0 for k in keys}
        values.update(counts.get(entity_id, {}))
        for derived in scope.derived:
            values[derived.key] = sum(values[p] for p in derived.parts)
        row = Row(entity_id=entity_id, name=name, values=values)
        for rate in scope.rates:
            den = values[rate.den]
            row.rates[rate.key] = min(1.0, values[rate.num] / den) if den else None
        row.activity = sum(values.get(k, 0) for k in scope.activity)
        if row.activity:
            _score(scope, row, config)
            row.too_few = row.activity < config.min_cases
        rows.append(row)
    _rank(rows)
    _lists(rows, config)
    table = Table(scope=scope, period=period, rows=rows, as_of=as_of)
    if with_previous:
        previous = evaluate(scope, period.previous(), as_of=as_of, config=config,
                            with_previous=False)  # fmt: skip
        table.previous = previous
        before = {r.entity_id: r for r in previous.rows}
        for row in rows:
            old = before.get(row.entity_id)
            if old is not None:
                row.previous_rank, row.previous_score = old.rank, old.score
    return table


def _rank(rows: list[Row]) -> None:
    """Competition ranking by score (equal scores share a place).

    Rows with too few cases come after the ranked ones (scored, unranked),
    then the rows without a score.
    """
    rows.sort(key=lambda r: (r.score is None, r.too_few, -(r.score or 0), r.name))
    rank = 0
    previous = None
    for index, row in enumerate(r for r in rows if r.score is not None and not r.too_few):
        if row.score != previous:
            rank = index + 1
            previous = row.score
        row.rank = rank


def _lists(rows: list[Row], config: EvaluationConfig) -> None:
    ranked = [r for r in rows if r.rank is not None]
    if config.list_rule == EvaluationConfig.ListRule.GRADE:
        for row in ranked:
            row.red = row.grade in config.red_grade_set
            row.black = not row.red and row.grade in config.black_grade_set
        return
    # Top and bottom N; with fewer than 2N ranked, each list takes at most half,
    # so nobody is on both lists. Each list keeps to its grades: the best N
    # that have a red-list grade, the worst N that have a black-list grade.
    size = min(config.list_size, len(ranked) // 2)
    for row in ranked[:size]:
        row.red = row.grade in config.red_grade_set
    for row in ranked[len(ranked) - size :]:
        row.black = not row.red and row.grade in config.black_grade_set


# --- the rows behind a number ---------------------------------------------------------


class UnknownIndicator(ValueError):
    pass


@dataclass
class Section:
    measure: Measure
    row: str  # "case", "event" or "request"
    queryset: QuerySet


def drilldown(
    scope: str | Scope,
    indicator: str,
    entity_id: int,
    period: Period,
    *,
    as_of: datetime.datetime | None = None,
) -> list[Section]:
    """The rows counted in one number: one section per measure (two for a derived count).

    Rates link to their numerator; a sum lists the rows that add to it. Case
    rows are Case querysets; event and request rows keep one row per counted
    event or request, with the case.
    """
    scope = get_scope(scope) if isinstance(scope, str) else scope
    as_of = as_of or timezone.now()
    rate = next((r for r in scope.rates if r.key == indicator), None)
    if rate is not None:
        indicator = rate.num
    derived = next((d for d in scope.derived if d.key == indicator), None)
    parts = derived.parts if derived else (indicator,)
    sections = []
    for key in parts:
        measure = scope.measure(key)
        if measure is None:
            raise UnknownIndicator(indicator)
        source = scope.source(measure.source)
        queryset = source_rows(source, period, as_of)
        if source.entity_groups is not None:
            groups = source.entity_groups().get(entity_id, [])
            queryset = queryset.filter(**{f"{source.group}__in": groups})
        else:
            queryset = queryset.filter(**{source.group: entity_id})
        condition = measure.condition(as_of)
        if condition is not None:
            queryset = queryset.filter(condition)
        if measure.sum_field:
            # A sum (reworks, extensions …) is made of the rows that add to it.
            queryset = queryset.filter(**{f"{measure.sum_field}__gt": 0})
        sections.append(Section(measure=measure, row=source.row, queryset=queryset))
    return sections


# --- district summary ---------------------------------------------------------------


def _summary_aggregates(period: Period, as_of: datetime.datetime, suffix: str = "") -> dict:
    not_cancelled = ~Q(state=State.CANCELLED)
    dispatched = _in("dispatched_at", period) & Q(unit__isnull=False) & not_cancelled
    aggregates = dict(
        reported=Count("pk", filter=_in("reported_at", period)),
        public_reports=Count("pk", filter=_in("reported_at", period)
                             & Q(source__in=PUBLIC_SOURCES)),
        filed=Count("pk", filter=_in("filed_at", period) & not_cancelled),
        dispatched=Count("pk", filter=dispatched),
        handled=Count("pk", filter=dispatched & HANDLED),
        on_time=Count("pk", filter=dispatched & HANDLED & Q(handled_on_time=True)),
        due_for_closure=Count("pk", filter=dispatched & due_for_closure(as_of)),
        closed=Count("pk", filter=dispatched & CLOSED),
        overdue_pending=Count("pk", filter=dispatched & overdue_pending(as_of)),
        overdue_handled=Count("pk", filter=dispatched & HANDLED & Q(handled_on_time=False)),
        cancelled=Count("pk", filter=_in("cancelled_at", period)),
    )  # fmt: skip
    return {f"{key}{suffix}": value for key, value in aggregates.items()}


def _with_rates(figures: dict) -> dict:
    figures["on_time_rate"] = (
        figures["on_time"] / figures["dispatched"] if figures["dispatched"] else None
    )
    figures["closure_rate"] = (
        figures["closed"] / figures["due_for_closure"] if figures["due_for_closure"] else None
    )
    return figures


def summary(period: Period, *, as_of: datetime.datetime | None = None) -> dict:
    """District-wide figures of a period (one aggregate query on cases)."""
    return summaries([period], as_of=as_of)[0]


def summaries(chosen: list[Period], *, as_of: datetime.datetime | None = None) -> list[dict]:
    """:func:`summary` of several periods in one query (one pass over the cases)."""
    as_of = as_of or timezone.now()
    if not chosen:
        return []
    window = Q()
    for period in chosen:
        for name in ("reported_at", "filed_at", "dispatched_at", "cancelled_at"):
            window |= _in(name, period)
    aggregates = {}
    for index, period in enumerate(chosen):
        aggregates.update(_summary_aggregates(period, as_of, f"__{index}"))
    row = Case.objects.filter(window).aggregate(**aggregates)
    out = []
    for index in range(len(chosen)):
        suffix = f"__{index}"
        out.append(_with_rates({k[: -len(suffix)]: v for k, v in row.items()
                                if k.endswith(suffix)}))  # fmt: skip
    return out


def overdue_cases(period: Period, *, as_of: datetime.datetime | None = None) -> QuerySet:
    """Cases dispatched in the period that were handled late or are overdue without a result."""
    as_of = as_of or timezone.now()
    return (
        Case.objects.filter(
            _in("dispatched_at", period) & Q(unit__isnull=False) & ~Q(state=State.CANCELLED)
        )
        .filter((HANDLED & Q(handled_on_time=False)) | overdue_pending(as_of))
        .select_related("unit", "small_class", "street")
        .order_by("unit__code", "dispatched_at", "pk")
    )
