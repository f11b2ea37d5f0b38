"""What every action shares: input cleaning, loading, the one write, the stage clocks.

Public names (no leading underscore) because the worker and the demo use
them: :func:`write` is the only place a case row changes (compare-and-set on
``version``, one history row); :func:`stage_fields`, :func:`handling_clock`,
:func:`move_deadline` and :func:`on_time` are the clock rules the do-functions
apply and the demo generator replays in memory.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.compiled import insert
from civicloop.core.errors import Conflict, Invalid
from civicloop.core.validation import clean_text
from civicloop.worktime import services as worktime

from .. import memos
from ..models import (
    Case,
    CaseEvent,
    CaseRequest,
    FilingStandard,
    LoopConfig,
    SmallClass,
    State,
    Urgency,
)
from ..permissions import Actor
from ..rules import RULES

Action = CaseEvent.Action
MAX_DESCRIPTION = 4000
MAX_NOTE = 2000
MAX_PHOTOS = 9
MAX_EXTENSION_HOURS = Decimal(720)


@dataclass
class Checked:
    """What a check-function returns and the matching do-function writes.

    ``actor`` and ``role`` are who acts and under which role, ``case`` the case
    as loaded (its ``version`` is the one the write compares against),
    ``values`` the cleaned input.
    """

    actor: Actor
    role: str
    case: Case | None
    values: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None


def now_or(at: datetime.datetime | None) -> datetime.datetime:
    return at if at is not None else timezone.now()


def text(value: str | None, field: str, *, required: bool = False, limit: int = MAX_NOTE) -> str:
    return clean_text(value, field, limit=limit, required=required,
                      missing=_("Please give a reason or note."))  # fmt: skip


def clean_hours(value, field: str = "hours") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise Invalid(_("Give the hours as a number."), field) from None
    if not amount.is_finite() or amount <= 0:
        raise Invalid(_("An extension must be more than zero hours."), field)
    if amount > MAX_EXTENSION_HOURS:
        raise Invalid(
            _("An extension can be at most %(n)s hours.") % {"n": MAX_EXTENSION_HOURS}, field
        )
    return amount.quantize(Decimal("0.01"))


def small_class_for(code: str | SmallClass | None) -> SmallClass:
    if isinstance(code, SmallClass):
        return code
    if not code or not str(code).strip():
        raise Invalid(_("Choose a category."), "category")
    if "\x00" in str(code):
        raise Invalid(_("The text contains a NUL character."), "category")
    small = memos.small_class(str(code))  # the process's catalogue: no query
    if small is None:
        raise Invalid(
            _("%(code)s is not a category of the catalogue.") % {"code": code}, "category"
        )
    if not (small.is_active and small.category_class.is_active):
        raise Invalid(_("The category %(code)s is no longer used.") % {"code": code}, "category")
    return small


def urgency_of(value: str | None) -> str:
    value = value or Urgency.NORMAL
    if value not in Urgency.values:
        raise Invalid(_("Urgency is normal or urgent."), "urgency")
    return value


def load(case: Case | int, version: int | None) -> Case:
    """The case as it is now (:class:`Conflict` if it is no longer ``version``)."""
    pk = case.pk if isinstance(case, Case) else case
    try:
        fresh = Case.objects.select_related("small_class", "standard", "unit").get(pk=pk)
    except Case.DoesNotExist:
        raise Invalid(_("There is no such case."), "case") from None
    if version is not None and int(version) != fresh.version:
        raise Conflict(
            _(
                "Someone else changed this case in the meantime (it is now %(state)s). "
                "Reload it and try again."
            )
            % {"state": fresh.get_state_display()}
        )
    return fresh


def authorise(name: str, actor: Actor, case: Case) -> str:
    """Role, scope, state and condition of the rule-table row ``name``; the role acted under."""
    return RULES.check(name, actor, case)


def actor_unit_data(actor: Actor, role: str, unit_id: int | None = None) -> dict:
    """The unit the actor acts for, as recorded on each history row (``actor_unit``,
    ``actor_unit_name``): their membership under ``role`` (the case's unit first when
    they hold that role in several units: ``unit_id``); {} for the system, residents and superusers
    without a membership. Timelines label the actor with it, not with the case's unit."""
    memberships = [m for m in actor.memberships if m.role == role] or list(actor.memberships)
    if not memberships:
        return {}
    chosen = next((m for m in memberships if m.unit_id == unit_id), memberships[0])
    return {"actor_unit": chosen.unit_id, "actor_unit_name": chosen.unit.name}


def write(
    case: Case,
    actor: Actor,
    role: str,
    action: str,
    now: datetime.datetime,
    *,
    to_state: str | None = None,
    fields: dict | None = None,
    note: str = "",
    data: dict | None = None,
    on_time: bool | None = None,
    unit_id: int | None = None,
    is_public: bool = True,
) -> CaseEvent:
    """Compare-and-set the case row on its version and append the history row.

    Trusted callers only (do-functions and the worker): nothing is checked here.
    """
    fields = dict(fields or {})
    from_state = case.state
    if to_state is not None:
        fields["state"] = to_state
    fields["version"] = case.version + 1
    fields["updated_at"] = now
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(**fields)
    if updated != 1:
        raise Conflict(
            _("Someone else changed this case at the same moment. Reload it and try again.")
        )
    for name, value in fields.items():
        setattr(case, name, value)
    data = {**(data or {}), **actor_unit_data(actor, role, case.unit_id)}
    event = CaseEvent(
        case=case,
        at=now,
        actor=actor.user if actor.user_id else None,
        actor_name=actor.name[:60],
        role=role,
        unit_id=unit_id if unit_id is not None else case.unit_id,
        action=action,
        from_state=from_state,
        to_state=case.state,
        note=note,
        on_time=on_time,
        is_public=is_public,
        data=data,
    )
    insert(event)  # the INSERT built once per process (civicloop.core.compiled)
    return event


