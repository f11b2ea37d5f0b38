"""A year of synthetic case history for the Erqi demo.

Design
------
* A **generator** (:func:`generate`) plays each synthetic case's life with a
  seeded :class:`random.Random`: it decides a :class:`Plan` (source,
  category, place, and what happens: false report, return, extension,
  suspension, rework, overdue, rating, reopen …) and records a **script**, a
  list of :class:`Step` (the name of a function of
  :mod:`civicloop.cases.actions`, the time, the acting user and the
  arguments).
* While it records, the generator runs every step through a **fast
  executor** (:class:`CaseSim`) that computes in memory exactly the rows the
  action would write. It reuses the actions' own helpers for every rule
  (``_stage_fields``, ``_handling_clock``, ``_move_deadline``, ``_on_time``,
  ``_require*``, ``_hours``, routing, locating, the work calendar), so the
  rules live in one place. The policy reads the simulated case (its
  deadlines) to time the next step, so "overdue" or "on time" are decided
  against the real deadlines.
* :func:`write` inserts the result in large batches (prepared ``executemany``
  inserts) in one transaction: cases, history, requests, supervision orders,
  ratings and the daily number sequences. Nothing else touches a case.
  Meanwhile the actions' clock functions answer from the world's
  :class:`~civicloop.worktime.services.Timeline` (``installed()``): the same
  instants, without walking over days.
* :func:`replay` runs the same scripts through the real actions (slow; the
  tests compare its rows with the fast executor's, field by field).

Not simulated for the past: the worker's reminders and escalations and the
outbox notifications the actions queue (the worker would otherwise deliver a
year of old messages). The lights of cases still open are brought up to date
the way the worker does (one ``light`` event per colour change, see
:func:`light_changes`). History has no photos: the fast executor writes no
evidence (the replay passes a small generated photo where actions require
one).
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import gc
import json
import math
import operator
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Max
from django.db.models.base import ModelState
from django.utils import timezone

from civicloop.cases import actions as A
from civicloop.cases.models import (
    HANDLING_STATES,
    OPEN_STATES,
    SOURCES_NEEDING_VERIFICATION,
    Case,
    CaseEvent,
    CaseRequest,
    DailySequence,
    FilingStandard,
    LoopConfig,
    Rating,
    SmallClass,
    Source,
    State,
    SupervisionOrder,
    Urgency,
)
from civicloop.cases.models.case import distance_m, new_tracking_code
from civicloop.cases.permissions import SYSTEM, UNIT_ROLES, Actor, actor_for, public_actor
from civicloop.cases.rules import RULES, refuse_row
from civicloop.geo.locator import get_locator, locate
from civicloop.geo.models import GridCell, Region, Road
from civicloop.org.models import Membership, ResponsibilityRule, Role, Unit
from civicloop.org.routing import route
from civicloop.worktime import services as worktime

Action = CaseEvent.Action
MINUTE = datetime.timedelta(minutes=1)
#: Days the work clock (``worktime.Timeline``) covers before and after the end
#: of the history; outside them it asks ``worktime`` itself (same answers, slower).
CLOCK_DAYS_BEFORE = 800
CLOCK_DAYS_AFTER = 200
#: Report places drawn and located at a time (``World.next_point``).
POINT_BLOCK = 4096

#: Where reports come from (shares in per cent): inspectors find most.
SOURCE_SHARES = {
    Source.INSPECTOR: 46,
    Source.HOTLINE: 16,
    Source.PUBLIC: 11,
    Source.CAMERA: 9,
    Source.ROAD_CHIEF: 6,
    Source.VOLUNTEER: 6,
    Source.LEADER: 3,
    Source.SUPERVISION: 3,
}

#: The problems Erqi fights (DOMAIN.md), weighted.
CATEGORY_WEIGHTS = {
    "E0102": 13,  # 暴露垃圾 garbage
    "E0103": 5,  # 积存垃圾渣土
    "E0104": 7,  # 道路不洁
    "C0305": 3,  # 垃圾箱
    "E0505": 11,  # 机动车乱停放 parking
    "E0506": 7,  # 非机动车乱停放 e-bikes
    "E0504": 11,  # 店外经营 shop spill-over
    "E0501": 4,  # 无照经营游商
    "E0201": 6,  # 非法小广告 advertising
    "E0202": 2,  # 违章张贴悬挂广告牌匾
    "C0307": 2,  # 广告牌匾
    "E0302": 5,  # 工地扬尘 construction dust
    "E0301": 1,  # 施工扰民
    "E0101": 4,  # 私搭乱建 illegal construction
    "E0507": 5,  # 乱堆物堆料
    "C0101": 3,  # 上水井盖 manholes
    "C0102": 3,  # 污水井盖
    "C0103": 2,  # 雨水井盖
    "C0105": 1,  # 电力井盖
    "E0191": 3,  # 道路破损 road damage
    "E0401": 1,  # 路面塌陷
    "C0118": 2,  # 路灯
    "E0508": 1,  # 商业噪音
}
URGENT_SHARE = {"C0101": 0.2, "C0102": 0.2, "C0103": 0.2, "C0105": 0.2, "E0191": 0.1, "E0401": 0.3}
#: Share of reports found false on site, per source that needs verification.
FALSE_SHARE = {
    Source.PUBLIC: 0.18,
    Source.HOTLINE: 0.08,
    Source.CAMERA: 0.10,
    Source.VOLUNTEER: 0.06,
}
SHARES = {
    "self_handle": 0.10,  # of inspector reports
    "duplicate": 0.015,
    "not_accepted": 0.01,
    "not_filed": 0.015,
    "void": 0.006,
    "return": 0.03,
    "return_late": 0.3,  # of returns
    "extension": 0.04,
    "extension_rejected": 0.15,  # of extensions
    "suspension": 0.015,
    "supervision": 0.03,
    "supervision_if_overdue": 0.25,
    "overdue": 0.10,
    "rework": 0.05,
    "late_centre": 0.04,
    "rated": 0.7,  # of closed public and hotline cases
    "reopen_approved": 0.75,  # of unsatisfied ratings
}
#: The dispatcher's reason when the demo dispatches to another unit than the suggestion.
OVERRIDE_REASON = "经研判，改派其他单位处置。"
RATING_LEVELS = {5: 50, 4: 25, 3: 12, 2: 8, 1: 5}
#: Hours of the day reports come in (weights), for sources that report around the clock.
HOUR_WEIGHTS = [0.2] * 6 + [
    0.6,
    1.5,
    3,
    3,
    3,
    3,
    1.5,
    1.5,
    3,
    3,
    3,
    3,
    1.8,
    1.8,
    1.5,
    0.8,
    0.5,
    0.3,
]


def default_days() -> int:
    return int(settings.DEMO_HISTORY_DAYS)


def default_per_day() -> int:
    return int(settings.DEMO_HISTORY_PER_DAY)


class Stop(Exception):
    """The next step would happen after the end of the history: the case stays as it is."""


@dataclass
class Step:
    action: str  # a function of civicloop.cases.actions
    at: datetime.datetime
    actor: int | None  # user id; None: a resident
    args: dict = field(default_factory=dict)


@dataclass
class Plan:
    source: str = Source.INSPECTOR
    category: str = "E0102"
    urgency: str = Urgency.NORMAL
    self_handle: bool = False
    duplicate: bool = False
    false_report: bool = False
    not_accepted: bool = False
    not_filed: bool = False
    void: bool = False
    returned: bool = False
    return_late: bool = False
    extension: bool = False
    extension_rejected: bool = False
    suspension: bool = False
    supervision: bool = False
    overdue: bool = False
    reworks: int = 0
    rating: int | None = None
    reopen_approved: bool = False
    suspended_days: float | None = None  # working days suspended (None: drawn)


@dataclass
class _Ref:
    """A value known only when the history is written (a case's number)."""

    index: int


# --- the world: people, places, catalogue ----------------------------------------


class World:
    """What the generator and the executors need, loaded once (no query per case)."""

    def __init__(self, seed: int = 27, now: datetime.datetime | None = None):
        self.rng = random.Random(seed)
        self.end = now or timezone.now()
        #: The same instant on the local clock: the history's times are local, and
        #: datetimes of one time zone compare without asking it for offsets.
        self.end_local = self.end.astimezone(timezone.get_default_timezone())
        #: The rule-table rows the executors have gone through (the tests check all are).
        self.covered: set[str] = set()
        self.config = LoopConfig.get()
        if self.config.fast_lane:
            raise ValueError("The demo history assumes the fast lane is off.")
        self.actors: dict[int, Actor] = {}
        self.by_role: dict[str, list[int]] = defaultdict(list)
        self.handler: dict[int, int] = {}
        self.leader: dict[int, int] = {}
        self.inspector: dict[int, int] = {}
        self.chief_user: dict[int, int] = {}  # road section → user
        self.chief_person: dict[int, int] = {}  # road section → person
        user_model = get_user_model()
        memberships = defaultdict(list)
        for m in (
            Membership.objects.filter(is_active=True, person__is_active=True)
            .select_related("unit", "person")
            .order_by("id")
        ):
            if m.role == Role.ROAD_CHIEF and m.road_section_id:
                self.chief_person.setdefault(m.road_section_id, m.person_id)
            if m.person.user_id is None:
                continue
            memberships[m.person.user_id].append(m)
        users = user_model.objects.filter(pk__in=memberships).select_related("person")
        for user in users.order_by("pk"):
            ms = memberships[user.pk]
            self.actors[user.pk] = Actor(user=user, memberships=ms, display_name=user.person.name)
            for m in ms:
                self.by_role[m.role].append(user.pk)
                if m.role == Role.HANDLER:
                    self.handler.setdefault(m.unit_id, user.pk)
                elif m.role == Role.UNIT_LEADER:
                    self.leader.setdefault(m.unit_id, user.pk)
                elif m.role == Role.INSPECTOR and m.patrol_area_id:
                    self.inspector.setdefault(m.patrol_area_id, user.pk)
                elif m.role == Role.ROAD_CHIEF and m.road_section_id:
                    self.chief_user.setdefault(m.road_section_id, user.pk)
        self.public = public_actor()
        self.street_office = {
            u.region_id: u.pk
            for u in Unit.objects.filter(kind=Unit.Kind.STREET_OFFICE, is_active=True).order_by(
                "pk"
            )
        }
        self.department_leaders = [
            self.leader[u]
            for u in Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).values_list("pk", flat=True)
            if u in self.leader
        ]
        self.road_names = dict(Road.objects.values_list("pk", "name"))
        self.region_names = dict(Region.objects.filter(level__gte=2).values_list("pk", "name"))
        self.cells = list(
            GridCell.objects.filter(min_lon__isnull=False)
            .order_by("code")
            .values_list("min_lon", "min_lat", "max_lon", "max_lat")
        )
        if not self.cells:
            raise ValueError("The demo history needs grid cells.")
        self.small: dict[str, SmallClass] = {}
        self.standard: dict[int, FilingStandard] = {}
        for code in CATEGORY_WEIGHTS:
            small = SmallClass.by_code(code)
            self.small[code] = small
        standards = (
            FilingStandard.objects.filter(small_class__in=self.small.values(), is_active=True)
            .prefetch_related("time_limits")
            .order_by("-is_default", "order", "code")
        )
        for standard in standards:
            self.standard.setdefault(standard.small_class_id, standard)
        self._routes: dict = {}
        # id(actor) keys: the actors are the world's own (actors, public), alive all along
        self._unit_data: dict = {}
        self._names: dict = {}
        self._case_template = _template(Case)
        self._rule_kinds: dict = {}
        self._located: tuple = (None, None)
        self._known: dict = {}  # points located ahead (next_point)
        self._points: collections.deque = collections.deque()
        # Working time by bisection over the history's days (and deadlines after them).
        end_day = timezone.localtime(self.end).date()
        self.clock = worktime.Timeline(
            end_day - datetime.timedelta(days=CLOCK_DAYS_BEFORE),
            end_day + datetime.timedelta(days=CLOCK_DAYS_AFTER),
        )
        self.pk = {
            "case": Case.objects.aggregate(m=Max("pk"))["m"] or 0,
            "request": CaseRequest.objects.aggregate(m=Max("pk"))["m"] or 0,
            "order": SupervisionOrder.objects.aggregate(m=Max("pk"))["m"] or 0,
            "rating": Rating.objects.aggregate(m=Max("pk"))["m"] or 0,
            "event": CaseEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
        }

    def locate(self, lon: float, lat: float):
        if self._located[0] != (lon, lat):
            found = self._known.pop((lon, lat), None)
            self._located = ((lon, lat), found or locate(lon, lat))
        return self._located[1]

    def next_point(self) -> tuple[float, float]:
        """A report's place: a point well inside a random cell, located in blocks.

        Points are drawn from the world's generator :data:`POINT_BLOCK` at a
        time and located with one vectorised lookup (``locate_many``, the same
        answers as ``locate``); :meth:`locate` then finds them ready.
        """
        if not self._points:
            rng, points = self.rng, []
            for _i in range(POINT_BLOCK):
                x0, y0, x1, y1 = rng.choice(self.cells)
                mx, my = (x1 - x0) * 0.05, (y1 - y0) * 0.05
                points.append((round(rng.uniform(x0 + mx, x1 - mx), 7),
                               round(rng.uniform(y0 + my, y1 - my), 7)))  # fmt: skip
            located = get_locator().locate_many([p[0] for p in points], [p[1] for p in points])
            self._known = dict(zip(points, located, strict=True))
            self._points = collections.deque(points)
        return self._points.popleft()

    def new_case(self, **values) -> Case:
        """A Case row in memory, without ``Model.__init__`` (too slow for 90,000 of them)."""
        case = Case.__new__(Case)
        case.__dict__.update(self._case_template)
        case._state = ModelState()
        case.tracking_code = new_tracking_code()
        small, standard = values.pop("small_class"), values.pop("standard")
        case.__dict__.update(values)
        # what ``case.small_class, case.standard = small, standard`` does: the ids,
        # and the related objects in the instance's cache (no query to read them back)
        case.small_class_id = small.pk
        case.standard_id = None if standard is None else standard.pk
        case._state.fields_cache = {"small_class": small, "standard": standard}
        return case

    def unit_data(self, actor: Actor, role: str, unit_id: int | None = None) -> dict:
        """``actions.actor_unit_data``, remembered per actor, role and case unit.

        The actors and their memberships do not change while the history is
        played; the answer is only ever unpacked into a row's data, never changed.
        """
        key = (id(actor), role, unit_id)
        found = self._unit_data.get(key)
        if found is None:
            found = self._unit_data[key] = A.actor_unit_data(actor, role, unit_id)
        return found

    def who(self, actor: Actor) -> tuple[int | None, str]:
        """The actor's user id and name as a history row keeps them
        (``actor.user_id``, ``actor.name[:60]``), remembered."""
        found = self._names.get(id(actor))
        if found is None:
            found = self._names[id(actor)] = (actor.user_id, actor.name[:60])
        return found

    def next_pk(self, kind: str) -> int:
        self.pk[kind] += 1
        return self.pk[kind]

    def route(self, code: str, location):
        """``route()``, remembered per (category, the place facts its rules can tell apart)."""
        kinds = self._rule_kinds.get(code)
        if kinds is None:
            rules = ResponsibilityRule.objects.filter(category_code__in=[code, code[:3]])
            kinds = self._rule_kinds[code] = (
                rules.filter(road__isnull=False).exists(),
                rules.filter(region__isnull=False).exists(),
            )
        key = (
            code,
            location.road_id if kinds[0] else None,
            tuple(location.region_ids) if kinds[1] else location.street_id,
        )
        found = self._routes.get(key)
        if found is None:
            decision = route(code, location, "")
            found = self._routes[key] = (
                decision.unit.pk if decision.unit else None,
                decision.reason,
                decision.ambiguous,
            )
        return found

    def stage_fields(self, case: Case, state: str, now: datetime.datetime) -> dict:
        """``actions.stage_fields``, with the yellow instant and the light left for later.

        Only the deadline is needed while the case moves on (for the next step's
        ``on_time``); the stage the case ends in gets the helper's full answer in
        :func:`finish_stage`, computed from the same inputs.
        """
        if state in HANDLING_STATES:
            fields = {
                "stage_started_at": case.handling_started_at,
                "due_at": case.handling_deadline,
            }
        elif state in A.STAGE_MINUTES:
            minutes = getattr(self.config, A.STAGE_MINUTES[state])
            deadline = self.clock.at(now, minutes * MINUTE)  # deadline_for, working minutes
            fields = {"stage_started_at": now, "due_at": deadline}
        else:
            case._demo_stage = None
            return A.stage_fields(case, state, now, self.config)
        case._demo_stage = (state, now)
        return {**fields, "yellow_at": None, "light": ""}

    def stage(self, case: Case, state: str, now: datetime.datetime, config=None) -> dict:
        """:meth:`stage_fields` with the do-functions' signature (``stage=`` of a ``*_change``)."""
        return self.stage_fields(case, state, now)

    def finish_stage(self, case: Case) -> None:
        """The clock fields of the stage the case is in, as the action computed them."""
        entry = getattr(case, "_demo_stage", None)
        if entry is None:
            return
        fields = A.stage_fields(case, entry[0], entry[1], self.config)
        if (fields["stage_started_at"], fields["due_at"]) != (case.stage_started_at, case.due_at):
            raise AssertionError(f"stage clock of case #{case.pk} changed after it was set")
        case.yellow_at, case.light = fields["yellow_at"], fields["light"]
        case._demo_stage = None


