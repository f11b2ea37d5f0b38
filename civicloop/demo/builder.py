"""Build the Erqi demo dataset: places, units, people, rules, catalogue.

Geometry is generated (and flagged synthetic) and fed through the real
importers, so the demo also proves them; units, people and rules are created
directly. ``build()`` is idempotent: when the district exists it only makes
sure the demo logins work and returns what is there.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.cases.catalogue_loader import load_catalogue
from civicloop.cases.models import Case, CaseEvent, SmallClass
from civicloop.core import memo
from civicloop.geo import importers
from civicloop.geo.models import GridCell, PatrolArea, Region, Road, RoadSection
from civicloop.org.models import Membership, Person, ResponsibilityRule, Role, Unit

from . import erqi
from .history import build_history

CELL_M = 100  # a unit grid cell is about 100 m × 100 m
COMMUNITY_CELLS = (5, 4)  # columns × rows of cells in a community
STREET_COMMUNITIES = (3, 2)  # columns × rows of communities in a street
STREET_GRID_COLUMNS = 5  # streets are laid out five to a row
CENTRE_UNIT = ("ZX", "数字城管监督指挥中心", "指挥中心")


class DemoRefused(Exception):
    """The database holds real data; the demo neither builds over it nor resets logins."""


@dataclass
class DemoReport:
    reused: bool
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, username, unit
    password: str = ""
    history_cases: int = 0  # cases written by this run (0 when reused or skipped)


def demo_password() -> str:
    return settings.DEMO_PASSWORD


def password_hash(password: str) -> str:
    """The stored form of a demo password, hashed once a process (hashing is slow by
    design): every demo login of a build gets the same hash."""
    return _hashed(password, tuple(settings.PASSWORD_HASHERS))


@functools.lru_cache(maxsize=4)
def _hashed(password: str, _hashers: tuple) -> str:
    return make_password(password)


class _Grid:
    """Metres east/north of the district's south-west corner → lon/lat."""

    def __init__(self, width_m: float, height_m: float) -> None:
        lon0, lat0 = erqi.CENTRE
        self.ky = 111_195.0
        self.kx = self.ky * math.cos(math.radians(lat0))
        self.lon0 = lon0 - width_m / 2 / self.kx
        self.lat0 = lat0 - height_m / 2 / self.ky

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return (round(self.lon0 + x / self.kx, 7), round(self.lat0 + y / self.ky, 7))

    def box(self, x0: float, y0: float, x1: float, y1: float) -> dict:
        ring = [self.lonlat(x0, y0), self.lonlat(x1, y0), self.lonlat(x1, y1), self.lonlat(x0, y1)]
        return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}

    def line(self, points: list[tuple[float, float]]) -> dict:
        return {"type": "LineString", "coordinates": [self.lonlat(x, y) for x, y in points]}


def _feature(geometry: dict | None, **props) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _people_names():
    for given2, given1, surname in itertools.product(erqi.GIVEN, erqi.GIVEN, erqi.SURNAMES):
        yield surname + given1 + given2


def build(stdout=None, *, history: bool = True, days: int | None = None,
          per_day: int | None = None, seed: int = 27) -> DemoReport:  # fmt: skip
    """Build the demo (or reuse it) and return what a person needs to sign in.

    ``history``: also give the district ``days`` of synthetic cases (about
    ``per_day`` a day) ending now, unless it has synthetic cases already.
    """
    district = Region.objects.filter(code=erqi.DISTRICT[0]).first()
    if district is not None:
        if not district.is_synthetic:
            raise DemoRefused(
                _("This database holds a real district %(code)s; the demo will not touch it.")
                % {"code": district.code}
            )
        report = DemoReport(reused=True, password=demo_password())
        with transaction.atomic():
            _ensure_logins(report)
    else:
        report = DemoReport(reused=False, password=demo_password())
        with transaction.atomic():
            load_catalogue()
            streets = _build_places()
            units = _build_units(streets)
            _build_people(units, streets, report)
            _build_rules(units)
            _ensure_logins(report)
    if history and not Case.objects.filter(is_synthetic=True).exists():
        report.history_cases = build_history(days=days, per_day=per_day, seed=seed)
    report.counts = counts()
    return report


def counts() -> dict[str, int]:
    """What the demo database holds, for the summary the command prints."""
    return {
        _("streets and towns"): Region.objects.filter(level=Region.Level.STREET).count(),
        _("communities and villages"): Region.objects.filter(level=Region.Level.COMMUNITY).count(),
        _("grid cells"): GridCell.objects.count(),
        _("roads"): Road.objects.count(),
        _("road sections"): RoadSection.objects.count(),
        _("units"): Unit.objects.count(),
        _("people"): Person.objects.count(),
        _("responsibility rules"): ResponsibilityRule.objects.count(),
        _("small classes"): SmallClass.objects.count(),
        _("cases"): Case.objects.count(),
        _("case history rows"): CaseEvent.objects.count(),
    }


