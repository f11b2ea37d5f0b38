"""Every change to a case, one function per business action.

The console, the portal, Open311, the field API, the worker, the demo and the
tests all change cases through these functions and nothing else. Each action

1. checks the actor's role and scope (:class:`Forbidden` with a reason),
2. validates its input (:class:`Invalid`, naming the field),
3. checks the case is in a state the action applies to (:class:`InvalidState`),
4. writes in one transaction: a compare-and-set update of the case row on its
   ``version`` (two people acting at once: one wins, the other gets
   :class:`Conflict`), one append-only :class:`CaseEvent`, any evidence and
   requests, and the notifications in the outbox.

Callers that showed the user a case may pass ``version=`` (the version they
showed): if the case changed since, the action is refused with a conflict
rather than applied to something the user has not seen.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.errors import (  # noqa: F401  (re-exported: callers catch them from here)
    ActionError,
    Conflict,
    Forbidden,
    Invalid,
    InvalidState,
)
from civicloop.core.images import ImageRejected, check_image, public_copy, thumbnail
from civicloop.geo import coords
from civicloop.geo.locator import locate
from civicloop.notify.services import queue_for_unit
from civicloop.org.models import Membership, Role, Unit
from civicloop.org.routing import road_chief, route
from civicloop.worktime import services as worktime

from .models import (
    OPEN_STATES,
    CancelReason,
    Case,
    CaseEvent,
    CaseFollower,
    CaseRequest,
    DailySequence,
    Evidence,
    FilingStandard,
    LoopConfig,
    Rating,
    SmallClass,
    Source,
    State,
    SupervisionOrder,
    Urgency,
)
from .permissions import SYSTEM, UNIT_ROLES, Actor, can_see, public_actor

Action = CaseEvent.Action
MAX_DESCRIPTION = 4000
MAX_NOTE = 2000
MAX_PHOTOS = 9
MAX_EXTENSION_HOURS = Decimal(720)


# --- helpers -----------------------------------------------------------------


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at if at is not None else timezone.now()


def _require(actor: Actor, *roles: str) -> str:
    """The role under which ``actor`` acts, or :class:`Forbidden`."""
    role = actor.first_role(*roles, Role.ADMINISTRATOR)
    if not role:
        names = "、".join(str(Role(r).label) for r in roles)
        raise Forbidden(_("Only these roles may do this: %(roles)s.") % {"roles": names})
    return role


def _require_unit(actor: Actor, case: Case, *roles: str) -> str:
    """A unit role for the case's own handling unit, or :class:`Forbidden`."""
    roles = roles or UNIT_ROLES
    if actor.has(Role.ADMINISTRATOR):
        return Role.ADMINISTRATOR
    role = actor.first_role(*roles)
    if not role:
        _require(actor, *roles)
    if case.unit_id is None or case.unit_id not in actor.unit_ids(*roles):
        raise Forbidden(_("This case is not handled by your unit."))
    return role


def _require_inspector_here(actor: Actor, case: Case) -> str:
    """An inspector may verify and check in their patrol area, or where assigned."""
    if actor.has(Role.ADMINISTRATOR):
        return Role.ADMINISTRATOR
    _require(actor, Role.INSPECTOR)
    if case.assigned_inspector_id is not None:
        if case.assigned_inspector_id == actor.user_id:
            return Role.INSPECTOR
        raise Forbidden(_("This case is assigned to another inspector."))
    if case.patrol_area_id is not None and case.patrol_area_id in actor.patrol_area_ids:
        return Role.INSPECTOR
    raise Forbidden(
        _("This case is outside your patrol area; a shift leader can assign it to you.")
    )


def _expect(case: Case, *states: str) -> None:
    if case.state not in states:
        allowed = "、".join(str(State(s).label) for s in states)
        raise InvalidState(
            _("The case is %(state)s; this can only be done when it is %(allowed)s.")
            % {"state": case.get_state_display(), "allowed": allowed}
        )


def _text(value: str | None, field: str, *, required: bool = False, limit: int = MAX_NOTE) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(_("Please give a reason or note."), field)
    if len(value) > limit:
        raise Invalid(
            _("At most %(n)d characters, please (%(got)d given).")
            % {"n": limit, "got": len(value)},
            field,
        )
    if "\x00" in value:
        raise Invalid(_("The text contains a NUL character."), field)
    return value


def _load(case: Case | int, version: int | None) -> Case:
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


