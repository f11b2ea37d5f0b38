"""Campaign ledgers: row updates, import with preview and row errors, round trip, roll-up."""

import io

import pytest
from django.db.models import Count, Q
from openpyxl import Workbook

from civicloop.core.errors import Conflict, Forbidden, Invalid
from civicloop.core.importing import ImportRejected
from civicloop.supervision.actions.campaigns import (
    export_rows,
    import_rows,
    preview_import,
    update_row,
)
from civicloop.supervision.models import CampaignRow, CampaignRowEvent, Colour
from civicloop.supervision.queries import rollup
from civicloop.supervision.timekeeping import recolour_rows

from .conftest import T0, make_campaign

pytestmark = pytest.mark.django_db


def test_a_unit_updates_its_own_row(sup):
    campaign = make_campaign(sup)
    row = campaign.rows.get(key="C003")  # west
    update_row(sup["actors"]["handler_west"], row, values={"installed": "是", "enrolled": "35",
                                                           "rate": "80%"}, at=T0)  # fmt: skip
    row.refresh_from_db()
    assert row.done and row.values["enrolled"] == 35 and row.values["rate"] == 80
    assert CampaignRowEvent.objects.get(row=row).changes["enrolled"] == [20, 35]
    with pytest.raises(Forbidden):
        update_row(sup["actors"]["handler_east"], row, values={"enrolled": 1})
    with pytest.raises(Conflict):
        update_row(sup["actors"]["handler_west"], row, values={"enrolled": 1}, version=1)


@pytest.mark.parametrize(
    "values, words",
    [({"rate": 120}, "from 0 to 100"), ({"enrolled": "many"}, "whole number"),
     ({"installed": "maybe"}, "not yes or no"), ({"colour": "x"}, "no status field")],
)  # fmt: skip
def test_bad_row_values(sup, values, words):
    campaign = make_campaign(sup)
    row = campaign.rows.get(key="C001")
    with pytest.raises(Invalid, match=words):
        update_row(sup["actors"]["supervisor"], row, values=values)
    row.refresh_from_db()
    assert row.version == 1


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


HEAD = ["编号", "名称", "街道", "责任单位", "责任人", "完成时限", "已安装", "已录入居民", "备注"]


def test_import_preview_names_each_bad_row_and_writes_nothing(sup):
    campaign = make_campaign(sup, rows=0)
    file = _xlsx([HEAD,
                  ["A1", "一号院", "西街道", "西街道办事处", "", "2019-07-30", "否", 0, "=1+1"],
                  ["A1", "二号院", "西街道", "西街道办事处", "", "2019-07-30", "否", 0, ""],
                  ["A3", "三号院", "北街道", "无此单位", "", "2019-02-30", "也许", -1, ""],
                  ["A4", "四号院", "东街道", "SE", "", "2019-07-30", "是", 5, ""]])  # fmt: skip
    file.getvalue()
    wb = __import__("openpyxl").load_workbook(file)
    wb.active["I2"] = "=1+1"  # a real formula cell
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    preview = preview_import(campaign, buffer, "rows.xlsx")
    assert not preview.ok
    errors = {r.number: " | ".join(r.errors) for r in preview.rows}
    assert "formula" in errors[2]
    assert "also in row 2" in errors[3]
    assert all(w in errors[4] for w in ("no such street", "no such unit", "not a date",
                                        "not yes or no", "whole number")), errors[4]  # fmt: skip
    assert 5 not in errors or errors[5] == ""
    buffer.seek(0)
    with pytest.raises(ImportRejected) as rejected:
        import_rows(sup["actors"]["supervisor"], campaign, buffer, "rows.xlsx")
    assert any(p.startswith("Row 3:") for p in rejected.value.problems)
    assert not CampaignRow.objects.filter(campaign=campaign).exists()


def test_missing_columns(sup):
    campaign = make_campaign(sup, rows=0)
    preview = preview_import(campaign, _xlsx([["编号", "名称"], ["A", "B"]]), "x.xlsx")
    assert preview.errors == ["Missing column(s): 责任单位, 完成时限."]


def test_formula_text_in_a_csv(sup):
    campaign = make_campaign(sup, rows=0)
    data = ('编号,名称,责任单位,完成时限,备注\nA1,一号院,SW,2019-07-30,=HYPERLINK("x")\n').encode()
    preview = preview_import(campaign, io.BytesIO(data), "x.csv")
    assert "formula" in preview.rows[0].errors[0]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_import_export_import_is_the_identity(sup, kind):
    campaign = make_campaign(sup, rows=0)
    file = _xlsx([HEAD,
                  ["A1", "=一号院 (text)", "西街道", "西街道办事处", "leader_west", "2019-07-30", "是", 12, "-ok"],
                  ["A2", "二号院", "东街道", "SE", "", "2019-07-20", "否", 0, "@home"]])  # fmt: skip
    wb = __import__("openpyxl").load_workbook(file)
    for cell in ("B2", "I2", "I3"):
        wb.active[cell].data_type = "s"
        wb.active[cell].quotePrefix = True
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    assert import_rows(sup["actors"]["supervisor"], campaign, buffer, "a.xlsx") == (2, 0)

    def state():
        return list(campaign.rows.order_by("key").values_list(
            "key", "name", "street__name", "unit__code", "person__name", "deadline", "values", "done"))  # fmt: skip

    first = state()
    assert first[0][1] == "=一号院 (text)" and first[1][6]["note"] == "@home"
    exported = export_rows(campaign, kind=kind)
    assert import_rows(
        sup["actors"]["supervisor"], campaign, io.BytesIO(exported), f"b.{kind}"
    ) == (0, 2)
    assert state() == first
    assert export_rows(campaign, kind=kind) == exported or kind == "xlsx"


def test_rollup_equals_sql_counts_and_lights(sup):
    campaign = make_campaign(sup, rows=7)
    import datetime

    recolour_rows(datetime.date(2019, 7, 26), sup["settings"], T0)  # 3 working days before
    assert set(campaign.rows.filter(done=False).values_list("colour", flat=True)) == {Colour.BLUE}
    CampaignRow.objects.filter(key="C002").update(deadline="2019-07-01")
    recolour_rows(datetime.date(2019, 7, 26), sup["settings"], T0)
    figures = rollup(campaign, datetime.date(2019, 7, 26))
    rows = CampaignRow.objects.filter(campaign=campaign)
    assert figures["total"]["total"] == rows.count() == 7
    assert figures["total"]["completed"] == rows.filter(done=True).count() == 1
    assert (
        figures["total"]["overdue"]
        == rows.filter(done=False, deadline__lt="2019-07-26").count()
        == 1
    )
    expected = {
        e["unit__name"]: (e["n"], e["d"])
        for e in rows.values("unit__name").annotate(n=Count("id"), d=Count("id", filter=Q(done=True)))
    }  # fmt: skip
    assert {u["unit__name"]: (u["total"], u["completed"]) for u in figures["units"]} == expected
    assert sum(s["total"] for s in figures["streets"]) == 7
    lights = {u["unit__name"]: u["light"] for u in figures["units"]}
    assert lights == {"东街道办事处": Colour.RED, "西街道办事处": Colour.BLUE}