def _template(model) -> dict:
    values = model().__dict__.copy()
    del values["_state"]
    return values


# --- the fast executor ----------------------------------------------------------


class CaseSim:
    """One case, executed in memory as the do-functions would write it.

    Every step is authorised against the rule table (:data:`RULES`, as the
    check-functions do) and writes what the do-function writes: the same
    ``*_change`` functions of :mod:`civicloop.cases.actions` compute the row
    and the history, with the demo's lazy stage clock (:meth:`World.stage`).
    """

    def __init__(self, world: World, index: int):
        self.w = world
        self.index = index
        self.case: Case | None = None
        self.steps: list[Step] = []
        self.events: list[dict] = []
        self.requests: list[CaseRequest] = []
        self.orders: list[SupervisionOrder] = []
        self.ratings: list[Rating] = []
        self.timeline: list[tuple[datetime.datetime, str, int | None]] = []
        self.pending: dict[str, CaseRequest] = {}
        self.plan: Plan | None = None
        self.has_refs = False  # a history row names another case's number (_Ref, a merge)

    # -- bookkeeping
    @property
    def last(self) -> datetime.datetime:
        return self.steps[-1].at

    def _step(self, action: str, at: datetime.datetime, actor: int | None, **args):
        end = self.w.end_local
        if at > end:
            raise Stop
        if self.steps and at <= self.last:
            at = self.last + datetime.timedelta(seconds=1)
            if at > end:
                raise Stop
        self.steps.append(Step(action, at, actor, args))
        return (self.w.public if actor is None else self.w.actors[actor]), at

    def _write(self, actor: Actor, role: str, action: str, now, *, to_state=None, fields=None,
               note="", data=None, on_time=None, unit_id=None, is_public=True) -> None:  # fmt: skip
        """What ``actions.write`` does: compare-and-set the row, append the history."""
        case = self.case
        from_state = case.state
        if fields:
            for name, value in fields.items():
                setattr(case, name, value)
        if to_state is not None:
            case.state = to_state
        case.version += 1
        case.updated_at = now
        who = self.w.who(actor)
        self.events.append(
            {
                "at": now, "actor_id": who[0], "actor_name": who[1],
                "role": role, "unit_id": unit_id if unit_id is not None else case.unit_id,
                "action": action, "from_state": from_state, "to_state": case.state, "note": note,
                "on_time": on_time, "is_public": is_public,
                "data": {**(data or {}), **self.w.unit_data(actor, role, case.unit_id)},
            }
        )  # fmt: skip
        self.timeline.append((now, case.state, case.unit_id))

    def _apply(self, actor: Actor, role: str, now, change: dict) -> None:
        """What ``actions.apply`` does with a ``*_change`` result (its action and the rest)."""
        self._write(actor, role, now=now, **change)

    def _lapse(self, actor: Actor, now, note, kinds=None) -> None:
        """What ``actions.lapse_requests`` does: pending requests made moot are rejected.

        ``note``: the function giving the decision note (asked only when a request lapses).
        """
        for kind in list(self.pending):
            if kinds is None or kind in kinds:
                if callable(note):
                    note = note()
                request = self.pending.pop(kind)
                request.status = CaseRequest.Status.REJECTED
                request.decided_at, request.decision_note = now, note
                request.decided_by_id = actor.user_id

    def absorb(self, duplicate: CaseSim, actor: Actor, role: str, now, note: str) -> None:
        """The target's side of a merge (written at the merge's time, between its own steps)."""
        case = self.case
        self.has_refs = True
        state, unit_id = self.state_at(now)
        case.version += 1
        case.updated_at = max(case.updated_at, now)
        who = self.w.who(actor)
        self.events.append(
            {
                "at": now, "actor_id": who[0], "actor_name": who[1],
                "role": role, "unit_id": unit_id, "action": Action.ABSORB, "from_state": state,
                "to_state": state, "note": note, "on_time": None, "is_public": True,
                "data": {"duplicate": duplicate.case.pk, "duplicate_number": _Ref(duplicate.index),
                         **self.w.unit_data(actor, role, unit_id)},
            }
        )  # fmt: skip

    def state_at(self, at: datetime.datetime) -> tuple[str, int | None]:
        found = (State.REPORTED, None)
        for when, state, unit_id in self.timeline:
            if when > at:
                break
            found = (state, unit_id)
        return found

    def open_at(self, at: datetime.datetime) -> bool:
        return self.timeline[0][0] <= at and self.state_at(at)[0] in OPEN_STATES

    # -- intake
    def report(self, at, actor_id, *, source, category, lon, lat, urgency, description, address):
        actor, at = self._step("report_case", at, actor_id, source=source, category=category, lon=lon,
                           lat=lat, urgency=urgency, description=description, address=address)  # fmt: skip
        self.w.covered.add("report")
        self._report(actor, at, source, category, lon, lat, urgency, description, address)

    def _report(self, actor, now, source, category, lon, lat, urgency, description, address):
        w = self.w
        if source == Source.PUBLIC:
            role = (
                "resident" if actor.is_public or not actor.roles else actor.first_role(*actor.roles)
            )
        else:
            role = actor.first_role(*RULES["report"].data["source_roles"][source], "administrator")
            if not role:
                raise A.Forbidden(f"{actor.name} may not report from {source}")
        small = w.small[category]
        location = w.locate(lon, lat)
        if not location.inside:
            raise ValueError(f"demo point {lon}, {lat} is outside the district")
        unit_id, reason, ambiguous = w.route(small.full_code, location)
        section = location.road_section_id
        standard = w.standard.get(small.pk)
        case = self.case = w.new_case(
            id=w.next_pk("case"), state=State.REPORTED, source=source, small_class=small,
            standard=standard, urgency=urgency, description=description, address=address,
            owner="", lon=lon, lat=lat, cell_id=location.cell_id,
            community_id=location.community_id, street_id=location.street_id,
            area_class=location.area_class or "B", patrol_area_id=location.patrol_area_id,
            road_section_id=section,
            road_chief_id=w.chief_person.get(section) if section else None,
            reporter_id=actor.user_id, proposed_unit_id=unit_id, routing_reason=reason,
            routing_ambiguous=ambiguous, reported_at=now, updated_at=now, is_synthetic=True,
        )  # fmt: skip
        case.__dict__.update(w.stage_fields(case, State.REPORTED, now))
        who = w.who(actor)
        self.events.append(
            {
                "at": now, "actor_id": who[0], "actor_name": who[1],
                "role": role, "unit_id": None, "action": Action.REPORT, "from_state": "",
                "to_state": State.REPORTED, "note": description[: A.MAX_NOTE], "on_time": None,
                "is_public": True,
                "data": {"source": source, "proposed_unit": unit_id, "routing_reason": reason,
                         "possible_duplicates": [], **self.w.unit_data(actor, role)},
            }
        )  # fmt: skip
        self.timeline.append((now, State.REPORTED, None))

    def self_handle(self, at, actor_id, *, category, lon, lat, description, address):
        actor, at = self._step("report_self_handled", at, actor_id, category=category, lon=lon,
                           lat=lat, description=description, address=address)  # fmt: skip
        self.w.covered.add("self_handle")
        role = RULES.role_for("self_handle", actor)
        self._report(actor, at, Source.INSPECTOR, category, lon, lat, Urgency.NORMAL, description,
                     address)  # fmt: skip
        case = self.case
        self._write(actor, role, Action.SELF_HANDLE, at, to_state=State.PENDING_CLOSURE,
                    fields=A.self_handle_fields(case, at, self.w.config, self.w.stage),
                    note=description[: A.MAX_NOTE])  # fmt: skip

    # -- the centre
    def _check(self, name: str, actor: Actor) -> str:
        """The rule table's verdict, as the check-function gives it (role, scope, state)."""
        self.w.covered.add(name)
        return RULES.check(name, actor, self.case)

    def accept(self, at, actor_id, note=""):
        actor, at = self._step("accept_case", at, actor_id, note=note)
        role = self._check("accept", actor)
        self._apply(actor, role, at,
                    A.accept_change(self.case, at, self.w.config, note=note, stage=self.w.stage))  # fmt: skip

    def send_for_verification(self, at, actor_id, note=""):
        actor, at = self._step("send_for_verification", at, actor_id, note=note)
        role = self._check("send_for_verification", actor)
        self._apply(actor, role, at, A.send_for_verification_change(
            self.case, at, self.w.config, note=note, stage=self.w.stage))  # fmt: skip

    def verify(self, at, actor_id, *, true_report, note=""):
        actor, at = self._step("verify_case", at, actor_id, true_report=true_report, note=note)
        role = self._check("verify", actor)
        change = A.verify_change(self.case, at, self.w.config if true_report else None,
                                 true_report=true_report, note=note, stage=self.w.stage)  # fmt: skip
        if not true_report:
            self._lapse(actor, at, A.cancelled_note)
        self._apply(actor, role, at, change)

    def refuse(self, at, actor_id, *, reason):
        actor, at = self._step("refuse_case", at, actor_id, reason=reason)
        role = self._check(refuse_row(self.case), actor)
        change = A.refuse_change(self.case, at, reason=reason, stage=self.w.stage)
        self._lapse(actor, at, A.cancelled_note)
        self._apply(actor, role, at, change)

    def file(self, at, actor_id, note=""):
        actor, at = self._step("file_case", at, actor_id, note=note)
        role = self._check("file", actor)
        case = self.case
        fields = {"small_class": case.small_class, "standard": case.standard,
                  "urgency": case.urgency}  # fmt: skip
        A.handling_limit(case)
        self._apply(actor, role, at, A.file_change(case, at, self.w.config, fields=fields, note=note,
                                                   stage=self.w.stage))  # fmt: skip

    # -- requests
    def _request(self, actor, kind, reason, hours, at, role=""):
        case = self.case
        acted = self._check(A.REQUEST_ROWS[kind], actor)
        if kind in self.pending:
            raise A.InvalidState("a request of this kind is already waiting")
        after = bool(case.handling_deadline and at > case.handling_deadline)
        late_return = after and kind == CaseRequest.Kind.RETURN
        request = CaseRequest(
            id=self.w.next_pk("request"), case_id=case.pk, kind=kind, unit_id=case.unit_id,
            reason=reason, hours=hours, after_deadline=late_return,
            requested_by_id=actor.user_id, requested_at=at,
        )  # fmt: skip
        self.requests.append(request)
        self.pending[kind] = request
        self._write(actor, role or acted, A.REQUEST_ACTIONS[kind], at, note=reason,
                    data=A.request_data(request.pk, hours, late_return), is_public=False)  # fmt: skip

    def _decide(self, kind, actor, approve, note, at) -> tuple[str, CaseRequest]:
        """The decision row's verdict, then the request marked decided."""
        name = f"{'approve' if approve else 'reject'}_{kind}"
        role = RULES.role_for(name, actor)
        if kind not in self.pending:
            raise A.InvalidState("no such pending request")
        self._check(name, actor)
        request = self.pending.pop(kind)
        request.status = CaseRequest.Status.APPROVED if approve else CaseRequest.Status.REJECTED
        request.decided_by_id, request.decided_at, request.decision_note = actor.user_id, at, note
        return role, request

    def _reject(self, kind, at, actor_id, note):
        actor, at = self._step(f"reject_{kind}", at, actor_id, note=note)
        role, request = self._decide(kind, actor, False, note, at)
        self._write(actor, role, A.REJECT_ACTIONS[kind], at, note=note, data={"request": request.pk},
                    is_public=False)  # fmt: skip

    def request_void(self, at, actor_id, *, reason):
        actor, at = self._step("request_void", at, actor_id, reason=reason)
        role = RULES.role_for("request_void", actor)
        self._request(actor, CaseRequest.Kind.VOID, reason, None, at, role=role)

    def approve_void(self, at, actor_id, note=""):
        actor, at = self._step("approve_void", at, actor_id, note=note)
        role, request = self._decide(CaseRequest.Kind.VOID, actor, True, note, at)
        self._lapse(actor, at, A.cancelled_note)
        self._apply(
            actor, role, at, A.approve_void_change(self.case, at, request, stage=self.w.stage)
        )

    # -- dispatch and handling
    def _dispatch(self, actor, role, unit_id, at, note, action=Action.DISPATCH, extra=None,
                  data=None):  # fmt: skip
        change = A.dispatch_change(
            self.case, at, self.w.config, unit_id=unit_id, note=note, action=action, extra=extra,
            stage=self.w.stage)  # fmt: skip
        change["data"].update(data or {})
        self._apply(actor, role, at, change)

    def dispatch(self, at, actor_id, *, unit, note=""):
        # Another unit than the routing suggestion needs a reason (as the action asks).
        reason = OVERRIDE_REASON if A.overrides_routing(self.case, unit) else ""
        args = {"reason": reason} if reason else {}
        actor, at = self._step("dispatch_case", at, actor_id, unit=unit, note=note, **args)
        role = self._check("dispatch", actor)
        self._dispatch(actor, role, unit, at, note, data=A.override_data(self.case, reason))

    def sign(self, at, actor_id, note=""):
        actor, at = self._step("sign_case", at, actor_id, note=note)
        role = self._check("sign", actor)
        self._apply(actor, role, at, A.sign_change(self.case, at, self.w.config, note=note))

    def submit(self, at, actor_id, note=""):
        actor, at = self._step("submit_result", at, actor_id, note=note)
        role = self._check("submit_result", actor)
        change = A.submit_result_change(self.case, at, self.w.config, note=note, stage=self.w.stage)
        self._lapse(actor, at, A.submitted_note, A.UNIT_REQUESTS)
        self._apply(actor, role, at, change)

    def check(self, at, actor_id, *, passed, note=""):
        actor, at = self._step("check_case", at, actor_id, passed=passed, note=note)
        role = self._check("check", actor)
        self._apply(actor, role, at, A.check_change(self.case, at, self.w.config, passed=passed,
                                                    note=note, stage=self.w.stage))  # fmt: skip

    def close(self, at, actor_id, note=""):
        actor, at = self._step("close_case", at, actor_id, note=note)
        role = self._check("close", actor)
        self._apply(actor, role, at, A.close_change(self.case, at, note=note, stage=self.w.stage))

    def request_return(self, at, actor_id, *, reason):
        actor, at = self._step("request_return", at, actor_id, reason=reason)
        self._request(actor, CaseRequest.Kind.RETURN, reason, None, at)

    def approve_return(self, at, actor_id, note=""):
        actor, at = self._step("approve_return", at, actor_id, note=note)
        role, request = self._decide(CaseRequest.Kind.RETURN, actor, True, note, at)
        self._lapse(actor, at, A.returned_note, A.UNIT_REQUESTS)
        self._apply(actor, role, at, A.approve_return_change(self.case, at, self.w.config, request,
                                                             stage=self.w.stage))  # fmt: skip

    def request_extension(self, at, actor_id, *, hours, reason):
        actor, at = self._step("request_extension", at, actor_id, hours=hours, reason=reason)
        self._request(actor, CaseRequest.Kind.EXTENSION, reason, A.clean_hours(hours), at)

    def approve_extension(self, at, actor_id, note=""):
        actor, at = self._step("approve_extension", at, actor_id, note=note)
        role, request = self._decide(CaseRequest.Kind.EXTENSION, actor, True, note, at)
        granted = A.clean_hours(request.hours)
        request.granted_hours = granted
        self._apply(actor, role, at, A.approve_extension_change(
            self.case, at, self.w.config, request, granted, stage=self.w.stage))  # fmt: skip

    def reject_extension(self, at, actor_id, note):
        self._reject(CaseRequest.Kind.EXTENSION, at, actor_id, note)

    def request_suspension(self, at, actor_id, *, reason):
        actor, at = self._step("request_suspension", at, actor_id, reason=reason)
        self._request(actor, CaseRequest.Kind.SUSPENSION, reason, None, at)

    def approve_suspension(self, at, actor_id, note=""):
        actor, at = self._step("approve_suspension", at, actor_id, note=note)
        role, request = self._decide(CaseRequest.Kind.SUSPENSION, actor, True, note, at)
        self._apply(actor, role, at,
                    A.approve_suspension_change(self.case, at, request, stage=self.w.stage))  # fmt: skip

    def resume(self, at, actor_id, note=""):
        actor, at = self._step("resume_case", at, actor_id, note=note)
        role = self._check("resume", actor)
        self._apply(actor, role, at,
                    A.resume_change(self.case, at, self.w.config, note=note, stage=self.w.stage))  # fmt: skip

    # -- supervision, merge, rating, reopen
    def issue_supervision(self, at, actor_id, *, opinion, reply_hours):
        actor, at = self._step("issue_supervision", at, actor_id, opinion=opinion,
                           reply_hours=reply_hours)  # fmt: skip
        role = RULES.role_for("supervise", actor)
        hours = A.clean_hours(reply_hours, "reply_hours")
        self._check("supervise", actor)
        case = self.case
        due = A.reply_due(at, hours)
        order = SupervisionOrder(
            id=self.w.next_pk("order"), case_id=case.pk, unit_id=case.unit_id,
            issued_by_id=actor.user_id, issued_at=at, opinion=opinion, reply_due=due,
        )  # fmt: skip
        self.orders.append(order)
        self._write(actor, role, Action.SUPERVISE, at,
                    fields={"supervision_count": case.supervision_count + 1}, note=opinion,
                    data={"order": order.pk, "reply_due": due.isoformat()})  # fmt: skip

    def reply_supervision(self, at, actor_id, *, reply):
        actor, at = self._step("reply_supervision", at, actor_id, reply=reply)
        order = next(o for o in self.orders if o.status == SupervisionOrder.Status.OPEN)
        self.w.covered.add("reply_supervision")
        admin = actor.has(Role.ADMINISTRATOR)
        RULES.check_scope("reply_supervision", actor, order, Role.ADMINISTRATOR if admin else "")
        role = actor.first_role(*UNIT_ROLES, Role.ADMINISTRATOR)
        order.status, order.reply, order.replied_at = SupervisionOrder.Status.REPLIED, reply, at
        order.replied_by_id = actor.user_id
        self._write(actor, role, Action.REPLY_SUPERVISION, at, note=reply,
                    data={"order": order.pk, "on_time": at <= order.reply_due},
                    on_time=at <= order.reply_due, unit_id=order.unit_id)  # fmt: skip

    def merge(self, at, actor_id, *, into: CaseSim, note=""):
        actor, at = self._step("merge_case", at, actor_id, into=into.index, note=note)
        role = self._check("merge", actor)
        if not into.open_at(at):
            raise A.InvalidState("merge only into an open case")
        self.has_refs = True
        change = A.merge_change(self.case, at, into_id=into.case.pk, into_number=_Ref(into.index),
                                note=note, stage=self.w.stage)  # fmt: skip
        self._lapse(actor, at, A.cancelled_note)
        self._apply(actor, role, at, change)
        into.absorb(self, actor, role, at, note)

    def rate(self, at, *, level, reason):
        actor, at = self._step("rate_case", at, None, level=level, reason=reason)
        case = self.case
        self._check("rate", actor)
        rating = Rating(id=self.w.next_pk("rating"), case_id=case.pk, level=level, reason=reason,
                        rated_at=at)  # fmt: skip
        self.ratings.append(rating)
        self._write(actor, "resident", Action.RATE, at, note=reason,
                    data={"level": level, "rating": rating.pk})  # fmt: skip
        if level <= A.UNSATISFIED_LEVEL:
            request = CaseRequest(
                id=self.w.next_pk("request"), case_id=case.pk, kind=CaseRequest.Kind.REOPEN,
                unit_id=case.unit_id, reason=A.unsatisfied_reason(reason), requested_at=at,
            )  # fmt: skip
            self.requests.append(request)
            self.pending[CaseRequest.Kind.REOPEN] = request
            self._write(actor, "resident", Action.REQUEST_REOPEN, at, note=request.reason,
                        data={"request": request.pk}, is_public=False)  # fmt: skip

    def approve_reopen(self, at, actor_id, note=""):
        actor, at = self._step("approve_reopen", at, actor_id, note=note)
        role, request = self._decide(CaseRequest.Kind.REOPEN, actor, True, note, at)
        case = self.case
        self._dispatch(actor, role, case.unit_id, at, request.decision_note, action=Action.REOPEN,
                       extra=A.reopen_extra(case), data={"request": request.pk})  # fmt: skip

    def reject_reopen(self, at, actor_id, note):
        self._reject(CaseRequest.Kind.REOPEN, at, actor_id, note)

    # -- the rest of the table (the generator's policy does not take these; the
    # comparison test drives them so every transition is covered)
    def reject_return(self, at, actor_id, note):
        self._reject(CaseRequest.Kind.RETURN, at, actor_id, note)

    def reject_suspension(self, at, actor_id, note):
        self._reject(CaseRequest.Kind.SUSPENSION, at, actor_id, note)

    def reject_void(self, at, actor_id, note):
        self._reject(CaseRequest.Kind.VOID, at, actor_id, note)

    def assign_inspector(self, at, actor_id, *, inspector: int, note=""):
        actor, at = self._step("assign_inspector", at, actor_id, inspector=inspector, note=note)
        role = self._check("assign_inspector", actor)
        self._write(actor, role, Action.ASSIGN_INSPECTOR, at,
                    fields={"assigned_inspector_id": inspector}, note=note, is_public=False,
                    data={"inspector": inspector})  # fmt: skip