def _write(
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
    """Compare-and-set the case row and append the history row."""
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
    return CaseEvent.objects.create(
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
        data=data or {},
    )


@contextmanager
def _atomic_with_files():
    """A transaction that also removes files written in it when it rolls back."""
    written: list[str] = []
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


# --- stage clocks --------------------------------------------------------------

_STAGE_MINUTES = {
    State.REPORTED: "accept_minutes",
    State.VERIFYING: "verify_minutes",
    State.PENDING_FILING: "file_minutes",
    State.PENDING_DISPATCH: "dispatch_minutes",
    State.PENDING_CHECK: "check_minutes",
    State.PENDING_CLOSURE: "close_minutes",
}


def _clock(
    start: datetime.datetime, deadline: datetime.datetime, now: datetime.datetime, continuous: bool
) -> dict:
    return {
        "stage_started_at": start,
        "due_at": deadline,
        "yellow_at": worktime.yellow_after(start, deadline, continuous=continuous),
        "light": worktime.light_at(start, deadline, now, continuous=continuous).value,
    }


def _stage_fields(case: Case, state: str, now: datetime.datetime, config: LoopConfig) -> dict:
    """The clock fields for a case entering ``state`` at ``now``."""
    if state in (State.DISPATCHED, State.IN_PROGRESS):
        return _clock(
            case.handling_started_at, case.handling_deadline, now, _continuous(case.limit_unit)
        )
    attribute = _STAGE_MINUTES.get(state)
    if attribute is None:  # closed, cancelled, suspended: no clock runs
        return {"stage_started_at": None, "due_at": None, "yellow_at": None, "light": ""}
    deadline = worktime.deadline_for(now, getattr(config, attribute), "working_minutes").at
    return _clock(now, deadline, now, False)


def _on_time(case: Case, now: datetime.datetime) -> bool | None:
    """Whether the step ending the current stage is within the stage limit."""
    return None if case.due_at is None else now <= case.due_at


def _continuous(unit: str) -> bool:
    return bool(unit) and worktime.TimeUnit(unit).continuous


def _standard_for(small_class: SmallClass, code: str | None) -> FilingStandard | None:
    standards = FilingStandard.objects.filter(small_class=small_class, is_active=True)
    if code and "\x00" in code:
        raise Invalid(_("The text contains a NUL character."), "standard")
    if code:
        found = standards.filter(code=code.strip().upper()).first()
        if found is None:
            raise Invalid(
                _("%(code)s is not a filing standard of %(cls)s.")
                % {"code": code, "cls": small_class},
                "standard",
            )
        return found
    return standards.order_by("-is_default", "order", "code").first()


def _handling_limit(case: Case) -> tuple[Decimal, str]:
    standard = case.standard or _standard_for(case.small_class, None)
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


def _handling_clock(case: Case, now: datetime.datetime) -> dict:
    amount, unit = _handling_limit(case)
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


def _move_deadline(case: Case, hours: Decimal | datetime.timedelta) -> datetime.datetime:
    """The handling deadline moved by extra time (working time for working limits)."""
    amount = (
        hours if isinstance(hours, datetime.timedelta) else datetime.timedelta(hours=float(hours))
    )
    if _continuous(case.limit_unit):
        return case.handling_deadline + amount
    return worktime.add_working_time(case.handling_deadline, amount).at


# --- evidence ------------------------------------------------------------------


def check_photos(photos: Iterable) -> list:
    """Check uploads by content before anything is written (:class:`Invalid` if bad)."""
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise Invalid(_("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS}, "photos")
    checked = []
    for index, photo in enumerate(photos, start=1):
        if hasattr(photo, "sha256") and hasattr(photo, "content_type"):
            checked.append(photo)  # already checked
            continue
        try:
            checked.append(check_image(photo))
        except ImageRejected as error:
            raise Invalid(
                _("Photo %(n)d: %(error)s") % {"n": index, "error": error}, "photos"
            ) from error
    return checked


def _store_photos(
    case: Case,
    event: CaseEvent,
    photos: Sequence,
    kind: str,
    actor: Actor,
    now: datetime.datetime,
    written: list[str],
) -> list[Evidence]:
    stored = []
    for image in photos:
        stem = f"{now:%Y%m%d%H%M%S}-{image.sha256[:12]}"
        evidence = Evidence(
            case=case, event=event, kind=kind, content_type=image.content_type,
            size=image.size, width=image.width, height=image.height, sha256=image.sha256,
            uploaded_by=actor.user if actor.user_id else None, uploaded_at=now,
        )  # fmt: skip
        for field, content, suffix in (
            ("original", image.data, image.extension),
            ("public", public_copy(image), image.extension),
            ("thumbnail", thumbnail(image), "jpg"),
        ):
            name = f"{stem}-{field}.{suffix}"
            getattr(evidence, field).save(name, ContentFile(content), save=False)
            written.append(getattr(evidence, field).name)
        evidence.save()
        stored.append(evidence)
    return stored


# --- numbers -------------------------------------------------------------------


def next_number(small_class: SmallClass, at: datetime.datetime) -> str:
    """Family letter + class + small class + date + daily sequence, e.g. E0102202011180007.

    One upsert increments (or starts) the day's counter and returns it; the
    row stays locked until the transaction ends, so concurrent intakes never
    share a number (PostgreSQL and SQLite ≥ 3.35 both speak this SQL).
    """
    day = timezone.localtime(at).strftime("%Y%m%d")
    key = f"{small_class.full_code}{day}"
    q = connection.ops.quote_name
    table, key_column, value_column = q(DailySequence._meta.db_table), q("key"), q("value")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {value_column}) VALUES (%s, 1) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {value_column} = {table}.{value_column} + 1 "
            f"RETURNING {value_column}",
            [key],
        )
        (value,) = cursor.fetchone()
    return f"{key}{value:04d}"


# --- intake --------------------------------------------------------------------

#: Which roles may report from which source (residents need no role).
SOURCE_ROLES = {
    Source.INSPECTOR: (Role.INSPECTOR,),
    Source.HOTLINE: (Role.ACCEPTOR, Role.SHIFT_LEADER),
    Source.CAMERA: (Role.ACCEPTOR, Role.SHIFT_LEADER),
    Source.LEADER: (Role.UNIT_LEADER, Role.SUPERVISOR, Role.SHIFT_LEADER),
    Source.SUPERVISION: (Role.SUPERVISOR,),
    Source.ROAD_CHIEF: (Role.ROAD_CHIEF,),
    Source.VOLUNTEER: (Role.ACCEPTOR, Role.SHIFT_LEADER),
}


@dataclass
class Place:
    lon: float
    lat: float
    location: object


def _place(lon, lat, coord_system: str) -> Place:
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise Invalid(_("Give the point as numbers (longitude, latitude)."), "location") from None
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (
        -180 <= lon <= 180 and -90 <= lat <= 90
    ):
        raise Invalid(_("The point is not a valid longitude and latitude."), "location")
    try:
        lon, lat = coords.convert(lon, lat, coord_system or "wgs84", "wgs84")
    except ValueError:
        raise Invalid(
            _("Unknown coordinate system %(s)s (use wgs84, gcj02 or bd09).") % {"s": coord_system},
            "coord_system",
        ) from None
    location = locate(lon, lat)
    if not location.inside:
        raise Invalid(_("The point is outside the district."), "location")
    return Place(lon, lat, location)


def _small_class(code: str | SmallClass | None) -> SmallClass:
    if isinstance(code, SmallClass):
        return code
    if not code or not str(code).strip():
        raise Invalid(_("Choose a category."), "category")
    if "\x00" in str(code):
        raise Invalid(_("The text contains a NUL character."), "category")
    try:
        small = SmallClass.by_code(str(code))
    except SmallClass.DoesNotExist:
        raise Invalid(
            _("%(code)s is not a category of the catalogue.") % {"code": code}, "category"
        ) from None
    if not (small.is_active and small.category_class.is_active):
        raise Invalid(_("The category %(code)s is no longer used.") % {"code": code}, "category")
    return small


def _urgency(value: str | None) -> str:
    value = value or Urgency.NORMAL
    if value not in Urgency.values:
        raise Invalid(_("Urgency is normal or urgent."), "urgency")
    return value


def nearby_open_cases(
    small_class_id: int,
    lon: float,
    lat: float,
    *,
    radius_m: float,
    days: int,
    exclude_id: int | None = None,
    now: datetime.datetime | None = None,
) -> list[tuple[int, float]]:
    """Ids and distances (m) of open cases of a small class near a point, nearest first.

    A bounding box on lon/lat narrows the candidates in SQL (only three
    columns are read); the exact distance is computed for the few left.
    """
    now = _now(now)
    dlat = radius_m / 111_195.0
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    candidates = Case.objects.filter(
        small_class_id=small_class_id,
        state__in=OPEN_STATES,
        reported_at__gte=now - datetime.timedelta(days=days),
        lon__range=(lon - dlon, lon + dlon),
        lat__range=(lat - dlat, lat + dlat),
    )
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    found = []
    for pk, case_lon, case_lat in candidates.values_list("pk", "lon", "lat")[:500]:
        distance = _distance_m(lon, lat, case_lon, case_lat)
        if distance <= radius_m:
            found.append((pk, distance))
    found.sort(key=lambda item: item[1])
    return found


def find_duplicates(
    small_class_id: int,
    lon: float,
    lat: float,
    *,
    radius_m: float | None = None,
    days: int | None = None,
    exclude_id: int | None = None,
    now: datetime.datetime | None = None,
    limit: int = 10,
) -> list[tuple[Case, float]]:
    """Open cases of the same small class near a point, nearest first, with distances (m).

    Defaults come from the loop settings (50 m, 7 days).
    """
    config = LoopConfig.get()
    nearby = nearby_open_cases(
        small_class_id, lon, lat,
        radius_m=config.duplicate_radius_m if radius_m is None else radius_m,
        days=config.duplicate_days if days is None else days,
        exclude_id=exclude_id, now=now,
    )[:limit]  # fmt: skip
    cases = Case.objects.select_related("small_class", "unit").in_bulk([pk for pk, _d in nearby])
    return [(cases[pk], distance) for pk, distance in nearby if pk in cases]


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    ky = 111_195.0
    kx = ky * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon2 - lon1) * kx, (lat2 - lat1) * ky)


def report_case(
    actor: Actor,
    *,
    source: str,
    category: str | SmallClass,
    lon: float,
    lat: float,
    coord_system: str = "wgs84",
    description: str = "",
    address: str = "",
    urgency: str | None = None,
    standard: str | None = None,
    owner: str = "",
    photos: Iterable = (),
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    external_id: str = "",
    at: datetime.datetime | None = None,
) -> Case:
    """Intake from any source: locate, route, number, record; fast lane if allowed."""
    intake = _prepare_intake(
        actor, source=source, category=category, lon=lon, lat=lat, coord_system=coord_system,
        description=description, address=address, urgency=urgency, standard=standard,
        owner=owner, photos=photos, reporter_name=reporter_name, reporter_phone=reporter_phone,
        reporter_email=reporter_email, external_id=external_id, at=at,
    )  # fmt: skip
    with _atomic_with_files() as written:
        return _record_intake(intake, written, fast_lane=True)