# --- places -------------------------------------------------------------------
def _build_places() -> dict[str, dict]:
    cw, ch = COMMUNITY_CELLS
    sw, sh = STREET_COMMUNITIES
    street_w, street_h = cw * sw * CELL_M, ch * sh * CELL_M
    rows = math.ceil(len(erqi.STREETS) / STREET_GRID_COLUMNS)
    width, height = STREET_GRID_COLUMNS * street_w, rows * street_h
    grid = _Grid(width, height)
    district_code, district_name = erqi.DISTRICT
    regions = [_feature(grid.box(0, 0, width, height), code=district_code, name=district_name,
                        kind="district", synthetic=True)]  # fmt: skip
    cells, streets = [], {}
    for index, (suffix, name, kind, short) in enumerate(erqi.STREETS):
        col, row = index % STREET_GRID_COLUMNS, index // STREET_GRID_COLUMNS
        sx, sy = col * street_w, height - (row + 1) * street_h  # first streets in the north
        code = district_code + suffix
        streets[suffix] = {"code": code, "name": name, "short": short, "kind": kind,
                           "box": (sx, sy, sx + street_w, sy + street_h)}  # fmt: skip
        regions.append(_feature(grid.box(sx, sy, sx + street_w, sy + street_h), code=code,
                                name=name, kind=kind, synthetic=True))  # fmt: skip
        rural = kind != "subdistrict"
        named = list(erqi.NAMED_COMMUNITIES.get(suffix, []))
        for k in range(sw * sh):
            if named:
                cname, ckind = named.pop(0)
            else:
                cname, ckind = (f"{short}第{k + 1}{'村' if rural else '社区'}",
                                "village" if rural else "community")  # fmt: skip
            ccode = f"{code}{k + 1:03d}"
            cx, cy = sx + (k % sw) * cw * CELL_M, sy + (k // sw) * ch * CELL_M
            regions.append(_feature(grid.box(cx, cy, cx + cw * CELL_M, cy + ch * CELL_M),
                                    code=ccode, name=cname, kind=ckind, synthetic=True))  # fmt: skip
            streets[suffix].setdefault("communities", []).append((ccode, cname))
            for j in range(cw * ch):
                x0, y0 = cx + (j % cw) * CELL_M, cy + (j // cw) * CELL_M
                area_class = "C" if rural else ("A" if row == 0 or j // cw in (0, ch - 1) else "B")
                cells.append(_feature(grid.box(x0, y0, x0 + CELL_M, y0 + CELL_M),
                                      code=f"{ccode}{j + 1:0{settings.GEO_CELL_SEQUENCE_DIGITS}d}", area_class=area_class,
                                      patrol_area=f"PA{code}", patrol_area_name=f"{short}责任网格",
                                      synthetic=True))  # fmt: skip
    importers.import_regions(_collection(regions))
    importers.import_cells(_collection(cells))
    street_rows = {r.code: r for r in Region.objects.filter(level=Region.Level.STREET)}
    for info in streets.values():
        PatrolArea.objects.filter(code=f"PA{info['code']}").update(street=street_rows[info["code"]])
    _build_roads(grid, width, height, streets)
    _build_compounds(grid, streets)
    return streets


def _street_at(streets: dict, x: float, y: float) -> str:
    for info in streets.values():
        x0, y0, x1, y1 = info["box"]
        if x0 <= x < x1 and y0 <= y < y1:
            return info["code"]
    return ""


def _build_roads(grid: _Grid, width: float, height: float, streets: dict) -> None:
    features = []
    ew_y = [height * (i + 0.5) / len(erqi.EAST_WEST) + 37 for i in range(len(erqi.EAST_WEST))]
    ns_x = [width * (i + 0.5) / len(erqi.NORTH_SOUTH) + 23 for i in range(len(erqi.NORTH_SOUTH))]

    def sections(code, name, grade, fixed, cuts, cross_names, along_x):
        ends = [0.0, *cuts, width if along_x else height]
        labels = ["西端" if along_x else "南端", *cross_names, "东端" if along_x else "北端"]
        for seq, (a, b) in enumerate(itertools.pairwise(ends), start=1):
            points = [(a, fixed), (b, fixed)] if along_x else [(fixed, a), (fixed, b)]
            mid = ((a + b) / 2, fixed) if along_x else (fixed, (a + b) / 2)
            features.append(_feature(grid.line(points), road_code=code, road_name=name,
                                     grade=grade, seq=seq,
                                     name=f"{name}（{labels[seq - 1]}—{labels[seq]}）",
                                     street_code=_street_at(streets, *mid), synthetic=True))  # fmt: skip

    ns_names = [n for _c, n in erqi.NORTH_SOUTH]
    ew_names = [n for _c, n in erqi.EAST_WEST]
    for (code, name), y in zip(erqi.EAST_WEST, ew_y, strict=True):
        grade = "arterial" if name in ("陇海路", "航海路", "淮河路") else "secondary"
        sections(code, name, grade, y, ns_x, ns_names, along_x=True)
    for (code, name), x in zip(erqi.NORTH_SOUTH, ns_x, strict=True):
        grade = "arterial" if name in ("京广路", "大学路", "嵩山路") else "secondary"
        sections(code, name, grade, x, ew_y, ew_names, along_x=False)
    # The ring: a rectangle around the old town, in four sections.
    x0, y0, x1, y1 = width * 0.2, height * 0.45, width * 0.8, height * 0.9
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    sides = ["南段", "东段", "北段", "西段"]
    for seq, (a, b) in enumerate(itertools.pairwise(corners), start=1):
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        features.append(_feature(grid.line([a, b]), road_code=erqi.RING[0], road_name=erqi.RING[1],
                                 grade="arterial", seq=seq, name=f"{erqi.RING[1]}{sides[seq - 1]}",
                                 street_code=_street_at(streets, *mid), synthetic=True))  # fmt: skip
    importers.import_roads(_collection(features))


def _build_compounds(grid: _Grid, streets: dict) -> None:
    features = []
    per_street: dict[str, int] = {}
    for n, (name, suffix, community_name, managed) in enumerate(erqi.COMPOUNDS, start=1):
        info = streets[suffix]
        communities = info["communities"]
        community = next((c for c in communities if c[1] == community_name), None)
        k = per_street.get(suffix, 0)
        per_street[suffix] = k + 1
        community = community or communities[(k * 2 + 1) % len(communities)]
        index = [c[0] for c in communities].index(community[0])
        sw = STREET_COMMUNITIES[0]
        cw, ch = COMMUNITY_CELLS
        x0, y0 = info["box"][0], info["box"][1]
        cx = x0 + (index % sw) * cw * CELL_M + 120 + (k % 2) * 200
        cy = y0 + (index // sw) * ch * CELL_M + 110
        features.append(_feature(grid.box(cx, cy, cx + 150, cy + 120), code=f"XQ{n:04d}",
                                 name=name, community_code=community[0], managed=managed,
                                 households=120 + 37 * n, synthetic=True))  # fmt: skip
    importers.import_compounds(_collection(features))


# --- units, people, rules ---------------------------------------------------------
def _build_units(streets: dict) -> dict[str, Unit]:
    regions = {r.code: r for r in Region.objects.filter(level__lte=2)}
    district = regions[erqi.DISTRICT[0]]
    units: dict[str, Unit] = {}

    def add(code, name, short, kind, parent=None, region=None, note=""):
        units[name] = Unit.objects.create(code=code, name=name, short_name=short, kind=kind,
                                          parent=parent, region=region, note=note)  # fmt: skip
        return units[name]

    for code, name, short in erqi.DEPARTMENTS:
        add(code, name, short, Unit.Kind.DEPARTMENT, region=district)
    add(*CENTRE_UNIT, Unit.Kind.DEPARTMENT, parent=units["区城管局"], region=district,
        note="合成：公开资料未写明指挥中心所属单位。")  # fmt: skip
    for code, name, short in erqi.CONTRACTORS:
        add(code, name, short, Unit.Kind.CONTRACTOR, region=district)
    for code, name, short in erqi.POLICE_BUREAUS:
        add(code, name, short, Unit.Kind.POLICE, region=district)
    bureaus = [units[name] for _c, name, _s in erqi.POLICE_BUREAUS]
    for n in range(1, erqi.POLICE_SQUADS + 1):
        add(f"GA-ZD{n:02d}", f"治安{n}中队", f"{n}中队", Unit.Kind.POLICE,
            parent=bureaus[(n - 1) % len(bureaus)], region=district)  # fmt: skip
    for suffix, name, kind, short in erqi.STREETS:
        office = name if kind == "committee" else (
            f"{name}办事处" if kind == "subdistrict" else f"{name}人民政府")  # fmt: skip
        add(f"S{suffix}", office, short, Unit.Kind.STREET_OFFICE, region=regions[streets[suffix]["code"]],
            note="合成名称" if suffix in erqi.SYNTHETIC_STREETS else "")  # fmt: skip
    return units


def _build_people(units: dict[str, Unit], streets: dict, report: DemoReport) -> None:
    names = _people_names()
    password = password_hash(demo_password())
    user_model = get_user_model()
    users, people, memberships = [], [], []
    counter: dict[str, int] = {}

    def person(role: str, unit: Unit, username_prefix: str | None = None, **scope) -> Person:
        counter[role] = counter.get(role, 0) + 1
        p = Person(name=next(names), is_synthetic=True)
        if username_prefix:
            u = user_model(username=f"{username_prefix}{counter[role]:02d}", password=password)
            users.append(u)
            p.user = u
        people.append(p)
        memberships.append(Membership(person=p, unit=unit, role=role, **scope))
        return p

    centre = units[CENTRE_UNIT[1]]
    areas = {a.street.code: a for a in PatrolArea.objects.select_related("street")}
    for info in streets.values():
        person(Role.INSPECTOR, centre, "inspector", patrol_area=areas[info["code"]])
    for _i in range(3):
        person(Role.ACCEPTOR, centre, "acceptor")
    for _i in range(2):
        person(Role.SHIFT_LEADER, centre, "shiftleader")
        person(Role.DISPATCHER, centre, "dispatcher")
        person(Role.SUPERVISOR, units["区督查局"], "supervisor")
    person(Role.ADMINISTRATOR, centre, "administrator")
    handling = [u for u in units.values() if u.kind != Unit.Kind.POLICE or u.parent_id is None]
    for unit in handling:
        if unit.name == CENTRE_UNIT[1]:
            continue
        person(Role.HANDLER, unit, "handler")
        person(Role.UNIT_LEADER, unit, "leader")
    offices = {u.region.code: u for u in units.values() if u.kind == Unit.Kind.STREET_OFFICE}
    sections = RoadSection.objects.select_related("road", "street").order_by("road__code", "seq")
    chiefs: dict[str, Person] = {}
    for section in sections:
        unit = offices.get(section.street.code) if section.street else centre
        chief = chiefs.get(section.road.code)
        if chief is None:
            chief = chiefs[section.road.code] = person(
                Role.ROAD_CHIEF, unit or centre, "roadchief", road_section=section
            )
        else:
            memberships.append(Membership(person=chief, unit=unit or centre,
                                          role=Role.ROAD_CHIEF, road_section=section))  # fmt: skip
    # bulk_create fills primary keys, and Django copies them into the
    # foreign keys of objects that were given the unsaved instances.
    user_model.objects.bulk_create(users)
    Person.objects.bulk_create(people)
    Membership.objects.bulk_create(memberships)
    memo.bump_models(user_model, Person, Membership)  # bulk writes send no signal


def _build_rules(units: dict[str, Unit]) -> None:
    known = set(SmallClass.objects.values_list("full_code", flat=True))
    rules = []
    for unit_name, codes in erqi.ROUTING.items():
        for code in codes:
            if len(code) == 5 and code not in known:
                raise ValueError(f"demo routing names {code}, which is not in the catalogue")
            rules.append(ResponsibilityRule(category_code=code, unit=units[unit_name],
                                            note="二七区演示规则"))  # fmt: skip
    # A place-specific rule: parking on 陇海路 is handled by the 京广路 street office's team.
    longhai = Road.objects.get(name="陇海路")
    rules.append(ResponsibilityRule(category_code="E0505", road=longhai,
                                    unit=units["京广路街道办事处"],
                                    note="陇海路沿线停车秩序由京广路街道负责（演示）"))  # fmt: skip
    ResponsibilityRule.objects.bulk_create(rules)
    memo.bump_models(ResponsibilityRule)


def _ensure_logins(report: DemoReport) -> None:
    """Reset the demo passwords and list one login per role (and the admin)."""
    user_model = get_user_model()
    password = password_hash(report.password)
    admin, _created = user_model.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    admin.password, admin.is_staff, admin.is_superuser = password, True, True
    admin.save()
    report.logins.append((_("superuser (Django admin)"), "admin", ""))
    demo_users = user_model.objects.filter(person__is_synthetic=True)
    demo_users.update(password=password, is_active=True)
    # The administrator role manages configuration in the Django admin.
    demo_users.filter(
        person__memberships__role=Role.ADMINISTRATOR, person__memberships__is_active=True
    ).update(is_staff=True, is_superuser=True)
    seen = set()
    memberships = (
        Membership.objects.filter(person__user__isnull=False, person__is_synthetic=True)
        .select_related("person__user", "unit")
        .order_by("role", "person__user__username")
    )
    for m in memberships:
        if m.role in seen:
            continue
        seen.add(m.role)
        report.logins.append((m.get_role_display(), m.person.user.username, m.unit.name))
