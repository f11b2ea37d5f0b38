"""Exports and print of the console: the case list as xlsx, the case sheet (处置单) as PDF.

* ``/console/cases/export.xlsx`` takes exactly the query parameters of
  ``/console/cases/`` (the same form, the same filter function, the same
  scope), writes the rows with openpyxl's write-only mode into a temporary
  file and streams it. The reporter's phone and e-mail are filled only on the
  rows :func:`sees_reporter_contact` allows, the tracking code is a column only
  for those :func:`sees_tracking_code` allows (the rule table's ``see`` rows,
  docs/privacy.md).
* ``/console/cases/<id>/sheet.pdf`` is a printable sheet: the facts, a small
  map drawn as SVG from the case's point, its grid cell and the road sections
  around it (no tiles), the photos, the timeline and signature lines; made
  with WeasyPrint and the Noto CJK fonts (:mod:`console.pdf` says plainly
  when they are missing).
"""

from __future__ import annotations

import base64
import math
import tempfile
from xml.sax.saxutils import escape

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from civicloop.cases.models import Case, Evidence
from civicloop.cases.permissions import (
    sees_any_reporter_contact,
    sees_reporter_contact,
    sees_tracking_code,
)
from civicloop.cases.timeline import annotate
from civicloop.evaluation.ledger import (
    case_columns,
    case_headers,
    case_rows,
    case_widths,
    write_sheet,
)
from civicloop.geo.geometry import LocalProjection
from civicloop.geo.models import RoadSection

from . import queries
from .access import staff_view
from .forms import CaseFilterForm
from .pdf import missing_pdf_parts, pdf_missing_response
from .views import detail_case

#: An export holds at most this many cases (the "about" sheet says when cut).
EXPORT_LIMIT = 50_000
#: Photos printed on a sheet.
SHEET_PHOTOS = 6

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filtered(request) -> tuple[CaseFilterForm, dict, object]:
    """The case list's form, its cleaned filters and the cases (as /console/cases/ does)."""
    form = CaseFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else (
        getattr(form, "cleaned_data", {}) if form.is_bound else {}
    )  # fmt: skip
    return form, data, queries.filter_cases(queries.list_queryset(request.actor), data)


def _filter_lines(form: CaseFilterForm, data: dict) -> list[list[str]]:
    lines = []
    for name, field in form.fields.items():
        value = data.get(name)
        if value in (None, "", [], ()):
            continue
        if hasattr(field, "choices") and not hasattr(value, "pk"):
            value = dict(field.choices).get(value, value)
        lines.append([str(field.label), str(value)])
    return lines


@staff_view
def case_export(request):
    form, data, cases = _filtered(request)
    actor = request.actor
    contacts, codes = sees_any_reporter_contact(actor), sees_tracking_code(actor)
    columns = case_columns(contacts=contacts, codes=codes)
    headers = case_headers(columns)
    cut = []
    allowed: dict[int | None, bool] = {}

    def contact_allowed(unit_id: int | None) -> bool:
        # The rule reads only the case's unit: asked once per unit, not per row.
        if unit_id not in allowed:
            allowed[unit_id] = sees_reporter_contact(actor, unit_id)
        return allowed[unit_id]

    def rows():
        for index, row in enumerate(
            case_rows(cases, columns, ordered=True, contact_allowed=contact_allowed)
        ):
            if index == EXPORT_LIMIT:
                cut.append(True)
                return
            yield row

    workbook = Workbook(write_only=True)
    count = write_sheet(workbook, _("cases"), headers, case_widths(columns, headers), rows())
    now = timezone.localtime()
    about = [
        [_("exported at"), now.strftime("%Y-%m-%d %H:%M")],
        [_("exported by"), request.actor.name],
        [_("rows"), count],
        *(_filter_lines(form, data) or [[_("filters"), _("none (every case you may see)")]]),
    ]
    if cut:
        about.append([_("note"), _("Only the first %(n)d cases are exported: narrow the filters.")
                      % {"n": EXPORT_LIMIT}])  # fmt: skip
    if not contacts:
        about.append([_("note"), _("Reporters' contacts and tracking codes are not exported "
                                   "for your role.")])  # fmt: skip
    elif not all(allowed.values()):
        about.append([_("note"), _("Reporters' contacts are filled in only for the cases "
                                   "your unit handles.")])  # fmt: skip
    if contacts and not codes:
        about.append([_("note"), _("Tracking codes are not exported for your role.")])
    write_sheet(workbook, _("about this export"), [_("item"), _("value")], [18, 60], about)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, content_type=XLSX,
                        filename=f"cases-{now:%Y%m%d-%H%M}.xlsx")  # fmt: skip


# --- the case sheet --------------------------------------------------------------------------

MAP_W, MAP_H, MAP_SPAN_M = 420, 280, 360.0


