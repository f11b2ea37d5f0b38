"""Content-Security-Policy: sent on every page, no inline code, no violation in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import make_cases

ROOT = Path(__file__).resolve().parents[3]
# Rendered only into PDFs by WeasyPrint (never served to a browser), or e-mails.
PRINT_ONLY = {"sheet.html", "slips_pdf.html", "bulletin.html", "bulletin_section.html"}
INLINE = [
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"),
        "inline script",
    ),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style\b", re.I), "style element"),
]


def served_templates():
    for path in sorted(ROOT.glob("civicloop/**/templates/**/*.html")):
        if path.name not in PRINT_ONLY:
            yield path


def test_no_template_served_to_a_browser_has_inline_code():
    found = []
    for path in served_templates():
        text = path.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/console/login/", "/admin/login/", "/api/docs"])
def test_every_page_carries_the_policy(client, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy


@pytest.mark.django_db(transaction=True)
def test_no_page_violates_the_policy_in_chromium(sign_in, live_server, loop, dispatched, reno):
    make_cases(loop, 3)
    violations = []
    page = sign_in("admin_role")  # sees every desk
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    for path in ("/console/", "/console/dashboard/", "/console/cases/",
                 f"/console/cases/{dispatched.pk}/", "/console/evaluation/",
                 "/console/supervision/desk/", "/console/renovation/",
                 f"/console/renovation/compounds/{reno['west'].compound_id}/", "/",
                 "/compounds/", f"/compounds/{reno['west'].compound_id}/"):  # fmt: skip
        response = page.goto(f"{live_server.url}{path}")
        assert response.status in (200, 302), path
        page.wait_for_load_state("networkidle")
    assert violations == []