@dataclass
class _Intake:
    """A validated report, ready to be written (see :func:`_record_intake`)."""

    actor: Actor
    role: str
    source: str
    small: SmallClass
    filing_standard: FilingStandard | None
    place: Place
    decision: object
    chief: object
    photos: list
    now: datetime.datetime
    config: LoopConfig
    fields: dict


def _prepare_intake(
    actor: Actor, *, source, category, lon, lat, coord_system, description, address, urgency,
    standard, owner, photos, reporter_name, reporter_phone, reporter_email, external_id, at,
) -> _Intake:  # fmt: skip
    """Check a report (role, category, point, texts, photos) before anything is written."""
    if source not in Source.values:
        raise Invalid(_("Unknown source %(s)s.") % {"s": source}, "source")
    if source == Source.PUBLIC:
        role = "resident" if actor.is_public or not actor.roles else actor.first_role(*actor.roles)
    else:
        if actor.is_public:
            raise Forbidden(_("Only staff may report from this source."))
        role = _require(actor, *SOURCE_ROLES[source])
    small = _small_class(category)
    urgency = _urgency(urgency)
    place = _place(lon, lat, coord_system)
    fields = {
        "urgency": urgency,
        "description": _text(description, "description", limit=MAX_DESCRIPTION),
        "address": _text(address, "address", limit=200),
        "owner": _text(owner, "owner", limit=100),
        "reporter_name": _text(reporter_name, "reporter_name", limit=60),
        "reporter_phone": _text(reporter_phone, "reporter_phone", limit=40),
        "reporter_email": _text(reporter_email, "reporter_email", limit=254),
        "external_id": _text(external_id, "external_id", limit=100),
    }
    if fields["reporter_email"] and "@" not in fields["reporter_email"]:
        raise Invalid(_("Enter a valid e-mail address."), "reporter_email")
    filing_standard = _standard_for(small, standard)
    checked = check_photos(photos)
    location = place.location
    return _Intake(
        actor=actor, role=role, source=source, small=small, filing_standard=filing_standard,
        place=place, decision=route(small.full_code, location, fields["owner"]),
        chief=road_chief(location.road_section_id), photos=checked, now=_now(at),
        config=LoopConfig.get(), fields=fields,
    )  # fmt: skip


def _record_intake(intake: _Intake, written: list[str], *, fast_lane: bool) -> Case:
    """Write a prepared report (inside the caller's transaction); fast lane if allowed."""
    actor, now, config, decision = intake.actor, intake.now, intake.config, intake.decision
    small, place, location = intake.small, intake.place, intake.place.location
    case = Case(
        number=next_number(small, now),
        state=State.REPORTED,
        source=intake.source,
        small_class=small,
        standard=intake.filing_standard,
        **intake.fields,
        lon=place.lon,
        lat=place.lat,
        cell_id=location.cell_id,
        community_id=location.community_id,
        street_id=location.street_id,
        area_class=location.area_class or "B",
        patrol_area_id=location.patrol_area_id,
        road_section_id=location.road_section_id,
        road_chief_id=intake.chief.person_id if intake.chief else None,
        reporter=actor.user if actor.user_id else None,
        proposed_unit=decision.unit,
        routing_reason=decision.reason,
        routing_ambiguous=decision.ambiguous,
        reported_at=now,
        updated_at=now,
    )
    case.__dict__.update(_stage_fields(case, State.REPORTED, now, config))
    case.save()
    duplicates = nearby_open_cases(
        small.pk, place.lon, place.lat, radius_m=config.duplicate_radius_m,
        days=config.duplicate_days, exclude_id=case.pk, now=now,
    )[:10]  # fmt: skip
    event = CaseEvent.objects.create(
        case=case, at=now, actor=actor.user if actor.user_id else None,
        actor_name=actor.name[:60], role=intake.role, action=Action.REPORT,
        to_state=State.REPORTED, note=case.description[:MAX_NOTE],
        data={
            "source": intake.source,
            "proposed_unit": decision.unit.pk if decision.unit else None,
            "routing_reason": decision.reason,
            "possible_duplicates": [pk for pk, _d in duplicates],
        },
    )  # fmt: skip
    _store_photos(case, event, intake.photos, Evidence.Kind.BEFORE, actor, now, written)
    if (
        fast_lane
        and config.fast_lane
        and intake.source in config.trusted_sources
        and decision.unit is not None
        and not decision.ambiguous
        and not duplicates
        and intake.filing_standard is not None
        # Without a limit for this place and urgency the case cannot be dispatched:
        # it takes the normal path (the shift leader files it) instead of failing.
        and intake.filing_standard.limit_for(case.area_class, case.urgency) is not None
    ):
        _fast_lane(case, decision.unit, now, config)
    return case


def _fast_lane(case: Case, unit: Unit, now: datetime.datetime, config: LoopConfig) -> None:
    note = _("Fast lane: trusted source and unambiguous routing.")
    _write(case, SYSTEM, "system", Action.ACCEPT, now, to_state=State.PENDING_FILING,
           fields=_stage_fields(case, State.PENDING_FILING, now, config), note=note,
           on_time=True)  # fmt: skip
    _write(case, SYSTEM, "system", Action.FILE, now, to_state=State.PENDING_DISPATCH,
           fields={"filed_at": now, "fast_lane": True,
                   **_stage_fields(case, State.PENDING_DISPATCH, now, config)},
           note=note, on_time=True)  # fmt: skip
    _dispatch(case, SYSTEM, "system", unit, now, config, note)


def report_self_handled(
    actor: Actor,
    *,
    category: str | SmallClass,
    lon: float,
    lat: float,
    before_photos: Iterable,
    after_photos: Iterable,
    description: str = "",
    address: str = "",
    coord_system: str = "wgs84",
    at: datetime.datetime | None = None,
) -> Case:
    """An inspector fixed a minor problem on the spot (自处置); the shift leader closes it.

    The report and the self-handling are one transaction (never a case left
    reported when the second step fails), and the fast lane does not apply.
    """
    role = _require(actor, Role.INSPECTOR)
    before = check_photos(before_photos)
    after = check_photos(after_photos)
    if not before or not after:
        raise Invalid(_("Self-handling needs a photo before and a photo after."), "photos")
    intake = _prepare_intake(
        actor, source=Source.INSPECTOR, category=category, lon=lon, lat=lat,
        coord_system=coord_system, description=description, address=address, urgency=None,
        standard=None, owner="", photos=before, reporter_name="", reporter_phone="",
        reporter_email="", external_id="", at=at,
    )  # fmt: skip
    now, config = intake.now, intake.config
    with _atomic_with_files() as written:
        case = _record_intake(intake, written, fast_lane=False)
        event = _write(
            case, actor, role, Action.SELF_HANDLE, now, to_state=State.PENDING_CLOSURE,
            fields={"self_handled": True, "filed_at": now, "handled_at": now,
                    "handled_on_time": True, "checked_at": now,
                    **_stage_fields(case, State.PENDING_CLOSURE, now, config)},
            note=case.description[:MAX_NOTE],
        )  # fmt: skip
        _store_photos(case, event, after, Evidence.Kind.AFTER, actor, now, written)
    return case


# --- the centre: accept, verify, file, refuse, void --------------------------------


