"""Load the catalogue (classes, small classes, filing standards, time limits) from CSV.

The file has one row per filing standard::

    family,class_code,class_name,small_code,small_name,keywords,standard_code,
    condition,closure_condition,limit_a,limit_b,limit_c,urgent_a,urgent_b,urgent_c,note

Limits are compact strings (``4wh``, ``20wd``, ``6h``; see ``parse_limit``); a
blank urgent column means no urgent variant for that area class.

Every row is validated first; any problem raises :class:`CatalogueError` naming
the rows (numbered as in a spreadsheet: the header is row 1) and nothing is
written. Then everything is upserted by code in one transaction: loading the
same file twice changes nothing, and rows the file does not mention (added in
the admin) are left alone. The loader never deletes. Fields the file does not
carry (``is_active``, ``is_default`` once set, ``description``) keep their
database values; the first standard of a small class without a default becomes
its default.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.cases import memos
from civicloop.cases.models import (
    CategoryClass,
    FilingStandard,
    SmallClass,
    TimeLimit,
    Urgency,
)
from civicloop.cases.models.catalogue import (
    LIMIT_SUFFIXES,
    LimitUnit,
    parse_limit,
    split_keywords,
    standard_code_validator,
    two_digit_code_validator,
)
from civicloop.core import memo
from civicloop.geo.choices import AreaClass

#: The catalogue shipped with Civicloop.
DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "catalogue.csv"

COLUMNS = (
    "family",
    "class_code",
    "class_name",
    "small_code",
    "small_name",
    "keywords",
    "standard_code",
    "condition",
    "closure_condition",
    "limit_a",
    "limit_b",
    "limit_c",
    "urgent_a",
    "urgent_b",
    "urgent_c",
    "note",
)
#: (column, area class, urgency) of the six limit columns.
LIMIT_COLUMNS = (
    ("limit_a", AreaClass.A, Urgency.NORMAL),
    ("limit_b", AreaClass.B, Urgency.NORMAL),
    ("limit_c", AreaClass.C, Urgency.NORMAL),
    ("urgent_a", AreaClass.A, Urgency.URGENT),
    ("urgent_b", AreaClass.B, Urgency.URGENT),
    ("urgent_c", AreaClass.C, Urgency.URGENT),
)
_NAME_MAX = 60


@dataclass(frozen=True)
class CatalogueProblem:
    """One problem found in the file; ``row`` is None for the file as a whole."""

    row: int | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


class CatalogueError(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: Iterable[CatalogueProblem]) -> None:
        self.problems = list(problems)
        lines = [_("The catalogue file has problems; nothing was loaded:")]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))

    @property
    def rows(self) -> list[int]:
        """Sorted numbers of the rows with problems."""
        return sorted({p.row for p in self.problems if p.row is not None})


@dataclass
class Counts:
    """What happened to the rows of one model."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass
class LoadReport:
    """Counts of a catalogue load, per model."""

    rows: int = 0
    category_classes: Counts = field(default_factory=Counts)
    small_classes: Counts = field(default_factory=Counts)
    standards: Counts = field(default_factory=Counts)
    time_limits: Counts = field(default_factory=Counts)

    @property
    def changed(self) -> bool:
        """True when the load created or updated anything."""
        return any(c.created or c.updated for c in self._parts())

    def _parts(self) -> list[Counts]:
        return [self.category_classes, self.small_classes, self.standards, self.time_limits]

    def __str__(self) -> str:
        lines = [_("%(rows)d rows read.") % {"rows": self.rows}]
        labels = [
            _("Category classes"),
            _("Small classes"),
            _("Filing standards"),
            _("Time limits"),
        ]
        lines += [f"{label}: {counts}" for label, counts in zip(labels, self._parts(), strict=True)]
        return "\n".join(lines)


