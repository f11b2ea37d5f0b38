"""The catalogue as this process keeps it in memory (``civicloop.core.memo``).

Intake reads a small class by code and its active filing standards with
their time limits on every report; the catalogue changes a few times a year.
:func:`catalogue` returns the process's copy (three queries to build), rebuilt
when a category, small class, filing standard or time limit is saved or
deleted anywhere (the counter ``cases.catalogue``). The objects are shared:
read them, never change and save them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from civicloop.core.memo import Memo, bump, bump_on_change

from .models import CategoryClass, FilingStandard, SmallClass, TimeLimit

NAME = "cases.catalogue"


@dataclass
class Catalogue:
    #: Every small class by full code (active or not), with its category class.
    by_code: dict[str, SmallClass] = field(default_factory=dict)
    #: The active standards of each small class id, the default first, then by order and code.
    standards: dict[int, list[FilingStandard]] = field(default_factory=dict)


def _load() -> Catalogue:
    standards = (
        FilingStandard.objects.filter(is_active=True)
        .prefetch_related(Prefetch("time_limits", queryset=TimeLimit.objects.all()))
        .order_by("small_class_id", "-is_default", "order", "code")
    )
    catalogue = Catalogue()
    for standard in standards:
        catalogue.standards.setdefault(standard.small_class_id, []).append(standard)
    for small in SmallClass.objects.select_related("category_class"):
        # What the Open311 service definitions read (see open311.services.attributes_for).
        small.active_standards = catalogue.standards.get(small.pk, [])
        catalogue.by_code[small.full_code.upper()] = small
    return catalogue


CATALOGUE = Memo(NAME, _load)


def catalogue() -> Catalogue:
    return CATALOGUE.get()


def small_class(code: str) -> SmallClass | None:
    """The small class with this full code (case-insensitive), or None."""
    return catalogue().by_code.get(code.strip().upper())


def active_standards(small: SmallClass) -> list[FilingStandard]:
    return catalogue().standards.get(small.pk, [])


def changed() -> None:
    """Call after writing catalogue rows without model signals (bulk_create, update)."""
    bump(NAME)


def connect() -> None:
    bump_on_change(NAME, [CategoryClass, SmallClass, FilingStandard, TimeLimit])