def accept_case(actor: Actor, case, *, note: str = "", version=None, at=None) -> Case:
    """Accept a report (受理): it waits for filing."""
    role = _require(actor, Role.ACCEPTOR, Role.SHIFT_LEADER)
    note = _text(note, "note")
    now = _now(at)
    with transaction.atomic():
        case = _load(case, version)
        _expect(case, State.REPORTED)
        _write(case, actor, role, Action.ACCEPT, now, to_state=State.PENDING_FILING,
               fields=_stage_fields(case, State.PENDING_FILING, now, LoopConfig.get()),
               note=note, on_time=_on_time(case, now))  # fmt: skip
    return case


def _check_inspector(user) -> None:
    if user is None:
        return
    if not Membership.objects.filter(
        person__user=user, role=Role.INSPECTOR, is_active=True
    ).exists():
        raise Invalid(_("%(name)s is not an inspector.") % {"name": user}, "inspector")


def send_for_verification(
    actor: Actor, case, *, inspector=None, note: str = "", version=None, at=None
) -> Case:
    """Ask an inspector to verify a report on site (核实): the patrol area's, or a named one."""
    role = _require(actor, Role.ACCEPTOR, Role.SHIFT_LEADER)
    note = _text(note, "note")
    _check_inspector(inspector)
    now = _now(at)
    with transaction.atomic():
        case = _load(case, version)
        _expect(case, State.REPORTED)
        fields = _stage_fields(case, State.VERIFYING, now, LoopConfig.get())
        if inspector is not None:
            fields["assigned_inspector"] = inspector
        _write(case, actor, role, Action.SEND_FOR_VERIFICATION, now, to_state=State.VERIFYING,
               fields=fields, note=note, on_time=_on_time(case, now),
               data={"inspector": getattr(inspector, "pk", None)})  # fmt: skip
    return case


def assign_inspector(
    actor: Actor, case, *, inspector, note: str = "", version=None, at=None
) -> Case:
    """Assign the inspector who verifies or checks this case, even outside their patrol area."""
    role = _require(actor, Role.SHIFT_LEADER, Role.ACCEPTOR)
    _check_inspector(inspector)
    note = _text(note, "note")
    now = _now(at)
    with transaction.atomic():
        case = _load(case, version)
        _expect(case, *OPEN_STATES)
        _write(case, actor, role, Action.ASSIGN_INSPECTOR, now,
               fields={"assigned_inspector": inspector}, note=note, is_public=False,
               data={"inspector": getattr(inspector, "pk", None)})  # fmt: skip
    return case


def verify_case(
    actor: Actor, case, *, true_report: bool, note: str = "", photos=(), version=None, at=None
) -> Case:
    """The inspector's verdict on site: true (to filing) or false (not accepted)."""
    note = _text(note, "note", required=not true_report)
    checked = check_photos(photos)
    now = _now(at)
    with _atomic_with_files() as written:
        case = _load(case, version)
        role = _require_inspector_here(actor, case)
        _expect(case, State.VERIFYING)
        on_time = _on_time(case, now)
        if true_report:
            event = _write(case, actor, role, Action.VERIFY, now, to_state=State.PENDING_FILING,
                           fields=_stage_fields(case, State.PENDING_FILING, now, LoopConfig.get()),
                           note=note, on_time=on_time, data={"true": True})  # fmt: skip
        else:
            _lapse_requests(case, actor, now, _("The case was cancelled."))
            event = _write(case, actor, role, Action.VERIFY, now, to_state=State.CANCELLED,
                           fields={"cancel_reason": CancelReason.NOT_ACCEPTED,
                                   "cancelled_at": now, **_stage_fields(case, State.CANCELLED, now, None)},
                           note=note, on_time=on_time, data={"true": False})  # fmt: skip
        _store_photos(case, event, checked, Evidence.Kind.VERIFY, actor, now, written)
    return case


def refuse_case(actor: Actor, case, *, reason: str, version=None, at=None) -> Case:
    """Not accepted (不予受理) before filing, or not filed (不予立案) at filing."""
    reason = _text(reason, "reason", required=True)
    now = _now(at)
    with transaction.atomic():
        case = _load(case, version)
        _expect(case, State.REPORTED, State.VERIFYING, State.PENDING_FILING)
        if case.state == State.PENDING_FILING:
            role = _require(actor, Role.SHIFT_LEADER)
            cancel = CancelReason.NOT_FILED
        else:
            role = _require(actor, Role.ACCEPTOR, Role.SHIFT_LEADER)
            cancel = CancelReason.NOT_ACCEPTED
        _lapse_requests(case, actor, now, _("The case was cancelled."))
        _write(case, actor, role, Action.REFUSE, now, to_state=State.CANCELLED,
               fields={"cancel_reason": cancel, "cancelled_at": now,
                       **_stage_fields(case, State.CANCELLED, now, None)},
               note=reason, on_time=_on_time(case, now), data={"reason": cancel})  # fmt: skip
    return case


def file_case(
    actor: Actor,
    case,
    *,
    category: str | None = None,
    standard: str | None = None,
    urgency: str | None = None,
    note: str = "",
    version=None,
    at=None,
) -> Case:
    """File the case (立案): fix its category, standard and urgency; route it again."""
    role = _require(actor, Role.SHIFT_LEADER)
    note = _text(note, "note")
    now = _now(at)
    with transaction.atomic():
        case = _load(case, version)
        _expect(case, State.PENDING_FILING)
        small = _small_class(category) if category else case.small_class
        chosen = _standard_for(small, standard) if (standard or small != case.small_class) else (
            case.standard or _standard_for(small, None)
        )  # fmt: skip
        if chosen is None:
            raise Invalid(
                _("This category has no filing standard; add one in the catalogue."), "standard"
            )
        fields = {"small_class": small, "standard": chosen, "urgency": _urgency(urgency or case.urgency),
                  "filed_at": now}  # fmt: skip
        if small != case.small_class:
            location = locate(case.lon, case.lat)
            decision = route(small.full_code, location, case.owner)
            fields.update(proposed_unit=decision.unit, routing_reason=decision.reason,
                          routing_ambiguous=decision.ambiguous)  # fmt: skip
        probe = Case(**{**{f: getattr(case, f) for f in ("area_class", "lon", "lat")}, **fields})
        _handling_limit(probe)  # a limit must exist before the case can be dispatched
        fields.update(_stage_fields(case, State.PENDING_DISPATCH, now, LoopConfig.get()))
        _write(case, actor, role, Action.FILE, now, to_state=State.PENDING_DISPATCH, fields=fields,
               note=note, on_time=_on_time(case, now),
               data={"standard": chosen.code, "category": small.full_code})  # fmt: skip
    return case


def request_void(actor: Actor, case, *, reason: str, version=None, at=None) -> CaseRequest:
    """Ask the shift leader to void a case (作废), e.g. a test or an impossible report."""
    role = _require(actor, Role.ACCEPTOR, Role.DISPATCHER, Role.SHIFT_LEADER, Role.INSPECTOR)
    reason = _text(reason, "reason", required=True)
    return _request(actor, role, case, CaseRequest.Kind.VOID, reason, None, version, _now(at),
                    states=OPEN_STATES)  # fmt: skip


def approve_void(actor: Actor, request: CaseRequest | int, *, note: str = "", at=None) -> Case:
    role = _require(actor, Role.SHIFT_LEADER)
    now = _now(at)
    with transaction.atomic():
        request, case = _decide(request, CaseRequest.Kind.VOID, actor, True, note, now)
        _expect(case, *OPEN_STATES)
        _lapse_requests(case, actor, now, _("The case was cancelled."))
        _write(case, actor, role, Action.APPROVE_VOID, now, to_state=State.CANCELLED,
               fields={"cancel_reason": CancelReason.VOID, "cancelled_at": now,
                       **_stage_fields(case, State.CANCELLED, now, None)},
               note=request.reason, data={"request": request.pk})  # fmt: skip
    return case


