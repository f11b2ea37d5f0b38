"""Reads of the console: filtered case lists, dashboard figures, map data.

Everything starts from :func:`visible_cases` and counts in SQL (conditional
aggregates, GROUP BY), never in Python loops, so the number of queries does
not grow with the number of cases.
"""

from __future__ import annotations

import datetime
import json
import re

import shapely
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import Floor, TruncDate
from django.utils import timezone
from django.utils.functional import cached_property

from civicloop.cases.models import OPEN_STATES, Case, Light, SmallClass, State, overdue_q
from civicloop.cases.permissions import UNIT_ROLES, Actor, visible_cases
from civicloop.cases.rules import stage_states
from civicloop.geo import display
from civicloop.geo.models import GeoDataVersion, GridCell, Region
from civicloop.org.models import Role

#: Lists count at most this many rows (a larger count reads "10000+").
COUNT_CAP = 10_000
#: The map draws single markers up to this many cases in view, clusters above.
MAP_MAX_POINTS = 800
#: At most this many cells are sent for the visible part of the map.
MAP_MAX_CELLS = 4000
#: Days of the dashboard's trend and top categories.
TREND_DAYS = 30

SORTS = {
    "new": ("-reported_at", "-id"),
    "old": ("reported_at", "id"),
    "due": ("due_at", "id"),
    "updated": ("-updated_at", "-id"),
    "number": ("number",),
}


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``COUNT_CAP`` (COUNT over a LIMIT subquery)."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


#: What the start of a case number looks like (E0102…: letters of the family, then
#: digits); such a search text is looked up in the numbers only.
CASE_NUMBER_PREFIX = re.compile(r"[A-Za-z]{1,2}\d{2,}")
NUMBER_LENGTH = Case._meta.get_field("number").max_length


def filter_cases(queryset: QuerySet, data: dict, now: datetime.datetime | None = None) -> QuerySet:
    """Apply the list filters (the cleaned data of ``CaseFilterForm``)."""
    now = now or timezone.now()
    state = data.get("state")
    if state == "open":
        queryset = queryset.open()
    elif state:
        queryset = queryset.filter(state=state)
    for name, field in (
        ("light", "light"),
        ("source", "source"),
        ("category", "small_class"),
        ("street", "street"),
        ("community", "community"),
        ("unit", "unit"),
        ("road", "road_section__road"),
        ("section", "road_section"),
        ("cell", "cell"),
        ("patrol_area", "patrol_area"),
    ):
        value = data.get(name)
        if value:
            queryset = queryset.filter(**{field: value})
    if data.get("overdue"):
        queryset = queryset.overdue(now)
    if data.get("date_from"):
        queryset = queryset.filter(reported_at__gte=day_start(data["date_from"]))
    if data.get("date_to"):
        end = day_start(data["date_to"] + datetime.timedelta(days=1))
        queryset = queryset.filter(reported_at__lt=end)
    if data.get("closed_from"):
        queryset = queryset.filter(closed_at__gte=day_start(data["closed_from"]))
    if data.get("closed_to"):
        end = day_start(data["closed_to"] + datetime.timedelta(days=1))
        queryset = queryset.filter(closed_at__lt=end)
    text = (data.get("q") or "").strip()
    if CASE_NUMBER_PREFIX.fullmatch(text):
        # The start of a case number (a family letter and digits): looked up in the
        # numbers only, as a range the number's unique index serves (LIKE 'E01%'
        # cannot use it outside the C collation), instead of reading every
        # description and address (0.9–1.9 s at 1M cases; docs/indexes.md).
        prefix = text.upper()
        queryset = queryset.filter(
            number__gte=prefix, number__lte=prefix.ljust(NUMBER_LENGTH, "Z"),
            number__startswith=prefix,
        )  # fmt: skip
    elif text:
        queryset = queryset.filter(
            Q(number__startswith=text.upper())
            | Q(description__icontains=text)
            | Q(address__icontains=text)
        )
    return queryset.order_by(*SORTS.get(data.get("sort") or "new", SORTS["new"]))


def list_queryset(actor: Actor) -> QuerySet:
    return visible_cases(actor).select_related("small_class", "unit", "street", "community")


# --- dashboard ----------------------------------------------------------------


