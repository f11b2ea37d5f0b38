"""Importers for places: regions, grid cells, roads and compounds.

Regions, cells and road sections come as GeoJSON FeatureCollections (WGS-84);
compounds as GeoJSON or as a CSV/xlsx table with lon/lat columns. Every
importer validates the whole file first and raises ``ImportRejected`` naming
each bad feature or row; only a clean file is written, in one transaction.
Rows are matched by code, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import IO, Any

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.core import memo
from civicloop.core.importing import ImportRejected, ImportReport, parse_bool
from civicloop.core.tabular import TabularError, read_table

from . import locator, places
from .choices import AreaClass
from .geometry import parse_geojson_geometry
from .models import (
    CODE_LENGTH,
    Compound,
    GeoDataVersion,
    GridCell,
    PatrolArea,
    Region,
    Road,
    RoadSection,
    cell_code_length,
)

POLYGONS = ("Polygon", "MultiPolygon")
LINES = ("LineString", "MultiLineString")
BATCH = 1000

KIND_WORDS = {
    "区": Region.Kind.DISTRICT,
    "街道": Region.Kind.SUBDISTRICT,
    "镇": Region.Kind.TOWN,
    "乡": Region.Kind.TOWNSHIP,
    "管委会": Region.Kind.COMMITTEE,
    "社区": Region.Kind.COMMUNITY,
    "村": Region.Kind.VILLAGE,
}
DEFAULT_KIND = {1: Region.Kind.DISTRICT, 2: Region.Kind.SUBDISTRICT, 3: Region.Kind.COMMUNITY}
LEVEL_OF_LENGTH = {length: level for level, length in CODE_LENGTH.items()}


def read_features(source: str | Path | IO | dict) -> list[dict]:
    """The features of a GeoJSON FeatureCollection (path, file or parsed)."""
    if isinstance(source, dict):
        data = source
    else:
        try:
            if isinstance(source, str | Path):
                text = Path(source).read_text(encoding="utf-8-sig")
            else:
                text = source.read()
                text = text.decode("utf-8-sig") if isinstance(text, bytes) else text
            data = json.loads(text)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImportRejected(
                [_("The file is not readable GeoJSON: %(e)s") % {"e": exc}]
            ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportRejected([_("A GeoJSON FeatureCollection is required.")])
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ImportRejected([_("The FeatureCollection has no features.")])
    return features


class _Problems:
    """Collects problems, each labelled with the feature or row it is about."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: Any) -> None:
        if isinstance(message, ValidationError):
            message = "; ".join(message.messages)
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportRejected(self.items)


def _check_fields(problems: _Problems, where: str, model, **values: Any) -> None:
    """Check values against the model's own fields (length, range, choices)."""
    for name, value in values.items():
        if value in ("", None):
            continue
        try:
            model._meta.get_field(name).clean(value, None)
        except ValidationError as exc:
            problems.add(where, f"{name}: " + "; ".join(exc.messages))


def _flag(problems: _Problems, where: str, props: dict, key: str, default: bool) -> bool:
    """A yes/no property; a bad value is recorded as a problem."""
    value = props.get(key, "")
    if value == "":
        return default
    try:
        return parse_bool(value)
    except ValueError as exc:
        problems.add(where, exc)
        return default


def _whole_number(value: Any, minimum: int = 0) -> int:
    """A whole number ≥ minimum from a property or cell ("48", 48, 48.0)."""
    if isinstance(value, bool):
        raise ValueError
    number = float(str(value).strip())
    if not math.isfinite(number) or not number.is_integer() or number < minimum:
        raise ValueError
    return int(number)


def _where(number: int, code: str = "", row: bool = False) -> str:
    label = _("row %(n)d") % {"n": number} if row else _("feature %(n)d") % {"n": number}
    return f"{label} ({code})" if code else label


def _props(feature: Any) -> dict:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValidationError(_("Not a GeoJSON Feature."))
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise ValidationError(_("Properties must be an object."))
    return {k: ("" if v is None else v) for k, v in props.items()}


def _text(props: dict, key: str) -> str:
    return str(props.get(key, "")).strip()


def _finish(report: ImportReport) -> ImportReport:
    """Call inside the import's transaction: the version bump commits with the rows."""
    GeoDataVersion.bump()
    locator.invalidate()
    transaction.on_commit(locator.invalidate)
    transaction.on_commit(places.invalidate)
    return report