def reject_void(actor: Actor, request, *, note: str = "", at=None) -> Case:
    role = _require(actor, Role.SHIFT_LEADER)
    return _reject(actor, role, request, CaseRequest.Kind.VOID, Action.REJECT_VOID, note, at)


# --- dispatch and handling -----------------------------------------------------


def _dispatch(case, actor, role, unit, now, config, note, *, action=Action.DISPATCH, extra=None):
    fields = {"unit": unit, "dispatched_at": now, "signed_at": None, "handled_at": None,
              **_handling_clock(case, now), **(extra or {})}  # fmt: skip
    on_time = _on_time(case, now) if action == Action.DISPATCH else None
    case.__dict__.update(fields)  # the clock below reads the new handling deadline
    fields.update(_stage_fields(case, State.DISPATCHED, now, config))
    event = _write(case, actor, role, action, now, to_state=State.DISPATCHED, fields=fields,
                   note=note, on_time=on_time, unit_id=unit.pk,
                   data={"unit": unit.pk, "deadline": case.handling_deadline.isoformat()})  # fmt: skip
    queue_for_unit(
        unit.pk,
        _("New case %(number)s: %(cls)s") % {"number": case.number, "cls": case.small_class.name},
        _("%(address)s\n%(description)s\nDeadline: %(deadline)s")
        % {"address": case.address or f"{case.lon:.5f}, {case.lat:.5f}",
           "description": case.description[:300],
           "deadline": timezone.localtime(case.handling_deadline).strftime("%Y-%m-%d %H:%M")},
        link=f"/console/cases/{case.pk}/", topic=f"case:{case.pk}",
    )  # fmt: skip
    return event


def _unit(unit) -> Unit:
    """A unit, by instance, id (an int) or a string: its code, else its id when digits.

    Unit codes may be all digits (organisation codes), so a string is looked up
    as a code first.
    """
    if isinstance(unit, Unit):
        found = unit
    elif isinstance(unit, int):
        found = Unit.objects.filter(pk=unit).first()
    else:
        value = str(unit or "").strip()
        if "\x00" in value:
            raise Invalid(_("Choose the handling unit."), "unit")
        found = Unit.objects.filter(code=value).first() if value else None
        if found is None and value.isdigit() and len(value) < 19:
            found = Unit.objects.filter(pk=int(value)).first()
    if found is None:
        raise Invalid(_("Choose the handling unit."), "unit")
    if not found.is_active:
        raise Invalid(_("%(unit)s is not active.") % {"unit": found}, "unit")
    return found


def dispatch_case(actor: Actor, case, *, unit=None, note: str = "", version=None, at=None) -> Case:
    """Send the case to a handling unit (派遣); the handling clock starts."""
    role = _require(actor, Role.DISPATCHER)
    note = _text(note, "note")
    now = _now(at)
    with transaction.atomic():
        case = _load(case, version)
        _expect(case, State.PENDING_DISPATCH)
        target = _unit(unit if unit is not None else case.proposed_unit_id)
        _dispatch(case, actor, role, target, now, LoopConfig.get(), note)
    return case


def sign_case(actor: Actor, case, *, note: str = "", version=None, at=None) -> Case:
    """The unit signs for the case (签收) and starts handling."""
    note = _text(note, "note")
    now = _now(at)
    with transaction.atomic():
        case = _load(case, version)
        role = _require_unit(actor, case)
        _expect(case, State.DISPATCHED)
        minutes = LoopConfig.get().sign_minutes
        sign_by = worktime.deadline_for(case.dispatched_at, minutes, "working_minutes").at
        _write(case, actor, role, Action.SIGN, now, to_state=State.IN_PROGRESS,
               fields={"signed_at": now}, note=note, on_time=now <= sign_by)  # fmt: skip
    return case


def submit_result(actor: Actor, case, *, note: str = "", photos=(), version=None, at=None) -> Case:
    """The unit reports the problem solved, with after-photos (处置反馈)."""
    note = _text(note, "note")
    checked = check_photos(photos)
    now = _now(at)
    with _atomic_with_files() as written:
        case = _load(case, version)
        role = _require_unit(actor, case)
        _expect(case, State.IN_PROGRESS)
        if not checked and LoopConfig.get().require_result_photo:
            raise Invalid(_("Add at least one photo of the result."), "photos")
        on_time = now <= case.handling_deadline
        fields = {"handled_at": now, "handled_on_time": on_time,
                  **_stage_fields(case, State.PENDING_CHECK, now, LoopConfig.get())}  # fmt: skip
        if not on_time:
            fields["is_overdue"] = True
        _lapse_requests(case, actor, now, _("The result was submitted."), UNIT_REQUESTS)
        event = _write(case, actor, role, Action.SUBMIT_RESULT, now, to_state=State.PENDING_CHECK,
                       fields=fields, note=note, on_time=on_time)  # fmt: skip
        _store_photos(case, event, checked, Evidence.Kind.AFTER, actor, now, written)
    return case


def check_case(
    actor: Actor, case, *, passed: bool, note: str = "", photos=(), version=None, at=None
) -> Case:
    """The inspector checks the result on site (核查): pass to closure, or rework."""
    note = _text(note, "note", required=not passed)
    checked = check_photos(photos)
    now = _now(at)
    config = LoopConfig.get()
    with _atomic_with_files() as written:
        case = _load(case, version)
        role = _require_inspector_here(actor, case)
        _expect(case, State.PENDING_CHECK)
        on_time = _on_time(case, now)
        if passed:
            event = _write(case, actor, role, Action.CHECK, now, to_state=State.PENDING_CLOSURE,
                           fields={"checked_at": now,
                                   **_stage_fields(case, State.PENDING_CLOSURE, now, config)},
                           note=note, on_time=on_time, data={"passed": True})  # fmt: skip
        else:
            # Rework (返工): back to the same unit with a fresh handling limit.
            fields = {"checked_at": now, "rework_count": case.rework_count + 1,
                      "handled_at": None, **_handling_clock(case, now)}  # fmt: skip
            case.__dict__.update(fields)
            fields.update(_stage_fields(case, State.IN_PROGRESS, now, config))
            event = _write(case, actor, role, Action.CHECK, now, to_state=State.IN_PROGRESS,
                           fields=fields, note=note, on_time=on_time,
                           data={"passed": False, "rework": case.rework_count,
                                 "deadline": case.handling_deadline.isoformat()})  # fmt: skip
            queue_for_unit(
                case.unit_id,
                _("Rework: case %(number)s failed the check") % {"number": case.number},
                note, link=f"/console/cases/{case.pk}/", topic=f"case:{case.pk}",
            )  # fmt: skip
        _store_photos(case, event, checked, Evidence.Kind.CHECK, actor, now, written)
    return case


def close_case(actor: Actor, case, *, note: str = "", version=None, at=None) -> Case:
    """Close the case (结案); the closure records whether it was handled on time."""
    role = _require(actor, Role.SHIFT_LEADER)
    note = _text(note, "note")
    now = _now(at)
    with transaction.atomic():
        case = _load(case, version)
        _expect(case, State.PENDING_CLOSURE)
        result = "on_time" if case.handled_on_time is not False else "overdue"
        _write(case, actor, role, Action.CLOSE, now, to_state=State.CLOSED,
               fields={"closed_at": now, **_stage_fields(case, State.CLOSED, now, None)},
               note=note, on_time=_on_time(case, now),
               data={"result": result, "handled_on_time": case.handled_on_time})  # fmt: skip
    return case


