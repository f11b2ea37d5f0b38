"""The exhaustive menu test: every role × state × scope, what is offered equals what succeeds.

Each actor looks at an item in each state (and, in a second pass, with a
pending extension request and three red sheets); for every action of the
rule table the action is tried with valid input inside a savepoint that is
rolled back. It must succeed exactly when the table offers it, and a refusal
must say why.
"""

import datetime

import pytest
from django.db import transaction

from civicloop.core.errors import ActionError, Forbidden, InvalidState
from civicloop.supervision import actions
from civicloop.supervision.models import ExtensionRequest, Item, State
from civicloop.supervision.rules import ITEM_ACTIONS, TABLE, available

from .conftest import T0, new_item

pytestmark = pytest.mark.django_db

ACTORS = ["supervisor", "district_leader", "handler_west", "leader_west", "handler_east",
          "handler_clean", "dispatcher", "admin_role"]  # fmt: skip
INPUT = {
    "report_progress": {"note": "进展", "percent": 30},
    "report_part": {"note": "配合"},
    "submit_completion": {"note": "完成"},
    "reject_review": {"reason": "不合格"},
    "reopen": {"reason": "反弹"},
    "request_extension": {"new_deadline": datetime.date(2025, 5, 30), "reason": "天气"},
    "reject_extension": {"note": "不同意"},
    "order_interview": {"note": "约谈街道主任"},
}


class Rollback(Exception):
    pass


def _attempt(actor, item, name):
    try:
        with transaction.atomic():
            actions.act(actor, item.pk, name, at=T0, **INPUT.get(name, {}))
            raise Rollback
    except Rollback:
        return None
    except ActionError as error:
        return error


@pytest.mark.parametrize("troubled", [False, True], ids=["plain", "pending-extension-3-reds"])
def test_offered_equals_succeeds(sup, troubled):
    item = new_item(sup)
    if troubled:
        ExtensionRequest.objects.create(item=item, new_deadline=datetime.date(2025, 4, 30),
                                        reason="r", requested_at=T0)  # fmt: skip
        Item.objects.filter(pk=item.pk).update(red_count=3)
    checked = 0
    for state in State.values:
        Item.objects.filter(pk=item.pk).update(state=state)
        for who in ACTORS:
            actor = sup["actors"][who]
            fresh = Item.objects.get(pk=item.pk)
            offered = set(available(actor, fresh))
            for name in ITEM_ACTIONS:
                error = _attempt(actor, fresh, name)
                assert (error is None) == (name in offered), (state, who, name, error)
                if error is not None:
                    assert isinstance(error, Forbidden | InvalidState), (state, who, name, error)
                    assert error.message.strip()
                    assert TABLE.refusal(name, actor, fresh) == error.message
                checked += 1
    assert checked == len(State.values) * len(ACTORS) * len(ITEM_ACTIONS)


def test_who_does_what_in_a_signed_item(sup):
    item = new_item(sup)
    Item.objects.filter(pk=item.pk).update(state=State.SIGNED)
    item.refresh_from_db()
    a = sup["actors"]
    assert available(a["handler_west"], item) == [
        "report_progress", "submit_completion", "request_extension"]  # fmt: skip
    assert available(a["handler_east"], item) == ["report_part"]
    assert available(a["handler_clean"], item) == []
    assert available(a["supervisor"], item) == ["chase"]
    assert available(a["district_leader"], item) == []
    assert TABLE.refusal("order_interview", a["supervisor"], item).startswith(
        "An interview is ordered only after"
    )
