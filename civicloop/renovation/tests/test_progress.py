"""Roll-ups equal plain sums over the items; lights follow the batch deadline."""

import datetime
from decimal import Decimal

import pytest

from civicloop.renovation import progress
from civicloop.renovation.actions.items import do_add_item
from civicloop.renovation.models import Batch, WorkItem


def _expected(items):
    budget = sum(i.budget for i in items)
    if budget:
        return round(float(sum(i.budget * i.progress for i in items) / budget), 1)
    return round(sum(i.progress for i in items) / len(items), 1) if items else 0.0


@pytest.mark.django_db
def test_rollups_equal_sums_over_items(reno, django_assert_num_queries):
    officer = reno["actors"]["officer"]
    for project, rows in ((reno["west"], [(10, 50), (30, 100), (0, 20)]),
                          (reno["east"], [(0, 40), (0, 60)])):  # fmt: skip
        for budget, pct in rows:
            do_add_item(officer, "renovation_officer", project, None, "项", Decimal(1),
                        Decimal(budget), pct)  # fmt: skip
    items = list(WorkItem.objects.all())
    with django_assert_num_queries(1):
        projects = {p.pk: progress.value(p) for p in progress.with_progress()}
    assert projects[reno["west"].pk] == _expected(
        [i for i in items if i.project_id == reno["west"].pk]
    )
    assert projects[reno["east"].pk] == 50.0  # no budget yet: the plain mean
    with django_assert_num_queries(1):
        batches = progress.rollup("project__batch")
    assert batches[reno["first"].pk]["progress"] == _expected(
        [i for i in items if i.project.batch_id == reno["first"].pk]
    )
    with django_assert_num_queries(1):
        streets = progress.rollup("project__compound__community__parent")
    assert streets[reno["district"]["west"].pk]["progress"] == 87.5
    programme = progress.rollup("project__programme")[reno["programme"].pk]
    assert programme["progress"] == _expected(items)
    assert programme["budget"] == 40 and programme["items"] == 5


def test_lights():
    today = datetime.date(2020, 11, 1)
    batch = Batch(starts_on=datetime.date(2020, 1, 1), deadline=datetime.date(2020, 12, 31))
    assert progress.light(100, batch, today) == "done"
    assert progress.light(90, batch, today) == "green"
    assert progress.light(50, batch, today) == "yellow"  # far behind the straight line
    assert progress.light(90, batch, datetime.date(2020, 12, 15)) == "yellow"  # deadline near
    assert progress.light(99, batch, datetime.date(2021, 1, 1)) == "red"
