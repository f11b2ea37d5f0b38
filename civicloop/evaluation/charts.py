"""Small SVG charts drawn on the server (for the PDF bulletin, where no browser runs ECharts)."""

from __future__ import annotations

from xml.sax.saxutils import escape

FONT = "Noto Sans CJK SC, Noto Sans CJK, sans-serif"
GRADE_COLOURS = {"A": "#2e7d32", "B": "#1976d2", "C": "#f9a825", "D": "#ef6c00", "E": "#c62828"}
SERIES_COLOURS = ["#1976d2", "#2e7d32", "#c62828", "#6a1b9a"]


def _text(x, y, content, *, size=11, anchor="start", colour="#333") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{colour}" font-family="{FONT}">{escape(str(content))}</text>'
    )


#: Tallest chart that fits an A4 page with its heading (pixels at 96 dpi).
MAX_CHART_HEIGHT = 880


def bar_chart(items: list[tuple[str, float, str]], *, width=640, title="", maximum=100.0) -> str:
    """Horizontal bars: (label, value, grade) per item, best first.

    Rows get thinner (down to 12 px) so that the chart fits one page: an SVG
    cannot be split across pages.
    """
    top, left, right = 30 if title else 8, 150, 50
    row_height = max(12, min(22, (MAX_CHART_HEIGHT - top - 10) // max(1, len(items))))
    size = 11 if row_height >= 18 else 9
    height = top + row_height * max(1, len(items)) + 10
    scale = (width - left - right) / (maximum or 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
    ]
    if title:
        parts.append(_text(width / 2, 18, title, size=13, anchor="middle"))
    for index, (label, value, grade) in enumerate(items):
        y = top + index * row_height
        length = max(0.0, (value or 0) * scale)
        colour = GRADE_COLOURS.get(grade, "#607d8b")
        baseline = y + row_height / 2 + size * 0.35
        parts.append(_text(left - 6, baseline, label[:14], anchor="end", size=size))
        parts.append(
            f'<rect x="{left}" y="{y + 2}" width="{length:.1f}" height="{row_height - 4}" '
            f'fill="{colour}"/>'
        )
        parts.append(_text(left + length + 4, baseline, f"{value:.1f} {grade}", size=size))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    width=640,
    height=240,
    title="",
    maximum: float | None = None,
    suffix="",
) -> str:
    """Lines over ``labels`` (x axis); each series is (name, values)."""
    top, bottom, left, right = 34 if title else 14, 40, 46, 16
    values = [v for _n, vs in series for v in vs if v is not None]
    top_value = maximum if maximum is not None else max(values or [1]) * 1.15 or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(labels) - 1)

    def xy(i, v):
        return left + i * step, top + plot_h - (v / top_value) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
    ]
    if title:
        parts.append(_text(width / 2, 18, title, size=13, anchor="middle"))
    for tick in range(5):
        value = top_value * tick / 4
        _x, y = xy(0, value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(_text(left - 4, y + 4, f"{value:.0f}{suffix}", size=9, anchor="end"))
    for index, label in enumerate(labels):
        x, _y = xy(index, 0)
        parts.append(_text(x, top + plot_h + 16, label, size=9, anchor="middle"))
    for number, (name, points) in enumerate(series):
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        coords = [xy(i, v) for i, v in enumerate(points) if v is not None]
        if coords:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            for x, y in coords:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        lx = left + number * 150
        parts.append(f'<rect x="{lx}" y="{height - 14}" width="12" height="4" fill="{colour}"/>')
        parts.append(_text(lx + 16, height - 9, name, size=10))
    parts.append("</svg>")
    return "".join(parts)