def dashboard_figures(actor: Actor, now: datetime.datetime | None = None) -> dict:
    """Counts per state and light, today's intake, overdue, trend and top categories."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    since_day = today - datetime.timedelta(days=TREND_DAYS - 1)
    since = day_start(since_day)
    cases = visible_cases(actor)

    open_figures = cases.open().aggregate(
        open=Count("id"),
        overdue=Count("id", filter=overdue_q(now)),
        **{f"state_{s}": Count("id", filter=Q(state=s)) for s in OPEN_STATES},
        **{f"light_{c}": Count("id", filter=Q(light=c)) for c in Light.values},
    )
    # One GROUP BY (day, category) over the window gives intake, today, cancelled,
    # the trend and the top categories; one GROUP BY day gives the closures.
    reported_rows = list(
        cases.filter(reported_at__gte=since)
        .order_by()
        .annotate(day=TruncDate("reported_at"))
        .values_list("day", "small_class_id")
        .annotate(n=Count("id"), cancelled=Count("id", filter=Q(state=State.CANCELLED)))
        .values_list("day", "small_class_id", "n", "cancelled")
    )
    closed_by_day = dict(
        cases.filter(closed_at__gte=since)
        .order_by()
        .annotate(day=TruncDate("closed_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    reported_by_day: dict = {}
    by_class: dict = {}
    for day, class_id, n, _cancelled in reported_rows:
        reported_by_day[day] = reported_by_day.get(day, 0) + n
        by_class[class_id] = by_class.get(class_id, 0) + n
    recent = {
        "reported": sum(reported_by_day.values()),
        "today": reported_by_day.get(today, 0),
        "cancelled": sum(row[3] for row in reported_rows),
    }
    closed = {"closed": sum(closed_by_day.values()), "closed_today": closed_by_day.get(today, 0)}
    days = [since_day + datetime.timedelta(days=i) for i in range(TREND_DAYS)]
    top_ids = sorted(by_class, key=lambda pk: -by_class[pk])[:10]
    names = {
        pk: (code, name)
        for pk, code, name in SmallClass.objects.filter(pk__in=top_ids).values_list(
            "pk", "full_code", "name"
        )
    }
    top = sorted(
        ({"small_class_id": pk, "small_class__full_code": names[pk][0],
          "small_class__name": names[pk][1], "n": by_class[pk]} for pk in top_ids),
        key=lambda t: (-t["n"], t["small_class__full_code"]),
    )  # fmt: skip
    states = [
        {"state": s, "label": str(State(s).label), "n": open_figures[f"state_{s}"]}
        for s in OPEN_STATES
    ]
    lights = [
        {"light": c, "label": str(Light(c).label), "n": open_figures[f"light_{c}"]}
        for c in Light.values
    ]
    return {
        "open": open_figures["open"],
        "overdue": open_figures["overdue"],
        "states": states,
        "lights": lights,
        "today": recent["today"],
        "reported_30": recent["reported"],
        "cancelled_30": recent["cancelled"],
        "closed_30": closed["closed"],
        "closed_today": closed["closed_today"],
        "since": since_day,
        "today_date": today,
        "trend": {
            "days": [d.isoformat() for d in days],
            "reported": [reported_by_day.get(d, 0) for d in days],
            "closed": [closed_by_day.get(d, 0) for d in days],
        },
        "top": [
            {
                "id": t["small_class_id"],
                "code": t["small_class__full_code"],
                "name": t["small_class__name"],
                "n": t["n"],
            }
            for t in top
        ],  # fmt: skip
    }


# --- map ---------------------------------------------------------------------------


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """``west,south,east,north`` in degrees, or None if missing or malformed."""
    if not value:
        return None
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        return None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return None
    if display.shifted():  # the map's view is in the tiles' system (MAP_TILE_CRS)
        west, south = display.from_map(west, south)
        east, north = display.from_map(east, north)
    return west, south, east, north


def map_cases(
    actor: Actor, bbox=None, zoom: int | None = None, filters: dict | None = None
) -> dict:
    """Open cases in view as GeoJSON: single points, or grid clusters when there are many."""
    cases = visible_cases(actor).filter(state__in=OPEN_STATES)
    if filters:
        cases = filter_cases(cases, filters).order_by()
    if bbox:
        west, south, east, north = bbox
        cases = cases.filter(lon__range=(west, east), lat__range=(south, north))
    count = cases[: MAP_MAX_POINTS + 1].count()
    if count <= MAP_MAX_POINTS:
        rows = cases.order_by().values_list(
            "id", "number", "lon", "lat", "light", "state", "small_class__name"
        )
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(display.to_map(lon, lat))},
                "properties": {
                    "id": pk,
                    "number": number,
                    "light": light or "",
                    "state": state,
                    "state_label": str(State(state).label),
                    "category": name,
                },
            }  # fmt: skip
            for pk, number, lon, lat, light, state, name in rows
        ]
        return {"type": "FeatureCollection", "clustered": False, "features": features}
    # About 60 px squares at this zoom (a 256 px tile spans 360 / 2**zoom degrees).
    zoom = max(0, min(int(zoom if zoom is not None else 12), 20))
    size = 360.0 / (2**zoom) * 60 / 256
    rows = (
        cases.order_by()
        .annotate(gx=Floor(F("lon") / size), gy=Floor(F("lat") / size))
        .values("gx", "gy")
        .annotate(
            n=Count("id"),
            lon=Avg("lon"),
            lat=Avg("lat"),
            red=Count("id", filter=Q(light=Light.RED)),
            yellow=Count("id", filter=Q(light=Light.YELLOW)),
        )
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(display.to_map(r["lon"], r["lat"]))},
            "properties": {"cluster": True, "n": r["n"], "red": r["red"], "yellow": r["yellow"]},
        }
        for r in rows
    ]
    return {"type": "FeatureCollection", "clustered": True, "features": features}


def _geometry_json(geom, tolerance: float) -> dict:
    """Stored WKB as GeoJSON in the map's coordinate system (``MAP_TILE_CRS``), simplified."""
    geometry = display.geometry_to_map(shapely.from_wkb(bytes(geom)))
    if tolerance:
        geometry = shapely.simplify(geometry, tolerance, preserve_topology=True)
    return json.loads(shapely.to_geojson(shapely.set_precision(geometry, 1e-6)))


