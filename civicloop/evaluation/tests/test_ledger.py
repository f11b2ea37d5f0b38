"""The xlsx ledger: cases with all fields and every indicator table, read back with openpyxl."""

import io
import zipfile

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from civicloop.cases import actions
from civicloop.cases.models import Case
from civicloop.evaluation import periods
from civicloop.evaluation.ledger import build_ledger

from .conftest import AS_OF, at

pytestmark = pytest.mark.django_db
JUNE = periods.parse("2026-06")


@pytest.fixture
def formula_case(month, loop):
    lon, lat = loop["west_point"]
    return actions.report_case(loop["actors"]["inspector"], source="inspector", category="E0101",
                               lon=lon, lat=lat, description="=SUM(A1)", address="@home",
                               at=at("2026-06-20"))  # fmt: skip


def test_ledger_workbook(formula_case, month, loop):
    data = build_ledger(JUNE, as_of=AS_OF)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[:10] == ["案件", "处置单位", "街道", "社区", "单元网格", "路长", "监督员",
                               "受理员", "值班长", "派遣员"]  # fmt: skip
    cases = book["案件"]
    header = [c.value for c in cases[1]]
    assert {"案件编号", "状态", "处置单位", "上报时间", "处置截止时间", "返工次数"} <= set(header)
    assert cases.freeze_panes == "A2"
    assert cases.auto_filter.ref == f"A1:{cases.cell(1, len(header)).column_letter}{cases.max_row}"
    numbers = [
        row[header.index("案件编号")] for row in cases.iter_rows(min_row=2, values_only=True)
    ]
    june = Case.objects.filter(reported_at__gte=JUNE.start, reported_at__lt=JUNE.end)
    assert sorted(numbers) == sorted(june.values_list("number", flat=True))
    assert len(numbers) == 12  # A B C E K D F G H I J + the formula case
    # The formula is kept as text, not a formula.
    row = next(r for r in cases.iter_rows(min_row=2) if r[header.index("案件编号")].value
               == formula_case.number)  # fmt: skip
    description = row[header.index("说明")]
    assert description.value == "=SUM(A1)" and description.data_type == "s"
    assert description.quotePrefix
    assert row[header.index("地址")].value == "@home"
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "SUM(A1)" in sheet_xml
    assert cases.column_dimensions["A"].width >= 8

    units = book["处置单位"]
    header = [c.value for c in units[1]]
    assert header[:3] == ["排名", "责任单位", "应处置数"]
    assert units.freeze_panes == "A2" and units.auto_filter.ref.startswith("A1:")
    rows = {r[1]: r for r in units.iter_rows(min_row=2, values_only=True)}
    west = rows["西街道办事处"]
    assert west[0] == 1 and west[header.index("综合得分")] == 92.5
    assert west[header.index("等级")] == "A"
    assert west[header.index("超时回退数")] == 1
    assert rows["东街道办事处"][header.index("排名变化")] == -2


def test_every_text_cell_is_escaped_and_control_characters_do_not_break_it(month, loop):
    west = loop["offices"]["west"]
    west.name = '=HYPERLINK("http://x")'
    west.save()
    lon, lat = loop["west_point"]
    case = actions.report_case(loop["actors"]["inspector"], source="inspector", category="E0101",
                               lon=lon, lat=lat, description="垂直\x0b制表\x1f符\ufffe\uffff 回车\r换行\r\n",
                               address="+1-2", at=at("2026-06-21"))  # fmt: skip
    data = build_ledger(JUNE, as_of=AS_OF)
    book = load_workbook(io.BytesIO(data))
    cases = book["案件"]
    header = [c.value for c in cases[1]]
    row = next(r for r in cases.iter_rows(min_row=2)
               if r[header.index("案件编号")].value == case.number)  # fmt: skip
    # the carriage returns stay as they were (XML would make a bare one a newline)
    assert row[header.index("说明")].value == "垂直制表符 回车\r换行"
    assert row[header.index("地址")].value == "+1-2" and row[header.index("地址")].quotePrefix
    formulas = [c for sheet in book for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == []
    units = book["处置单位"]
    cell = next(r[1] for r in units.iter_rows(min_row=2) if r[1].value == west.name)
    assert cell.data_type == "s" and cell.quotePrefix
    for sheet in book:
        for c in sheet[1]:
            assert c.data_type == "s" and not (c.value or "").startswith(("=", "+", "-", "@"))


def test_ledger_command(month, tmp_path):
    out = tmp_path / "ledger.xlsx"
    call_command("ledger", month="2026-06", out=str(out))
    book = load_workbook(out)
    assert book["处置单位"].max_row >= 4


def test_ledger_command_refuses_a_bad_month(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("ledger", month="2026-13", out=str(tmp_path / "x.xlsx"))


def test_the_ledger_reads_a_fixed_number_of_queries(month, loop):
    """No query per case, unit or person: more cases of more kinds, the same count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import Builder

    build_ledger(JUNE, as_of=AS_OF)  # caches warm (settings rows, calendar)
    with CaptureQueriesContext(connection) as before:
        build_ledger(JUNE, as_of=AS_OF)
    b = Builder(loop)
    for day in ("2026-06-08", "2026-06-09", "2026-06-10"):
        b.simple(at(day), "E0102")
        b.simple(at(day, "10:00"), "E0101", "east_point", late=True)
    with CaptureQueriesContext(connection) as after:
        data = build_ledger(JUNE, as_of=AS_OF)
    assert len(after) == len(before) <= 70
    cases = load_workbook(io.BytesIO(data))["案件"]
    assert cases.max_row == 1 + 11 + 6
