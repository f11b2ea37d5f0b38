"""The evaluation inside the console (/console/evaluation/): rankings with charts,
the cases behind a number, and the ledger and bulletin downloads.

The figures are computed by :mod:`civicloop.evaluation` (indicators, periods,
ledger, bulletin); this module is only the face. The default period is the
last complete month; entities without any case are hidden unless asked for
(``?empty=1``).

Who sees what:

* centre roles (acceptor, shift leader, dispatcher), supervisors and
  administrators: every scope and every number, the ledger and the bulletin;
* unit leaders: the ranking of the handling units (every row, to compare),
  and the cases behind their own unit's numbers;
* handlers: their own unit's row only, and the cases behind it;
* anyone else: 403. A number that is not the user's is 404.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from civicloop.cases.permissions import SEE_ALL_ROLES, UNIT_ROLES, visible_cases
from civicloop.evaluation import periods
from civicloop.evaluation.bulletin import build_bulletin, page_trend
from civicloop.evaluation.indicators import (
    SCOPES,
    UnknownIndicator,
    drilldown,
    evaluate,
    get_scope,
)
from civicloop.evaluation.ledger import build_ledger
from civicloop.evaluation.models import EvaluationConfig
from civicloop.org.models import Role

from .access import staff_view
from .pdf import missing_pdf_parts, pdf_missing_response

PAGE_SIZE = 100
#: Rows of a ranking table per page, and bars in its chart at most.
ROWS_PER_PAGE = 200
CHART_MAX = 40
KIND_LABELS = {
    "day": gettext_lazy("day"), "week": gettext_lazy("week"), "month": gettext_lazy("month"),
    "quarter": gettext_lazy("quarter"), "year": gettext_lazy("year"),
    "range": gettext_lazy("date range"),
}  # fmt: skip


def may_evaluate(actor) -> bool:
    """Whether the console's menu offers the evaluation to ``actor``."""
    return bool(
        actor.is_superuser or actor.has(*SEE_ALL_ROLES, Role.LEADER) or actor.unit_ids(*UNIT_ROLES)
    )


class Access:
    """What the user may see of the evaluation.

    The centre, supervisors and administrators see every scope and open the
    cases behind each number; district leaders (区领导) see every scope, its
    rankings and lists, without the cases (they see none in the console);
    units see the ranking of units and open their own numbers.
    """

    def __init__(self, actor):
        self.actor = actor
        self.opens_all = self.actor.is_superuser or self.actor.has(*SEE_ALL_ROLES)
        self.full = self.opens_all or self.actor.has(Role.LEADER)
        self.leader = self.actor.has(Role.UNIT_LEADER)
        self.unit_ids = self.actor.unit_ids(*UNIT_ROLES)
        if not (self.full or self.unit_ids):
            raise PermissionDenied(
                _("The evaluation is for the centre, supervisors, district leaders and units.")
            )

    @property
    def scopes(self) -> list[str]:
        return list(SCOPES) if self.full else ["unit"]

    def sees_row(self, scope: str, entity_id: int) -> bool:
        if self.full:
            return True
        return scope == "unit" and (self.leader or entity_id in self.unit_ids)

    def may_open(self, scope: str, entity_id: int) -> bool:
        """May follow the numbers of this row to its cases."""
        return self.opens_all or (scope == "unit" and entity_id in self.unit_ids)


def _period(request) -> periods.Period:
    """The period from GET: ``period`` text, or ``kind`` + ``date``, or ``from``/``to``;
    without any, the last complete month."""
    text = request.GET.get("period", "").strip()
    kind = request.GET.get("kind", "").strip()
    try:
        if not (text or kind):
            return periods.last_complete("month")
        if not text and kind == "range" and request.GET.get("from") and request.GET.get("to"):
            text = f"{request.GET['from']}..{request.GET['to']}"
        elif not text and kind in periods.KINDS and kind != "range":
            day = request.GET.get("date", "").strip()
            date = datetime.date.fromisoformat(day) if day else None
            return periods.current(kind, date)
        return periods.parse(text)
    except (periods.PeriodError, ValueError) as error:
        raise Http404(str(error)) from None


def _cases_urls(scope: str, period: periods.Period):
    """``url(indicator, entity_id)``: the link behind one number of the table (the
    path reversed once per page, not for each of its thousands of numbers)."""
    base = reverse("console:evaluation_cases")
    scope_part, period_part = urlencode({"scope": scope}), urlencode({"period": period.key})

    def url(indicator: str, entity_id: int) -> str:
        indicator_part = urlencode({"indicator": indicator})
        return f"{base}?{indicator_part}&{scope_part}&id={int(entity_id)}&{period_part}"

    return url


def _percent(value):
    return None if value is None else round(value * 100, 1)