def street_boundaries(actor: Actor) -> dict:
    """Street polygons (simplified, cached per geometry version) with open-case counts."""
    key = f"console:streets:{GeoDataVersion.current()}:{display.system()}"
    shapes = cache.get(key)
    if shapes is None:
        shapes = [
            {"id": pk, "code": code, "name": name, "geometry": _geometry_json(geom, 0.0002)}
            for pk, code, name, geom in Region.objects.filter(
                level=Region.Level.STREET, geom__isnull=False
            ).values_list("id", "code", "name", "geom")
        ]
        cache.set(key, shapes, 3600)
    counts = dict(
        visible_cases(actor)
        .filter(state__in=OPEN_STATES)
        .order_by()
        .values_list("street_id")
        .annotate(n=Count("id"))
        .values_list("street_id", "n")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": s["geometry"],
                "properties": {
                    "id": s["id"],
                    "code": s["code"],
                    "name": s["name"],
                    "open": counts.get(s["id"], 0),
                },
            }  # fmt: skip
            for s in shapes
        ],
    }


def cell_boundaries(bbox) -> dict:
    """Grid cells overlapping the view (bounding-box test on indexed columns), capped."""
    cells = GridCell.objects.filter(geom__isnull=False)
    if bbox:
        west, south, east, north = bbox
        cells = cells.filter(min_lon__lte=east, max_lon__gte=west, min_lat__lte=north,
                             max_lat__gte=south)  # fmt: skip
    rows = cells.values_list("id", "code", "area_class", "geom")[:MAP_MAX_CELLS]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": _geometry_json(geom, 0),
                "properties": {"id": pk, "code": code, "area_class": area_class},
            }
            for pk, code, area_class, geom in rows
        ],
    }


# --- the home queues ------------------------------------------------------------------

#: Roles whose home is a set of stage queues (unit leaders, supervisors and
#: administrators start at the dashboard).
QUEUE_ROLES = (Role.INSPECTOR, Role.ACCEPTOR, Role.SHIFT_LEADER, Role.DISPATCHER, Role.HANDLER)


def red_q(now: datetime.datetime) -> Q:
    """Red in the current stage: the light says so, or the stage deadline has passed."""
    return Q(light=Light.RED) | Q(due_at__lt=now)


def role_scope(actor: Actor, role: str) -> Q:
    """Which of the visible cases are this role's work (a unit's, an inspector's areas)."""
    if role == Role.INSPECTOR:
        return Q(assigned_inspector_id=actor.user_id) | Q(
            assigned_inspector__isnull=True, patrol_area_id__in=actor.patrol_area_ids
        )
    if role == Role.HANDLER:
        return Q(unit_id__in=actor.unit_ids(*UNIT_ROLES))
    return Q()


def my_stages(actor: Actor) -> dict[str, Q]:
    """The states whose stage is the actor's (:func:`stage_states` of the rule table),
    each with the cases of it that are theirs, in state order."""
    scopes: dict[str, Q] = {}
    for role in QUEUE_ROLES:
        if not actor.has(role):
            continue
        for state in stage_states(role):
            scope = role_scope(actor, role)
            scopes[state] = scopes[state] | scope if state in scopes else scope
    return {s: scopes[s] for s in State.values if s in scopes}


def stage_counts(actor: Actor, now: datetime.datetime | None = None) -> dict:
    """Cases and red cases per stage of the actor, in one aggregate query.

    ``{"stages": {state: {"n": …, "red": …}}, "red": total red}``; the red count
    covers only the actor's own stages (a unit is never shown the centre's lateness).
    """
    now = now or timezone.now()
    stages = my_stages(actor)
    if not stages:
        return {"stages": {}, "red": 0}
    late = red_q(now)
    # WHERE on the stages' states lets the state index find the few open cases
    # instead of reading the whole table through the FILTER clauses.
    in_stages = visible_cases(actor).filter(state__in=list(stages))
    figures = in_stages.aggregate(
        **{f"n_{s}": Count("id", filter=Q(state=s) & q) for s, q in stages.items()},
        **{f"red_{s}": Count("id", filter=Q(state=s) & q & late) for s, q in stages.items()},
    )
    counts = {s: {"n": figures[f"n_{s}"], "red": figures[f"red_{s}"]} for s in stages}
    return {"stages": counts, "red": sum(c["red"] for c in counts.values())}


def mine_q(stages: dict[str, Q]) -> Q:
    """Cases in any of the actor's stages (the ``my_stages`` scopes or-ed)."""
    found = Q(pk__in=[])
    for state, scope in stages.items():
        found |= Q(state=state) & scope
    return found
