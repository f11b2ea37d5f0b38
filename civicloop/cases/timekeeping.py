"""The case clock, run by ``manage.py worker``: lights, reminders, escalations.

One **pass** (:func:`run_pass`) at a time ``now``

1. turns lights: an open case whose light is green and whose ``yellow_at``
   has passed turns yellow; one whose stage deadline ``due_at`` has passed
   turns red (straight from green if the worker was away), and a case in a
   handling state (dispatched, in progress) whose handling deadline passed
   becomes overdue (``is_overdue``);
2. reminds the handling unit of a case near its deadline (when the light
   turns yellow, or ``LoopConfig.remind_before_minutes`` before the deadline
   when that is set): escalation level 1;
3. escalates an overdue case to the unit's leader (a message to the unit's
   channels naming its unit leaders): level 2; and, once it is overdue by
   more than ``LoopConfig.escalate_after_hours``, to the channels of
   ``LoopConfig.supervision_office``: level 3;
4. delivers the outbox (:func:`civicloop.notify.delivery.deliver_due`).

Every change of a case is the compare-and-set of
:func:`civicloop.cases.actions.write` (the case's ``version``) with one
history row (``light``, ``remind``, ``escalate``, by the system, not public)
and its messages, each case in its own short transaction. Due cases are found
with indexed queries (the partial indexes on ``yellow_at`` and ``due_at``,
``due_at``, ``light``+``state``) in keyset-paged batches; each case is then
claimed again inside its transaction with the same condition: on PostgreSQL
with ``SELECT … FOR UPDATE SKIP LOCKED`` (a case another worker or a person
is changing right now is skipped, and picked up by the next pass if still
due), on SQLite under its single-writer ``BEGIN IMMEDIATE`` transactions.
Several workers may therefore run at once: a case that another worker has
just changed no longer matches the condition, and a stale read ends in a
:class:`~civicloop.cases.actions.Conflict` that is counted, not raised.
Messages carry dedupe keys (case, step, handling deadline) so none is ever
queued twice. A worker killed at any moment loses nothing: what it committed
is complete, what it did not is still due and found by the next pass.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.notify.delivery import DeliveryReport, deliver_due
from civicloop.notify.services import queue_for_unit
from civicloop.org.models import Membership, Role

from .actions import Conflict, write
from .links import case_url
from .models import (
    HANDLING_STATES,
    OPEN_STATES,
    Case,
    CaseEvent,
    Light,
    LoopConfig,
    State,
    overdue_q,
)
from .permissions import SYSTEM

logger = logging.getLogger("civicloop.worker")

Action = CaseEvent.Action
ROLE = "system"
#: Open states whose clock runs (a suspended case has no clock and is never touched).
RUNNING_STATES = tuple(s for s in OPEN_STATES if s != State.SUSPENDED)
#: Cases looked at per query.
BATCH_SIZE = 200

LEVEL_REMINDED = 1
LEVEL_LEADER = 2
LEVEL_OFFICE = 3


@dataclass
class PassReport:
    """What one pass did (the worker logs it as one line)."""

    yellow: int = 0
    red: int = 0
    #: Cases that became overdue (handling deadline passed).
    overdue: int = 0
    reminded: int = 0
    escalated_to_leader: int = 0
    escalated_to_office: int = 0
    #: Messages queued by reminders and escalations.
    queued: int = 0
    #: Someone changed the case at the same moment (compare-and-set lost).
    conflicts: int = 0
    #: Found due, but locked by another worker or no longer due when claimed.
    skipped: int = 0
    #: Case rows changed (one history row each).
    changes: int = 0
    #: Cases whose change failed with an unexpected error (logged, rolled back).
    errors: int = 0
    #: Stopped early (SIGTERM/SIGINT): the next pass does the rest.
    stopped: bool = False
    delivery: DeliveryReport | None = None

    def __str__(self) -> str:
        text = _(
            "%(yellow)d turned yellow, %(red)d red, %(overdue)d overdue; %(reminded)d reminded; "
            "escalated %(leader)d to unit leaders and %(office)d to the supervision office; "
            "%(queued)d messages queued; %(conflicts)d conflicts, %(skipped)d skipped"
        ) % {
            "yellow": self.yellow,
            "red": self.red,
            "overdue": self.overdue,
            "reminded": self.reminded,
            "leader": self.escalated_to_leader,
            "office": self.escalated_to_office,
            "queued": self.queued,
            "conflicts": self.conflicts,
            "skipped": self.skipped,
        }
        if self.delivery is not None:
            text += "; " + _("outbox: %(report)s") % {"report": self.delivery}
        if self.errors:
            text += "; " + _("%(errors)d failed (see the log)") % {"errors": self.errors}
        if self.stopped:
            text += "; " + _("stopped before the end of the pass")
        return text


# --- finding and claiming ------------------------------------------------------


def _batches(queryset: QuerySet, key: str, batch_size: int) -> Iterator[list[int]]:
    """Primary keys of ``queryset`` in batches, ordered by ``(key, pk)`` (keyset paging).

    Cases skipped in one batch are not returned again, so a case that stays
    due (a conflict, a lock held by someone else) cannot hold the pass up.
    """
    last: tuple | None = None
    while True:
        page = queryset
        if last is not None:
            page = page.filter(
                Q(**{f"{key}__gt": last[0]}) | Q(**{key: last[0], "pk__gt": last[1]})
            )
        rows = list(page.order_by(key, "pk").values_list(key, "pk")[:batch_size])
        if not rows:
            return
        yield [pk for _key, pk in rows]
        if len(rows) < batch_size:
            return
        last = rows[-1]


def _claim(pk: int, condition: Q) -> Case | None:
    """The case, if it still matches ``condition``; locked on PostgreSQL (else None).

    Call inside the transaction that changes it. A row locked by another
    transaction is skipped rather than waited for.
    """
    queryset = Case.objects.select_related("small_class", "unit").filter(condition, pk=pk)
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset.first()


# --- the steps -----------------------------------------------------------------


def _deadline_key(case: Case) -> str:
    """The handling deadline in a dedupe key: a new deadline (extension, rework,
    new dispatch) deserves new reminders and escalations."""
    deadline = case.handling_deadline or case.due_at
    return deadline.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S") if deadline else "-"


def _local(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _where(case: Case) -> str:
    return case.address or f"{case.lon:.5f}, {case.lat:.5f}"


def _link(case: Case) -> str:
    return case_url(case)


def unit_leaders(unit_id: int | None) -> list[str]:
    """Names of the active unit leaders of a unit (role ``unit_leader``)."""
    if unit_id is None:
        return []
    names = (
        Membership.objects.filter(
            unit_id=unit_id, role=Role.UNIT_LEADER, is_active=True, person__is_active=True
        )
        .order_by("person__name")
        .values_list("person__name", flat=True)
    )
    return list(dict.fromkeys(names))


def _turn_red(case: Case, now: datetime.datetime, config: LoopConfig, report: PassReport) -> None:
    old = case.light
    fields = {"light": Light.RED}
    overdue = (
        case.state in HANDLING_STATES
        and not case.is_overdue
        and case.handling_deadline is not None
        and case.handling_deadline < now
    )
    if overdue:
        fields["is_overdue"] = True
        note = _("The handling deadline %(deadline)s has passed: the light turned red.") % {
            "deadline": _local(case.handling_deadline)
        }
    else:
        note = _("The stage deadline %(deadline)s has passed: the light turned red.") % {
            "deadline": _local(case.due_at)
        }
    write(case, SYSTEM, ROLE, Action.LIGHT, now, fields=fields, note=note, is_public=False,
           data={"from": old, "to": Light.RED.value, "due_at": case.due_at.isoformat(),
                 "overdue": overdue})  # fmt: skip
    report.red += 1
    report.overdue += overdue


def _turn_yellow(
    case: Case, now: datetime.datetime, config: LoopConfig, report: PassReport
) -> None:
    note = _("80%% of the time limit is used: the light turned yellow (deadline %(deadline)s).") % {
        "deadline": _local(case.due_at)
    }
    write(case, SYSTEM, ROLE, Action.LIGHT, now, fields={"light": Light.YELLOW}, note=note,
           is_public=False,
           data={"from": case.light, "to": Light.YELLOW.value,
                 "due_at": case.due_at.isoformat()})  # fmt: skip
    report.yellow += 1


def _mark_overdue(
    case: Case, now: datetime.datetime, config: LoopConfig, report: PassReport
) -> None:
    """A handling case past its deadline whose light is already red (set by an action)."""
    note = _("The handling deadline %(deadline)s has passed: the case is overdue.") % {
        "deadline": _local(case.handling_deadline)
    }
    write(case, SYSTEM, ROLE, Action.LIGHT, now, fields={"is_overdue": True}, note=note,
           is_public=False,
           data={"from": case.light, "to": case.light, "overdue": True,
                 "due_at": case.handling_deadline.isoformat()})  # fmt: skip
    report.overdue += 1


def _remind(case: Case, now: datetime.datetime, config: LoopConfig, report: PassReport) -> None:
    values = {"number": case.number, "cls": case.small_class.name, "where": _where(case),
              "deadline": _local(case.handling_deadline)}  # fmt: skip
    key = f"case:{case.pk}:remind:{_deadline_key(case)}"
    write(case, SYSTEM, ROLE, Action.REMIND, now, fields={"escalation_level": LEVEL_REMINDED},
           note=_("Reminder sent to %(unit)s.") % {"unit": case.unit}, is_public=False,
           data={"to": "unit", "unit": case.unit_id, "dedupe_key": key,
                 "deadline": case.handling_deadline.isoformat()})  # fmt: skip
    report.queued += queue_for_unit(
        case.unit_id,
        _("Reminder: case %(number)s is due at %(deadline)s") % values,
        _(
            "Case %(number)s (%(cls)s) at %(where)s must be handled by %(deadline)s. "
            "Please submit the result in time, or ask for an extension."
        )
        % values,
        link=_link(case), topic=f"case:{case.pk}", dedupe_key=key,
    )  # fmt: skip
    report.reminded += 1


def _escalate_to_leader(
    case: Case, now: datetime.datetime, config: LoopConfig, report: PassReport
) -> None:
    leaders = unit_leaders(case.unit_id)
    values = {"number": case.number, "cls": case.small_class.name, "where": _where(case),
              "deadline": _local(case.handling_deadline), "unit": case.unit,
              "leaders": "、".join(leaders) if leaders else _("the unit's leader")}  # fmt: skip
    key = f"case:{case.pk}:escalate:leader:{_deadline_key(case)}"
    write(case, SYSTEM, ROLE, Action.ESCALATE, now, fields={"escalation_level": LEVEL_LEADER},
           note=_("Overdue: escalated to the leader of %(unit)s (%(leaders)s).") % values,
           is_public=False,
           data={"to": "unit_leader", "unit": case.unit_id, "leaders": leaders,
                 "dedupe_key": key, "deadline": case.handling_deadline.isoformat()})  # fmt: skip
    report.queued += queue_for_unit(
        case.unit_id,
        _("Overdue: case %(number)s, for the attention of %(leaders)s") % values,
        _(
            "To %(leaders)s, leader of %(unit)s: case %(number)s (%(cls)s) at %(where)s "
            "passed its handling deadline %(deadline)s and is not handled yet. "
            "Please see that it is handled at once."
        )
        % values,
        link=_link(case), topic=f"case:{case.pk}", dedupe_key=key,
    )  # fmt: skip
    report.escalated_to_leader += 1


def _escalate_to_office(
    case: Case, now: datetime.datetime, config: LoopConfig, report: PassReport
) -> None:
    office = config.supervision_office
    overdue_hours = int((now - case.handling_deadline).total_seconds() // 3600)
    values = {"number": case.number, "cls": case.small_class.name, "where": _where(case),
              "deadline": _local(case.handling_deadline), "unit": case.unit,
              "office": office, "hours": overdue_hours,
              "limit": config.escalate_after_hours}  # fmt: skip
    key = f"case:{case.pk}:escalate:office:{_deadline_key(case)}"
    write(case, SYSTEM, ROLE, Action.ESCALATE, now, fields={"escalation_level": LEVEL_OFFICE},
           note=_("Overdue by more than %(limit)d hours: escalated to %(office)s.") % values,
           is_public=False,
           data={"to": "supervision_office", "unit": office.pk, "dedupe_key": key,
                 "overdue_hours": overdue_hours,
                 "deadline": case.handling_deadline.isoformat()})  # fmt: skip
    report.queued += queue_for_unit(
        office.pk,
        _("Escalation: case %(number)s of %(unit)s is %(hours)d hours overdue") % values,
        _(
            "Case %(number)s (%(cls)s) at %(where)s, handled by %(unit)s, passed its "
            "handling deadline %(deadline)s more than %(limit)d hours ago; the unit's "
            "leader has been told. Please supervise it."
        )
        % values,
        link=_link(case), topic=f"case:{case.pk}", dedupe_key=key,
    )  # fmt: skip
    report.escalated_to_office += 1


Step = Callable[[Case, datetime.datetime, LoopConfig, PassReport], None]


def _steps(now: datetime.datetime, config: LoopConfig) -> list[tuple[str, Q, str, Step]]:
    """``(name, condition, sort key, change)`` in the order a pass applies them.

    Each condition is both the indexed query that finds the cases and the
    check made again when a case is claimed.
    """
    running = Q(state__in=RUNNING_STATES)
    handling = Q(state__in=HANDLING_STATES, unit__isnull=False)
    steps: list[tuple[str, Q, str, Step]] = [
        # Index cases_case_light_due (light, due_at); docs/indexes.md.
        ("red", Q(light__in=[Light.GREEN, Light.YELLOW], due_at__lt=now) & running, "due_at",
         _turn_red),
        # Partial index cases_case_turn_yellow (yellow_at WHERE light = green).
        ("yellow", Q(light=Light.GREEN, yellow_at__lt=now, due_at__gte=now) & running,
         "yellow_at", _turn_yellow),
        # Index cases_case_state_rep finds the few thousand cases in handling;
        # for handling states due_at is the handling deadline.
        ("overdue", Q(is_overdue=False, due_at__lt=now) & overdue_q(now) & handling,
         "due_at", _mark_overdue),
    ]  # fmt: skip
    if config.remind_before_minutes:
        before = now + datetime.timedelta(minutes=config.remind_before_minutes)
        near = Q(due_at__gte=now, due_at__lte=before)
    else:  # when the light turns yellow (index on light, due_at)
        near = Q(light=Light.YELLOW, due_at__gte=now)
    steps.append(
        ("remind", near & Q(escalation_level=0, is_overdue=False) & handling, "due_at", _remind)
    )
    steps.append(
        ("leader", Q(is_overdue=True, due_at__lt=now, escalation_level__lt=LEVEL_LEADER) & handling,
         "due_at", _escalate_to_leader)
    )  # fmt: skip
    if config.supervision_office_id is not None:
        late = now - datetime.timedelta(hours=config.escalate_after_hours)
        steps.append(
            ("office",
             Q(is_overdue=True, due_at__lt=late, handling_deadline__lt=late,
               escalation_level=LEVEL_LEADER) & handling,
             "due_at", _escalate_to_office)
        )  # fmt: skip
    return steps


def _apply(
    pk: int, condition: Q, change: Step, now: datetime.datetime, config: LoopConfig,
    report: PassReport,
) -> None:  # fmt: skip
    """One case, one short transaction: claim it, change it, or skip it."""
    try:
        with transaction.atomic():
            case = _claim(pk, condition)
            if case is None:
                report.skipped += 1
                return
            change(case, now, config, report)
    except Conflict:
        report.conflicts += 1
        logger.info("worker: case %s changed meanwhile; left for the next pass", pk)
        return
    except (OperationalError, InterfaceError):
        raise  # the database itself is unwell: end the pass, the loop tries again
    except Exception:
        # One faulty case (bad data, a bug) must not stop the clock of all others.
        report.errors += 1
        logger.exception("worker: changing case %s failed; rolled back", pk)
        return
    report.changes += 1


def advance_cases(
    now: datetime.datetime,
    *,
    batch_size: int = BATCH_SIZE,
    should_stop: Callable[[], bool] | None = None,
    report: PassReport | None = None,
) -> PassReport:
    """Steps 1–3 of a pass: lights, reminders, escalations (no delivery).

    Call it outside a transaction: each case is committed on its own.
    ``should_stop`` is asked before each case; when it says yes the pass
    ends there (``report.stopped``).
    """
    report = report or PassReport()
    config = LoopConfig.objects.select_related("supervision_office").get_or_create(pk=1)[0]
    for _name, condition, key, change in _steps(now, config):
        for batch in _batches(Case.objects.filter(condition), key, batch_size):
            for pk in batch:
                if should_stop is not None and should_stop():
                    report.stopped = True
                    return report
                _apply(pk, condition, change, now, config, report)
    return report


def run_pass(
    now: datetime.datetime | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    delivery_limit: int = 100,
    should_stop: Callable[[], bool] | None = None,
) -> PassReport:
    """One pass of the worker: lights, reminders, escalations, then the outbox.

    ``now`` fixes the clock of the whole pass (tests). Without it the cases
    are seen at the time the pass starts and the outbox is delivered with a
    fresh clock, so messages queued by this pass go out in this pass.
    """
    report = advance_cases(now or timezone.now(), batch_size=batch_size, should_stop=should_stop)
    if report.stopped or (should_stop is not None and should_stop()):
        report.stopped = True
        return report
    report.delivery = deliver_due(now=now, limit=delivery_limit)
    return report