A_HANDLING = (State.DISPATCHED, State.IN_PROGRESS)


# --- lights of the cases still open (what the worker does) ---------------------------

_LIGHT_ORDER = {"": -1, "green": 0, "yellow": 1, "red": 2}


def light_changes(case: Case, now: datetime.datetime) -> list[tuple[datetime.datetime, str, str]]:
    """The light changes an open case's clock went through by ``now``: (when, from, to).

    The light turns yellow just after ``yellow_at`` and red just after ``due_at``;
    each change is one history row, written by the system at that moment.
    """
    if case.state not in OPEN_STATES or case.due_at is None or not case.light:
        return []
    changes, light = [], case.light
    second = datetime.timedelta(seconds=1)
    for target, turn in (("yellow", case.yellow_at), ("red", case.due_at)):
        if _LIGHT_ORDER[light] < _LIGHT_ORDER[target] and turn + second <= now:
            changes.append((max(turn + second, case.updated_at), light, target))
            light = target
    return changes


def light_event(case: Case, at, old: str, new: str) -> dict:
    return {
        "at": at, "actor_id": None, "actor_name": SYSTEM.name[:60], "role": "system",
        "unit_id": case.unit_id, "action": Action.LIGHT, "from_state": case.state,
        "to_state": case.state, "note": "", "on_time": None, "is_public": False,
        "data": {"from": old, "light": new},
    }  # fmt: skip


