"""The rules that make the figures trustworthy, on rows with known answers:
the minimum number of cases to be ranked, lists that keep to their grades,
and the last complete period as the default."""

import datetime

import pytest

from civicloop.evaluation import periods
from civicloop.evaluation.indicators import Row, _lists, _rank, evaluate
from civicloop.evaluation.models import EvaluationConfig

from .conftest import AS_OF

JUNE = periods.parse("2026-06")


def config(**values) -> EvaluationConfig:
    base = EvaluationConfig.default_values()
    base.update({"list_rule": "top_n", "list_size": 3, "red_grades": "A",
                 "black_grades": "D,E", "min_cases": 10})  # fmt: skip
    base.update(values)
    return EvaluationConfig(**base)


def rows(*items) -> list[Row]:
    """(name, score, cases) → scored rows as evaluate() makes them."""
    out = []
    chosen = config()
    for name, score, cases in items:
        row = Row(entity_id=len(out) + 1, name=name, values={"due": cases}, activity=cases)
        if cases:
            row.score, row.grade = score, chosen.grade_for(score)
            row.too_few = cases < chosen.min_cases
        out.append(row)
    return out


def ranked(table: list[Row]) -> list[tuple[str, int | None]]:
    return [(r.name, r.rank) for r in table]


def test_two_dispatchers_a_grade_a_is_never_black_listed():
    # The case the issue found: two dispatchers, both grade A; top/bottom 1.
    table = rows(("first", 98.0, 300), ("second", 97.4, 280))
    _rank(table)
    _lists(table, config(list_size=1))
    assert ranked(table) == [("first", 1), ("second", 2)]
    assert [r.name for r in table if r.red] == ["first"]
    assert [r.name for r in table if r.black] == []


def test_an_e_is_never_red_listed():
    table = rows(("a", 30.0, 50), ("b", 20.0, 50), ("c", 10.0, 50), ("d", 5.0, 50))
    _rank(table)
    _lists(table, config(list_size=2))
    assert [r.name for r in table if r.red] == []
    assert [r.name for r in table if r.black] == ["c", "d"]


def test_top_and_bottom_n_within_the_grades():
    table = rows(("a", 95.0, 40), ("b", 91.0, 40), ("c", 80.0, 40), ("d", 70.0, 40),
                 ("e", 50.0, 40), ("f", 35.0, 40))  # fmt: skip
    _rank(table)
    _lists(table, config(list_size=3))
    # Red: the best three that are A (two of them); black: the worst three that are D or E.
    assert [r.name for r in table if r.red] == ["a", "b"]
    assert sorted(r.name for r in table if r.black) == ["e", "f"]


def test_too_few_cases_listed_but_not_ranked_nor_listed():
    table = rows(("big", 80.0, 40), ("tiny", 100.0, 3), ("small", 60.0, 12), ("none", 0, 0))
    _rank(table)
    _lists(table, config(list_size=1, red_grades="A,B", black_grades="C,D,E"))
    # "tiny" has the best score but only 3 cases: after the ranked rows, no rank.
    assert ranked(table) == [("big", 1), ("small", 2), ("tiny", None), ("none", None)]
    tiny = next(r for r in table if r.name == "tiny")
    assert tiny.score == 100.0 and tiny.too_few and not tiny.red and not tiny.black
    assert [r.name for r in table if r.red] == ["big"]
    assert [r.name for r in table if r.black] == ["small"]
    assert [r.name for r in table if r.empty] == ["none"]


def test_lists_by_grade_ignore_unranked_rows():
    table = rows(("a", 95.0, 40), ("b", 95.0, 2), ("c", 30.0, 40), ("d", 20.0, 5))
    _rank(table)
    _lists(table, config(list_rule="grade"))
    assert [r.name for r in table if r.red] == ["a"]
    assert [r.name for r in table if r.black] == ["c"]


@pytest.mark.django_db
def test_the_minimum_is_a_setting(month, loop):
    # The hand-built month: west 4 due, cleaning 5, east 2.
    EvaluationConfig.objects.filter(pk=1).update(min_cases=4)
    table = evaluate("unit", JUNE, as_of=AS_OF)
    west, cleaning, east = loop["offices"]["west"], loop["cleaning"], loop["offices"]["east"]
    assert [(r.entity_id, r.rank) for r in table.ranked] == [(west.pk, 1), (cleaning.pk, 2)]
    assert table.row(east.pk).rank is None and table.row(east.pk).score == 70.0
    assert not table.row(east.pk).black
    assert table.row(loop["centre"].pk).empty


@pytest.mark.django_db
def test_one_grade_on_both_lists_is_refused():
    from django.core.exceptions import ValidationError

    chosen = EvaluationConfig.get()
    chosen.red_grades, chosen.black_grades = "A,B", "B,C"
    with pytest.raises(ValidationError) as error:
        chosen.full_clean()
    assert "black_grades" in error.value.message_dict


@pytest.mark.parametrize(
    ("today", "kind", "expected"),
    [
        ("2026-07-01", "month", "2026-06"),
        ("2026-07-31", "month", "2026-06"),
        ("2026-01-05", "month", "2025-12"),
        ("2026-07-01", "week", "2026-W26"),
        ("2026-04-02", "quarter", "2026-Q1"),
        ("2026-07-01", "day", "2026-06-30"),
    ],
)
def test_last_complete_period(today, kind, expected):
    assert periods.last_complete(kind, datetime.date.fromisoformat(today)).key == expected
