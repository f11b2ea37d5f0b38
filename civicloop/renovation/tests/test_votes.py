"""Votes: the window, quorum and majority, secrecy, and one household one vote under concurrency."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from civicloop.core.errors import ActionError, Conflict, Forbidden, Invalid, InvalidState
from civicloop.renovation import actions
from civicloop.renovation.actions import votes
from civicloop.renovation.models import Ballot, Choice, Event, Receipt, Vote


def _vote(reno, *, opens=-5, closes=60 * 24, questions=("同意改造方案？",), **kw):
    vote = votes.create_vote(reno["actors"]["worker"], reno["west"], title="方案表决",
                             questions=list(questions),
                             opens_at=timezone.now() + datetime.timedelta(minutes=opens),
                             closes_at=timezone.now() + datetime.timedelta(minutes=closes),
                             **kw)  # fmt: skip
    actions.open_vote(reno["actors"]["worker"], vote)
    return vote


def _close(reno, vote):
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    vote.refresh_from_db()
    actions.close_vote(reno["actors"]["worker"], vote)
    vote.refresh_from_db()
    return vote


@pytest.mark.django_db
def test_the_window_is_enforced(reno):
    early = _vote(reno, opens=60, closes=120)
    (q,) = early.questions.all()
    with pytest.raises(InvalidState, match="opens at"):
        actions.cast_vote(reno["residents"][0], early, {q.pk: "for"})
    late = _vote(reno)
    Vote.objects.filter(pk=late.pk).update(closes_at=timezone.now())
    late.refresh_from_db()
    (q,) = late.questions.all()
    with pytest.raises(InvalidState, match="closed at"):
        actions.cast_vote(reno["residents"][0], late, {q.pk: "for"})
    assert Receipt.objects.count() == Ballot.objects.count() == 0


@pytest.mark.django_db
def test_ballots_must_be_complete_and_valid(reno):
    vote = _vote(reno, questions=("一", "二"))
    q1, q2 = vote.questions.order_by("seq")
    resident = reno["residents"][0]
    with pytest.raises(Invalid, match="every question"):
        actions.cast_vote(resident, vote, {q1.pk: "for"})
    with pytest.raises(Invalid, match="for, against or abstain"):
        actions.cast_vote(resident, vote, {q1.pk: "yes", q2.pk: "for"})
    with pytest.raises(Invalid, match="not on this ballot"):
        actions.cast_vote(resident, vote, {q1.pk: "for", q2.pk: "for", 999999: "for"})
    with pytest.raises(Forbidden, match="does not belong"):
        actions.cast_vote(actions.resident_for(reno["east_code"]), vote,
                          {q1.pk: "for", q2.pk: "for"})  # fmt: skip
    assert Receipt.objects.count() == Ballot.objects.count() == Choice.objects.count() == 0


@pytest.mark.django_db
def test_quorum_and_majority(reno, settings):
    vote = _vote(reno)  # defaults: quorum 2/3 of 3 households, majority > 1/2 of voters
    assert float(vote.quorum) == settings.RENOVATION_VOTE_QUORUM
    (q,) = vote.questions.all()
    actions.cast_vote(reno["residents"][0], vote, {q.pk: "for"})
    vote = _close(reno, vote)
    q.refresh_from_db()
    assert (vote.turnout, vote.eligible, vote.quorum_met, q.votes_for, q.passed) == (
        1,
        3,
        False,
        1,
        False,
    )
    vote2 = _vote(reno, quorum="0.5", majority="0.5")
    (q2,) = vote2.questions.all()
    actions.cast_vote(reno["residents"][0], vote2, {q2.pk: "for"})
    actions.cast_vote(reno["residents"][1], vote2, {q2.pk: "against"})
    vote2 = _close(reno, vote2)
    q2.refresh_from_db()
    assert vote2.quorum_met and (q2.votes_for, q2.votes_against, q2.passed) == (1, 1, False)
    with pytest.raises(Invalid, match="between 0 and 1"):
        _vote(reno, quorum="1.5")


@pytest.mark.django_db
def test_nothing_links_a_household_to_its_choice(reno):
    vote = _vote(reno)
    (q,) = vote.questions.all()
    for resident, answer in zip(reno["residents"], ["for", "against", "for"], strict=True):
        actions.cast_vote(resident, vote, {q.pk: answer})
    actions.change_vote(reno["residents"][1], vote, {q.pk: "for"})
    # Ballots and answers carry no household, no time and no sequential id.
    ballot_fields = {f.name for f in Ballot._meta.get_fields()}
    choice_fields = {f.name for f in Choice._meta.get_fields()}
    assert not {"household", "created_at", "at"} & (ballot_fields | choice_fields)
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"
    assert Choice._meta.pk.get_internal_type() == "UUIDField"
    # The stored household hash never equals, nor leads to, a ballot key.
    hashes = set(vote.project.compound.households_set.values_list("code_hash", flat=True))
    keys = set(Ballot.objects.values_list("key", flat=True))
    assert hashes and keys and not hashes & keys
    # History has no ballots; open results are not published before closing.
    assert not Event.objects.filter(action__in=["cast_vote", "change_vote"]).exists()
    q.refresh_from_db()
    assert q.votes_for is None
    _close(reno, vote)
    q.refresh_from_db()
    assert (q.votes_for, q.votes_against) == (3, 0)


@pytest.mark.django_db
def test_a_crash_mid_vote_leaves_nothing(reno, monkeypatch):
    vote = _vote(reno)
    (q,) = vote.questions.all()

    def boom(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Choice.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        actions.cast_vote(reno["residents"][0], vote, {q.pk: "for"})
    assert Receipt.objects.count() == Ballot.objects.count() == 0
    monkeypatch.undo()
    actions.cast_vote(reno["residents"][0], vote, {q.pk: "for"})
    assert Receipt.objects.count() == Ballot.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_household_one_vote_under_concurrent_submits(reno):
    if connection.vendor != "postgresql":
        pytest.skip("threads writing at once need a server database; SQLite serialises writers")
    vote = _vote(reno)
    (q,) = vote.questions.all()
    code = reno["codes"][0]
    barrier = threading.Barrier(8)
    outcomes = []

    def run(answer):
        try:
            barrier.wait()
            actions.cast_vote(actions.resident_for(code), vote, {q.pk: answer})
            outcomes.append("ok")
        except ActionError as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(("for", "against")[n % 2],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["Conflict"] * 7 + ["ok"]
    assert Receipt.objects.filter(vote=vote).count() == 1
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert Choice.objects.filter(ballot__vote=vote).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_keep_one_ballot(reno):
    if connection.vendor != "postgresql":
        pytest.skip("threads writing at once need a server database; SQLite serialises writers")
    vote = _vote(reno)
    (q,) = vote.questions.all()
    code = reno["codes"][1]
    actions.cast_vote(actions.resident_for(code), vote, {q.pk: "for"})
    barrier = threading.Barrier(6)
    errors = []

    def run(answer):
        try:
            barrier.wait()
            actions.change_vote(actions.resident_for(code), vote, {q.pk: answer})
        except Conflict as error:  # pragma: no cover - must not happen: changes queue on the lock
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(("for", "against")[n % 2],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert Choice.objects.filter(ballot__vote=vote).count() == 1