def _upsert(model, objects: list, fields: list[str], report: ImportReport) -> None:
    new = [o for o in objects if o.pk is None]
    old = [o for o in objects if o.pk is not None]
    model.objects.bulk_create(new, batch_size=BATCH)
    if old:
        model.objects.bulk_update(old, fields, batch_size=BATCH)
    report.created += len(new)
    report.updated += len(old)
    memo.bump_models(model)  # bulk writes send no signal: the memos holding these rows


GEOM_FIELDS = ["geom", "min_lon", "min_lat", "max_lon", "max_lat"]


# --- regions --------------------------------------------------------------
def import_regions(source) -> ImportReport:
    """Regions (district, streets, communities) with optional boundaries.

    Properties: ``code`` (6, 9 or 12 digits), ``name``, optional ``kind``
    (district, subdistrict, town, township, committee, community, village or
    the Chinese 区/街道/镇/乡/管委会/社区/村), optional ``synthetic``.
    The parent is the region whose code the code starts with.
    """
    features = read_features(source)
    problems = _Problems()
    parsed = []
    codes_in_file: dict[str, int] = {}
    for n, feature in enumerate(features, start=1):
        try:
            props = _props(feature)
        except ValidationError as exc:
            problems.add(_where(n), exc)
            continue
        code, name = _text(props, "code"), _text(props, "name")
        where = _where(n, code)
        level = LEVEL_OF_LENGTH.get(len(code)) if code.isdigit() else None
        if level is None:
            problems.add(where, _("the code must have 6, 9 or 12 digits."))
            continue
        if not code.startswith(settings.CIVICLOOP_DISTRICT_CODE):
            problems.add(
                where,
                _("the code does not start with this district's code %(d)s.")
                % {"d": settings.CIVICLOOP_DISTRICT_CODE},
            )
        if not name:
            problems.add(where, _("the name is missing."))
        _check_fields(problems, where, Region, name=name)
        if code in codes_in_file:
            problems.add(where, _("the code repeats feature %(n)d.") % {"n": codes_in_file[code]})
        codes_in_file[code] = n
        kind_text = _text(props, "kind")
        kind = KIND_WORDS.get(kind_text, kind_text.lower()) or DEFAULT_KIND[level]
        if kind not in Region.LEVEL_KINDS[level]:
            problems.add(
                where,
                _("kind '%(k)s' does not fit a %(n)d-digit code.")
                % {"k": kind_text, "n": len(code)},
            )
        geometry = None
        if feature.get("geometry"):
            try:
                geometry = parse_geojson_geometry(feature["geometry"], POLYGONS)
            except ValidationError as exc:
                problems.add(where, exc)
        synthetic = _flag(problems, where, props, "synthetic", default=False)
        parsed.append((n, code, level, name, kind, geometry, synthetic))
    existing = {r.code: r for r in Region.objects.filter(code__in=list(codes_in_file))}
    known_codes = set(codes_in_file) | set(
        Region.objects.filter(level__lt=3).values_list("code", flat=True)
    )
    for n, code, level, *_rest in parsed:
        if level > 1:
            parent_code = code[: CODE_LENGTH[level - 1]]
            if parent_code not in known_codes:
                problems.add(
                    _where(n, code),
                    _("its parent %(p)s is neither in the file nor in the database.")
                    % {"p": parent_code},
                )
    problems.raise_if_any()

    report = ImportReport(_("regions"))
    with transaction.atomic():
        for level in (1, 2, 3):
            rows = [p for p in parsed if p[2] == level]
            if not rows:
                continue
            parents = {}
            if level > 1:
                parent_codes = {p[1][: CODE_LENGTH[level - 1]] for p in rows}
                parents = {r.code: r for r in Region.objects.filter(code__in=parent_codes)}
            objects = []
            for _n, code, lvl, name, kind, geometry, synthetic in rows:
                region = existing.get(code) or Region(code=code)
                region.name, region.level, region.kind, region.is_synthetic = (
                    name,
                    lvl,
                    kind,
                    synthetic,
                )
                region.parent = parents.get(code[: CODE_LENGTH[lvl - 1]]) if lvl > 1 else None
                if geometry is not None:  # a feature without geometry keeps the boundary
                    region.geometry = geometry
                objects.append(region)
            _upsert(
                Region,
                objects,
                ["name", "level", "kind", "parent", "is_synthetic", *GEOM_FIELDS],
                report,
            )
        _finish(report)
    return report


