"""The text of uploaded reports: real small .txt, .md, .docx and PDF files made here."""

import io
import zipfile

import docx
import pytest
from PIL import Image

from civicloop.supervision.extraction import TextError
from civicloop.supervision.extraction.files import MAX_UPLOAD_BYTES, text_from_upload

REPORT = "会议要求，区城管局要在9月15日之前完成辖区公厕提升改造。"


def docx_bytes(paragraphs, table=None) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_with_text(text: str) -> bytes:
    from weasyprint import HTML

    html = f"<html><body style='font-family: \"Noto Sans CJK SC\"'><p>{text}</p></body></html>"
    return HTML(string=html).write_pdf()


def pdf_scan() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), (255, 255, 255)).save(out, format="PDF")
    return out.getvalue()


def refused(name, data) -> TextError:
    with pytest.raises(TextError) as e:
        text_from_upload(name, data)
    assert e.value.field == "file"
    return e.value


def test_utf8_and_gb18030_text():
    assert text_from_upload("纪要.txt", REPORT.encode("utf-8")) == REPORT
    assert text_from_upload("纪要.txt", "\ufeff".encode() + REPORT.encode()) == REPORT
    assert text_from_upload("纪要.TXT", REPORT.encode("gb18030")) == REPORT
    assert text_from_upload("a.txt", (REPORT + "\r\n第二行").encode()) == REPORT + "\n第二行"


def test_markdown():
    md = f"# 专题会议纪要\n\n- {REPORT}\n"
    assert text_from_upload("minutes.md", md.encode()) == md


def test_docx_paragraphs_and_tables():
    data = docx_bytes(["专题会议纪要", REPORT], table=[["事项", "期限"], ["公厕改造", "9月15日前"]])
    text = text_from_upload("纪要.docx", data)
    assert text.splitlines()[:2] == ["专题会议纪要", REPORT]
    assert "事项；期限" in text and "公厕改造；9月15日前" in text


def test_pdf_with_a_text_layer():
    text = text_from_upload("纪要.pdf", pdf_with_text(REPORT))
    assert "区城管局要在9月15日之前完成辖区公厕提升改造" in text.replace("\n", "")


def test_pdf_without_a_text_layer_is_refused():
    assert refused("扫描件.pdf", pdf_scan()).reason == "no_text_layer"


def test_a_file_that_is_not_what_its_name_says():
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, format="PNG")
    assert refused("纪要.txt", png.getvalue()).reason == "not_text"
    assert refused("纪要.docx", REPORT.encode()).reason == "not_docx"
    assert refused("纪要.pdf", REPORT.encode()).reason == "not_pdf"
    assert refused("纪要.txt", b"\x00\x01\x02binary\x00").reason == "not_text"


def test_damaged_files():
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "not a word document")
    assert refused("纪要.docx", zipped.getvalue()).reason == "not_docx"
    assert refused("纪要.docx", docx_bytes([REPORT])[:500]).reason == "not_docx"
    assert refused("纪要.pdf", pdf_with_text(REPORT)[:300]).reason in ("damaged", "no_text_layer")


def test_unsupported_empty_large_and_foreign():
    assert refused("纪要.doc", b"\xd0\xcf\x11\xe0....").reason == "unsupported"
    assert refused("纪要.txt", b"").reason == "empty"
    assert refused("纪要.txt", b"  \n ").reason == "empty"
    assert refused("纪要.txt", b"a" * (MAX_UPLOAD_BYTES + 1)).reason == "too_large"
    assert refused("minutes.txt", b"The meeting decided nothing.").reason == "language"
    error = refused("纪要.xlsx", b"PK\x03\x04")
    assert ".xlsx" in error.message