# --- the generator (the policy) ---------------------------------------------------


class Generator:
    """Plays the life of each case through a :class:`CaseSim` and keeps the scripts."""

    def __init__(self, world: World):
        self.w = world
        self.rng = world.rng
        self.sims: list[CaseSim] = []
        self.recent: dict[str, list[CaseSim]] = defaultdict(list)

    # -- picking
    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def one(self, role: str) -> int:
        return self.rng.choice(self.w.by_role[role])

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def draw_plan(self) -> Plan:
        r, s = self.chance, SHARES
        source = self.pick(SOURCE_SHARES)
        category = self.pick(CATEGORY_WEIGHTS)
        plan = Plan(source=source, category=category)
        if r(URGENT_SHARE.get(category, 0)):
            plan.urgency = Urgency.URGENT
        if source == Source.INSPECTOR and r(s["self_handle"]):
            plan.self_handle = True
            return plan
        plan.duplicate = source != Source.INSPECTOR and r(s["duplicate"] * 2)
        plan.false_report = r(FALSE_SHARE.get(source, 0))
        plan.not_accepted = source not in SOURCES_NEEDING_VERIFICATION and r(s["not_accepted"])
        plan.not_filed = r(s["not_filed"])
        plan.void = r(s["void"])
        plan.returned = r(s["return"])
        plan.return_late = plan.returned and r(s["return_late"])
        plan.extension = r(s["extension"])
        plan.extension_rejected = plan.extension and r(s["extension_rejected"])
        plan.suspension = r(s["suspension"])
        plan.overdue = r(s["overdue"])
        plan.supervision = r(s["supervision_if_overdue"] if plan.overdue else s["supervision"])
        plan.reworks = (2 if r(0.1) else 1) if r(s["rework"]) else 0
        if source in (Source.PUBLIC, Source.HOTLINE) and r(s["rated"]):
            plan.rating = self.pick(RATING_LEVELS)
            plan.reopen_approved = r(s["reopen_approved"])
        return plan

    def place(self, plan: Plan, near: CaseSim | None = None, *,
              stream: bool = False) -> tuple[float, float]:  # fmt: skip
        """Near another case's point, or in a random cell (``stream``: the world's
        block-located points, see ``World.next_point``)."""
        if near is None and stream:
            return self.w.next_point()
        if near is not None:
            c, d = near.case, 25 / 111_195.0
            lon = round(c.lon + self.rng.uniform(-d, d), 7)
            lat = round(c.lat + self.rng.uniform(-d, d), 7)
            return (lon, lat) if self.w.locate(lon, lat).inside else (c.lon, c.lat)
        x0, y0, x1, y1 = self.rng.choice(self.w.cells)
        mx, my = (x1 - x0) * 0.05, (y1 - y0) * 0.05
        return (
            round(self.rng.uniform(x0 + mx, x1 - mx), 7),
            round(self.rng.uniform(y0 + my, y1 - my), 7),
        )

    def describe(self, plan: Plan, lon, lat) -> tuple[str, str]:
        location = self.w.locate(lon, lat)
        small = self.w.small[plan.category]
        street = self.w.region_names.get(location.street_id, "")
        community = self.w.region_names.get(location.community_id, "")
        road = self.w.road_names.get(location.road_id, "")
        address = f"{street}{community}" + (f"{road}沿线" if road else "")
        return f"{address}发现{small.name}问题，请处理。（合成数据）", address

    # -- timing
    def centre(self, t, minutes: int, late: bool | None = None) -> datetime.datetime:
        """When a centre step or an inspector's visit happens after ``t`` (working minutes)."""
        if late is None:
            late = self.chance(SHARES["late_centre"])
        factor = self.rng.uniform(1.2, 4.0) if late else self.rng.uniform(0.1, 0.9)
        return self.w.clock.at(t, datetime.timedelta(minutes=minutes * factor))

    def toward(self, t, deadline, fraction: float, continuous: bool) -> datetime.datetime:
        """The instant ``fraction`` of the way from ``t`` to ``deadline`` (at least a minute on)."""
        if continuous:
            span = max(deadline - t, datetime.timedelta(0))
            return t + max(span * fraction, MINUTE)
        span = max(self.w.clock.between(t, deadline).duration, datetime.timedelta(0))
        return self.w.clock.at(t, max(span * fraction, MINUTE))

    def past(self, deadline, start, fraction: float, continuous: bool) -> datetime.datetime:
        """An instant after ``deadline`` by ``fraction`` of the limit ``start`` → ``deadline``."""
        if continuous:
            return deadline + max((deadline - start) * fraction, MINUTE)
        span = self.w.clock.between(start, deadline).duration
        return self.w.clock.at(deadline + MINUTE, max(span * fraction, MINUTE))

    def report_time(self, day: datetime.date, source: str) -> datetime.datetime:
        rng = self.rng
        if source in (Source.INSPECTOR, Source.SUPERVISION, Source.LEADER, Source.ROAD_CHIEF):
            hour = rng.randint(8, 17)
        else:
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        local = datetime.datetime.combine(
            day, datetime.time(hour, rng.randint(0, 59), rng.randint(0, 59))
        )
        return timezone.make_aware(local, timezone.get_default_timezone())

    # -- one case
    def run(self, plan: Plan, at: datetime.datetime) -> CaseSim | None:
        sim = CaseSim(self.w, len(self.sims))
        sim.plan = plan
        with contextlib.suppress(Stop):
            self._life(sim, plan, at)
        if sim.case is None:
            return None
        self.sims.append(sim)
        return sim

    def _reporter(self, plan: Plan, case_patrol: int | None, section: int | None) -> int | None:
        source = plan.source
        if source == Source.INSPECTOR:
            return self.w.inspector.get(case_patrol) or self.one(Role.INSPECTOR)
        if source in (Source.HOTLINE, Source.CAMERA, Source.VOLUNTEER):
            return self.one(Role.ACCEPTOR)
        if source == Source.LEADER:
            return self.rng.choice(self.w.department_leaders)
        if source == Source.SUPERVISION:
            return self.one(Role.SUPERVISOR)
        if source == Source.ROAD_CHIEF:
            return self.w.chief_user.get(section) or self.one(Role.ROAD_CHIEF)
        return None

    def _target(self, plan: Plan, at, merge_at) -> CaseSim | None:
        for other in reversed(self.recent[plan.category][-30:]):
            c = other.case
            if c.reported_at < at - datetime.timedelta(days=3):
                break
            if other.open_at(at) and other.open_at(merge_at):
                return other
        return None

    def _life(self, sim: CaseSim, plan: Plan, at: datetime.datetime) -> None:
        w, cfg = self.w, self.w.config
        merge_at = self.centre(at, cfg.accept_minutes, late=False)
        target = self._target(plan, at, merge_at) if plan.duplicate else None
        lon, lat = self.place(plan, target, stream=True)
        location = self.w.locate(lon, lat)
        reporter = self._reporter(plan, location.patrol_area_id, location.road_section_id)
        description, address = self.describe(plan, lon, lat)
        if plan.self_handle:
            sim.self_handle(at, reporter, category=plan.category, lon=lon, lat=lat,
                            description=description, address=address)  # fmt: skip
            self.recent[plan.category].append(sim)
            sim.close(self.centre(at, cfg.close_minutes), self.one(Role.SHIFT_LEADER))
            return
        sim.report(at, reporter, source=plan.source, category=plan.category, lon=lon, lat=lat,
                   urgency=plan.urgency, description=description, address=address)  # fmt: skip
        self.recent[plan.category].append(sim)
        case = sim.case
        inspector = w.inspector.get(case.patrol_area_id)
        if target is not None:
            sim.merge(merge_at, self.one(Role.SHIFT_LEADER),
                      into=target, note="与在办案件重复，合并处理。")  # fmt: skip
            return
        if plan.source in SOURCES_NEEDING_VERIFICATION and inspector:
            t = self.centre(at, cfg.accept_minutes)
            sim.send_for_verification(t, self.one(Role.ACCEPTOR))
            t = self.centre(t, cfg.verify_minutes)
            if plan.false_report:
                sim.verify(t, inspector, true_report=False, note="现场核实无此问题。")
                return
            sim.verify(t, inspector, true_report=True, note="现场核实属实。")
        else:
            t = self.centre(at, cfg.accept_minutes)
            if plan.not_accepted:
                sim.refuse(t, self.one(Role.ACCEPTOR), reason="不属于城市管理范围，不予受理。")
                return
            sim.accept(t, self.one(Role.ACCEPTOR))
        t = self.centre(t, cfg.file_minutes)
        shift_leader = self.one(Role.SHIFT_LEADER)
        if plan.not_filed:
            sim.refuse(t, shift_leader, reason="不符合立案条件，不予立案。")
            return
        if plan.void:
            sim.request_void(t, self.one(Role.DISPATCHER), reason="重复录入的测试案件，申请作废。")
            sim.approve_void(self.centre(t, cfg.close_minutes), shift_leader)
            return
        sim.file(t, shift_leader)
        unit = case.proposed_unit_id if case.proposed_unit_id in w.handler else None
        unit = unit or w.street_office.get(case.street_id)
        t = self.centre(t, cfg.dispatch_minutes)
        dispatcher = self.one(Role.DISPATCHER)
        sim.dispatch(t, dispatcher, unit=unit)
        if plan.returned:
            t = self._return(sim, plan, t, dispatcher)
        t = self._handle(sim, plan, t, dispatcher, plan.reworks, inspector)
        if plan.rating is None:
            return
        t = t + datetime.timedelta(hours=self.rng.uniform(2, 72))
        reason = (
            "处理及时，满意。" if plan.rating > A.UNSATISFIED_LEVEL else "问题仍然存在，不满意。"
        )
        sim.rate(t, level=plan.rating, reason=reason)
        if plan.rating > A.UNSATISFIED_LEVEL:
            return
        t = self.centre(t, 30)
        if not plan.reopen_approved:
            sim.reject_reopen(t, self.one(Role.SHIFT_LEADER), "经核查已按标准处置完毕。")
            return
        sim.approve_reopen(t, self.one(Role.SHIFT_LEADER), "市民不满意，重新处置。")
        again = Plan(source=plan.source, category=plan.category)
        self._handle(sim, again, t, dispatcher, 0, inspector)

    def _return(self, sim: CaseSim, plan: Plan, t, dispatcher: int) -> datetime.datetime:
        case = sim.case
        handler = self.w.handler[case.unit_id]
        continuous = A.is_continuous(case.limit_unit)
        if plan.return_late:
            t = self.past(
                case.handling_deadline,
                case.handling_started_at,
                self.rng.uniform(0.05, 0.5),
                continuous,
            )
        else:
            t = self.toward(t, case.handling_deadline, self.rng.uniform(0.05, 0.3), continuous)
        sim.request_return(t, handler, reason="经核实不属于本单位职责，申请回退。")
        t = self.centre(t, 30)
        sim.approve_return(t, dispatcher)
        first = case.unit_id
        office = self.w.street_office.get(case.street_id)
        fallback = next(u for u in self.w.handler if u != first)
        unit = office if office and office != first and office in self.w.handler else fallback
        t = self.centre(t, self.w.config.dispatch_minutes)
        sim.dispatch(t, dispatcher, unit=unit, note="回退后重新派遣。")
        return t

    def _handle(self, sim, plan: Plan, t, dispatcher, reworks, inspector) -> datetime.datetime:
        w, case, rng = self.w, sim.case, self.rng
        handler, leader = w.handler[case.unit_id], w.leader.get(case.unit_id)
        continuous = A.is_continuous(case.limit_unit)
        if case.state == State.DISPATCHED:
            if continuous:  # urgent limits: someone signs at once, day or night
                t = t + MINUTE * rng.uniform(3, 25)
            else:
                t = self.centre(t, w.config.sign_minutes)
            sim.sign(t, handler)
        if plan.extension:
            t = self.toward(t, case.handling_deadline, rng.uniform(0.4, 0.8), continuous)
            unit_hours = {"working_days": (8, 40), "hours": (2, 12), "days": (12, 48)}
            low, high = unit_hours.get(case.limit_unit, (1, 4))
            sim.request_extension(t, handler, hours=rng.randint(low, high),
                                  reason="需协调产权单位，申请延期。")  # fmt: skip
            t = self.centre(t, 30)
            if plan.extension_rejected:
                sim.reject_extension(t, dispatcher, "延期理由不充分。")
            else:
                sim.approve_extension(t, dispatcher)
        if plan.suspension:
            t = self.toward(t, case.handling_deadline, rng.uniform(0.2, 0.5), continuous)
            sim.request_suspension(t, handler, reason="涉及工程改造，需列入计划后处置，申请挂账。")
            t = self.centre(t, 30)
            sim.approve_suspension(t, dispatcher)
            days = plan.suspended_days or rng.uniform(1, 15)
            t = self.w.clock.at(t, datetime.timedelta(hours=8 * days))
            sim.resume(t, dispatcher, "条件具备，恢复处置。")
        for attempt in range(reworks + 1):
            late = plan.overdue and attempt == reworks
            if late:
                done = self.past(
                    case.handling_deadline,
                    case.handling_started_at,
                    rng.uniform(0.05, 1.2),
                    continuous,
                )
            else:
                done = self.toward(t, case.handling_deadline, rng.uniform(0.3, 0.95), continuous)
            if plan.supervision and attempt == reworks and leader:
                issue = t + (done - t) * 0.4
                supervisor = self.one(Role.SUPERVISOR)
                sim.issue_supervision(issue, supervisor, opinion="请加快处置进度，按时办结。",
                                      reply_hours=rng.choice((4, 8)))  # fmt: skip
                reply = issue + (done - issue) * 0.5
                sim.reply_supervision(reply, leader, reply="已安排专人处置，今日办结。")
            sim.submit(done, handler, note="已处置完毕。")
            t = self.centre(done, w.config.check_minutes)
            if attempt < reworks:
                sim.check(
                    t,
                    inspector or self.one(Role.INSPECTOR),
                    passed=False,
                    note="现场仍未整改到位，返工。",
                )
                continuous = A.is_continuous(case.limit_unit)
            else:
                sim.check(t, inspector or self.one(Role.INSPECTOR), passed=True, note="核查通过。")
        t = self.centre(t, w.config.close_minutes)
        sim.close(t, self.one(Role.SHIFT_LEADER))
        return t

    # -- showcase: every open state with every light on the last day
    def showcase(self) -> None:
        """One case per open state and light colour, timed so the light shows at the end."""
        chain = [State.REPORTED, State.VERIFYING, State.PENDING_FILING, State.PENDING_DISPATCH,
                 State.DISPATCHED, State.IN_PROGRESS, State.PENDING_CHECK, State.PENDING_CLOSURE]  # fmt: skip
        for state in chain:
            for light, fraction in (("green", 0.4), ("yellow", 0.9), ("red", 2.0)):
                self._showcase_one(state, light, fraction)
        plan = Plan(source=Source.INSPECTOR, category="E0191", suspension=True)
        self._showcase_suspended(plan)

    def _showcase_path(self, sim: CaseSim, state: str, key: datetime.datetime, seed: int) -> None:
        rng = random.Random(seed)
        source = Source.HOTLINE if state == State.VERIFYING else Source.INSPECTOR
        plan = Plan(source=source, category=rng.choice(list(CATEGORY_WEIGHTS)))
        saved, self.rng = self.rng, rng
        try:
            lon, lat = self.place(plan)
            location = self.w.locate(lon, lat)
            reporter = self._reporter(plan, location.patrol_area_id, location.road_section_id)
            description, address = self.describe(plan, lon, lat)
            gap = datetime.timedelta(minutes=3)
            order = [State.REPORTED, State.VERIFYING if source == Source.HOTLINE else State.PENDING_FILING,
                     State.PENDING_DISPATCH, State.DISPATCHED, State.IN_PROGRESS, State.PENDING_CHECK,
                     State.PENDING_CLOSURE]  # fmt: skip
            if state == State.VERIFYING:
                order = [State.REPORTED, State.VERIFYING]
            steps = order[: order.index(state) + 1]
            # the step entering ``state`` happens at ``key`` (sign: just after the dispatch)
            offset = len(steps) - 1 - (1 if state == State.IN_PROGRESS else 0)
            t = key - gap * offset
            inspector = self.w.inspector.get(location.patrol_area_id)
            for name in steps:
                if name == State.REPORTED:
                    sim.report(t, reporter, source=source, category=plan.category, lon=lon, lat=lat,
                               urgency=Urgency.NORMAL, description=description, address=address)  # fmt: skip
                elif name == State.VERIFYING:
                    sim.send_for_verification(t, self.one(Role.ACCEPTOR))
                elif name == State.PENDING_FILING:
                    sim.accept(t, self.one(Role.ACCEPTOR))
                elif name == State.PENDING_DISPATCH:
                    sim.file(t, self.one(Role.SHIFT_LEADER))
                elif name == State.DISPATCHED:
                    unit = (
                        sim.case.proposed_unit_id
                        if sim.case.proposed_unit_id in self.w.handler
                        else None
                    )
                    sim.dispatch(
                        t,
                        self.one(Role.DISPATCHER),
                        unit=unit or self.w.street_office[sim.case.street_id],
                    )
                elif name == State.IN_PROGRESS:
                    sim.sign(t, self.w.handler[sim.case.unit_id])
                elif name == State.PENDING_CHECK:
                    sim.submit(t, self.w.handler[sim.case.unit_id], note="已处置完毕。")
                elif name == State.PENDING_CLOSURE:
                    sim.check(t, inspector, passed=True, note="核查通过。")
                t = t + gap
        finally:
            self.rng = saved

    def _showcase_one(self, state: str, light: str, fraction: float) -> None:
        end = self.w.end
        seed = self.rng.randrange(1 << 30)
        pk_before = dict(self.w.pk)

        def trial(key):
            self.w.pk.update(pk_before)
            sim = CaseSim(self.w, len(self.sims))
            try:
                self._showcase_path(sim, state, key, seed)
            except Stop:
                return sim, -1.0
            case = sim.case
            if case.state != state:
                return sim, -1.0
            unit = case.limit_unit if state in A_HANDLING else "working_minutes"
            used = worktime.elapsed(case.stage_started_at, end, unit)
            limit = worktime.elapsed(case.stage_started_at, case.due_at, unit)
            return sim, used / limit if limit else 99.0

        low, high = end - datetime.timedelta(days=40), end - datetime.timedelta(minutes=30)
        for _i in range(40):  # the fraction used at the end falls as the key time moves later
            middle = low + (high - low) / 2
            _sim, used = trial(middle)
            if used >= fraction:
                low = middle
            else:
                high = middle
        sim, _used = trial(low)
        if sim.case is not None and sim.case.state == state:
            self.sims.append(sim)
        else:
            self.w.pk.update(pk_before)

    def _showcase_suspended(self, plan: Plan) -> None:
        at = self.w.end - datetime.timedelta(days=3)
        plan.overdue = False
        sim = CaseSim(self.w, len(self.sims))
        sim.plan = plan
        lon, lat = self.place(plan)
        location = self.w.locate(lon, lat)
        try:
            sim.report(at, self.w.inspector.get(location.patrol_area_id) or self.one(Role.INSPECTOR),
                       source=plan.source, category=plan.category, lon=lon, lat=lat,
                       urgency=Urgency.NORMAL, description="道路破损，需结合道路大修处置。（合成数据）",
                       address="")  # fmt: skip
            case = sim.case
            t = self.centre(at, 10, late=False)
            sim.accept(t, self.one(Role.ACCEPTOR))
            t = self.centre(t, 10, late=False)
            sim.file(t, self.one(Role.SHIFT_LEADER))
            t = self.centre(t, 10, late=False)
            dispatcher = self.one(Role.DISPATCHER)
            unit = case.proposed_unit_id if case.proposed_unit_id in self.w.handler else None
            sim.dispatch(t, dispatcher, unit=unit or self.w.street_office[case.street_id])
            t = t + datetime.timedelta(minutes=20)
            sim.sign(t, self.w.handler[case.unit_id])
            t = t + datetime.timedelta(minutes=30)
            sim.request_suspension(
                t, self.w.handler[case.unit_id], reason="涉及道路大修计划，申请挂账。"
            )
            sim.approve_suspension(t + datetime.timedelta(minutes=10), dispatcher)
        except Stop:
            return
        self.sims.append(sim)


