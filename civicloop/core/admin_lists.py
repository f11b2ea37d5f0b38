"""Helpers for admin lists over big tables (cases, their history, requests).

The admin counts the rows of a list twice by default: the filtered count for
the paginator and the full count beside it. On a table of a million rows
each is a scan. :class:`CappedCountPaginator` counts at most ``COUNT_CAP``
rows (a COUNT over a LIMIT subquery), and ``show_full_result_count = False``
drops the second count; lists of big tables also avoid ``date_hierarchy``
and value-list filters (``SELECT DISTINCT`` over the table) in favour of
filters with fixed choices.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

#: Lists count at most this many rows; the last page reachable is the cap's.
COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()


def choices_filter(field: str, title, choices) -> type[admin.SimpleListFilter]:
    """A list filter over fixed ``choices`` (no DISTINCT query over the table)."""

    class ChoicesFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return list(choices)

        def queryset(self, request, queryset):
            value = self.value()
            return queryset.filter(**{field: value}) if value else queryset

    ChoicesFilter.title = title
    ChoicesFilter.__name__ = f"{field.title()}ChoicesFilter"
    return ChoicesFilter
