"""Every transition, for every role: what the rule table offers is exactly what succeeds."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from civicloop.core.errors import ActionError, Forbidden, InvalidState
from civicloop.renovation import actions
from civicloop.renovation.actions import votes
from civicloop.renovation.models import Order, Stage, Vote, WorkItem
from civicloop.renovation.rules import RULES
from civicloop.renovation.workbook import export_programme, import_programme


class Rollback(Exception):
    pass


def _order(reno, state="submitted"):
    order = actions.place_order(reno["residents"][0], reno["west"], title="路灯")
    Order.objects.filter(pk=order.pk).update(state=state)
    order.refresh_from_db()
    return order


def _item(reno, state="planned", adopter=None):
    item = actions.add_item(reno["actors"]["officer"], reno["west"], title="绿化", budget="5")
    if adopter:
        actions.adopt_item(reno["actors"][adopter], item, kind="civilized", money="1")
    WorkItem.objects.filter(pk=item.pk).update(state=state)
    return WorkItem.objects.select_related("project__compound__community").get(pk=item.pk)


def _vote(reno, opened=True):
    vote = votes.create_vote(reno["actors"]["worker"], reno["west"], title="表决",
                             questions=["同意？"],
                             opens_at=timezone.now() - datetime.timedelta(minutes=5),
                             closes_at=timezone.now() + datetime.timedelta(days=1))  # fmt: skip
    if opened:
        actions.open_vote(reno["actors"]["worker"], vote)
    return vote


def _answers(vote):
    return {q.pk: "for" for q in vote.questions.all()}


def _people(reno):
    from civicloop.renovation.actions import resident_for

    return {**reno["actors"], "resident": reno["residents"][0], "resident2": reno["residents"][1],
            "resident_east": resident_for(reno["east_code"])}  # fmt: skip


def _attempt(call, actor, obj) -> bool:
    """Try it, then roll back (and reload the object the action changed in memory)."""
    try:
        with transaction.atomic():
            call(actor)
            raise Rollback
    except Rollback:
        return True
    except ActionError:
        return False
    finally:
        obj.refresh_from_db()


@pytest.mark.django_db
def test_offered_equals_succeeds_for_every_transition_and_role(reno, photo):
    people = _people(reno)
    west = reno["west"]
    today = timezone.localdate()
    collect = Stage.objects.get(project=west, kind="collect")

    def opened_stage():
        Stage.objects.filter(pk=collect.pk).update(state="open")
        return Stage.objects.select_related("project__compound__community").get(pk=collect.pk)

    vote = _vote(reno)
    draft = _vote(reno, opened=False)
    voted = people["resident"]
    actions.cast_vote(voted, vote, _answers(vote))
    due = _vote(reno)
    Vote.objects.filter(pk=due.pk).update(closes_at=timezone.now())
    due.refresh_from_db()
    rated = _item(reno, "underway", adopter="adopter")
    actions.deliver_item(people["adopter"], rated, photos=[photo()])
    rated = WorkItem.objects.select_related("project__compound__community").get(pk=rated.pk)
    table = {
        "issue_codes": (west, lambda a: actions.issue_codes(a, west, ["5-501"])),
        "place_order": (west, lambda a: actions.place_order(a, west, title="座椅")),
        "accept_order": (o := _order(reno), lambda a, o=o: actions.accept_order(a, o)),
        "merge_order": (o2 := _order(reno),
                        lambda a, o=o2: actions.merge_order(a, o, _order(reno).pk)),
        "decline_order": (o3 := _order(reno),
                          lambda a, o=o3: actions.decline_order(a, o, reason="不符合")),
        "take_order": (o4 := _order(reno, "accepted"),
                       lambda a, o=o4: actions.take_order(a, o, budget="3")),
        "open_stage": (collect, lambda a: actions.open_stage(a, collect)),
        "complete_stage": (st := opened_stage(),
                           lambda a, s=st: actions.complete_stage(a, s, held_on=today,
                                                                  minutes="纪要")),
        "create_vote": (west, lambda a: votes.create_vote(
            a, west, title="再表决", questions=["同意？"], opens_at=timezone.now(),
            closes_at=timezone.now() + datetime.timedelta(days=1))),
        "open_vote": (draft, lambda a: actions.open_vote(a, draft)),
        "cast_vote": (vote, lambda a: actions.cast_vote(a, vote, _answers(vote))),
        "change_vote": (vote, lambda a: actions.change_vote(a, vote, _answers(vote))),
        "close_vote": (due, lambda a: actions.close_vote(a, due)),
        "import_programme": (reno["programme"], lambda a: import_programme(
            export_programme(reno["programme"]), a)),
        "add_item": (west, lambda a: actions.add_item(a, west, title="照明", budget="1")),
        "update_item": (i1 := _item(reno), lambda a, i=i1: actions.update_item(a, i, progress=10)),
        "adopt_item": (i2 := _item(reno),
                       lambda a, i=i2: actions.adopt_item(
                           a, i, kind="company", money="2",
                           unit=reno["company"] if a is people["admin"] else None)),
        "deliver_item": (i3 := _item(reno, "underway", adopter="adopter"),
                         lambda a, i=i3: actions.deliver_item(a, i, photos=[photo()])),
        "rate_item": (rated, lambda a: actions.rate_item(a, rated, stars=4)),
    }  # fmt: skip
    assert set(table) == set(RULES.names())
    seen_ok = set()
    for name, (obj, call) in table.items():
        for who, actor in people.items():
            # Whether a household has voted is data, not a rule: a face offers "vote" to a
            # household that has not voted and "change my vote" to one that has.
            if (who, name) in {("resident", "cast_vote"), ("resident2", "change_vote")}:
                continue
            offered = RULES.allows(name, actor, obj)
            assert offered == _attempt(call, actor, obj), (name, who, offered)
            if offered:
                seen_ok.add(name)
    # Every transition succeeds for at least one role (no dead rows).
    assert seen_ok == set(RULES.names())


@pytest.mark.django_db
def test_who_may_do_what(reno):
    people = _people(reno)
    west, east = reno["west"], reno["east"]
    order = _order(reno)
    assert RULES.available(people["worker"], order, kind="review") == [
        "accept_order", "merge_order", "decline_order"]  # fmt: skip
    assert RULES.available(people["worker_east"], order, kind="review") == []
    assert RULES.available(people["officer"], order, kind="review") == []
    assert RULES.available(people["admin"], order, kind="review") == [
        "accept_order", "merge_order", "decline_order"]  # fmt: skip
    with pytest.raises(Forbidden, match="territory"):
        actions.accept_order(people["worker_east"], order)
    with pytest.raises(Forbidden, match="Only these roles"):
        actions.accept_order(people["nobody"], order)
    # A resident acts on their own compound only; an administrator cannot vote or rate.
    assert RULES.allows("place_order", people["resident"], west)
    assert not RULES.allows("place_order", people["resident"], east)
    assert not RULES.allows("place_order", people["admin"], west)
    accepted = actions.accept_order(people["worker"], order)
    with pytest.raises(InvalidState, match="submitted"):
        actions.decline_order(people["worker"], accepted, reason="x")


def test_the_docs_carry_the_rule_table():
    from pathlib import Path

    docs = Path(__file__).resolve().parents[3] / "docs" / "renovation.md"
    assert RULES.markdown() in docs.read_text(encoding="utf-8")
