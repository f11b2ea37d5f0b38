"""Colour sheets: blue near the deadline (working days), yellow behind schedule, red overdue."""

import datetime

import pytest

from civicloop.supervision.colours import colour_for
from civicloop.supervision.models import Colour, Item, State

from .conftest import new_item

pytestmark = pytest.mark.django_db
D = datetime.date


def _item(sup, **fields):
    item = new_item(sup, start="2025-03-24", deadline="2025-04-08")
    Item.objects.filter(pk=item.pk).update(state=State.IN_PROGRESS, **fields)
    return Item.objects.get(pk=item.pk)


def test_blue_across_the_qingming_holiday(sup):
    # Deadline Tuesday 8 April 2025; Friday 4 April is Qingming, 5-6 April the weekend.
    item = _item(sup, done_percent=95)
    assert colour_for(item, D(2025, 4, 1), 3) == Colour.GREEN  # 2, 3, 7, 8 April: 4 working days
    assert colour_for(item, D(2025, 4, 2), 3) == Colour.BLUE  # 3, 7, 8 April: 3 working days
    assert colour_for(item, D(2025, 4, 8), 3) == Colour.YELLOW  # 11 of 11 days gone, 95 % done
    item.done_percent = 100
    assert colour_for(item, D(2025, 4, 8), 3) == Colour.BLUE  # the last day is still blue
    assert colour_for(item, D(2025, 4, 9), 3) == Colour.RED


def test_without_the_holiday_the_same_day_is_still_green(sup):
    item = _item(sup, done_percent=95)
    item.deadline = D(2025, 3, 25) + datetime.timedelta(weeks=3)  # Tuesday 15 April, no holiday
    assert colour_for(item, D(2025, 4, 9), 3) == Colour.GREEN  # 10, 11, 14, 15: 4 working days
    assert colour_for(item, D(2025, 4, 10), 3) == Colour.BLUE


def test_yellow_when_done_share_is_below_elapsed_share(sup):
    # 24 March to 8 April: 11 working days (holiday excluded).
    item = _item(sup, done_percent=40)
    assert colour_for(item, D(2025, 3, 27), 3) == Colour.GREEN  # 3 of 11 elapsed, 40 % done
    assert colour_for(item, D(2025, 3, 31), 3) == Colour.YELLOW  # 5 of 11 elapsed
    item.done_percent = 50
    assert colour_for(item, D(2025, 3, 31), 3) == Colour.GREEN


def test_quantity_against_target_counts_as_done_share(sup):
    item = _item(sup, target_quantity=10, done_quantity=2)
    assert colour_for(item, D(2025, 3, 28), 3) == Colour.YELLOW  # 4 of 11 elapsed, 20 % done


def test_finished_items_keep_their_colour(sup):
    item = _item(sup, colour=Colour.BLUE)
    item.state = State.REPORTED
    assert colour_for(item, D(2025, 5, 1), 3) == Colour.BLUE
