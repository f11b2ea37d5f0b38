"""The whole pilot: orders → review → stages → vote → taking → adoption → delivery → rating."""

import datetime

import pytest
from django.utils import timezone

from civicloop.core.errors import Conflict, Forbidden, Invalid, InvalidState
from civicloop.renovation import actions
from civicloop.renovation.actions import votes as vote_actions
from civicloop.renovation.models import Event, Order, Project, Stage, Vote, WorkItem


def _close_after_window(vote):
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    vote.refresh_from_db()


@pytest.mark.django_db
def test_the_pilot_from_orders_to_rating(reno, photo):
    a, west, residents = reno["actors"], reno["west"], reno["residents"]
    # 下单: residents order from the menu and in free text, with a photo.
    lift = actions.place_order(residents[0], west, title="加装电梯", text="老人上下楼难",
                               photos=[photo()])  # fmt: skip
    parking = actions.place_order(residents[1], west, work_type="S04")
    parking2 = actions.place_order(residents[2], west, title="停车位不够")
    shed = actions.place_order(residents[2], west, title="屋顶搭彩钢棚")
    assert parking.title == "停车设施" and lift.photos.count() == 1
    # 审单: accept, merge the similar one, decline with a reason.
    actions.accept_order(a["worker"], lift)
    actions.accept_order(a["worker"], parking)
    actions.merge_order(a["worker"], parking2, parking.pk)
    actions.decline_order(a["worker"], shed, reason="属于违建，不能搭建")
    shed.refresh_from_db()
    assert shed.state == Order.State.DECLINED and shed.decline_reason == "属于违建，不能搭建"
    assert Order.objects.get(pk=parking2.pk).merged_into == parking
    # 一征三议: collect, propose, joint meeting, then the residents resolve by vote.
    stages = actions.ensure_stages(west)
    today = timezone.localdate()
    for stage in stages[:3]:
        actions.open_stage(a["worker"], stage)
        actions.complete_stage(a["worker"], stage, held_on=today, minutes=f"{stage.kind} 纪要")
    with pytest.raises(InvalidState, match="Complete"):
        actions.open_stage(a["worker"], stages[4])
    actions.open_stage(a["worker"], stages[3])
    vote = actions.create_vote(a["worker"], west, title="改造方案表决", orders=[lift, parking],
                               opens_at=timezone.now() - datetime.timedelta(minutes=1),
                               closes_at=timezone.now() + datetime.timedelta(days=7))  # fmt: skip
    actions.open_vote(a["worker"], vote)
    q_lift, q_parking = vote.questions.order_by("seq")
    actions.cast_vote(residents[0], vote, {q_lift.pk: "for", q_parking.pk: "for"})
    actions.cast_vote(residents[1], vote, {q_lift.pk: "against", q_parking.pk: "for"})
    actions.cast_vote(residents[2], vote, {q_lift.pk: "for", q_parking.pk: "against"})
    with pytest.raises(Conflict, match="already voted"):
        actions.cast_vote(residents[2], vote, {q_lift.pk: "for", q_parking.pk: "for"})
    actions.change_vote(residents[2], vote, {q_lift.pk: "for", q_parking.pk: "for"})
    with pytest.raises(InvalidState, match="open until"):
        actions.close_vote(a["worker"], vote)
    _close_after_window(vote)
    with pytest.raises(InvalidState, match="closed"):
        actions.change_vote(residents[0], vote, {q_lift.pk: "against", q_parking.pk: "for"})
    actions.close_vote(a["worker"], vote)
    vote.refresh_from_db()
    assert (vote.eligible, vote.turnout, vote.quorum_met) == (3, 3, True)
    q_lift.refresh_from_db(), q_parking.refresh_from_db()
    assert (q_lift.votes_for, q_lift.votes_against, q_lift.passed) == (2, 1, True)
    assert (q_parking.votes_for, q_parking.votes_against, q_parking.passed) == (3, 0, True)
    actions.complete_stage(a["worker"], stages[3], held_on=today, minutes="居民表决通过")
    actions.open_stage(a["worker"], stages[4])
    actions.complete_stage(a["worker"], stages[4], held_on=today, minutes="公示",
                           published_text="加装电梯、增加停车位")  # fmt: skip
    # 接单: the office turns the accepted orders into work items.
    item = actions.take_order(a["officer"], lift, budget="80", quantity="1")
    item2 = actions.take_order(a["officer"], parking, budget="20", quantity="30")
    assert item.source_order == lift and Order.objects.get(pk=lift.pk).state == "taken"
    # 做单: two adopters; the first one's delivery is rated low and goes back.
    stale = WorkItem.objects.get(pk=item.pk)
    actions.adopt_item(a["adopter"], item, kind="civilized", money="30", labour="志愿者20人")
    with pytest.raises(Conflict):  # someone adopted it while this page was open
        actions.adopt_item(a["adopter2"], stale, kind="company", money="1")
    with pytest.raises(InvalidState):
        actions.adopt_item(a["adopter2"], WorkItem.objects.get(pk=item.pk), kind="company",
                           money="1")  # fmt: skip
    actions.adopt_item(a["adopter2"], item2, kind="company", design="停车位设计")
    with pytest.raises(Forbidden, match="adopter of this item"):
        actions.deliver_item(a["adopter2"], WorkItem.objects.get(pk=item.pk), photos=[photo()])
    with pytest.raises(Invalid, match="photo"):
        actions.deliver_item(a["adopter"], WorkItem.objects.get(pk=item.pk), photos=[])
    item = WorkItem.objects.get(pk=item.pk)
    actions.deliver_item(a["adopter"], item, photos=[photo()], note="电梯完工")
    # 评单: residents rate; a low mean sends it back to the adopter (and tells the unit's channels).
    actions.rate_item(residents[0], item, stars=1, comment="有噪音")
    item.refresh_from_db()
    assert item.state == WorkItem.State.RETURNED
    with pytest.raises(InvalidState):
        actions.rate_item(residents[1], item, stars=5)
    actions.deliver_item(a["adopter"], item, photos=[photo()], note="已整改")
    actions.rate_item(residents[0], item, stars=4)
    actions.rate_item(residents[1], item, stars=5)
    item.refresh_from_db()
    assert item.state == WorkItem.State.DONE and item.progress == 100
    with pytest.raises(Conflict, match="already rated"):
        actions.rate_item(residents[1], item, stars=5)
    item2 = WorkItem.objects.get(pk=item2.pk)
    actions.deliver_item(a["adopter2"], item2, photos=[photo()])
    actions.rate_item(residents[2], item2, stars=5)
    west.refresh_from_db()
    assert west.state == Project.State.COMPLETED
    actions.open_stage(a["worker"], stages[5])
    actions.complete_stage(a["worker"], stages[5], held_on=today, minutes="验收",
                           published_text="电梯和停车位已完工")  # fmt: skip
    assert Stage.objects.filter(project=west, state="done").count() == 6
    # The timeline: every step is one history row, and no ballot ever is.
    steps = list(Event.objects.filter(project=west).values_list("action", flat=True))
    assert steps.count("place_order") == 4 and steps.count("rate_item") == 4
    assert "cast_vote" not in steps and "change_vote" not in steps
    assert steps.count("close_vote") == 1


