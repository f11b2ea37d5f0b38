"""The demo's renovation programme: 467 compounds, 264 + 203, the pilot and 百顺小院."""

import datetime

import pytest
from django.db.models import Count

from civicloop.renovation import progress
from civicloop.renovation.models import (
    Adoption,
    Ballot,
    Order,
    Project,
    Receipt,
    Stage,
    Vote,
    WorkItem,
)

from .conftest import build_demo, flush


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    yield build_demo(django_db_blocker, "--days", "0")
    flush(django_db_blocker)


@pytest.fixture
def db_demo(demo, db):
    return demo


def test_467_compounds_in_two_batches_with_the_real_deadlines(db_demo):
    batches = {b["batch__seq"]: (b["n"], b["batch__deadline"])
               for b in Project.objects.values("batch__seq", "batch__deadline").annotate(n=Count("id"))}  # fmt: skip
    assert batches == {1: (264, datetime.date(2020, 12, 31)), 2: (203, datetime.date(2021, 6, 30))}
    named = Project.objects.filter(compound__code__startswith="XQ").count()
    synthetic = Project.objects.filter(
        compound__is_synthetic=True, compound__note__startswith="合成"
    )
    assert named == 11 and synthetic.count() == 456
    assert "老旧小区改造: 467 个小区（第一批 264，第二批 203）" in db_demo
    classes = dict(Project.objects.values_list("project_class").annotate(n=Count("id")))
    assert 0.2 < classes["quality"] / 467 < 0.45
    # Most finished; some late (red against their batch deadline).
    lights = [
        progress.light(progress.value(p), p.batch)
        for p in progress.with_progress().select_related("batch")
    ]
    assert lights.count("done") > 350 and 0 < lights.count("red") < 100


def test_the_pilot_and_baishun(db_demo):
    pilot = Project.objects.get(compound__name="绿云小区")
    assert pilot.is_pilot
    states = dict(
        Order.objects.filter(compound=pilot.compound).values_list("state").annotate(n=Count("id"))
    )
    assert states == {"taken": 5, "merged": 1, "declined": 1, "submitted": 1}
    vote = Vote.objects.get(project=pilot)
    assert vote.state == "closed" and vote.quorum_met and (vote.turnout, vote.eligible) == (41, 48)
    assert (
        Receipt.objects.filter(vote=vote).count() == Ballot.objects.filter(vote=vote).count() == 41
    )
    assert all(q.passed for q in vote.questions.all())
    assert (
        Stage.objects.filter(project=pilot, kind="decision", state="done")
        .exclude(published_text="")
        .exists()
    )
    assert Adoption.objects.filter(item__project=pilot).count() == 4
    road = WorkItem.objects.get(project=pilot, title="改道路")
    assert road.state == "done" and road.ratings.filter(round=1, stars__lte=2).exists()
    baishun = Adoption.objects.get(item__project__compound__name="连心胡同（百顺小院）")
    assert baishun.kind == "deputy" and baishun.person.is_synthetic
    assert "百顺小院" in Project.objects.get(compound__name="连心胡同（百顺小院）").note