def case_map_svg(case: Case) -> str:
    """A small map around the case: its grid cell, the road sections near it, the point.

    Coordinates are projected to metres around the point (the geo app's local
    projection); the frame is ``MAP_SPAN_M`` wide, or the cell's size if larger.
    """
    projection = LocalProjection(case.lon, case.lat)
    cell = case.cell.geometry if case.cell_id and case.cell else None
    span = MAP_SPAN_M
    if cell is not None:
        minx, miny, maxx, maxy = projection.forward(cell).bounds
        aspect = MAP_W / MAP_H
        span = max(span, 1.15 * max(2 * abs(minx), 2 * abs(maxx), 2 * abs(miny) * aspect,
                                    2 * abs(maxy) * aspect))  # fmt: skip
    scale = MAP_W / span
    half_w, half_h = span / 2, span * MAP_H / MAP_W / 2
    dlat = half_h / 111_195.0
    dlon = half_w / 111_195.0 / max(0.2, math.cos(math.radians(case.lat)))

    def xy(x, y):
        return MAP_W / 2 + x * scale, MAP_H / 2 - y * scale

    def path(geometry) -> str:
        parts = []
        for line in _lines(geometry):
            points = [xy(x, y) for x, y in line]
            parts.append("M" + " L".join(f"{px:.1f},{py:.1f}" for px, py in points))
        return " ".join(parts)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{MAP_W}" height="{MAP_H}" '
           f'viewBox="0 0 {MAP_W} {MAP_H}">',
           f'<rect width="{MAP_W}" height="{MAP_H}" fill="#f6f7f9" stroke="#999"/>']  # fmt: skip
    if cell is not None:
        out.append(f'<path d="{path(projection.forward(cell))}" fill="#dfe9f7" stroke="#5b7db1" '
                   'stroke-width="1.5" fill-rule="evenodd"/>')  # fmt: skip
    sections = RoadSection.objects.filter(
        min_lon__lte=case.lon + dlon, max_lon__gte=case.lon - dlon,
        min_lat__lte=case.lat + dlat, max_lat__gte=case.lat - dlat,
    ).select_related("road")[:40]  # fmt: skip
    labels = []
    for section in sections:
        geometry = section.geometry
        if geometry is None:
            continue
        local = projection.forward(geometry)
        own = section.pk == case.road_section_id
        colour, width = ("#c62828", 4) if own else ("#8d8d8d", 3)
        out.append(f'<path d="{path(local)}" fill="none" stroke="{colour}" '
                   f'stroke-width="{width}" stroke-linecap="round"/>')  # fmt: skip
        middle = local.interpolate(0.5, normalized=True) if hasattr(local, "interpolate") else None
        if middle is not None:
            labels.append((xy(middle.x, middle.y), section.road.name if section.road else ""))
    for (lx, ly), name in labels[:8]:
        if 0 < lx < MAP_W and 0 < ly < MAP_H and name:
            out.append(
                f'<text x="{lx:.1f}" y="{ly - 5:.1f}" font-size="10" fill="#444" '
                f'text-anchor="middle" font-family="Noto Sans CJK SC">{escape(name)}</text>'
            )
    cx, cy = xy(0, 0)
    out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="7" fill="#c62828" stroke="#fff" '
               'stroke-width="2"/>')  # fmt: skip
    # Scale bar (100 m) and north arrow.
    bar = 100 * scale
    out.append(f'<line x1="10" y1="{MAP_H - 12}" x2="{10 + bar:.1f}" y2="{MAP_H - 12}" '
               'stroke="#222" stroke-width="2"/>')  # fmt: skip
    out.append(f'<text x="{12 + bar:.1f}" y="{MAP_H - 8}" font-size="10" '
               'font-family="Noto Sans CJK SC">100 m</text>')  # fmt: skip
    out.append(
        f'<path d="M{MAP_W - 18},12 L{MAP_W - 12},28 L{MAP_W - 24},28 Z" fill="#222"/>'
        f'<text x="{MAP_W - 18}" y="40" font-size="10" text-anchor="middle">N</text>'
    )
    out.append("</svg>")
    return "".join(out)


def _lines(geometry):
    """Coordinate sequences of every line or ring of ``geometry``."""
    kind = geometry.geom_type
    if kind in ("LineString", "LinearRing"):
        yield list(geometry.coords)
    elif kind == "Polygon":
        yield list(geometry.exterior.coords)
        for ring in geometry.interiors:
            yield list(ring.coords)
    elif hasattr(geometry, "geoms"):
        for part in geometry.geoms:
            yield from _lines(part)


def _photo_uri(evidence: Evidence) -> str | None:
    for variant in (evidence.public, evidence.thumbnail):
        if not variant.name:
            continue
        try:
            with default_storage.open(variant.name, "rb") as handle:
                data = handle.read()
        except (FileNotFoundError, OSError):
            continue
        kind = "image/jpeg" if variant is evidence.thumbnail else evidence.content_type
        return f"data:{kind};base64,{base64.b64encode(data).decode()}"
    return None


@staff_view
def case_sheet(request, pk):
    actor = request.actor
    case = detail_case(actor, pk)
    missing = missing_pdf_parts()
    if missing:
        return pdf_missing_response(request, missing)
    events = annotate(case.events.select_related("unit").order_by("at", "id"))
    photos = []
    for evidence in case.evidence.select_related("event").order_by("uploaded_at", "id")[
        :SHEET_PHOTOS
    ]:
        uri = _photo_uri(evidence)
        if uri:
            photos.append({"uri": uri, "evidence": evidence})
    from weasyprint import HTML  # imported late: it loads Pango and fonts

    html = render_to_string("console/sheet.html", {
        "case": case, "events": events, "photos": photos,
        "map_svg": case_map_svg(case), "contacts": sees_reporter_contact(actor, case),
        "printed_at": timezone.localtime(), "printed_by": actor.name,
    }, request=request)  # fmt: skip
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="case-{case.number}.pdf"'
    return response
