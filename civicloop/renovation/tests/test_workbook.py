"""The programme as xlsx: out, back in, the same; broken rows refused with row numbers, nothing written."""

import io

import pytest
from openpyxl import load_workbook

from civicloop.core.errors import Forbidden
from civicloop.renovation import actions
from civicloop.renovation.models import Batch, Funding, Project, WorkItem
from civicloop.renovation.workbook import ImportRefused, export_programme, import_programme


def _book(data):
    return load_workbook(io.BytesIO(data))


def _values(data):
    book = _book(data)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def filled(reno):
    officer = reno["actors"]["officer"]
    actions.add_item(officer, reno["west"], work_type="R04", quantity="1200", budget="35.5",
                     progress=40)  # fmt: skip
    actions.add_item(officer, reno["west"], title='=HYPERLINK("http://x")', budget="1")
    actions.add_item(officer, reno["east"], title="改绿化", budget="0")
    Funding.objects.create(project=reno["west"], source="higher", amount="30", note="省级资金")
    Funding.objects.create(project=reno["west"], source="residents", amount="2.5")
    return reno


@pytest.mark.django_db
def test_round_trip_is_the_identity(filled, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        first = export_programme(filled["programme"])
    counts = import_programme(first, filled["actors"]["officer"])
    assert counts["items"] == 0  # nothing changed
    second = export_programme(filled["programme"])
    assert _values(first) == _values(second)
    items = _values(first)["工作项"]
    formula = next(r for r in items if r[4] and r[4].startswith("="))
    assert formula[4] == '=HYPERLINK("http://x")'  # text, not a formula
    cell = next(c for row in _book(first)["工作项"].iter_rows() for c in row
                if c.value == '=HYPERLINK("http://x")')  # fmt: skip
    assert cell.data_type == "s" and cell.quotePrefix


@pytest.mark.django_db
def test_edits_are_applied_and_new_rows_added(filled):
    book = _book(export_programme(filled["programme"]))
    items = book["工作项"]
    items.append(["", "P1", "XQ2", "S04", "停车位", 20, 12, 0, "", ""])
    items.cell(row=2, column=8).value = 80  # progress of the first item
    projects = book["小区项目"]
    projects.cell(row=3, column=6).value = "品质型"
    counts = import_programme(_save(book))
    assert counts["items"] == 2
    assert WorkItem.objects.filter(title="停车位", project=filled["east"]).exists()
    assert Project.objects.get(pk=filled["east"].pk).project_class == "quality"
    assert sorted(WorkItem.objects.values_list("progress", flat=True)) == [0, 0, 0, 80]


@pytest.mark.django_db
def test_broken_rows_are_refused_with_row_numbers_and_nothing_is_written(filled):
    book = _book(export_programme(filled["programme"]))
    items = book["工作项"]
    items.cell(row=2, column=7).value = -5  # budget below zero
    items.cell(row=3, column=8).value = 150  # progress above 100
    items.append(["", "P1", "NOPE", "", "x", 1, 1, 0, "", ""])
    book["批次"].cell(row=2, column=6).value = "2020-13-45"
    book["小区项目"].cell(row=2, column=6).value = "豪华型"
    before = list(WorkItem.objects.order_by("pk").values_list("budget", "progress"))
    deadline = Batch.objects.get(pk=filled["first"].pk).deadline
    with pytest.raises(ImportRefused) as refused:
        import_programme(_save(book))
    where = {(sheet, row) for sheet, row, _m in refused.value.errors}
    assert {("工作项", 2), ("工作项", 3), ("工作项", 5), ("批次", 2), ("小区项目", 2)} <= where
    messages = " ".join(m for _s, _r, m in refused.value.errors)
    assert "below zero" in messages and "above 100" in messages and "YYYY-MM-DD" in messages
    assert list(WorkItem.objects.order_by("pk").values_list("budget", "progress")) == before
    assert Batch.objects.get(pk=filled["first"].pk).deadline == deadline


@pytest.mark.django_db
def test_not_a_workbook_and_not_the_office(filled):
    with pytest.raises(ImportRefused, match="Not a readable xlsx"):
        import_programme(b"PK\x03\x04 not really")
    with pytest.raises(Forbidden):
        import_programme(export_programme(filled["programme"]), filled["actors"]["worker"])