@staff_view
def ranking(request):
    access = Access(request.actor)
    scope_key = request.GET.get("scope", "unit")
    if scope_key not in access.scopes:
        raise Http404(_("Unknown scope."))
    scope = get_scope(scope_key)
    period = _period(request)
    config = EvaluationConfig.get()
    table = evaluate(scope, period, config=config)
    show_empty = request.GET.get("empty") == "1"
    visible, hidden = [], 0
    for row in table.rows:
        if not access.sees_row(scope_key, row.entity_id):
            continue
        if row.empty and not show_empty:
            hidden += 1
            continue
        visible.append(row)
    # Thousands of grid cells: the table pages, the links are built for one page.
    page = Paginator(visible, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    cases_url = _cases_urls(scope_key, period)
    for row in page:
        link = access.may_open(scope_key, row.entity_id)
        cells = [
            (row.values.get(k, 0), cases_url(k, row.entity_id) if link else "")
            for k in scope.columns
        ]
        rates = [
            (None if row.rates.get(r.key) is None else round(row.rates[r.key] * 100, 1),
             cases_url(r.num, row.entity_id) if link else "")
            for r in scope.rates
        ]  # fmt: skip
        rows.append({"row": row, "cells": cells, "rates": rates})
    seen = {r.entity_id for r in visible}
    charted = [r for r in visible if r.rank is not None]
    title = _("Composite scores (ranked only)")
    if len(charted) > CHART_MAX:
        # Every label stays readable: the best and the worst, the rest in the table.
        half = CHART_MAX // 2
        title = _("Composite scores: the best %(n)d and the worst %(n)d of %(total)d ranked") % {
            "n": half, "total": len(charted)}  # fmt: skip
        charted = charted[:half] + charted[-half:]
    chart = {
        "names": [r.name for r in charted],
        "scores": [r.score for r in charted],
        "grades": [r.grade for r in charted],
        "title": title,
    }
    base_query = {"scope": scope_key, "period": period.key}
    context = {
        "access": access,
        "scope": scope,
        "scopes": [(k, SCOPES[k].label) for k in access.scopes],
        "period": period,
        "previous": period.previous(),
        "table": table,
        "rows": rows,
        "page": page,
        "headers": [scope.label_of(k) for k in scope.columns],
        "rate_headers": [r.label for r in scope.rates],
        "kinds": list(KIND_LABELS.items()),
        "chart": chart,
        "red_list": [r for r in table.red_list if r.entity_id in seen],
        "black_list": [r for r in table.black_list if r.entity_id in seen],
        "hidden_empty": hidden,
        "show_empty": show_empty,
        "empty_url": "?" + urlencode({**base_query, "empty": "0" if show_empty else "1"}),
        "too_few": [r for r in visible if r.too_few],
        "config": config,
        "this_month": periods.current("month"),
        "last_month": periods.last_complete("month"),
        "admin_url": reverse("admin:evaluation_evaluationconfig_change", args=[1])
        if request.user.is_staff
        else "",
    }
    if access.full:
        as_of, months = page_trend(periods.month(period.last.year, period.last.month))
        context["trend"] = {
            "as_of": _("Figures as of %(time)s")
            % {"time": formats.date_format(timezone.localtime(as_of), "DATETIME_FORMAT")},
            "months": [p.first.strftime("%Y-%m") for p, _f in months],
            "on_time": [_percent(f["on_time_rate"]) for _p, f in months],
            "closure": [_percent(f["closure_rate"]) for _p, f in months],
            "filed": [f["filed"] for _p, f in months],
            "title": _("On-time and closure rates (%)"),
            "labels": {
                "on_time": pgettext("evaluation", "on-time rate"),
                "closure": pgettext("evaluation", "closure rate"),
                "filed": pgettext("evaluation", "filed"),
            },
        }
    context["charts"] = {"ranking": chart, "trend": context.get("trend")}
    return render(request, "console/evaluation/ranking.html", context)


@staff_view
def cases(request):
    """The rows behind one number: ?indicator=&scope=&id=&period=."""
    access = Access(request.actor)
    scope_key = request.GET.get("scope", "")
    if scope_key not in SCOPES:
        raise Http404(_("Unknown scope."))
    try:
        entity_id = int(request.GET.get("id", ""))
    except ValueError:
        raise Http404(_("Unknown entity.")) from None
    if not access.may_open(scope_key, entity_id):
        raise Http404(_("Not yours."))
    scope = get_scope(scope_key)
    period = _period(request)
    indicator = request.GET.get("indicator", "")
    try:
        sections = drilldown(scope, indicator, entity_id, period)
    except UnknownIndicator:
        raise Http404(_("Unknown indicator.")) from None
    entity = next((name for pk, name in scope.entities({entity_id}) if pk == entity_id), None)
    if entity is None:
        raise Http404(_("Unknown entity."))
    visible = visible_cases(access.actor).values("pk")
    page_number = request.GET.get("page") or 1
    shown = []
    total = 0
    for section in sections:
        queryset = section.queryset
        if section.row == "case":
            queryset = (
                visible_cases(access.actor, queryset)
                .select_related("unit", "small_class", "street", "community")
                .order_by("reported_at", "pk")
            )
        else:
            queryset = queryset.filter(case__in=visible).select_related(
                "case", "case__unit", "case__small_class", "case__street", "case__community", "unit"
            )
            queryset = queryset.order_by("at" if section.row == "event" else "requested_at", "pk")
        page = Paginator(queryset, PAGE_SIZE).get_page(page_number)
        total += page.paginator.count
        shown.append({"section": section, "page": page})
    context = {
        "scope": scope, "entity": entity, "entity_id": entity_id, "period": period,
        "indicator": indicator, "label": scope.label_of(indicator), "sections": shown,
        "total": total, "back": f"{reverse('console:evaluation')}?"
        + urlencode({"scope": scope_key, "period": period.key}),
    }  # fmt: skip
    return render(request, "console/evaluation/cases.html", context)


def _full_only(request) -> Access:
    access = Access(request.actor)
    if not access.full:
        raise PermissionDenied(
            _("Ledgers and bulletins are for the centre, supervisors and district leaders.")
        )
    return access


@staff_view
def ledger(request):
    _full_only(request)
    period = _period(request)
    data = build_ledger(period)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="ledger-{period.key}.xlsx"'
    return response


@staff_view
def bulletin(request):
    _full_only(request)
    period = _period(request)
    if period.kind != "month":
        period = periods.month(period.first.year, period.first.month)
    missing = missing_pdf_parts()
    if missing:
        return pdf_missing_response(request, missing)
    data = build_bulletin(period, as_of=timezone.now())
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bulletin-{period.key}.pdf"'
    return response
