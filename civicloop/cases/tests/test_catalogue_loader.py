"""The catalogue loader: validation before writing, upsert by code, idempotence."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from civicloop.cases.catalogue_loader import (
    COLUMNS,
    DEFAULT_CATALOGUE_PATH,
    CatalogueError,
    load_catalogue,
)
from civicloop.cases.models import CategoryClass, FilingStandard, SmallClass, TimeLimit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalogue")]

HEADER = ",".join(COLUMNS)
ROW_1 = 'E,01,市容环境,02,暴露垃圾,"垃圾,垃圾堆",E010201,成堆垃圾,彻底清理,4wh,4wh,8wh,,,,'
ROW_2 = "E,01,市容环境,02,暴露垃圾,,E010202,垃圾占道,清除,2wh,2wh,4wh,1h,1h,2h,占道"
ROW_3 = "C,01,公用设施,01,上水井盖,井盖,C010101,井盖丢失,补齐,24h,24h,36h,6h,6h,6h,"


def csv_file(*rows: str) -> io.StringIO:
    return io.StringIO("\n".join([HEADER, *rows]) + "\n")


def snapshot() -> list:
    """Everything the loader may write, as comparable tuples."""
    return [
        list(CategoryClass.objects.values_list("family", "code", "name", "is_active")),
        list(SmallClass.objects.values_list("full_code", "name", "keywords", "is_active")),
        list(
            FilingStandard.objects.values_list(
                "code", "condition", "closure_condition", "note", "order", "is_default"
            )
        ),
        list(
            TimeLimit.objects.values_list(
                "standard__code", "area_class", "urgency", "amount", "unit"
            )
        ),
    ]


def test_small_file_creates_everything():
    report = load_catalogue(csv_file(ROW_1, ROW_2, ROW_3))
    assert report.rows == 3
    assert (report.category_classes.created, report.small_classes.created) == (2, 2)
    assert report.standards.created == 3
    assert report.time_limits.created == 3 + 6 + 6
    small = SmallClass.by_code("E0102")
    assert small.keyword_list == ["垃圾", "垃圾堆"]
    first, second = small.standards.order_by("order")
    assert (first.code, first.order, first.is_default) == ("E010201", 1, True)
    assert (second.code, second.order, second.is_default) == ("E010202", 2, False)
    assert second.limit_for("C", "urgent").compact == "2h"
    assert first.limit_for("C", "urgent").compact == "8wh"


def test_reload_is_idempotent():
    first = load_catalogue(DEFAULT_CATALOGUE_PATH)
    before = snapshot()
    second = load_catalogue(DEFAULT_CATALOGUE_PATH)
    assert snapshot() == before
    assert not second.changed
    assert second.standards.unchanged == first.standards.created
    assert second.time_limits.unchanged == first.time_limits.created


def test_reload_updates_changed_rows_and_keeps_admin_edits():
    load_catalogue(csv_file(ROW_1, ROW_2))
    # Admin edits: a new standard absent from the file, a deactivated small class,
    # a moved default and an extra urgent limit.
    small = SmallClass.by_code("E0102")
    small.is_active = False
    small.save()
    added = FilingStandard.objects.create(
        small_class=small, code="E010209", condition="本地标准", closure_condition="清除"
    )
    second = FilingStandard.objects.get(code="E010202")
    second.is_default = True
    second.save()
    TimeLimit.objects.create(
        standard=FilingStandard.objects.get(code="E010201"),
        area_class="A",
        urgency="urgent",
        amount=1,
        unit="hours",
    )

    changed = ROW_1.replace("4wh,4wh,8wh", "3wh,4wh,8wh").replace("彻底清理", "清理干净")
    report = load_catalogue(csv_file(changed, ROW_2))
    assert report.standards.updated == 1
    assert report.time_limits.updated == 1
    assert report.time_limits.created == 0
    assert FilingStandard.objects.get(code="E010201").closure_condition == "清理干净"
    assert FilingStandard.objects.get(code="E010201").limit_for("A").compact == "3wh"
    assert FilingStandard.objects.filter(pk=added.pk).exists()
    assert not SmallClass.by_code("E0102").is_active
    assert FilingStandard.objects.get(is_default=True, small_class=small).code == "E010202"
    assert FilingStandard.objects.get(code="E010201").limit_for("A", "urgent").compact == "1h"


def test_broken_file_names_rows_and_changes_nothing():
    load_catalogue(csv_file(ROW_1, ROW_2))
    before = snapshot()
    bad_code = ROW_3.replace("C,01,公用设施,01,", "C,1,公用设施,01,")
    bad_limit = ROW_2.replace("2wh,2wh,4wh", "4xx,2wh,4wh").replace("E010202", "E010203")
    duplicate = ROW_1.replace("成堆垃圾", "另一条")
    new_good = ROW_3.replace("C010101", "C010102")  # valid, must not be written either
    with pytest.raises(CatalogueError) as info:
        load_catalogue(csv_file(ROW_1, bad_code, bad_limit, duplicate, new_good))
    error = info.value
    assert error.rows == [3, 4, 5]
    text = str(error)
    assert "row 3: class_code must be two digits" in text
    assert "row 4: limit_a: bad limit '4xx'" in text
    assert "row 5: duplicate standard_code E010201 (already in row 2)" in text
    assert snapshot() == before
    assert not SmallClass.objects.filter(full_code="C0101").exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ROW_1.replace("E,01", "X,01"), "family must be C (component) or E (event)"),
        (ROW_1.replace(",02,暴露垃圾", ",00,暴露垃圾"), "small_code must be two digits"),
        (ROW_1.replace("E010201", "E010301"), "does not start with the small class code E0102"),
        (ROW_1.replace("E010201", "E01021"), "standard_code 'E01021' is not"),
        (ROW_1.replace("成堆垃圾,彻底清理", "成堆垃圾,"), "closure_condition is empty"),
        (ROW_1.replace("4wh,4wh,8wh", "4wh,,8wh"), "limit_b is empty"),
        (ROW_1.replace(",,,,", ",0h,,,"), "urgent_a: bad limit '0h'"),
        (ROW_1 + ",extra", "too many fields"),
        (",".join(ROW_1.split(",")[:8]), "too few fields"),
    ],
)
def test_row_problems(row, message):
    with pytest.raises(CatalogueError) as info:
        load_catalogue(csv_file(row))
    assert info.value.rows == [2]
    assert message in str(info.value)
    assert not CategoryClass.objects.exists()


def test_conflicting_names_and_keywords():
    other_class = ROW_2.replace("市容环境", "市容")
    other_small = ROW_2.replace("暴露垃圾", "暴露垃圾2")
    other_words = ROW_2.replace("暴露垃圾,,", "暴露垃圾,垃圾,")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(
            csv_file(
                ROW_1,
                other_class,
                other_small.replace("E010202", "E010203"),
                other_words.replace("E010202", "E010204"),
            )
        )
    text = str(info.value)
    assert "row 3: class E01 is named '市容' here but '市容环境' in row 2" in text
    assert "row 4: small class E0102 is named '暴露垃圾2'" in text
    assert "row 5: small class E0102 has other keywords in row 2" in text


def test_header_problems():
    with pytest.raises(CatalogueError) as info:
        load_catalogue(io.StringIO("family,class_code,colour\n"))
    text = str(info.value)
    assert "row 1: missing columns: class_name" in text
    assert "unknown columns: colour" in text
    with pytest.raises(CatalogueError, match="no rows"):
        load_catalogue(csv_file())


def test_standard_code_cannot_move_to_another_small_class():
    load_catalogue(csv_file(ROW_1))
    small = SmallClass.by_code("E0102")
    small.code = "03"
    small.save()  # an admin renumbered it; E010201 now belongs to E0103
    with pytest.raises(CatalogueError, match="belongs to small class E0103"):
        load_catalogue(csv_file(ROW_1))


def test_bytes_with_bom_and_bad_encoding():
    data = ("\ufeff" + "\n".join([HEADER, ROW_1])).encode("utf-8")
    assert load_catalogue(io.BytesIO(data)).standards.created == 1
    with pytest.raises(CatalogueError, match="not UTF-8"):
        load_catalogue(io.BytesIO("\n".join([HEADER, ROW_1]).encode("gbk")))


def test_dry_run_writes_nothing():
    report = load_catalogue(csv_file(ROW_1, ROW_3), dry_run=True)
    assert report.standards.created == 2
    assert not FilingStandard.objects.exists()


def test_command_reports_problems(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([HEADER, ROW_1.replace("4wh", "4xx", 1)]), encoding="utf-8")
    with pytest.raises(CommandError, match="row 2: limit_a: bad limit '4xx'"):
        call_command("load_catalogue", "--path", str(path))
    with pytest.raises(CommandError, match="Cannot read the file"):
        call_command("load_catalogue", "--path", str(tmp_path / "missing.csv"))


def test_problems_are_reported_in_chinese():
    with translation.override("zh-hans"), pytest.raises(CatalogueError) as info:
        load_catalogue(csv_file(ROW_1.replace("4wh", "4xx", 1)))
    assert "第 2 行" in str(info.value)
