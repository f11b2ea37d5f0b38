"""manage.py extract_items FILE --date YYYY-MM-DD --format json|table."""

import io
import json
import sys

import pytest
from django.core.management import CommandError, call_command

from civicloop.org.models import Unit
from civicloop.supervision.extraction.text import MAX_CHARS

from .test_extraction_files import docx_bytes, pdf_scan

TEXT = (
    "8月20日，区城市管理委员会召开专题会议。会议要求，要确保在9月15日之前完成辖区公厕提升改造，"
    "由区城管局牵头负责。10月底前，每个镇办要建成2个以上的垃圾分类示范小区。"
    "截至目前，全区已完成老旧小区改造38个。"
)


@pytest.fixture
def units(district):
    return {
        "cgj": Unit.objects.create(
            code="CGJ", name="区城管局", short_name="城管局", kind="department"
        )
    }


def run(*args) -> str:
    out = io.StringIO()
    call_command("extract_items", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def report(tmp_path):
    path = tmp_path / "纪要.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_json(units, report, district):
    rows = json.loads(run(str(report), "--date", "2020-08-20", "--format", "json"))
    assert len(rows) == 2
    first, second = rows
    assert set(first) >= {
        "sentence", "requirement", "deadline", "quantity", "quantity_unit", "at_least", "per",
        "targets", "units", "start", "end",
    }  # fmt: skip
    assert first == {
        "sentence": "会议要求，要确保在9月15日之前完成辖区公厕提升改造，由区城管局牵头负责",
        "requirement": "要确保在9月15日之前完成辖区公厕提升改造",
        "deadline": "2020-09-15",
        "deadline_provisional": False,
        "quantity": None,
        "quantity_unit": "",
        "quantity_measure": "",
        "at_least": False,
        "per": None,
        "targets": [],
        "target_refs": [],
        "units": [
            {
                "name": "区城管局",
                "id": units["cgj"].pk,
                "confidence": 1.0,
                "start": TEXT.index("区城管局"),
                "end": TEXT.index("区城管局") + 4,
            }
        ],  # fmt: skip
        "start": TEXT.index("要确保"),
        "end": TEXT.index("，由区城管局"),
        "spans": {
            "sentence": [TEXT.index("会议要求"), TEXT.index("。10月底前")],
            "deadline": [TEXT.index("9月15日"), TEXT.index("9月15日") + 7],
            "quantity": None,
            "per": None,
        },
    }
    assert TEXT[first["start"] : first["end"]] == first["requirement"]
    assert second["deadline"] == "2020-10-31"
    assert (second["quantity"], second["quantity_unit"], second["at_least"]) == (
        2, "垃圾分类示范小区", True,
    )  # fmt: skip
    assert (second["per"], second["targets"]) == ("街道", ["西街道", "东街道"])
    west, east = district["west"], district["east"]
    assert second["target_refs"] == [
        {"name": "西街道", "id": west.pk, "unit_id": district["offices"]["west"].pk},
        {"name": "东街道", "id": east.pk, "unit_id": district["offices"]["east"].pk},
    ]


def test_json_is_the_default_and_stdin_is_read(units, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TEXT.encode("utf-8"))))
    rows = json.loads(run("-", "--date", "2020-08-20"))
    assert [r["deadline"] for r in rows] == ["2020-09-15", "2020-10-31"]


def test_table(units, report):
    out = run(str(report), "--date", "2020-08-20", "--format", "table")
    assert out.startswith("2 draft items, report of 2020-08-20 (nothing registered).")
    assert "1. 要确保在9月15日之前完成辖区公厕提升改造" in out
    assert "Deadline: 2020-10-31" in out
    assert "Quantity: at least 2 垃圾分类示范小区" in out
    assert "Scope: each 街道: 2 rows (西街道、东街道)" in out
    assert "Units: 区城管局 (1.00)" in out


def test_a_word_document(units, tmp_path):
    path = tmp_path / "纪要.docx"
    path.write_bytes(docx_bytes(TEXT.split("。")))
    rows = json.loads(run(str(path), "--date", "2020-08-20"))
    assert [r["deadline"] for r in rows] == ["2020-09-15", "2020-10-31"]


def test_nothing_to_propose_is_an_empty_array(units, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("截至目前，全区已完成老旧小区改造38个。", encoding="utf-8")
    assert json.loads(run(str(path), "--date", "2020-08-20")) == []


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2020-02-30", "--date 2020-02-30 is not a date of the calendar."),
        ("2020-13-01", "--date 2020-13-01 is not a date of the calendar."),
        ("20200820", "--date must be written YYYY-MM-DD, got '20200820'."),
        ("2020年8月20日", "--date must be written YYYY-MM-DD"),
    ],
)
def test_impossible_dates(units, report, date, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        run(str(report), "--date", date)


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_bad_files(units, tmp_path):
    cases = [
        (write(tmp_path, "empty.txt", b""), "The file is empty."),
        (write(tmp_path, "blank.txt", b"  \n"), "The file holds no text."),
        (write(tmp_path, "huge.txt", ("要" * (MAX_CHARS + 1)).encode()), "the limit is 100,000"),
        (write(tmp_path, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00"), "not a text file"),
        (write(tmp_path, "scan.pdf", pdf_scan()), "no text layer"),
        (write(tmp_path, "english.txt", b"The meeting decided nothing."), "not in Chinese"),
        (write(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0"), "cannot be read"),
        (str(tmp_path / "missing.txt"), "No such file"),
    ]
    for path, message in cases:
        with pytest.raises(CommandError, match=message):
            run(path, "--date", "2020-08-20")
