"""The supervision part of the demo: items in real states, three campaigns, the 陇海路 inspection."""

import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from civicloop.cases.models import Case
from civicloop.evaluation.periods import month
from civicloop.geo.models import Compound
from civicloop.supervision.models import (
    Campaign,
    CampaignRow,
    Colour,
    InspectionProblem,
    Item,
    ItemEvent,
    State,
)
from civicloop.supervision.rankings import ranking

from .conftest import build_demo, flush


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    yield build_demo(django_db_blocker, "--days", "0")
    flush(django_db_blocker)


@pytest.fixture
def db_demo(demo, db):
    return demo


def test_items_from_meetings_in_realistic_states(db_demo):
    items = Item.objects.all()
    assert items.filter(source_title="区老旧小区改造工作调度会").exists()
    assert items.filter(state=State.CLOSED, completion="on_time").count() >= 10
    assert items.filter(state__in=(State.SIGNED, State.IN_PROGRESS), colour=Colour.RED).count() >= 5
    assert items.filter(completion="overdue").exists()
    assert ItemEvent.objects.filter(action="reject_review").exists()
    assert ItemEvent.objects.filter(action="chase", data__red_sheet=True).exists()
    assert ItemEvent.objects.filter(action="order_interview").exists()
    for item in items.select_related("person"):  # 定人、定岗、定时、定责
        assert item.person_id and item.post and item.responsibility and item.deadline


def test_the_three_campaigns(db_demo):
    access = Campaign.objects.get(code="access-control-2019")
    assert access.deadline == datetime.date(2019, 7, 30) and access.channel_id
    names = set(access.rows.values_list("name", flat=True))
    assert (
        set(Compound.objects.filter(has_property_management=False).values_list("name", flat=True))
        <= names
    )
    environment = Campaign.objects.get(code="environment-2019")
    assert environment.rows.count() == 19
    for row in environment.rows.all():
        assert row.done == (row.values["highlights"] >= 3 and row.values["road_sections"] >= 1)
    schools = Campaign.objects.get(code="school-reopening-2020")
    assert schools.rows.count() == 283
    assert not schools.rows.exclude(name__endswith="（合成）").exists()
    assert CampaignRow.objects.filter(done=False, colour=Colour.RED).count() == CampaignRow.objects.filter(
        Q(done=False) & Q(deadline__lt=timezone.localdate())).count()  # fmt: skip


def test_the_longhai_road_inspection(db_demo):
    problems = InspectionProblem.objects.filter(inspection__title="陇海路逐段现场督查")
    cases = problems.filter(outcome="case")
    assert cases.count() == 4 and problems.filter(outcome="item", item__isnull=False).count() == 2
    for problem in cases:
        case = Case.objects.get(pk=problem.case_id)
        assert case.state == "dispatched" and case.unit_id == problem.unit_id
        assert case.source == "supervision"


def test_rankings_have_something_true_to_show(db_demo):
    today = timezone.localdate()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    table = ranking(month(last.year, last.month), streets=True)
    assert len(table.ranked) >= 5 and table.red_list and table.black_list
    assert table.ranked[0].score > table.ranked[-1].score
