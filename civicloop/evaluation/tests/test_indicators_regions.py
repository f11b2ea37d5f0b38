"""Street, community, cell and road-chief indicators."""

import datetime

import pytest

from civicloop.evaluation import periods
from civicloop.evaluation.indicators import evaluate
from civicloop.evaluation.models import EvaluationConfig

from .conftest import AS_OF, Builder, at

pytestmark = pytest.mark.django_db
JUNE = periods.parse("2026-06")


def test_streets(month, loop):
    table = evaluate("street", JUNE, as_of=AS_OF)
    west = table.row(loop["west"].pk)
    # Filed in June at the west point, not cancelled: A B C E K D F I (G voided, J not filed).
    assert west.values == {"filed": 8, "public_reports": 1, "handled": 8, "due_for_closure": 8,
                           "closed": 8, "closed_on_time": 7, "overdue_pending": 0}  # fmt: skip
    # 0.125 × 100 × 10% + 100 × 20% + 100 × 30% + 87.5 × 40%
    assert west.score == 1.25 + 20 + 30 + 35 and west.grade == "B"
    east = table.row(loop["east"].pk)
    assert east.values["filed"] == 1 and east.values["overdue_pending"] == 1
    assert east.score == 20.0 and east.grade == "E"
    assert [r.entity_id for r in table.ranked] == [loop["west"].pk, loop["east"].pk]


def test_communities_and_cells_follow_the_cases(month, loop):
    communities = evaluate("community", JUNE, as_of=AS_OF)
    assert communities.row(loop["west_c"].pk).values["filed"] == 8
    cells = evaluate("cell", JUNE, as_of=AS_OF)
    west_cell = loop["cells"]["41010300100101"]
    assert cells.row(west_cell.pk).values["filed"] == 8
    # Only cells with cases are listed (a district has thousands).
    assert {r.entity_id for r in cells.rows} == {west_cell.pk,
                                                 loop["cells"]["41010300200101"].pk}  # fmt: skip


def test_road_chief_counts_cases_on_their_section(loop):
    config = loop["config"]
    config.require_result_photo = False
    config.save()
    b = Builder(loop)
    on_road = (113.603, 34.705)
    loop["road_point"] = on_road
    t = at("2026-06-01")
    case = b.report(t, "E0101", where="road_point")
    assert case.road_section == loop["sections"][0] and case.road_chief is not None
    case = b.sign(b.to_dispatched(case, t))
    b.finish(b.submit(case, t + datetime.timedelta(minutes=30)), t + datetime.timedelta(minutes=30))
    b.report(t, "E0101")  # off the road: not theirs
    # One case is below the default minimum to be ranked: scored, not ranked.
    row = evaluate("road_chief", JUNE, as_of=AS_OF).row(case.road_chief_id)
    assert row.score == 90 and row.rank is None and row.too_few
    EvaluationConfig.objects.filter(pk=1).update(min_cases=1)
    table = evaluate("road_chief", JUNE, as_of=AS_OF)
    row = table.row(case.road_chief_id)
    assert row.name == "road_chief"
    assert row.values["filed"] == 1 and row.values["closed"] == 1
    assert row.values["closed_on_time"] == 1
    assert row.score == 0 + 20 + 30 + 40 and row.rank == 1
