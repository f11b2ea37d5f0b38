"""Bad input: a clear message naming the field, and nothing written."""

import datetime

import pytest

from civicloop.core.errors import Forbidden, Invalid, InvalidState
from civicloop.supervision import actions
from civicloop.supervision.models import Item, ItemEvent

from .conftest import T0, new_item

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"deadline": "2025-03-01"}, "deadline", "before the start"),
        ({"deadline": "2025-02-30"}, "deadline", "not a date"),
        ({"deadline": None}, "deadline", "Give a deadline"),
        ({"deadline": None, "deadline_days": 0}, "deadline_days", "from 1 to 3650"),
        ({"lead_unit": "NOPE"}, "lead_unit", "no such unit"),
        ({"person": 999999}, "person", "no such person"),
        ({"person": "handler_east"}, "person", "does not work in"),
        ({"target_quantity": "0"}, "target_quantity", "positive number"),
        ({"target_quantity": "-3"}, "target_quantity", "positive number"),
        ({"target_quantity": "three"}, "target_quantity", "Give a number"),
        ({"title": "  "}, "title", "required"),
        ({"post": ""}, "post", "required"),
        ({"responsibility": ""}, "responsibility", "required"),
        ({"cooperating_units": ["NOPE"]}, "cooperating_units", "no such unit"),
        ({"reporting": "daily"}, "reporting", "Unknown reporting"),
        ({"reporting": "custom"}, "reporting_days", "every how many"),
        ({"source": "dream"}, "source", "Unknown source"),
    ],
)
def test_register_refuses_and_writes_nothing(sup, overrides, field, words):
    if overrides.get("person") == "handler_east":
        from civicloop.org.models import Person

        overrides = {**overrides, "person": Person.objects.get(name="handler_east").pk}
    with pytest.raises(Invalid, match=words) as refused:
        new_item(sup, **overrides)
    assert refused.value.field == field
    assert not Item.objects.exists() and not ItemEvent.objects.exists()


def test_register_by_a_unit_is_forbidden(sup):
    with pytest.raises(Forbidden, match="Only these roles"):
        actions.register_item(sup["actors"]["handler_west"], title="x")


def _working(sup, **overrides):
    item = new_item(sup, **overrides)
    actions.assign(sup["actors"]["supervisor"], item, at=T0)
    actions.sign(sup["actors"]["handler_west"], item, at=T0)
    item.refresh_from_db()
    return item


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"percent": 101}, "percent", "from 0 to 100"),
        ({"percent": -1}, "percent", "from 0 to 100"),
        ({"percent": "half"}, "percent", "whole number"),
        ({"quantity": 11}, "quantity", "above the target"),
        ({"note": ""}, "note", "required"),
    ],
)
def test_progress_refused(sup, data, field, words):
    item = _working(sup, target_quantity=10, target_noun="条")
    before = (item.version, ItemEvent.objects.count())
    with pytest.raises(Invalid, match=words) as refused:
        actions.report_progress(sup["actors"]["handler_west"], item, **{"note": "进展", **data})
    assert refused.value.field == field
    item.refresh_from_db()
    assert (item.version, ItemEvent.objects.count()) == before and item.done_percent == 0


def test_quantity_on_an_item_without_target(sup):
    item = _working(sup)
    with pytest.raises(Invalid, match="no target quantity") as refused:
        actions.report_progress(sup["actors"]["handler_west"], item, note="x", quantity=2)
    assert refused.value.field == "quantity"


def test_at_least_targets_take_more(sup):
    item = _working(sup, target_quantity=3, target_noun="个亮点", target_at_least="true")
    actions.report_progress(sup["actors"]["handler_west"], item, note="4个", quantity=4)
    item.refresh_from_db()
    assert item.done_quantity == 4 and item.done_percent == 100


def test_review_by_someone_not_the_office(sup):
    item = _working(sup)
    actions.submit_completion(sup["actors"]["handler_west"], item, note="完成")
    for who in ("handler_west", "district_leader", "dispatcher"):
        with pytest.raises(Forbidden, match="supervisor"):
            actions.pass_review(sup["actors"][who], item)


def test_wrong_state(sup):
    item = new_item(sup)
    with pytest.raises(InvalidState, match="registered"):
        actions.sign(sup["actors"]["handler_west"], item)


def test_extension_before_the_current_deadline(sup):
    item = _working(sup)
    with pytest.raises(Invalid, match="after the current deadline") as refused:
        actions.request_extension(sup["actors"]["handler_west"], item,
                                  new_deadline=datetime.date(2025, 3, 20), reason="x")  # fmt: skip
    assert refused.value.field == "new_deadline"


def test_unknown_item(sup):
    with pytest.raises(Invalid) as refused:
        actions.sign(sup["actors"]["handler_west"], 424242)
    assert refused.value.field == "item"
