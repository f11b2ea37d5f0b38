"""Intake: a report from any source (and the inspector's self-handled report).

``check_report`` validates everything (role by source, category, point,
texts, photos) and routes; ``do_report`` writes the case, its first history
row and photos, and takes the fast lane when the loop allows it.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.compiled import Compiled, execute_prepared, insert
from civicloop.core.errors import Forbidden, Invalid
from civicloop.geo import coords
from civicloop.geo.locator import locate
from civicloop.org.models import Role, Unit
from civicloop.org.routing import road_chief, route

from ..models import (
    Case,
    CaseEvent,
    DailySequence,
    Evidence,
    FilingStandard,
    LoopConfig,
    SmallClass,
    Source,
    State,
    distance_m,
    near_lookup,
)
from ..permissions import SYSTEM, Actor
from ..rules import RULES, SOURCE_ROLES
from .base import (
    MAX_DESCRIPTION,
    MAX_NOTE,
    Action,
    actor_unit_data,
    atomic_with_files,
    now_or,
    small_class_for,
    stage_fields,
    standard_for,
    text,
    urgency_of,
    write,
)
from .centre import write_dispatch
from .evidence import check_photos, store_photos

__all__ = [
    "Intake", "Place", "SOURCE_ROLES", "check_report", "check_self_handled", "do_report",
    "do_self_handled", "find_duplicates", "nearby_open_cases", "next_number", "record_report",
    "report_case",
    "report_self_handled",
]  # fmt: skip


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
        execute_prepared(  # the same statement every intake: prepared on PostgreSQL
            connection, cursor,
            f"INSERT INTO {table} ({key_column}, {value_column}) VALUES (%s, 1) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {value_column} = {table}.{value_column} + 1 "
            f"RETURNING {value_column}",
            [key],
        )  # fmt: skip
        (value,) = cursor.fetchone()
    return f"{key}{value:04d}"


@dataclass
class Place:
    lon: float
    lat: float
    location: object


def place_of(lon, lat, coord_system: str) -> Place:
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


# --- the one duplicate search -------------------------------------------------------


#: The duplicate search, compiled once per process (civicloop.core.compiled).
_NEARBY = Compiled(
    Case, int, float, float, float, float, datetime.datetime, int, name="cases.nearby_open"
)


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
    now = now_or(now)
    box = near_lookup(lon, lat, radius_m)

    def build(small_class_id, lon_min, lon_max, lat_min, lat_max, since, exclude_id):
        candidates = Case.objects.open().filter(
            small_class_id=small_class_id, lon__gte=lon_min, lon__lte=lon_max,
            lat__gte=lat_min, lat__lte=lat_max, reported_at__gte=since,
        )  # fmt: skip
        return candidates.exclude(pk=exclude_id).values_list("pk", "lon", "lat")[:500]

    rows = _NEARBY.all(
        "nearby", build, small_class_id, float(box["lon__gte"]), float(box["lon__lte"]),
        float(box["lat__gte"]), float(box["lat__lte"]), now - datetime.timedelta(days=days),
        exclude_id if exclude_id is not None else 0,  # no case has the id 0
    )  # fmt: skip
    found = []
    for pk, case_lon, case_lat in rows:
        distance = distance_m(lon, lat, case_lon, case_lat)
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


# --- reports ---------------------------------------------------------------------------


@dataclass
class Intake:
    """A validated report, ready to be written (see :func:`do_report`)."""

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


def check_report(
    actor: Actor, *, source, category, lon, lat, coord_system="wgs84", description="",
    address="", urgency=None, standard=None, owner="", photos=(), reporter_name="",
    reporter_phone="", reporter_email="", external_id="", at=None,
) -> Intake:  # fmt: skip
    """Check a report (role, category, point, texts, photos) before anything is written."""
    if source not in Source.values:
        raise Invalid(_("Unknown source %(s)s.") % {"s": source}, "source")
    if source == Source.PUBLIC:
        role = "resident" if actor.is_public or not actor.roles else actor.first_role(*actor.roles)
    else:
        if actor.is_public:
            raise Forbidden(_("Only staff may report from this source."))
        role = _source_role(actor, source)
    small = small_class_for(category)
    urgency = urgency_of(urgency)
    place = place_of(lon, lat, coord_system)
    fields = {
        "urgency": urgency,
        "description": text(description, "description", limit=MAX_DESCRIPTION),
        "address": text(address, "address", limit=200),
        "owner": text(owner, "owner", limit=100),
        "reporter_name": text(reporter_name, "reporter_name", limit=60),
        "reporter_phone": text(reporter_phone, "reporter_phone", limit=40),
        "reporter_email": text(reporter_email, "reporter_email", limit=254),
        "external_id": text(external_id, "external_id", limit=100),
    }
    if fields["reporter_email"] and "@" not in fields["reporter_email"]:
        raise Invalid(_("Enter a valid e-mail address."), "reporter_email")
    filing_standard = standard_for(small, standard)
    checked = check_photos(photos)
    location = place.location
    return Intake(
        actor=actor, role=role, source=source, small=small, filing_standard=filing_standard,
        place=place, decision=route(small.full_code, location, fields["owner"]),
        chief=road_chief(location.road_section_id), photos=checked, now=now_or(at),
        config=LoopConfig.get(), fields=fields,
    )  # fmt: skip


def _source_role(actor: Actor, source: str) -> str:
    """The role a staff report from ``source`` is made under (the table's ``source_roles``)."""
    roles = RULES["report"].data["source_roles"][source]
    role = actor.first_role(*roles, Role.ADMINISTRATOR)
    if not role:
        names = "、".join(str(Role(r).label) for r in roles)
        raise Forbidden(_("Only these roles may do this: %(roles)s.") % {"roles": names})
    return role


def do_report(intake: Intake, written: list[str], *, fast_lane: bool = True) -> Case:
    """Write a checked report (inside the caller's transaction); fast lane if allowed."""
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
    case.__dict__.update(stage_fields(case, State.REPORTED, now, config))
    insert(case)  # the INSERT built once per process (civicloop.core.compiled)
    duplicates = nearby_open_cases(
        small.pk, place.lon, place.lat, radius_m=config.duplicate_radius_m,
        days=config.duplicate_days, exclude_id=case.pk, now=now,
    )[:10]  # fmt: skip
    event = CaseEvent(
        case=case, at=now, actor=actor.user if actor.user_id else None,
        actor_name=actor.name[:60], role=intake.role, action=Action.REPORT,
        to_state=State.REPORTED, note=case.description[:MAX_NOTE],
        data={
            "source": intake.source,
            "proposed_unit": decision.unit.pk if decision.unit else None,
            "routing_reason": decision.reason,
            "possible_duplicates": [pk for pk, _d in duplicates],
            **actor_unit_data(actor, intake.role),
        },
    )  # fmt: skip
    insert(event)
    store_photos(case, event, intake.photos, Evidence.Kind.BEFORE, actor, now, written)
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
        do_fast_lane(case, decision.unit, now, config)
    return case


def do_fast_lane(case: Case, unit: Unit, now: datetime.datetime, config: LoopConfig) -> None:
    """Accept, file and dispatch at once (trusted source, unambiguous routing)."""
    note = _("Fast lane: trusted source and unambiguous routing.")
    write(case, SYSTEM, "system", Action.ACCEPT, now, to_state=State.PENDING_FILING,
          fields=stage_fields(case, State.PENDING_FILING, now, config), note=note,
          on_time=True)  # fmt: skip
    write(case, SYSTEM, "system", Action.FILE, now, to_state=State.PENDING_DISPATCH,
          fields={"filed_at": now, "fast_lane": True,
                  **stage_fields(case, State.PENDING_DISPATCH, now, config)},
          note=note, on_time=True)  # fmt: skip
    write_dispatch(case, SYSTEM, "system", unit, now, config, note)


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
    intake = check_report(
        actor, source=source, category=category, lon=lon, lat=lat, coord_system=coord_system,
        description=description, address=address, urgency=urgency, standard=standard,
        owner=owner, photos=photos, reporter_name=reporter_name, reporter_phone=reporter_phone,
        reporter_email=reporter_email, external_id=external_id, at=at,
    )  # fmt: skip
    return record_report(intake)


def record_report(intake: Intake, then: Callable[[Case], object] | None = None) -> Case:
    """Write a checked report in one transaction (fast lane if allowed).

    ``then(case)`` writes what a face keeps beside the case (the Open311 row)
    in the same transaction, so no savepoint is needed around the report.
    Photo files written are removed again when the transaction rolls back.
    """
    with atomic_with_files() as written:
        case = do_report(intake, written, fast_lane=True)
        if then is not None:
            then(case)
        return case


@dataclass
class SelfHandled:
    intake: Intake
    role: str
    after: list


def check_self_handled(
    actor: Actor, *, category, lon, lat, before_photos, after_photos, description="",
    address="", coord_system="wgs84", at=None,
) -> SelfHandled:  # fmt: skip
    role = RULES.role_for("self_handle", actor)
    before = check_photos(before_photos)
    after = check_photos(after_photos)
    if not before or not after:
        raise Invalid(_("Self-handling needs a photo before and a photo after."), "photos")
    intake = check_report(
        actor, source=Source.INSPECTOR, category=category, lon=lon, lat=lat,
        coord_system=coord_system, description=description, address=address, urgency=None,
        standard=None, owner="", photos=before, reporter_name="", reporter_phone="",
        reporter_email="", external_id="", at=at,
    )  # fmt: skip
    return SelfHandled(intake, role, after)


def self_handle_fields(case: Case, now, config, stage=stage_fields) -> dict:
    """What self-handling writes on the case row (the demo replays it)."""
    return {"self_handled": True, "filed_at": now, "handled_at": now, "handled_on_time": True,
            "checked_at": now, **stage(case, State.PENDING_CLOSURE, now, config)}  # fmt: skip


def do_self_handled(c: SelfHandled) -> Case:
    """The report and the self-handling in one transaction (the fast lane does not apply)."""
    intake = c.intake
    now, config = intake.now, intake.config
    with atomic_with_files() as written:
        case = do_report(intake, written, fast_lane=False)
        event = write(case, intake.actor, c.role, Action.SELF_HANDLE, now,
                      to_state=State.PENDING_CLOSURE, fields=self_handle_fields(case, now, config),
                      note=case.description[:MAX_NOTE])  # fmt: skip
        store_photos(case, event, c.after, Evidence.Kind.AFTER, intake.actor, now, written)
    return case


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
    return do_self_handled(check_self_handled(
        actor, category=category, lon=lon, lat=lat, before_photos=before_photos,
        after_photos=after_photos, description=description, address=address,
        coord_system=coord_system, at=at,
    ))  # fmt: skip