# --- grid cells -------------------------------------------------------------
def import_cells(source) -> ImportReport:
    """Grid cells. Properties: ``code`` (community code + sequence),
    ``area_class`` (A/B/C, default B), optional ``patrol_area`` code and
    ``patrol_area_name``, optional ``synthetic``. Geometry: a polygon."""
    features = read_features(source)
    problems = _Problems()
    length = cell_code_length()
    parsed = []
    seen: dict[str, int] = {}
    for n, feature in enumerate(features, start=1):
        try:
            props = _props(feature)
        except ValidationError as exc:
            problems.add(_where(n), exc)
            continue
        code = _text(props, "code")
        where = _where(n, code)
        if len(code) != length or not code.isdigit():
            problems.add(where, _("a cell code has %(n)d digits.") % {"n": length})
            continue
        if code in seen:
            problems.add(where, _("the code repeats feature %(n)d.") % {"n": seen[code]})
        seen[code] = n
        _check_fields(problems, where, PatrolArea, code=_text(props, "patrol_area"),
                      name=_text(props, "patrol_area_name"))  # fmt: skip
        area_class = _text(props, "area_class").upper() or AreaClass.B
        if area_class not in AreaClass.values:
            problems.add(where, _("the area class must be A, B or C."))
        try:
            geometry = parse_geojson_geometry(feature.get("geometry"), POLYGONS)
        except ValidationError as exc:
            problems.add(where, exc)
            geometry = None
        synthetic = _flag(problems, where, props, "synthetic", default=False)
        parsed.append(
            (
                n,
                code,
                area_class,
                _text(props, "patrol_area"),
                _text(props, "patrol_area_name"),
                geometry,
                synthetic,
            )
        )
    communities = {
        r.code: r
        for r in Region.objects.filter(
            level=Region.Level.COMMUNITY, code__in={p[1][:12] for p in parsed}
        )
    }
    for n, code, *_rest in parsed:
        if code[:12] not in communities:
            problems.add(
                _where(n, code),
                _("community %(c)s does not exist; import the regions first.") % {"c": code[:12]},
            )
    problems.raise_if_any()

    report = ImportReport(_("grid cells"))
    with transaction.atomic():
        areas = {
            a.code: a for a in PatrolArea.objects.filter(code__in={p[3] for p in parsed if p[3]})
        }
        for _n, _code, _ac, area_code, area_name, _g, _s in parsed:
            if area_code and area_code not in areas:
                areas[area_code] = PatrolArea.objects.create(
                    code=area_code, name=area_name or area_code
                )
        existing = {c.code: c for c in GridCell.objects.filter(code__in=list(seen))}
        objects = []
        for _n, code, area_class, area_code, _name, geometry, synthetic in parsed:
            cell = existing.get(code) or GridCell(code=code)
            cell.community = communities[code[:12]]
            cell.area_class, cell.is_synthetic = area_class, synthetic
            cell.patrol_area = areas.get(area_code) if area_code else None
            cell.geometry = geometry
            objects.append(cell)
        _upsert(
            GridCell,
            objects,
            [
                "community",
                "area_class",
                "patrol_area",
                "is_synthetic",
                "centroid_lon",
                "centroid_lat",
                "area_m2",
                *GEOM_FIELDS,
            ],
            report,
        )
        _finish(report)
    return report