def generate(world: World, *, days: int | None = None, per_day: int | None = None,
             showcase: bool = True, plans: list[Plan] | None = None) -> Generator:  # fmt: skip
    """Generate (and execute in memory) ``days`` of history ending at ``world.end``.

    About ``per_day`` reports a day on average: more on weekdays than at
    weekends, more in summer. ``plans`` (tests) are played first, one on each
    of the first days' mornings, so every outcome can be forced.
    """
    days = default_days() if days is None else days
    per_day = default_per_day() if per_day is None else per_day
    gen = Generator(world)
    rng = world.rng
    end_day = timezone.localtime(world.end).date()
    start = end_day - datetime.timedelta(days=days - 1)
    forced = list(plans or [])
    # The actions' clock functions (deadline_for, add_working_time, ...) answer
    # from the world's timeline meanwhile: the same instants, no walk over days.
    with world.clock.installed():
        for n in range(days):
            day = start + datetime.timedelta(days=n)
            weekday = 1.12 if day.weekday() < 5 else 0.70
            season = 1 + 0.15 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 110) / 365)
            count = max(1, round(per_day * weekday * season * rng.uniform(0.9, 1.1)))
            drawn = [(gen.report_time(day, plan.source), plan) for plan in
                     (gen.draw_plan() for _i in range(count))]  # fmt: skip
            if n == 0 and forced:  # forced plans: in their order, from 08:30 on the first day
                first = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 30)))
                drawn += [(first + k * 7 * MINUTE, plan) for k, plan in enumerate(forced)]
            drawn.sort(key=lambda item: item[0])
            for at, plan in drawn:
                if at <= world.end_local:
                    gen.run(plan, at)
        if showcase:
            gen.showcase()
    return gen


