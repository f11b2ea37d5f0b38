"""Supervision's section of the monthly bulletin (PDF) and the xlsx ledger.

Registered with :mod:`civicloop.evaluation.sections` in ``SupervisionConfig.ready``
(evaluation sits below supervision and cannot import it).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .models import Colour, Item
from .rankings import ranking

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def figures(period) -> dict:
    """Counts of the items due in the period and the items open at its end (one query each)."""
    due = Item.objects.filter(deadline__gte=period.first, deadline__lte=period.last)
    return {
        **due.aggregate(due=Count("id"), on_time=Count("id", filter=Q(completion="on_time")),
                        late=Count("id", filter=Q(completion="overdue"))),
        **Item.objects.exclude(state__in=("passed", "closed")).aggregate(
            open=Count("id"), red=Count("id", filter=Q(colour=Colour.RED))),
    }  # fmt: skip


def bulletin_section(period) -> str:
    """HTML added to the bulletin: figures, the street leaders' red and black lists, the units."""
    return render_to_string("supervision/bulletin_section.html", {
        "period": period, "figures": figures(period),
        "streets": ranking(period, streets=True), "units": ranking(period),
    })  # fmt: skip


def _text(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return value, True
    return value, False


def ledger_sheet(workbook, period) -> None:
    """A sheet of the period's unit ranking and a sheet of the items due in it."""
    from openpyxl.cell import WriteOnlyCell

    def row(sheet, values):
        cells = []
        for value in values:
            value, escape = _text(value)
            cell = WriteOnlyCell(sheet, value)
            if escape:
                cell.data_type, cell.quotePrefix = "s", True
            cells.append(cell)
        sheet.append(cells)

    sheet = workbook.create_sheet(_("supervision ranking")[:31])
    row(sheet, [_("rank"), _("unit"), _("unit leaders"), _("due"), _("on time"), _("overdue"),
                _("red sheets"), _("rejections"), _("supervision score"), _("case-loop score"),
                _("score"), _("list")])  # fmt: skip
    for r in ranking(period).rows:
        row(sheet, [r.rank, r.name, "、".join(r.leaders), r.due, r.on_time, r.overdue, r.reds,
                    r.rejections, r.supervision_score, r.case_score, r.score,
                    _("red list") if r.red else _("black list") if r.black else ""])  # fmt: skip
    sheet = workbook.create_sheet(_("supervised items")[:31])
    row(sheet, [_("number"), _("title"), _("lead unit"), _("responsible person"), _("post"),
                _("deadline"), _("state"), _("colour"), _("completion"), _("red sheets")])  # fmt: skip
    items = (Item.objects.filter(deadline__gte=period.first, deadline__lte=period.last)
             .select_related("lead_unit", "person").order_by("deadline", "id"))  # fmt: skip
    for i in items:
        row(sheet, [i.number, i.title, i.lead_unit.name, i.person.name, i.post,
                    i.deadline.isoformat(), i.get_state_display(), i.get_colour_display(),
                    i.get_completion_display(), i.red_count])  # fmt: skip