# --- roads -------------------------------------------------------------------
def import_roads(source) -> ImportReport:
    """Road sections, one feature each. Properties: ``road_code``,
    ``road_name``, optional ``grade`` (arterial/secondary/branch/alley),
    ``seq`` (1, 2, …), optional ``name`` of the section, optional
    ``street_code``, optional ``synthetic``. Geometry: a line."""
    features = read_features(source)
    problems = _Problems()
    parsed = []
    seen: dict[tuple, int] = {}
    road_names: dict[str, str] = {}
    for n, feature in enumerate(features, start=1):
        try:
            props = _props(feature)
        except ValidationError as exc:
            problems.add(_where(n), exc)
            continue
        road_code, road_name = _text(props, "road_code"), _text(props, "road_name")
        where = _where(n, road_code)
        if not road_code or not road_name:
            problems.add(where, _("road_code and road_name are required."))
            continue
        if road_names.setdefault(road_code, road_name) != road_name:
            problems.add(
                where, _("road %(c)s is named differently in another feature.") % {"c": road_code}
            )
        try:
            seq = _whole_number(props.get("seq"), minimum=1)
            if seq > 32767:
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            problems.add(where, _("seq must be a whole number from 1."))
            continue
        _check_fields(problems, where, Road, code=road_code, name=road_name)
        _check_fields(problems, where, RoadSection, seq=seq, name=_text(props, "name"))
        if (road_code, seq) in seen:
            problems.add(
                where,
                _("section %(s)d repeats feature %(n)d.") % {"s": seq, "n": seen[(road_code, seq)]},
            )
        seen[(road_code, seq)] = n
        grade = _text(props, "grade")
        if grade and grade not in Road.Grade.values:
            problems.add(
                where, _("grade must be one of %(g)s.") % {"g": ", ".join(Road.Grade.values)}
            )
        try:
            geometry = parse_geojson_geometry(feature.get("geometry"), LINES)
        except ValidationError as exc:
            problems.add(where, exc)
            geometry = None
        synthetic = _flag(problems, where, props, "synthetic", default=False)
        name = _text(props, "name") or f"{road_name} {seq}"
        parsed.append(
            (
                n,
                road_code,
                road_name,
                grade,
                seq,
                name,
                _text(props, "street_code"),
                geometry,
                synthetic,
            )
        )
    streets = {
        r.code: r
        for r in Region.objects.filter(
            level=Region.Level.STREET, code__in={p[6] for p in parsed if p[6]}
        )
    }
    for n, road_code, *_mid, street_code, _g, _s in parsed:
        if street_code and street_code not in streets:
            problems.add(
                _where(n, road_code), _("street %(c)s does not exist.") % {"c": street_code}
            )
    problems.raise_if_any()

    report = ImportReport(_("road sections"))
    with transaction.atomic():
        roads = {r.code: r for r in Road.objects.filter(code__in=list(road_names))}
        by_road: dict[str, list] = {}
        for p in parsed:
            by_road.setdefault(p[1], []).append(p)
        for road_code, rows in by_road.items():
            road = roads.get(road_code) or Road(code=road_code, grade=Road.Grade.SECONDARY)
            road.name = rows[0][2]
            road.grade = next((r[3] for r in rows if r[3]), road.grade)
            road.is_synthetic = all(r[8] for r in rows)
            road.save()
            roads[road_code] = road
        existing = {
            (s.road.code, s.seq): s
            for s in RoadSection.objects.filter(road__code__in=list(road_names)).select_related(
                "road"
            )
        }
        objects = []
        for _n, road_code, _rn, _gr, seq, name, street_code, geometry, synthetic in parsed:
            section = existing.get((road_code, seq)) or RoadSection(road=roads[road_code], seq=seq)
            section.name, section.is_synthetic = name, synthetic
            section.street = streets.get(street_code)
            section.geometry = geometry
            objects.append(section)
        _upsert(
            RoadSection,
            objects,
            ["name", "street", "is_synthetic", "length_m", *GEOM_FIELDS],
            report,
        )
        # A road's line is the union of all its sections, also those not in this file.
        for road in roads.values():
            lines = [s.geometry for s in RoadSection.objects.filter(road=road).only("geom")]
            road.geometry = shapely.line_merge(shapely.union_all(lines))
            road.save(update_fields=GEOM_FIELDS)
        _finish(report)
    return report


# --- compounds ----------------------------------------------------------------
COMPOUND_COLUMNS = {
    "code": "code", "编码": "code",
    "name": "name", "名称": "name", "小区名称": "name",
    "community_code": "community_code", "社区编码": "community_code",
    "address": "address", "地址": "address",
    "households": "households", "户数": "households",
    "built_year": "built_year", "建成年份": "built_year",
    "managed": "managed", "有物业": "managed",
    "lon": "lon", "经度": "lon",
    "lat": "lat", "纬度": "lat",
    "synthetic": "synthetic", "合成数据": "synthetic",
    "note": "note", "备注": "note",
}  # fmt: skip


