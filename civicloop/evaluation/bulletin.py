"""The monthly bulletin (通报): a PDF in Chinese, made with WeasyPrint.

It holds the month's summary figures, the ranking of the handling units (a
bar chart and the table), a six-month trend chart, the red and black lists of
units and streets, and the overdue cases. Charts are inline SVG drawn on the
server (:mod:`charts`). Fonts: Debian's ``fonts-noto-cjk`` (Noto Sans CJK SC).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import charts, periods, sections
from .indicators import evaluate, overdue_cases, summaries
from .models import EvaluationConfig
from .periods import Period

TREND_MONTHS = 6
#: The bulletin names only the most overdue cases; the ledger has them all.
OVERDUE_LIMIT = 10


def _percent(value):
    return None if value is None else round(value * 100, 1)


def trend(period: Period, *, as_of=None, months: int = TREND_MONTHS) -> list[tuple[Period, dict]]:
    """District figures of the ``months`` months ending with ``period`` (one query)."""
    chosen = [period]
    for _index in range(months - 1):
        chosen.append(chosen[-1].previous())
    chosen.reverse()
    return list(zip(chosen, summaries(chosen, as_of=as_of), strict=True))


def page_trend(period: Period) -> tuple[datetime.datetime, list[tuple[Period, dict]]]:
    """:func:`trend` for the evaluation page: ``(as of, months)``, computed at most
    every ``EVALUATION_TREND_SECONDS`` per period in the shared cache.

    Six months are a quarter of a million cases at 1M (0.5–0.6 s of the page's
    0.6–0.9 s, whichever indexes exist: every row of six months is read). The
    page says when its figures were taken; the bulletin and the ledger, which
    are documents, compute theirs when they are made.
    """
    seconds = settings.EVALUATION_TREND_SECONDS
    key = f"evaluation:trend:{period.key}"
    found = cache.get(key) if seconds > 0 else None
    if found is None:
        as_of = timezone.now()
        found = (as_of, trend(period, as_of=as_of))
        if seconds > 0:
            cache.set(key, found, seconds)
    return found


def context(period: Period, *, as_of: datetime.datetime | None = None) -> dict:
    as_of = as_of or timezone.now()
    units = evaluate("unit", period, as_of=as_of)
    streets = evaluate("street", period, as_of=as_of)
    months = trend(period, as_of=as_of)
    figures = months[-1][1]
    ranking_svg = charts.bar_chart(
        [(r.name, r.score, r.grade) for r in units.ranked],
        title=_("Composite scores of the handling units"),
    )
    trend_svg = charts.line_chart(
        [p.first.strftime("%Y-%m") for p, _f in months],
        [
            (
                pgettext("evaluation", "on-time rate"),
                [_percent(f["on_time_rate"]) for _p, f in months],
            ),
            (
                pgettext("evaluation", "closure rate"),
                [_percent(f["closure_rate"]) for _p, f in months],
            ),
        ],
        title=_("On-time and closure rates, last six months (%)"),
        maximum=100,
        suffix="%",
    )
    overdue_all = overdue_cases(period, as_of=as_of)
    overdue = list(overdue_all.order_by("handling_deadline", "pk")[:OVERDUE_LIMIT])
    return {
        "period": period,
        "as_of": as_of,
        "figures": figures,
        "on_time_rate": _percent(figures["on_time_rate"]),
        "closure_rate": _percent(figures["closure_rate"]),
        "units": units,
        "streets": streets,
        "months": [
            (p, f, _percent(f["on_time_rate"]), _percent(f["closure_rate"])) for p, f in months
        ],  # fmt: skip
        "ranking_svg": mark_safe(ranking_svg),  # noqa: S308 (built from escaped text)
        "trend_svg": mark_safe(trend_svg),  # noqa: S308
        "overdue": overdue,
        "overdue_total": overdue_all.count() if len(overdue) == OVERDUE_LIMIT else len(overdue),
        "overdue_limit": OVERDUE_LIMIT,
        # Sections of upper apps (supervision …), registered in their ready().
        "sections": mark_safe(sections.bulletin_html(period)),  # noqa: S308 (rendered templates)
        "unranked": [r for r in units.rows if r.too_few],
        "min_cases": EvaluationConfig.get().min_cases,
    }


def render_html(period: Period, *, as_of=None) -> str:
    with translation.override("zh-hans"):
        return render_to_string("evaluation/bulletin.html", context(period, as_of=as_of))


def build_bulletin(period: Period, *, as_of: datetime.datetime | None = None) -> bytes:
    """The bulletin of ``period`` (a month) as PDF bytes."""
    from weasyprint import HTML  # imported late: it loads Pango and fonts

    html = render_html(period, as_of=as_of)
    return HTML(string=html).write_pdf()


def parse_month(text: str) -> Period:
    """A month written YYYY-MM (:class:`periods.PeriodError` otherwise)."""
    period = periods.parse(text)
    if period.kind != "month":
        raise periods.PeriodError(_("Give a month as YYYY-MM."))
    return period
