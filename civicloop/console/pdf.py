"""What the PDFs (bulletin, case sheet) need from the system, said plainly when missing.

WeasyPrint needs Pango (Debian ``libpango-1.0-0``) and the Chinese text needs
the Noto CJK fonts (``fonts-noto-cjk``): without them a PDF would come out
with empty boxes instead of characters. ``make demo`` and ``make test``
install them through ``.ci/system-deps``; a machine set up by hand may lack
them, and then the PDF pages answer 503 with what to install instead of a
broken document.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from django.shortcuts import render
from django.utils.translation import gettext as _

CJK_FAMILY = "Noto Sans CJK SC"
PACKAGES = {"pango": "libpango-1.0-0", "fontconfig": "fontconfig",
            "fonts-noto-cjk": "fonts-noto-cjk"}  # fmt: skip


@functools.cache
def _missing() -> tuple[str, ...]:
    missing = []
    try:
        import weasyprint  # noqa: F401  (loads Pango through cffi)
    except (ImportError, OSError):
        missing.append("pango")
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        missing.append("fontconfig")
    else:
        try:
            families = subprocess.run(
                [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=10
            ).stdout
        except (OSError, subprocess.SubprocessError):
            families = ""
        if CJK_FAMILY not in families:
            missing.append("fonts-noto-cjk")
    return tuple(missing)


def missing_pdf_parts() -> list[str]:
    """Names of the missing system parts (empty when PDFs can be made)."""
    return list(_missing())


def pdf_missing_response(request, missing: list[str]):
    labels = {
        "pango": _("the Pango text library (Debian package libpango-1.0-0) that WeasyPrint uses"),
        "fontconfig": _("fontconfig (Debian package fontconfig), which finds the fonts"),
        "fonts-noto-cjk": _("the Noto Sans CJK fonts (Debian package fonts-noto-cjk)"),
    }
    return render(
        request,
        "console/pdf_missing.html",
        {
            "missing": [labels[m] for m in missing],
            "packages": " ".join(PACKAGES[m] for m in missing),
        },  # fmt: skip
        status=503,
    )