# --- requests by the unit: return, extension, suspension -------------------------


def _request(actor, role, case, kind, reason, hours, version, now, *, states) -> CaseRequest:
    with transaction.atomic():
        case = _load(case, version)
        if kind in (
            CaseRequest.Kind.RETURN,
            CaseRequest.Kind.EXTENSION,
            CaseRequest.Kind.SUSPENSION,
        ):
            role = _require_unit(actor, case)
        elif not can_see(actor, case):
            raise Forbidden(_("This case is not in your scope."))
        _expect(case, *states)
        after_deadline = bool(case.handling_deadline and now > case.handling_deadline)
        try:
            with transaction.atomic():
                request = CaseRequest.objects.create(
                    case=case, kind=kind, unit_id=case.unit_id, reason=reason, hours=hours,
                    after_deadline=after_deadline and kind == CaseRequest.Kind.RETURN,
                    requested_by=actor.user if actor.user_id else None, requested_at=now,
                )  # fmt: skip
        except IntegrityError:
            raise InvalidState(
                _("A %(kind)s request for this case is already waiting for a decision.")
                % {"kind": CaseRequest.Kind(kind).label}
            ) from None
        action = {
            CaseRequest.Kind.RETURN: Action.REQUEST_RETURN,
            CaseRequest.Kind.EXTENSION: Action.REQUEST_EXTENSION,
            CaseRequest.Kind.SUSPENSION: Action.REQUEST_SUSPENSION,
            CaseRequest.Kind.VOID: Action.REQUEST_VOID,
            CaseRequest.Kind.REOPEN: Action.REQUEST_REOPEN,
        }[kind]
        data = {"request": request.pk}
        if hours is not None:
            data["hours"] = str(hours)
        if after_deadline and kind == CaseRequest.Kind.RETURN:
            data["after_deadline"] = True
        _write(case, actor, role, action, now, note=reason, data=data, is_public=False)
    return request


def _decide(request, kind, actor, approve: bool, note: str, now) -> tuple[CaseRequest, Case]:
    """Mark a pending request decided (compare-and-set: a second decision is refused)."""
    pk = request.pk if isinstance(request, CaseRequest) else request
    request = CaseRequest.objects.filter(pk=pk, kind=kind).first()
    if request is None:
        raise Invalid(_("There is no such request."), "request")
    note = _text(note, "note")
    status = CaseRequest.Status.APPROVED if approve else CaseRequest.Status.REJECTED
    updated = CaseRequest.objects.filter(pk=request.pk, status=CaseRequest.Status.PENDING).update(
        status=status, decided_by=actor.user if actor.user_id else None, decided_at=now,
        decision_note=note,
    )  # fmt: skip
    if not updated:
        raise InvalidState(_("This request has already been decided."))
    request.status, request.decided_at, request.decision_note = status, now, note
    return request, _load(request.case_id, None)


def _reject(actor, role, request, kind, action, note, at) -> Case:
    now = _now(at)
    with transaction.atomic():
        request, case = _decide(request, kind, actor, False, note, now)
        _write(case, actor, role, action, now, note=request.decision_note,
               data={"request": request.pk}, is_public=False)  # fmt: skip
        if request.unit_id:
            queue_for_unit(request.unit_id,
                           _("Case %(number)s: your %(kind)s request was rejected")
                           % {"number": case.number, "kind": request.get_kind_display()},
                           request.decision_note, link=f"/console/cases/{case.pk}/",
                           topic=f"case:{case.pk}")  # fmt: skip
    return case


UNIT_REQUESTS = (CaseRequest.Kind.RETURN, CaseRequest.Kind.EXTENSION, CaseRequest.Kind.SUSPENSION)


