"""Models of the case loop. The catalogue (categories, filing standards, time
limits) lives in :mod:`civicloop.cases.models.catalogue`; the case models will
join it in their own module."""

from civicloop.cases.models.catalogue import (
    CategoryClass,
    Family,
    FilingStandard,
    LimitUnit,
    SmallClass,
    TimeLimit,
    Urgency,
)

__all__ = [
    "CategoryClass",
    "Family",
    "FilingStandard",
    "LimitUnit",
    "SmallClass",
    "TimeLimit",
    "Urgency",
]