# --- writing ---------------------------------------------------------------------


def _finish(gen: Generator) -> list[CaseSim]:
    """Numbers from the daily sequences, possible duplicates, lights brought up to date."""
    w = gen.w
    sims = sorted(gen.sims, key=lambda s: (s.case.reported_at, s.index))
    days = defaultdict(int)
    # The number's key: the small class and the local day of the report, as
    # cases.numbering makes it (timezone.localtime, %Y%m%d), worked out once a case.
    zone = timezone.get_current_timezone()
    codes = {small.pk: small.full_code for small in w.small.values()}
    keys = []
    for sim in sims:
        case = sim.case
        code = codes.get(case.small_class_id) or case.small_class.full_code
        local = case.reported_at.astimezone(zone)
        keys.append(f"{code}{local.year:04d}{local.month:02d}{local.day:02d}")
    existing = dict(DailySequence.objects.filter(key__in=set(keys)).values_list("key", "value"))
    for sim, key in zip(sims, keys, strict=True):
        days[key] = days.get(key) or existing.get(key, 0)
        days[key] += 1
        sim.case.number = f"{key}{days[key]:04d}"
    gen.sequences = dict(days)
    # possible duplicates: open cases of the same small class nearby, as find_duplicates sees them
    radius, window = w.config.duplicate_radius_m, datetime.timedelta(days=w.config.duplicate_days)
    # per small class, cells of 0.001° (more than the radius, 50 m, both ways), keyed
    # x * 1,000,000 + y (a latitude's cell number is below 100,000 either side of 0)
    grids: dict[int, dict[int, collections.deque]] = defaultdict(dict)
    cell = 0.001
    around = [dx * 1_000_000 + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    for sim in sims:
        c = sim.case
        now = c.reported_at
        oldest = now - window
        grid = grids[c.small_class_id]
        home = int(c.lon // cell) * 1_000_000 + int(c.lat // cell)
        found = []
        for offset in around:
            bucket = grid.get(home + offset)
            if not bucket:
                continue
            while bucket and bucket[0].case.reported_at < oldest:
                bucket.popleft()  # reports come in time order: older ones never return
            for other in bucket:
                o = other.case
                distance = distance_m(c.lon, c.lat, o.lon, o.lat)
                if distance <= radius and other.open_at(now):
                    found.append((o.reported_at, o.pk, distance))
        if found:
            found.sort(key=lambda item: (item[0], item[1]), reverse=True)  # the query's order
            found = sorted(found[:200], key=lambda item: item[2])[:10]
        sim.events[0]["data"]["possible_duplicates"] = [pk for _at, pk, _d in found]
        bucket = grid.get(home)
        if bucket is None:
            bucket = grid[home] = collections.deque()
        bucket.append(sim)
    for sim in sims:
        w.finish_stage(sim.case)
        for at, old, new in light_changes(sim.case, w.end_local):
            sim.events.append(light_event(sim.case, at, old, new))
            sim.case.light = new
            sim.case.version += 1
            sim.case.updated_at = at
    return sims


def _resolve(value, numbers):
    if isinstance(value, _Ref):
        return numbers[value.index]
    if isinstance(value, dict):
        return {k: _resolve(v, numbers) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, numbers) for v in value]
    return value


def _converter(field, db):
    """How a value of ``field`` goes to the database ``db`` (what ``get_db_prep_save`` does).

    Converters are called for values that are not None (None stays NULL).
    """
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        if db.vendor != "sqlite":
            return None

        def convert(value):
            """SQLite stores naive UTC text: str(value.astimezone(UTC).replace(tzinfo=None))."""
            offset = value.utcoffset()
            if offset.microseconds:  # no time zone has such offsets; the plain way
                return (value.replace(tzinfo=None) - offset).isoformat(" ")
            # the UTC wall clock, then the text without the offset: the same digits
            # (seconds, or microseconds when there are some) as the naive value's
            text = (value - offset).isoformat(" ")
            return text[:26] if value.microsecond else text[:19]

        return convert
    if internal == "JSONField":
        adapt, encoder = db.ops.adapt_json_value, field.encoder
        if encoder is None and type(db.ops).adapt_json_value is (
            BaseDatabaseOperations.adapt_json_value
        ):
            # json.dumps(value, cls=None) is the default encoder's encode()
            return json.JSONEncoder().encode
        return lambda value: adapt(value, encoder)
    if internal in ("DecimalField", "DateField"):
        return lambda value: field.get_db_prep_save(value, db)
    return None


def _insert(model, rows, *, with_pk: bool, defaults: dict | None = None) -> None:
    """Insert rows (dicts of attribute values) with ``executemany``, batch by batch.

    ``bulk_create`` spends most of its time preparing each value through the
    ORM; for the 800,000 rows of a year this prepares them directly, the same
    way (``_converter``), and leaves the statement to the database driver.
    A row is read with one ``itemgetter`` call; only the columns that need a
    conversion (times on SQLite, JSON, decimals) are touched one by one.
    """
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the thread-local proxy
    fields = [f for f in model._meta.local_concrete_fields if with_pk or not f.primary_key]
    names = [f.attname for f in fields]
    converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f, db)) is not None]
    defaults = defaults or {}
    read = operator.itemgetter(*names)
    quote = db.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    batch = []
    with db.cursor() as cursor:
        for row in rows:
            try:
                values = list(read(row))
            except KeyError:  # a row without some fields: their defaults
                values = [row[name] if name in row else defaults[name] for name in names]
            for index, convert in converters:
                value = values[index]
                if value is not None:
                    values[index] = convert(value)
            batch.append(values)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _resolved(sim: CaseSim, numbers: dict) -> list[dict]:
    """The case's history rows in time order, with the numbers of other cases filled in."""
    events = sorted(sim.events, key=_AT)
    if not sim.has_refs:  # only merges refer to other cases (merge, absorb)
        return events
    return [
        {**event, "data": _resolve(event["data"], numbers)}
        if any(isinstance(v, _Ref) for v in event["data"].values())
        else event
        for event in events
    ]