def _lapse_requests(case: Case, actor: Actor, now, note: str, kinds=None) -> int:
    """Close pending requests the change makes moot (rejected, with ``note``).

    Otherwise they would wait in the deciders' queues for a decision that can no
    longer apply, or (an extension after a return) move another unit's deadline.
    """
    pending = CaseRequest.objects.filter(case=case, status=CaseRequest.Status.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    return pending.update(status=CaseRequest.Status.REJECTED, decided_at=now, decision_note=note,
                          decided_by=actor.user if actor.user_id else None)  # fmt: skip


def request_return(actor: Actor, case, *, reason: str, version=None, at=None) -> CaseRequest:
    """The unit says the case is not theirs (回退申请); the dispatcher decides."""
    reason = _text(reason, "reason", required=True)
    return _request(actor, "", case, CaseRequest.Kind.RETURN, reason, None, version, _now(at),
                    states=(State.DISPATCHED, State.IN_PROGRESS))  # fmt: skip


def approve_return(actor: Actor, request, *, note: str = "", at=None) -> Case:
    """Approve a return: the case goes back to dispatch; a late return counts against the unit."""
    role = _require(actor, Role.DISPATCHER)
    now = _now(at)
    with transaction.atomic():
        request, case = _decide(request, CaseRequest.Kind.RETURN, actor, True, note, now)
        _expect(case, State.DISPATCHED, State.IN_PROGRESS)
        # The unit's other pending requests lapse: they must not move the next unit's deadline.
        _lapse_requests(case, actor, now, _("The case was returned to dispatch."), UNIT_REQUESTS)
        config = LoopConfig.get()
        fields = {"unit": None, "return_count": case.return_count + 1,
                  "handling_started_at": None, "handling_deadline": None,
                  "signed_at": None, "is_overdue": False, "escalation_level": 0,
                  **_stage_fields(case, State.PENDING_DISPATCH, now, config)}  # fmt: skip
        _write(case, actor, role, Action.APPROVE_RETURN, now, to_state=State.PENDING_DISPATCH,
               fields=fields, note=request.reason, unit_id=request.unit_id,
               data={"request": request.pk, "after_deadline": request.after_deadline})  # fmt: skip
    return case


def reject_return(actor: Actor, request, *, note: str = "", at=None) -> Case:
    role = _require(actor, Role.DISPATCHER)
    return _reject(actor, role, request, CaseRequest.Kind.RETURN, Action.REJECT_RETURN, note, at)


def _hours(value, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise Invalid(_("Give the hours as a number."), field) from None
    if not hours.is_finite() or hours <= 0:
        raise Invalid(_("An extension must be more than zero hours."), field)
    if hours > MAX_EXTENSION_HOURS:
        raise Invalid(
            _("An extension can be at most %(n)s hours.") % {"n": MAX_EXTENSION_HOURS}, field
        )
    return hours.quantize(Decimal("0.01"))


def request_extension(
    actor: Actor, case, *, hours, reason: str, version=None, at=None
) -> CaseRequest:
    """The unit asks for more time (延期申请): N hours with a reason."""
    hours = _hours(hours)
    reason = _text(reason, "reason", required=True)
    return _request(actor, "", case, CaseRequest.Kind.EXTENSION, reason, hours, version, _now(at),
                    states=(State.DISPATCHED, State.IN_PROGRESS))  # fmt: skip


def approve_extension(actor: Actor, request, *, hours=None, note: str = "", at=None) -> Case:
    """Approve an extension (possibly fewer hours): the handling deadline moves."""
    role = _require(actor, Role.DISPATCHER)
    now = _now(at)
    with transaction.atomic():
        request, case = _decide(request, CaseRequest.Kind.EXTENSION, actor, True, note, now)
        granted = _hours(hours if hours is not None else request.hours)
        if request.hours is not None and granted > request.hours:
            raise Invalid(
                _("Grant at most the %(n)s hours asked for.") % {"n": request.hours}, "hours"
            )
        _expect(case, State.DISPATCHED, State.IN_PROGRESS, State.SUSPENDED)
        CaseRequest.objects.filter(pk=request.pk).update(granted_hours=granted)
        deadline = _move_deadline(case, granted)
        fields = {"handling_deadline": deadline, "extension_hours": case.extension_hours + granted,
                  "extension_count": case.extension_count + 1}  # fmt: skip
        if now <= deadline:
            fields.update(is_overdue=False, escalation_level=0)
        case.__dict__.update(fields)
        if case.state != State.SUSPENDED:
            fields.update(_stage_fields(case, case.state, now, LoopConfig.get()))
        _write(case, actor, role, Action.APPROVE_EXTENSION, now, fields=fields,
               note=request.reason, unit_id=request.unit_id,
               data={"request": request.pk, "hours": str(granted),
                     "deadline": deadline.isoformat()})  # fmt: skip
    return case


def reject_extension(actor: Actor, request, *, note: str = "", at=None) -> Case:
    role = _require(actor, Role.DISPATCHER)
    return _reject(actor, role, request, CaseRequest.Kind.EXTENSION, Action.REJECT_EXTENSION, note, at)  # fmt: skip


def request_suspension(actor: Actor, case, *, reason: str, version=None, at=None) -> CaseRequest:
    """The unit asks to suspend (挂账): the problem cannot be solved in time (works, season, money)."""
    reason = _text(reason, "reason", required=True)
    return _request(actor, "", case, CaseRequest.Kind.SUSPENSION, reason, None, version, _now(at),
                    states=(State.DISPATCHED, State.IN_PROGRESS))  # fmt: skip


def approve_suspension(actor: Actor, request, *, note: str = "", at=None) -> Case:
    """Approve a suspension: the clock stops until the case is resumed."""
    role = _require(actor, Role.DISPATCHER)
    now = _now(at)
    with transaction.atomic():
        request, case = _decide(request, CaseRequest.Kind.SUSPENSION, actor, True, note, now)
        _expect(case, State.DISPATCHED, State.IN_PROGRESS)
        _write(case, actor, role, Action.APPROVE_SUSPENSION, now, to_state=State.SUSPENDED,
               fields={"suspended_at": now, "suspension_count": case.suspension_count + 1,
                       **_stage_fields(case, State.SUSPENDED, now, None)},
               note=request.reason, unit_id=request.unit_id,
               data={"request": request.pk, "resume_to": case.state})  # fmt: skip
    return case


def reject_suspension(actor: Actor, request, *, note: str = "", at=None) -> Case:
    role = _require(actor, Role.DISPATCHER)
    return _reject(actor, role, request, CaseRequest.Kind.SUSPENSION, Action.REJECT_SUSPENSION, note, at)  # fmt: skip


def resume_case(actor: Actor, case, *, note: str = "", version=None, at=None) -> Case:
    """End a suspension: the deadline moves by the suspended (working) time."""
    role = _require(actor, Role.DISPATCHER)
    note = _text(note, "note")
    now = _now(at)
    with transaction.atomic():
        case = _load(case, version)
        _expect(case, State.SUSPENDED)
        if _continuous(case.limit_unit):
            span = now - case.suspended_at
        else:
            span = worktime.working_time_between(case.suspended_at, now).duration
        span = max(span, datetime.timedelta(0))
        deadline = _move_deadline(case, span)
        to_state = State.IN_PROGRESS if case.signed_at else State.DISPATCHED
        fields = {"handling_deadline": deadline, "suspended_at": None,
                  "suspended_seconds": case.suspended_seconds + int(span.total_seconds())}  # fmt: skip
        if now <= deadline:
            fields.update(is_overdue=False, escalation_level=0)
        case.__dict__.update(fields)
        fields.update(_stage_fields(case, to_state, now, LoopConfig.get()))
        _write(case, actor, role, Action.RESUME, now, to_state=to_state, fields=fields, note=note,
               data={"suspended_seconds": int(span.total_seconds()),
                     "deadline": deadline.isoformat()})  # fmt: skip
    return case


# --- supervision orders ----------------------------------------------------------


def issue_supervision(
    actor: Actor, case, *, opinion: str, reply_hours=8, version=None, at=None
) -> SupervisionOrder:
    """A supervision order (督办) to the case's unit: an opinion and a reply due in working hours."""
    role = _require(actor, Role.SUPERVISOR, Role.SHIFT_LEADER)
    opinion = _text(opinion, "opinion", required=True)
    hours = _hours(reply_hours, "reply_hours")
    now = _now(at)
    with transaction.atomic():
        case = _load(case, version)
        _expect(case, *OPEN_STATES)
        if case.unit_id is None:
            raise InvalidState(_("The case has no handling unit yet; dispatch it first."))
        due = worktime.add_working_time(now, datetime.timedelta(hours=float(hours))).at
        order = SupervisionOrder.objects.create(
            case=case, unit_id=case.unit_id, issued_by=actor.user if actor.user_id else None,
            issued_at=now, opinion=opinion, reply_due=due,
        )  # fmt: skip
        _write(case, actor, role, Action.SUPERVISE, now,
               fields={"supervision_count": case.supervision_count + 1}, note=opinion,
               data={"order": order.pk, "reply_due": due.isoformat()})  # fmt: skip
        queue_for_unit(case.unit_id,
                       _("Supervision order on case %(number)s") % {"number": case.number},
                       opinion, link=f"/console/cases/{case.pk}/", topic=f"case:{case.pk}")  # fmt: skip
    return order


def reply_supervision(actor: Actor, order, *, reply: str, at=None) -> SupervisionOrder:
    """The supervised unit answers a supervision order."""
    reply = _text(reply, "reply", required=True)
    now = _now(at)
    with transaction.atomic():
        pk = order.pk if isinstance(order, SupervisionOrder) else order
        order = SupervisionOrder.objects.filter(pk=pk).first()
        if order is None:
            raise Invalid(_("There is no such supervision order."), "order")
        if not actor.has(Role.ADMINISTRATOR) and order.unit_id not in actor.unit_ids(*UNIT_ROLES):
            raise Forbidden(_("This supervision order is addressed to another unit."))
        role = actor.first_role(*UNIT_ROLES, Role.ADMINISTRATOR)
        updated = SupervisionOrder.objects.filter(
            pk=order.pk, status=SupervisionOrder.Status.OPEN
        ).update(status=SupervisionOrder.Status.REPLIED, reply=reply, replied_at=now,
                 replied_by=actor.user if actor.user_id else None)  # fmt: skip
        if not updated:
            raise InvalidState(_("This supervision order has already been answered."))
        case = _load(order.case_id, None)
        _write(case, actor, role, Action.REPLY_SUPERVISION, now, note=reply,
               data={"order": order.pk, "on_time": now <= order.reply_due},
               on_time=now <= order.reply_due, unit_id=order.unit_id)  # fmt: skip
        order.refresh_from_db()
    return order


# --- duplicates, rating, reopen, followers -----------------------------------------


def merge_case(actor: Actor, case, *, into, note: str = "", version=None, at=None) -> Case:
    """Merge a duplicate into the open case it repeats (合并); its followers move along."""
    role = _require(actor, Role.SHIFT_LEADER)
    note = _text(note, "note")
    now = _now(at)
    with transaction.atomic():
        case = _load(case, version)
        target = _load(into, None)
        if target.pk == case.pk:
            raise Invalid(_("A case cannot be merged into itself."), "into")
        _expect(case, *OPEN_STATES)
        if target.state not in OPEN_STATES:
            raise InvalidState(_("Merge only into an open case; %(n)s is %(s)s.")
                               % {"n": target.number, "s": target.get_state_display()})  # fmt: skip
        _lapse_requests(case, actor, now, _("The case was cancelled."))
        _write(case, actor, role, Action.MERGE, now, to_state=State.CANCELLED,
               fields={"cancel_reason": CancelReason.MERGED, "cancelled_at": now,
                       "duplicate_of": target, **_stage_fields(case, State.CANCELLED, now, None)},
               note=note, data={"into": target.pk, "into_number": target.number})  # fmt: skip
        _write(target, actor, role, Action.ABSORB, now, note=note,
               data={"duplicate": case.pk, "duplicate_number": case.number})  # fmt: skip
        CaseFollower.objects.filter(case=case).update(case=target)
    return case


def follow_case(case, *, email: str = "", phone: str = "", at=None) -> CaseFollower:
    """A resident follows an open case instead of reporting it again."""
    now = _now(at)
    email = _text(email, "email", limit=254)
    phone = _text(phone, "phone", limit=40)
    with transaction.atomic():
        case = _load(case, None)
        _expect(case, *OPEN_STATES)
        follower = CaseFollower.objects.create(case=case, email=email, phone=phone)
        _write(case, public_actor(), "resident", Action.FOLLOW, now, is_public=False)
    return follower


UNSATISFIED_LEVEL = 2


def rate_case(case, *, level, reason: str = "", actor: Actor | None = None, at=None) -> Rating:
    """A resident rates the result of a closed case (5 levels; 1–2 are unsatisfied).

    An unsatisfied rating becomes a reopen request for the shift leader.
    """
    actor = actor or public_actor()
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise Invalid(_("Rate from 1 to 5."), "level") from None
    if not 1 <= level <= 5:
        raise Invalid(_("Rate from 1 to 5."), "level")
    reason = _text(reason, "reason", limit=1000)
    now = _now(at)
    with transaction.atomic():
        case = _load(case, None)
        _expect(case, State.CLOSED)
        if Rating.objects.filter(case=case, rated_at__gte=case.closed_at).exists():
            raise InvalidState(_("This result has already been rated."))
        rating = Rating.objects.create(case=case, level=level, reason=reason, rated_at=now)
        _write(case, actor, "resident", Action.RATE, now, note=reason,
               data={"level": level, "rating": rating.pk})  # fmt: skip
        if level <= UNSATISFIED_LEVEL:
            request = CaseRequest.objects.create(
                case=case, kind=CaseRequest.Kind.REOPEN, unit_id=case.unit_id,
                reason=reason or _("The resident is not satisfied."), requested_at=now,
            )  # fmt: skip
            _write(case, actor, "resident", Action.REQUEST_REOPEN, now, note=request.reason,
                   data={"request": request.pk}, is_public=False)  # fmt: skip
            for unit_id in _shift_leader_units():
                queue_for_unit(unit_id,
                               _("Unsatisfied rating on case %(number)s") % {"number": case.number},
                               request.reason, link=f"/console/cases/{case.pk}/",
                               topic=f"case:{case.pk}")  # fmt: skip
    return rating


def _shift_leader_units() -> list[int]:
    return list(
        Membership.objects.filter(role=Role.SHIFT_LEADER, is_active=True)
        .values_list("unit_id", flat=True)
        .distinct()
    )


def approve_reopen(actor: Actor, request, *, note: str = "", at=None) -> Case:
    """Send the case back to the same unit for re-handling (重办), with a fresh limit."""
    role = _require(actor, Role.SHIFT_LEADER)
    now = _now(at)
    with transaction.atomic():
        request, case = _decide(request, CaseRequest.Kind.REOPEN, actor, True, note, now)
        _expect(case, State.CLOSED)
        if case.unit is None:
            raise InvalidState(_("This case was never dispatched; it cannot be re-handled."))
        _dispatch(case, actor, role, case.unit, now, LoopConfig.get(), request.reason,
                  action=Action.REOPEN,
                  extra={"closed_at": None, "checked_at": None,
                         "reopen_count": case.reopen_count + 1})  # fmt: skip
    return case


def reject_reopen(actor: Actor, request, *, note: str = "", at=None) -> Case:
    role = _require(actor, Role.SHIFT_LEADER)
    return _reject(actor, role, request, CaseRequest.Kind.REOPEN, Action.REJECT_REOPEN, note, at)


def add_evidence(actor: Actor, case, *, photos, kind: str = "other", note: str = "",
                 version=None, at=None) -> list[Evidence]:  # fmt: skip
    """Add photos to an open case (any staff who can see it and works on it)."""
    if actor.is_public:
        raise Forbidden(_("Only staff may add evidence."))
    if kind not in Evidence.Kind.values:
        raise Invalid(_("Unknown kind of evidence."), "kind")
    checked = check_photos(photos)
    if not checked:
        raise Invalid(_("Add at least one photo."), "photos")
    note = _text(note, "note")
    now = _now(at)
    with _atomic_with_files() as written:
        case = _load(case, version)
        if not can_see(actor, case):
            raise Forbidden(_("You cannot add evidence to this case."))
        _expect(case, *OPEN_STATES)
        role = actor.first_role(*sorted(actor.roles))
        event = _write(case, actor, role, Action.ADD_EVIDENCE, now, note=note,
                       data={"count": len(checked)})  # fmt: skip
        return _store_photos(case, event, checked, kind, actor, now, written)


# --- what an actor may do ----------------------------------------------------------


def available_actions(actor: Actor, case: Case) -> list[str]:
    """Names of the actions ``actor`` may attempt on ``case`` now (for menus and the API).

    The action itself still checks everything; this only keeps menus honest.
    """
    names = []
    state = case.state

    def has(*roles):
        return actor.has(*roles, Role.ADMINISTRATOR)

    in_unit = actor.has(Role.ADMINISTRATOR) or (
        case.unit_id is not None and case.unit_id in actor.unit_ids(*UNIT_ROLES)
    )
    inspector_here = actor.has(Role.ADMINISTRATOR) or (
        actor.has(Role.INSPECTOR)
        and (
            case.assigned_inspector_id == actor.user_id
            or (case.assigned_inspector_id is None and case.patrol_area_id in actor.patrol_area_ids)
        )
    )
    if state == State.REPORTED and has(Role.ACCEPTOR, Role.SHIFT_LEADER):
        names += ["accept", "send_for_verification", "refuse"]
    if state == State.VERIFYING:
        if inspector_here:
            names.append("verify")
        if has(Role.ACCEPTOR, Role.SHIFT_LEADER):
            names.append("refuse")
    if state == State.PENDING_FILING and has(Role.SHIFT_LEADER):
        names += ["file", "refuse"]
    if state == State.PENDING_DISPATCH and has(Role.DISPATCHER):
        names.append("dispatch")
    if state == State.DISPATCHED and in_unit:
        names.append("sign")
    if state == State.IN_PROGRESS and in_unit:
        names.append("submit_result")
    if state in (State.DISPATCHED, State.IN_PROGRESS) and in_unit:
        names += ["request_return", "request_extension", "request_suspension"]
    if state == State.SUSPENDED and has(Role.DISPATCHER):
        names.append("resume")
    if state == State.PENDING_CHECK and inspector_here:
        names.append("check")
    if state == State.PENDING_CLOSURE and has(Role.SHIFT_LEADER):
        names.append("close")
    if state in OPEN_STATES:
        if has(Role.SHIFT_LEADER, Role.ACCEPTOR):
            names.append("assign_inspector")
        if has(Role.SHIFT_LEADER):
            names.append("merge")
        if has(Role.ACCEPTOR, Role.DISPATCHER, Role.SHIFT_LEADER, Role.INSPECTOR):
            names.append("request_void")
        if case.unit_id and has(Role.SUPERVISOR, Role.SHIFT_LEADER):
            names.append("supervise")
    return names
