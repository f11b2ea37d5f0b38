"""Links to the loop: a case inside a compound under renovation shows the project; late items hook."""

import datetime

import pytest
from django.test import Client

from civicloop.cases import actions as case_actions
from civicloop.renovation import actions, hooks
from civicloop.renovation.models import Batch, WorkItem


@pytest.mark.django_db
def test_the_case_page_shows_the_renovation_project(loop, reno, django_assert_max_num_queries):
    inside = case_actions.report_case(loop["actors"]["inspector"], source="inspector",
                                      category="E0101", lon=113.602, lat=34.702)  # fmt: skip
    outside = case_actions.report_case(loop["actors"]["inspector"], source="inspector",
                                       category="E0101", lon=113.608, lat=34.709)  # fmt: skip
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(loop["users"]["shift_leader"])
    page = client.get(f"/console/cases/{inside.pk}/").content.decode()
    assert 'id="case-renovation"' in page and "西小区" in page
    page = client.get(f"/console/cases/{outside.pk}/").content.decode()
    assert 'id="case-renovation"' not in page


@pytest.mark.django_db
def test_late_items_are_raised_once_through_the_registered_hook(reno):
    item = actions.add_item(reno["actors"]["officer"], reno["west"], title="改管网", budget="5")
    done = actions.add_item(reno["actors"]["officer"], reno["west"], title="改绿化", budget="5")
    WorkItem.objects.filter(pk=done.pk).update(state="done", progress=100)
    Batch.objects.filter(pk=reno["first"].pk).update(
        starts_on=datetime.date(2020, 1, 1), deadline=datetime.date(2020, 12, 31))  # fmt: skip
    seen = []
    callback = hooks.on_item_late(lambda late: seen.append(late.pk))
    try:
        assert hooks.raise_late_items() == 1
        assert hooks.raise_late_items() == 0  # each item once
    finally:
        hooks._late_callbacks.remove(callback)
    assert seen == [item.pk]
    assert WorkItem.objects.get(pk=item.pk).late_raised_at is not None


@pytest.mark.django_db
def test_a_late_item_becomes_a_supervision_item_of_the_renovation_office(reno):
    from civicloop.core import periodic
    from civicloop.supervision.models import Item

    item = actions.add_item(reno["actors"]["officer"], reno["west"], title="改管网", budget="5")
    Batch.objects.filter(pk=reno["first"].pk).update(
        starts_on=datetime.date(2020, 1, 1), deadline=datetime.date(2020, 12, 31))  # fmt: skip
    reports = dict(periodic.run_all())
    assert "1" in str(reports["renovation"])
    (raised,) = Item.objects.all()
    assert raised.lead_unit.name == "区住房保障中心"
    assert raised.person == reno["users"]["officer"].person
    assert "西小区" in raised.title and "改管网" in raised.title
    assert raised.deadline > datetime.date.today()
    assert dict(periodic.run_all())["renovation"] is None  # raised once
    assert WorkItem.objects.get(pk=item.pk).late_raised_at is not None