_AT = operator.itemgetter("at")


def _numbered(event: dict, pk: int, case_id: int) -> dict:
    """The history row with its id and case (set in place: the row is written once)."""
    event["id"], event["case_id"] = pk, case_id
    return event


BATCH = 2000


@contextlib.contextmanager
def fast_sqlite():
    """While the demo is built on SQLite: the rollback journal in memory, no syncs.

    The file is in WAL mode with ``synchronous=NORMAL`` (settings.py): a
    year of history would first go into the write-ahead log (400 MB) and then
    be copied into the file. With ``journal_mode=MEMORY`` the pages go to the
    file once, and rollbacks (savepoints, a failed build) still work; only a
    crash or power cut in the middle can leave a broken file, which for the
    demo database means deleting it and building again. Both settings are put
    back afterwards. Nothing changes for other databases, inside a transaction
    (tests), or when another connection keeps the file in WAL mode.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        synchronous = int(cursor.fetchone()[0])
        if journal == "wal":
            cursor.execute("PRAGMA journal_mode = MEMORY")
        cursor.execute("PRAGMA synchronous = OFF")
    try:
        yield
    finally:
        if connection.connection is not None:  # not closed meanwhile (a new one has its init)
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {synchronous}")
                if journal == "wal":
                    cursor.execute("PRAGMA journal_mode = WAL")


@contextlib.contextmanager
def _indexes_built_after(*models):
    """SQLite: drop the tables' plain indexes, insert, then create them again.

    One sort per index at the end costs less than keeping 30 indexes up to
    date row by row (800,000 rows). The indexes are re-created from their own
    SQL (``sqlite_master``), so names and definitions stay what the migrations
    made; unique indexes stay in place. Inside the caller's transaction: if
    anything fails, the drops are rolled back with the rows.
    """
    if connection.vendor != "sqlite":
        yield
        return
    saved = []
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL ORDER BY name",
                [model._meta.db_table],
            )
            for name, sql in cursor.fetchall():
                if not sql.lstrip().upper().startswith("CREATE UNIQUE"):
                    saved.append(sql)
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for sql in saved:
            cursor.execute(sql)


def write(gen: Generator) -> int:
    """Insert what the generator computed (one transaction, bulk inserts). Returns the case count."""
    with transaction.atomic():
        if connection.vendor == "sqlite":  # room for the indexes of 800,000 new rows
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection
        with gen.w.clock.installed():  # the stage clocks of _finish (as in generate)
            sims = _finish(gen)
        numbers = {s.index: s.case.number for s in sims}
        with _indexes_built_after(Case, CaseEvent):
            _insert(Case, (s.case.__dict__ for s in sims), with_pk=True)
            # model instances with their ids (no field of theirs fills itself on save)
            _insert(CaseRequest, (r.__dict__ for s in sims for r in s.requests), with_pk=True)
            _insert(SupervisionOrder, (o.__dict__ for s in sims for o in s.orders), with_pk=True)
            _insert(Rating, (r.__dict__ for s in sims for r in s.ratings), with_pk=True)
            # History rows get their ids here, like every other row the history
            # writes (numbered from the largest id already there), so the insert
            # never depends on the id column's default; the sequences are reset below.
            events = (
                _numbered(event, gen.w.next_pk("event"), sim.case.pk)
                for sim in sims
                for event in _resolved(sim, numbers)
            )
            _insert(CaseEvent, events, with_pk=True, defaults=_template(CaseEvent))
        existing = set(
            DailySequence.objects.filter(key__in=gen.sequences).values_list("key", flat=True)
        )
        DailySequence.objects.bulk_create(
            [DailySequence(key=k, value=v) for k, v in gen.sequences.items() if k not in existing],
            batch_size=BATCH,
        )
        for key in existing:
            DailySequence.objects.filter(key=key).update(value=gen.sequences[key])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(
                    no_style(), [Case, CaseEvent, CaseRequest, SupervisionOrder, Rating]
                ):
                    cursor.execute(sql)
    return len(sims)


def build_history(*, days: int | None = None, per_day: int | None = None, seed: int = 27,
                  now: datetime.datetime | None = None) -> int:  # fmt: skip
    """Generate and write the demo history; returns the number of cases written.

    The cyclic garbage collector is paused meanwhile: a year is millions of
    small objects that all stay alive, and its full passes over them would
    cost more than the work itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        world = World(seed=seed, now=now)
        gen = generate(world, days=days, per_day=per_day)
        return write(gen)
    finally:
        if was_enabled:
            gc.enable()


