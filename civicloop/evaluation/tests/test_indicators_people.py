"""Indicators of the centre's people for June 2026, against counts made by hand."""

import pytest

from civicloop.evaluation import periods
from civicloop.evaluation.indicators import evaluate

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
JUNE = periods.parse("2026-06")


def test_inspector(month, loop):
    row = evaluate("inspector", JUNE, as_of=AS_OF).row(loop["users"]["inspector"].pk)
    # Reports: A B C E K D F G H J = 10; effective (filed, not voided): G voided, J not filed.
    assert row.values["reports"] == 10 and row.values["effective_reports"] == 8
    # Missed: I, the resident's report in the inspector's patrol area.
    assert row.values["missed"] == 1 and row.values["found"] == 9
    # One verification (I), two hours after it was asked for: late.
    assert row.values["verifications"] == 1 and row.values["verifications_on_time"] == 0
    # Checks in the patrol area: A B C(failed) C E K D F I = 9, all on time.
    assert row.values["checks"] == 9 and row.values["checks_on_time"] == 9
    # 0.8 × 40 + (1 − 1/9) × 20 + 0 × 20 + 1 × 20 = 69.78
    assert row.score == pytest.approx(32 + 160 / 9 + 0 + 20, abs=0.01)
    assert row.grade == "C"
    assert evaluate("inspector", JUNE, as_of=AS_OF).row(loop["users"]["inspector2"].pk).rank is None


def test_acceptor(month, loop):
    row = evaluate("acceptor", JUNE, as_of=AS_OF).row(loop["users"]["acceptor"].pk)
    # Accepted ten (all but I, which was sent for verification), all on time.
    assert row.values == {"intake": 11, "intake_on_time": 11, "accepted": 10,
                          "wrongly_accepted": 2}  # G voided, J not filed  # fmt: skip
    assert row.score == 60 + 0.8 * 40 and row.grade == "A"


def test_shift_leader(month, loop):
    row = evaluate("shift_leader", JUNE, as_of=AS_OF).row(loop["users"]["shift_leader"].pk)
    # Filed all but J (10), G later voided; closed A B C E K D F I (8).
    assert row.values == {"filings": 10, "filings_on_time": 10, "filings_voided": 1,
                          "closures": 8, "closures_on_time": 8}  # fmt: skip
    assert row.score == 25 + 0.9 * 40 + 35 and row.grade == "A"


def test_dispatcher(month, loop):
    row = evaluate("dispatcher", JUNE, as_of=AS_OF).row(loop["users"]["dispatcher"].pk)
    # 12 dispatches (K and D twice); K's first went to the wrong unit (returned in time);
    # D's return was late, so the unit is at fault, not the dispatch.
    assert row.values == {"dispatches": 12, "dispatches_on_time": 12, "misdispatches": 1}
    # 12 dispatches → band 40; 40 × 20% + 100 × 40% + (11/12) × 100 × 40%
    assert row.score == pytest.approx(8 + 40 + 440 / 12, abs=0.01) and row.grade == "B"