@pytest.mark.django_db
def test_a_household_orders_only_for_its_own_compound(reno):
    east_resident = actions.resident_for(reno["east_code"])
    with pytest.raises(Forbidden, match="does not belong"):
        actions.place_order(east_resident, reno["west"], title="想要")
    with pytest.raises(Forbidden):
        actions.resident_for(reno["east_code"], compound=reno["west"].compound)
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_forged_and_replaced_codes_are_refused(reno):
    with pytest.raises(Invalid, match="no household"):
        actions.resident_for("ABCD-EFGH-JKLM")
    with pytest.raises(Invalid, match="12 letters"):
        actions.resident_for("123")
    old = reno["codes"][0]
    actions.issue_codes(reno["actors"]["worker"], reno["west"], ["1-101"])
    with pytest.raises(Invalid, match="replaced"):
        actions.resident_for(old)
    # Lower case and without dashes is the same code.
    assert (
        actions.resident_for(reno["codes"][1].lower().replace("-", "")).household.label == "1-102"
    )


@pytest.mark.django_db
def test_a_reissued_code_does_not_vote_twice(reno):
    a, west = reno["actors"], reno["west"]
    vote = vote_actions.create_vote(a["worker"], west, title="表决", questions=["同意改造？"],
                                    opens_at=timezone.now() - datetime.timedelta(minutes=1),
                                    closes_at=timezone.now() + datetime.timedelta(days=1))  # fmt: skip
    actions.open_vote(a["worker"], vote)
    (question,) = vote.questions.all()
    actions.cast_vote(reno["residents"][0], vote, {question.pk: "for"})
    ((_h, new_code),) = actions.issue_codes(a["worker"], west, ["1-101"])
    with pytest.raises(Conflict, match="already voted"):
        actions.cast_vote(actions.resident_for(new_code), vote, {question.pk: "against"})
    with pytest.raises(Conflict, match="replaced"):
        actions.change_vote(actions.resident_for(new_code), vote, {question.pk: "against"})
    assert vote.ballots.count() == 1


@pytest.mark.django_db
def test_bad_numbers_are_refused_and_nothing_is_written(reno):
    officer = reno["actors"]["officer"]
    with pytest.raises(Invalid, match="below 0"):
        actions.add_item(officer, reno["west"], title="道路", budget="-1")
    item = actions.add_item(officer, reno["west"], title="道路", budget="10")
    with pytest.raises(Invalid, match="above 100"):
        actions.update_item(officer, item, progress=101)
    with pytest.raises(Invalid, match="not a number"):
        actions.update_item(officer, item, budget="abc")
    item.refresh_from_db()
    assert (item.progress, item.budget) == (0, 10)
    with pytest.raises(Conflict):
        actions.update_item(officer, item, progress=50, version=item.version + 5)
