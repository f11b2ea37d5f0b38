"""Reads that count, in SQL: campaign roll-ups (row → unit → street → campaign) and lights."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q

from .models import Campaign, CampaignRow, Colour


def _counts(today: datetime.date) -> dict:
    return {
        "total": Count("id"),
        "completed": Count("id", filter=Q(done=True)),
        "red": Count("id", filter=Q(colour=Colour.RED, done=False)),
        "blue": Count("id", filter=Q(colour=Colour.BLUE, done=False)),
        "overdue": Count("id", filter=Q(done=False, deadline__lt=today)),
    }


def light(entry: dict) -> str:
    """A unit's or street's light: red with any red row, blue with any blue row, else green."""
    if entry["red"]:
        return Colour.RED
    if entry["blue"]:
        return Colour.BLUE
    return Colour.GREEN


def _finish(entry: dict) -> dict:
    entry["rate"] = entry["completed"] / entry["total"] if entry["total"] else None
    entry["light"] = light(entry)
    return entry


def rollup(campaign: Campaign | int, today: datetime.date, rows=None) -> dict:
    """Totals of the campaign, per street and per unit (three aggregate queries).

    ``rows`` narrows the rows (a unit's own); by default every row of the campaign.
    """
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    rows = rows if rows is not None else CampaignRow.objects.all()
    rows = rows.filter(campaign_id=pk)
    counts = _counts(today)
    total = _finish(rows.aggregate(**counts))
    units = [
        _finish(e)
        for e in rows.values("unit_id", "unit__name").annotate(**counts).order_by("unit__name")
    ]
    streets = [
        _finish(e)
        for e in rows.values("street_id", "street__name")
        .annotate(**counts)
        .order_by("street__name")
    ]
    return {"total": total, "units": units, "streets": streets}


def campaign_list(today: datetime.date, queryset=None):
    """Campaigns with their row counts annotated (one query)."""
    queryset = queryset if queryset is not None else Campaign.objects.all()
    return queryset.annotate(
        total=Count("rows"),
        completed=Count("rows", filter=Q(rows__done=True)),
        red=Count("rows", filter=Q(rows__done=False, rows__colour=Colour.RED)),
        overdue=Count("rows", filter=Q(rows__done=False, rows__deadline__lt=today)),
    ).order_by("-deadline", "id")
