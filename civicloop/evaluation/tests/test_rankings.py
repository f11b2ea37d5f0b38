"""Ranking order, change against the previous period, and the red and black lists."""

import pytest

from civicloop.evaluation import periods
from civicloop.evaluation.indicators import evaluate
from civicloop.evaluation.models import EvaluationConfig

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
JUNE = periods.parse("2026-06")


def test_order_and_change_against_may(month, loop):
    table = evaluate("unit", JUNE, as_of=AS_OF)
    west, cleaning, east = loop["offices"]["west"], loop["cleaning"], loop["offices"]["east"]
    assert [(r.entity_id, r.rank, r.score) for r in table.ranked] == [
        (west.pk, 1, 92.5), (cleaning.pk, 2, 85.0), (east.pk, 3, 70.0),
    ]  # fmt: skip
    # May: east 100 (rank 1), cleaning 70 (rank 2, its only case was late), west had none.
    assert table.previous.period.key == "2026-05"
    assert [(r.entity_id, r.rank, r.score) for r in table.previous.ranked] == [
        (east.pk, 1, 100.0), (cleaning.pk, 2, 70.0),
    ]  # fmt: skip
    assert table.row(east.pk).rank_delta == -2 and table.row(east.pk).score_delta == -30.0
    assert table.row(cleaning.pk).rank_delta == 0 and table.row(cleaning.pk).score_delta == 15.0
    assert table.row(west.pk).rank_delta is None and table.row(west.pk).previous_rank is None


def test_top_and_bottom_n(month, loop):
    config = EvaluationConfig.get()
    config.list_rule, config.list_size = "top_n", 1
    config.save()
    # West 92.5 (A), cleaning 85 (B), east 70 (C): with the default black-list
    # grades (D, E) a C is the worst but not bad enough for the black list.
    table = evaluate("unit", JUNE, as_of=AS_OF)
    assert [r.entity_id for r in table.red_list] == [loop["offices"]["west"].pk]
    assert table.black_list == []
    config.black_grades = "C,D,E"
    config.save()
    table = evaluate("unit", JUNE, as_of=AS_OF)
    assert [r.entity_id for r in table.red_list] == [loop["offices"]["west"].pk]
    assert [r.entity_id for r in table.black_list] == [loop["offices"]["east"].pk]
    # N larger than half the ranked units: the lists never overlap.
    config.list_size = 5
    config.save()
    table = evaluate("unit", JUNE, as_of=AS_OF)
    assert len(table.red_list) == 1 and len(table.black_list) == 1
    assert not any(r.red and r.black for r in table.rows)


def test_lists_by_grade(month, loop):
    config = EvaluationConfig.get()
    config.list_rule, config.red_grades, config.black_grades = "grade", "A,B", "C,D,E"
    config.save()
    table = evaluate("unit", JUNE, as_of=AS_OF)
    assert {r.entity_id for r in table.red_list} == {
        loop["offices"]["west"].pk,
        loop["cleaning"].pk,
    }
    assert [r.entity_id for r in table.black_list] == [loop["offices"]["east"].pk]
    # Unranked units (no case) are on neither list.
    assert not table.row(loop["centre"].pk).red and not table.row(loop["centre"].pk).black


def test_weights_and_bands_come_from_the_configuration(month, loop):
    config = EvaluationConfig.get()
    config.weights["unit"] = {"filed_count": 0, "closure_rate": 0, "on_time_rate": 100,
                              "rework_rate": 0}  # fmt: skip
    config.grades = [["A", 80], ["B", 60], ["C", 0]]
    config.save()
    table = evaluate("unit", JUNE, as_of=AS_OF)
    assert table.row(loop["cleaning"].pk).score == 75.0
    assert table.row(loop["cleaning"].pk).grade == "B"
    # West and cleaning tie at 75: they share rank 1, east is 3rd.
    assert [r.rank for r in table.ranked] == [1, 1, 3]
    config.filed_count_bands = [[2, 100], [None, 0]]
    config.weights["unit"] = {"filed_count": 100, "closure_rate": 0, "on_time_rate": 0,
                              "rework_rate": 0}  # fmt: skip
    config.save()
    table = evaluate("unit", JUNE, as_of=AS_OF)
    assert table.row(loop["offices"]["east"].pk).score == 100  # 2 due
    assert table.row(loop["cleaning"].pk).score == 0  # 4 due