# --- the replay through the real actions (tests) -------------------------------------


def replay(gen: Generator, photo: bytes) -> dict[int, Case]:
    """Run every script through :mod:`civicloop.cases.actions`, in time order across cases.

    Returns the cases by script index. ``photo`` is passed where an action
    needs one (results and self-handling). Lights of the cases still open are
    then brought up to date as in :func:`write`.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    def photos():
        return [SimpleUploadedFile("result.jpg", photo, content_type="image/jpeg")]

    user_model = get_user_model()
    users = {u.pk: u for u in user_model.objects.filter(pk__in=gen.w.actors)}
    cases: dict[int, Case] = {}
    order = sorted(
        (
            (step.at, sim.index, n, sim, step)
            for sim in gen.sims
            for n, step in enumerate(sim.steps)
        ),
        key=lambda item: item[:3],
    )
    for _at, index, _n, _sim, step in order:
        actor = public_actor() if step.actor is None else actor_for(users[step.actor])
        args, name, at = dict(step.args), step.action, step.at
        case = cases.get(index)
        if name == "report_case":
            cases[index] = A.report_case(actor, at=at, **args)
        elif name == "report_self_handled":
            cases[index] = A.report_self_handled(actor, at=at, before_photos=photos(),
                                                 after_photos=photos(), **args)  # fmt: skip
        elif name.startswith(("approve_", "reject_")):
            kind = name.split("_", 1)[1]
            request = CaseRequest.objects.get(
                case=case, kind=kind, status=CaseRequest.Status.PENDING
            )
            getattr(A, name)(actor, request, at=at, **args)
        elif name == "reply_supervision":
            order_row = SupervisionOrder.objects.get(case=case, status=SupervisionOrder.Status.OPEN)
            A.reply_supervision(actor, order_row, at=at, **args)
        elif name == "rate_case":
            A.rate_case(case, actor=actor, at=at, **args)
        elif name == "merge_case":
            args["into"] = cases[args["into"]]
            A.merge_case(actor, case, at=at, **args)
        elif name == "submit_result":
            A.submit_result(actor, case, at=at, photos=photos(), **args)
        elif name == "assign_inspector":
            args["inspector"] = users[args["inspector"]]
            A.assign_inspector(actor, case, at=at, **args)
        else:
            getattr(A, name)(actor, case, at=at, **args)
    for case in Case.objects.filter(pk__in=[c.pk for c in cases.values()], state__in=OPEN_STATES):
        for at, old, new in light_changes(case, gen.w.end):
            updated = Case.objects.filter(pk=case.pk, version=case.version).update(
                light=new, version=case.version + 1, updated_at=at
            )
            assert updated == 1
            case.light, case.version, case.updated_at = new, case.version + 1, at
            CaseEvent.objects.create(case=case, **light_event(case, at, old, new))
    return {index: Case.objects.get(pk=case.pk) for index, case in cases.items()}
