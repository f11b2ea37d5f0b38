"""The case-list export (xlsx) and the printable case sheet (PDF): filters, scope, privacy."""

import io
import subprocess

import pytest
from openpyxl import load_workbook

from civicloop.cases.models import Case, State

pytestmark = pytest.mark.django_db
PHONE, EMAIL = "13800000000", "zs@example.com"


def login(client, loop, name):
    client.force_login(loop["users"][name])
    return client


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def sheet_rows(book):
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    return header, [
        dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]


@pytest.fixture
def contact(month):
    """Case I (a resident's report) with the resident's contacts."""
    Case.objects.filter(pk=month["I"].pk).update(reporter_phone=PHONE, reporter_email=EMAIL)
    return Case.objects.get(pk=month["I"].pk)


def test_export_has_the_lists_filters(client, month, loop):
    login(client, loop, "dispatcher")
    header, rows = sheet_rows(workbook(client.get("/console/cases/export.xlsx")))
    assert {"案件编号", "状态", "处置单位", "上报时间"} <= set(header)
    assert sorted(r["案件编号"] for r in rows) == sorted(
        Case.objects.values_list("number", flat=True)
    )
    closed = workbook(client.get("/console/cases/export.xlsx?state=closed"))
    _h, rows = sheet_rows(closed)
    expected = Case.objects.filter(state=State.CLOSED).values_list("number", flat=True)
    assert sorted(r["案件编号"] for r in rows) == sorted(expected) and rows
    assert {r["状态"] for r in rows} == {"已结案"}
    # The "about" sheet says which filters made it.
    about = {r[0]: r[1] for r in closed.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert about["状态"] == "已结案" and about["行数"] == len(rows)
    assert about["导出人"] == "dispatcher"
    west = loop["offices"]["west"]
    _h, rows = sheet_rows(
        workbook(client.get(f"/console/cases/export.xlsx?unit={west.pk}&sort=old"))
    )
    expected = list(Case.objects.filter(unit=west).order_by("reported_at", "id")
                    .values_list("number", flat=True))  # fmt: skip
    assert [r["案件编号"] for r in rows] == expected  # the list's sort is kept


def test_export_keeps_the_same_numbers_as_the_list_page(client, month, loop):
    login(client, loop, "dispatcher")
    query = "state=open"
    page = client.get(f"/console/cases/?{query}").content.decode()
    _h, rows = sheet_rows(workbook(client.get(f"/console/cases/export.xlsx?{query}")))
    assert rows
    for row in rows:
        assert row["案件编号"] in page
    assert 'id="export-xlsx"' in page and "/console/cases/export.xlsx?state=open" in page


@pytest.mark.parametrize(
    ("name", "contacts", "codes"),
    [("acceptor", True, True), ("shift_leader", True, True), ("admin_role", True, True),
     ("dispatcher", True, False), ("supervisor", False, False), ("handler_west", True, False),
     ("leader_west", True, False)],
)  # fmt: skip
def test_contacts_and_tracking_codes_follow_the_rule_table(
    client, contact, loop, name, contacts, codes
):
    """Case I is handled by the west street office: the centre and that office see the
    reporter's contacts; only the call desk sees the tracking code (docs/privacy.md)."""
    login(client, loop, name)
    header, rows = sheet_rows(workbook(client.get("/console/cases/export.xlsx")))
    row = next(r for r in rows if r["案件编号"] == contact.number)
    assert ("上报人电话" in header) is contacts
    assert ("查询码" in header) is codes
    flat = " ".join(str(v) for r in rows for v in r.values())
    assert (PHONE in flat) is contacts and (EMAIL in flat) is contacts
    assert (contact.tracking_code in flat) is codes
    if contacts:
        assert row["上报人电话"] == PHONE
    if codes:
        assert row["查询码"] == contact.tracking_code
    # The case page follows the same rule.
    body = client.get(f"/console/cases/{contact.pk}/").content.decode()
    assert (PHONE in body) is contacts
    assert (contact.tracking_code in body) is codes


def test_export_is_scoped_to_the_user(client, month, loop):
    login(client, loop, "handler_east")
    _h, rows = sheet_rows(workbook(client.get("/console/cases/export.xlsx")))
    east = loop["offices"]["east"]
    visible = {r["案件编号"] for r in rows}
    assert month["H"].number in visible and month["A"].number not in visible
    assert all(r["处置单位"] in (east.name, None) for r in rows)


def test_export_of_bad_filters_is_not_a_500(client, month, loop):
    login(client, loop, "dispatcher")
    response = client.get("/console/cases/export.xlsx?state=nonsense&date_from=junk&unit=abc")
    assert response.status_code == 200


def test_export_query_count_does_not_grow(client, month, loop, django_assert_max_num_queries):
    login(client, loop, "dispatcher")
    client.get("/console/cases/export.xlsx")
    with django_assert_max_num_queries(8):
        workbook(client.get("/console/cases/export.xlsx"))


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return "".join(out.split())


def test_case_sheet_pdf(client, contact, loop, tmp_path):
    login(client, loop, "acceptor")
    response = client.get(f"/console/cases/{contact.pk}/sheet.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    for expected in ("案件处置单", contact.number, "私搭乱建", "西街道办事处", "办理过程", "核实",
                     "处置人（签字）", "核查人（签字）", "值班长结案（签字）", PHONE):  # fmt: skip
        assert expected in text, expected
    # The map is drawn in the PDF (an SVG: its scale bar's text).
    assert "100m" in text


def test_case_sheet_hides_contacts_from_others_and_is_scoped(
    client, contact, month, loop, tmp_path
):
    login(client, loop, "handler_west")  # case I is their unit's: they may call the resident
    response = client.get(f"/console/cases/{contact.pk}/sheet.pdf")
    assert response.status_code == 200
    assert PHONE in pdf_text(response.content, tmp_path)
    login(client, loop, "supervisor")  # sees every case, not who reported it
    response = client.get(f"/console/cases/{contact.pk}/sheet.pdf")
    assert response.status_code == 200
    assert PHONE not in pdf_text(response.content, tmp_path)
    login(client, loop, "handler_west")
    # Another unit's case is not there (404, as its page).
    assert client.get(f"/console/cases/{month['H'].pk}/sheet.pdf").status_code == 404
    assert client.get("/console/cases/999999/sheet.pdf").status_code == 404


def test_missing_fonts_are_said_plainly(client, month, loop, monkeypatch):
    from civicloop.console import evaluation_views, exports

    monkeypatch.setattr(exports, "missing_pdf_parts", lambda: ["fonts-noto-cjk"])
    monkeypatch.setattr(evaluation_views, "missing_pdf_parts", lambda: ["fonts-noto-cjk"])
    login(client, loop, "supervisor")
    for url in (f"/console/cases/{month['A'].pk}/sheet.pdf",
                "/console/evaluation/bulletin.pdf?period=2026-06"):  # fmt: skip
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 503
        body = response.content.decode()
        assert (
            "fonts-noto-cjk" in body and "make system-deps" in body and 'id="pdf-missing"' in body
        )


def test_the_system_has_what_pdfs_need():
    from civicloop.console.pdf import missing_pdf_parts

    assert missing_pdf_parts() == []