@dataclass
class _Row:
    """A validated row of the file."""

    number: int
    family: str
    class_code: str
    class_name: str
    small_code: str
    small_name: str
    keywords: str
    standard_code: str
    condition: str
    closure_condition: str
    note: str
    limits: dict[tuple[str, str], tuple[Decimal, LimitUnit]]

    @property
    def full_code(self) -> str:
        return f"{self.family}{self.class_code}{self.small_code}"


def load_catalogue(
    path_or_file: str | os.PathLike[str] | IO[str] | IO[bytes] = DEFAULT_CATALOGUE_PATH,
    *,
    dry_run: bool = False,
) -> LoadReport:
    """Validate the whole file, then upsert it in one transaction.

    ``path_or_file`` is a path or an open file (text or bytes, UTF-8, a BOM is
    accepted). Raises :class:`CatalogueError` listing every problem, writing
    nothing. With ``dry_run`` the changes are computed and rolled back.
    """
    rows = _validate(_read(path_or_file))
    report = LoadReport(rows=len(rows))
    with transaction.atomic():
        with memo.deferred():  # one bump of the catalogue in memory, not one per row
            _upsert(rows, report)
            memos.changed()  # time limits are bulk-created (no signals)
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- reading and validation ---------------------------------------------------


def _read(path_or_file: str | os.PathLike[str] | IO[str] | IO[bytes]) -> str:
    try:
        if hasattr(path_or_file, "read"):
            content = path_or_file.read()
        else:
            with open(path_or_file, "rb") as handle:
                content = handle.read()
        if isinstance(content, bytes):
            content = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CatalogueError(
            [CatalogueProblem(None, _("The file is not UTF-8 text: %(error)s") % {"error": error})]
        ) from error
    except OSError as error:
        raise CatalogueError(
            [CatalogueProblem(None, _("Cannot read the file: %(error)s") % {"error": error})]
        ) from error
    return content.removeprefix("\ufeff")