@contextmanager
def atomic_with_files():
    """A transaction that also removes files written in it when it rolls back."""
    written: list[str] = []
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def lapse_requests(case: Case, actor: Actor, now, note: str, kinds=None) -> int:
    """Close pending requests the change makes moot (rejected, with ``note``).

    Otherwise they would wait in the deciders' queues for a decision that can no
    longer apply, or (an extension after a return) move another unit's deadline.
    """
    pending = CaseRequest.objects.filter(case=case, status=CaseRequest.Status.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    return pending.update(status=CaseRequest.Status.REJECTED, decided_at=now, decision_note=note,
                          decided_by=actor.user if actor.user_id else None)  # fmt: skip


# --- stage clocks --------------------------------------------------------------

STAGE_MINUTES = {
    State.REPORTED: "accept_minutes",
    State.VERIFYING: "verify_minutes",
    State.PENDING_FILING: "file_minutes",
    State.PENDING_DISPATCH: "dispatch_minutes",
    State.PENDING_CHECK: "check_minutes",
    State.PENDING_CLOSURE: "close_minutes",
}


def clock(
    start: datetime.datetime, deadline: datetime.datetime, now: datetime.datetime, continuous: bool
) -> dict:
    return {
        "stage_started_at": start,
        "due_at": deadline,
        "yellow_at": worktime.yellow_after(start, deadline, continuous=continuous),
        "light": worktime.light_at(start, deadline, now, continuous=continuous).value,
    }


def stage_fields(case: Case, state: str, now: datetime.datetime, config: LoopConfig) -> dict:
    """The clock fields for a case entering ``state`` at ``now``."""
    if state in (State.DISPATCHED, State.IN_PROGRESS):
        return clock(
            case.handling_started_at, case.handling_deadline, now, is_continuous(case.limit_unit)
        )
    attribute = STAGE_MINUTES.get(state)
    if attribute is None:  # closed, cancelled, suspended: no clock runs
        return {"stage_started_at": None, "due_at": None, "yellow_at": None, "light": ""}
    deadline = worktime.deadline_for(now, getattr(config, attribute), "working_minutes").at
    return clock(now, deadline, now, False)


def on_time(case: Case, now: datetime.datetime) -> bool | None:
    """Whether the step ending the current stage is within the stage limit."""
    return None if case.due_at is None else now <= case.due_at


def is_continuous(unit: str) -> bool:
    return bool(unit) and worktime.TimeUnit(unit).continuous


def standard_for(small_class: SmallClass, code: str | None) -> FilingStandard | None:
    """An active standard of the small class by code, else its default (or first) one.

    Read from the process's catalogue (with the time limits): no query.
    """
    standards = memos.active_standards(small_class)
    if code and "\x00" in code:
        raise Invalid(_("The text contains a NUL character."), "standard")
    if code:
        wanted = code.strip().upper()
        found = next((s for s in standards if s.code == wanted), None)
        if found is None:
            raise Invalid(
                _("%(code)s is not a filing standard of %(cls)s.")
                % {"code": code, "cls": small_class},
                "standard",
            )
        return found
    return standards[0] if standards else None


def handling_limit(case: Case) -> tuple[Decimal, str]:
    standard = case.standard or standard_for(case.small_class, None)
    limit = standard.limit_for(case.area_class, case.urgency) if standard else None
    if limit is None:
        raise Invalid(
            _(
                "The category %(cls)s has no time limit for area class %(area)s; "
                "complete its filing standard in the catalogue first."
            )
            % {"cls": case.small_class, "area": case.area_class},
            "standard",
        )
    return limit.amount, limit.unit


def handling_clock(case: Case, now: datetime.datetime) -> dict:
    amount, unit = handling_limit(case)
    deadline = worktime.deadline_for(now, amount, unit)
    return {
        "limit_amount": amount,
        "limit_unit": unit,
        "handling_started_at": now,
        "handling_deadline": deadline.at,
        "deadline_provisional": deadline.provisional,
        "handled_on_time": None,
        "is_overdue": False,
        "escalation_level": 0,
    }


def move_deadline(case: Case, extra: Decimal | datetime.timedelta) -> datetime.datetime:
    """The handling deadline moved by extra time (working time for working limits)."""
    amount = (
        extra if isinstance(extra, datetime.timedelta) else datetime.timedelta(hours=float(extra))
    )
    if is_continuous(case.limit_unit):
        return case.handling_deadline + amount
    return worktime.add_working_time(case.handling_deadline, amount).at


def suspended_span(case: Case, now: datetime.datetime) -> datetime.timedelta:
    """How long a suspended case has been suspended (working time for working limits)."""
    if is_continuous(case.limit_unit):
        span = now - case.suspended_at
    else:
        span = worktime.working_time_between(case.suspended_at, now).duration
    return max(span, datetime.timedelta(0))