def import_compounds(source, filename: str | None = None) -> ImportReport:
    """Compounds from GeoJSON (polygon or point) or CSV/xlsx (lon/lat columns).

    Fields: ``code``, ``name``, ``community_code``, optional ``address``,
    ``households``, ``built_year``, ``managed`` (has property management,
    default yes), ``synthetic``, ``note``.
    """
    name = filename or str(
        getattr(source, "name", source if isinstance(source, str | Path) else "")
    )
    items: list[tuple[str, dict, Any]] = []
    if name.lower().endswith((".csv", ".xlsx", ".xlsm", ".txt")):
        try:
            rows = read_table(source, COMPOUND_COLUMNS, filename=name)
        except TabularError as exc:
            raise ImportRejected([str(exc)]) from exc
        for number, row in rows:
            geometry: Any = None
            if row.get("lon") or row.get("lat"):
                geometry = {
                    "type": "Point",
                    "coordinates": [_float(row.get("lon")), _float(row.get("lat"))],
                }
            items.append((_where(number, row.get("code", ""), row=True), row, geometry))
    else:
        for n, feature in enumerate(read_features(source), start=1):
            try:
                props = _props(feature)
            except ValidationError as exc:
                items.append((_where(n), None, exc))
                continue
            items.append((_where(n, _text(props, "code")), props, feature.get("geometry")))
    problems = _Problems()
    parsed = []
    seen: set[str] = set()
    index = locator.get_locator()
    for where, props, geometry in items:
        if props is None:
            problems.add(where, geometry)
            continue
        code, cname, community = (
            _text(props, "code"),
            _text(props, "name"),
            _text(props, "community_code"),
        )
        if not code or not cname or not community:
            problems.add(where, _("code, name and community_code are required."))
            continue
        if code in seen:
            problems.add(where, _("the code appears twice in the file."))
        seen.add(code)
        shape = None
        if geometry:
            try:
                shape = parse_geojson_geometry(geometry, (*POLYGONS, "Point"))
            except ValidationError as exc:
                problems.add(where, exc)
        numbers = {}
        for key in ("households", "built_year"):
            value = _text(props, key)
            try:
                numbers[key] = _whole_number(value) if value else None
            except (ValueError, OverflowError):
                problems.add(where, _("%(f)s must be a whole number.") % {"f": key})
        _check_fields(problems, where, Compound, code=code, name=cname,
                      address=_text(props, "address"), **numbers)  # fmt: skip
        if shape is not None and index.has_geometry:
            centre = shape.centroid
            if not index.locate(centre.x, centre.y, road_tolerance_m=0).inside:
                problems.add(where, _("the compound lies outside the district."))
        managed = _flag(problems, where, props, "managed", default=True)
        synthetic = _flag(problems, where, props, "synthetic", default=False)
        parsed.append(
            (
                where,
                code,
                cname,
                community,
                _text(props, "address"),
                numbers,
                managed,
                synthetic,
                _text(props, "note"),
                shape,
            )
        )
    communities = {
        r.code: r
        for r in Region.objects.filter(
            level=Region.Level.COMMUNITY, code__in={p[3] for p in parsed}
        )
    }
    for where, _code, _name, community, *_rest in parsed:
        if community not in communities:
            problems.add(where, _("community %(c)s does not exist.") % {"c": community})
    problems.raise_if_any()

    report = ImportReport(_("compounds"))
    with transaction.atomic():
        existing = {c.code: c for c in Compound.objects.filter(code__in=seen)}
        objects = []
        for _w, code, cname, community, address, numbers, managed, synthetic, note, shape in parsed:
            compound = existing.get(code) or Compound(code=code)
            compound.name, compound.community, compound.address = (
                cname,
                communities[community],
                address,
            )
            compound.households, compound.built_year = (
                numbers.get("households"),
                numbers.get("built_year"),
            )
            compound.has_property_management, compound.is_synthetic, compound.note = (
                managed,
                synthetic,
                note,
            )
            compound.geometry = shape
            objects.append(compound)
        _upsert(
            Compound,
            objects,
            [
                "name",
                "community",
                "address",
                "households",
                "built_year",
                "has_property_management",
                "is_synthetic",
                "note",
                *GEOM_FIELDS,
            ],
            report,
        )
    return report


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