def _validate(content: str) -> list[_Row]:
    problems: list[CatalogueProblem] = []
    reader = csv.DictReader(io.StringIO(content, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        if missing:
            problems.append(
                CatalogueProblem(1, _("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
            )
        if unknown:
            problems.append(
                CatalogueProblem(1, _("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
            )
        if len(set(header)) != len(header):
            problems.append(CatalogueProblem(1, _("a column appears twice in the header")))
        raise CatalogueError(problems)
    reader.fieldnames = header

    rows: list[_Row] = []
    for number, raw in enumerate(reader, start=2):
        row = _validate_row(number, raw, problems)
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(CatalogueProblem(None, _("The file has no rows.")))
    _check_consistency(rows, problems)
    _check_database(rows, problems)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise CatalogueError(problems)
    return rows


def _validate_row(
    number: int, raw: dict[str | None, str | None], problems: list[CatalogueProblem]
) -> _Row | None:
    def problem(message: str) -> None:
        problems.append(CatalogueProblem(number, message))

    if None in raw:
        problem(_("too many fields (%(n)d expected)") % {"n": len(COLUMNS)})
        return None
    if any(raw[name] is None for name in COLUMNS):
        problem(_("too few fields (%(n)d expected)") % {"n": len(COLUMNS)})
        return None
    values = {name: (raw[name] or "").strip() for name in COLUMNS}
    before = len(problems)

    family = values["family"].upper()
    if family not in {"C", "E"}:
        problem(
            _("family must be C (component) or E (event), not %(value)r")
            % {"value": values["family"]}
        )
    for column in ("class_code", "small_code"):
        try:
            two_digit_code_validator(values[column])
        except ValidationError:
            problem(
                _("%(column)s must be two digits from 01 to 99, not %(value)r")
                % {"column": column, "value": values[column]}
            )
    for column in ("class_name", "small_name"):
        if not values[column]:
            problem(_("%(column)s is empty") % {"column": column})
        elif len(values[column]) > _NAME_MAX:
            problem(
                _("%(column)s is longer than %(max)d characters")
                % {"column": column, "max": _NAME_MAX}
            )
    for column in ("condition", "closure_condition"):
        if not values[column]:
            problem(_("%(column)s is empty") % {"column": column})

    standard_code = values["standard_code"].upper()
    try:
        standard_code_validator(standard_code)
    except ValidationError:
        problem(
            _("standard_code %(value)r is not a full code followed by two digits (e.g. E010201)")
            % {"value": values["standard_code"]}
        )
    else:
        full_code = f"{family}{values['class_code']}{values['small_code']}"
        if len(problems) == before and not standard_code.startswith(full_code):
            problem(
                _("standard_code %(code)s does not start with the small class code %(full)s")
                % {"code": standard_code, "full": full_code}
            )

    limits: dict[tuple[str, str], tuple[Decimal, LimitUnit]] = {}
    for column, area_class, urgency in LIMIT_COLUMNS:
        text = values[column]
        if not text:
            if urgency == Urgency.NORMAL:
                problem(
                    _("%(column)s is empty; every area class needs a limit") % {"column": column}
                )
            continue
        try:
            limits[(area_class.value, urgency.value)] = parse_limit(text)
        except ValueError:
            problem(
                _(
                    "%(column)s: bad limit %(value)r (expected a positive number and one of "
                    "%(suffixes)s, e.g. 4wh)"
                )
                % {"column": column, "value": text, "suffixes": ", ".join(LIMIT_SUFFIXES)}
            )

    if len(problems) != before:
        return None
    return _Row(
        number=number,
        family=family,
        class_code=values["class_code"],
        class_name=values["class_name"],
        small_code=values["small_code"],
        small_name=values["small_name"],
        keywords=",".join(split_keywords(values["keywords"])),
        standard_code=standard_code,
        condition=values["condition"],
        closure_condition=values["closure_condition"],
        note=values["note"],
        limits=limits,
    )


def _check_consistency(rows: list[_Row], problems: list[CatalogueProblem]) -> None:
    """Duplicate standard codes and conflicting names or keywords across rows."""
    standards: dict[str, int] = {}
    class_names: dict[tuple[str, str], tuple[str, int]] = {}
    small_names: dict[str, tuple[str, int]] = {}
    small_keywords: dict[str, tuple[str, int]] = {}
    for row in rows:
        first = standards.setdefault(row.standard_code, row.number)
        if first != row.number:
            problems.append(
                CatalogueProblem(
                    row.number,
                    _("duplicate standard_code %(code)s (already in row %(first)d)")
                    % {"code": row.standard_code, "first": first},
                )
            )
        name, first = class_names.setdefault(
            (row.family, row.class_code), (row.class_name, row.number)
        )
        if name != row.class_name:
            problems.append(
                CatalogueProblem(
                    row.number,
                    _("class %(code)s is named %(name)r here but %(other)r in row %(first)d")
                    % {
                        "code": row.family + row.class_code,
                        "name": row.class_name,
                        "other": name,
                        "first": first,
                    },
                )
            )
        name, first = small_names.setdefault(row.full_code, (row.small_name, row.number))
        if name != row.small_name:
            problems.append(
                CatalogueProblem(
                    row.number,
                    _("small class %(code)s is named %(name)r here but %(other)r in row %(first)d")
                    % {
                        "code": row.full_code,
                        "name": row.small_name,
                        "other": name,
                        "first": first,
                    },
                )
            )
        if row.keywords:
            words, first = small_keywords.setdefault(row.full_code, (row.keywords, row.number))
            if words != row.keywords:
                problems.append(
                    CatalogueProblem(
                        row.number,
                        _(
                            "small class %(code)s has other keywords in row %(first)d; "
                            "give them once or repeat them exactly"
                        )
                        % {"code": row.full_code, "first": first},
                    )
                )


def _check_database(rows: list[_Row], problems: list[CatalogueProblem]) -> None:
    """A standard code already used by another small class cannot be moved."""
    codes = {row.standard_code: row for row in rows}
    existing = FilingStandard.objects.filter(code__in=codes).values_list(
        "code", "small_class__full_code"
    )
    for code, full_code in existing:
        row = codes[code]
        if full_code != row.full_code:
            problems.append(
                CatalogueProblem(
                    row.number,
                    _(
                        "standard_code %(code)s belongs to small class %(other)s in the "
                        "database, not %(full)s"
                    )
                    % {"code": code, "other": full_code, "full": row.full_code},
                )
            )


# --- writing -----------------------------------------------------------------


def _apply(instance, values: dict) -> bool:
    """Set changed attributes; True if any changed."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return bool(changed)


def _upsert(rows: list[_Row], report: LoadReport) -> None:
    classes = {(c.family, c.code): c for c in CategoryClass.objects.all()}
    smalls = {s.full_code: s for s in SmallClass.objects.select_related("category_class")}
    standards = {
        s.code: s for s in FilingStandard.objects.filter(code__in=[r.standard_code for r in rows])
    }
    limits = {
        (limit.standard_id, limit.area_class, limit.urgency): limit
        for limit in TimeLimit.objects.filter(standard__in=list(standards.values()))
    }
    has_default = set(
        FilingStandard.objects.filter(is_default=True).values_list("small_class_id", flat=True)
    )
    seen_classes: set[tuple[str, str]] = set()
    seen_smalls: set[str] = set()
    order_in_small: dict[str, int] = {}
    new_limits: list[TimeLimit] = []
    keywords_of: dict[str, str] = {}
    for row in rows:
        if row.keywords:
            keywords_of.setdefault(row.full_code, row.keywords)

    for row in rows:
        key = (row.family, row.class_code)
        category = classes.get(key)
        if key not in seen_classes:
            seen_classes.add(key)
            if category is None:
                category = CategoryClass.objects.create(
                    family=row.family, code=row.class_code, name=row.class_name
                )
                classes[key] = category
                report.category_classes.created += 1
            elif _apply(category, {"name": row.class_name}):
                category.save(update_fields=["name"])
                report.category_classes.updated += 1
            else:
                report.category_classes.unchanged += 1

        small = smalls.get(row.full_code)
        if row.full_code not in seen_smalls:
            seen_smalls.add(row.full_code)
            keywords = keywords_of.get(row.full_code, "")
            if small is None:
                small = SmallClass.objects.create(
                    category_class=category,
                    code=row.small_code,
                    name=row.small_name,
                    keywords=keywords,
                )
                smalls[row.full_code] = small
                report.small_classes.created += 1
            elif _apply(small, {"name": row.small_name, "keywords": keywords}):
                small.save(update_fields=["name", "keywords"])
                report.small_classes.updated += 1
            else:
                report.small_classes.unchanged += 1

        order = order_in_small[row.full_code] = order_in_small.get(row.full_code, 0) + 1
        values = {
            "condition": row.condition,
            "closure_condition": row.closure_condition,
            "note": row.note,
            "order": order,
        }
        standard = standards.get(row.standard_code)
        if standard is None:
            standard = FilingStandard(small_class=small, code=row.standard_code, **values)
            standard.is_default = small.pk not in has_default
            standard.save()
            has_default.add(small.pk)
            standards[row.standard_code] = standard
            report.standards.created += 1
        else:
            if _apply(standard, values):
                standard.save(update_fields=list(values))
                report.standards.updated += 1
            else:
                report.standards.unchanged += 1
            if small.pk not in has_default:
                standard.is_default = True
                standard.save(update_fields=["is_default"])
                has_default.add(small.pk)

        for (area_class, urgency), (amount, unit) in row.limits.items():
            limit = limits.get((standard.pk, area_class, urgency))
            if limit is None:
                new_limits.append(
                    TimeLimit(
                        standard=standard,
                        area_class=area_class,
                        urgency=urgency,
                        amount=amount,
                        unit=unit,
                    )
                )
                report.time_limits.created += 1
            elif _apply(limit, {"amount": amount, "unit": unit.value}):
                limit.save(update_fields=["amount", "unit"])
                report.time_limits.updated += 1
            else:
                report.time_limits.unchanged += 1
    TimeLimit.objects.bulk_create(new_limits)
