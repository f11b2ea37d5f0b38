"""Household votes: one vote per household, secret, changeable until closing.

Secrecy by construction (see docs/renovation.md, "Votes"):

* :class:`~civicloop.renovation.models.Receipt` says *that* a household voted
  (unique per vote and household: the database refuses a second vote);
* :class:`~civicloop.renovation.models.Ballot` and its
  :class:`~civicloop.renovation.models.Choice` rows say *how*, with random
  ids, no time and no household; the ballot is found again only through
  ``keyed_hash("ballot", vote id + plain code)``, and the plain code is never
  stored, so nobody reading the database can join a receipt to a ballot;
* counts are published only when the vote closes (live tallies would tell
  whoever watches them what the household that just voted chose);
* history records the opening and closing of a vote, never a ballot.

One transaction per vote: receipt, ballot and answers are written together or
not at all. Changing a vote deletes the old ballot and writes a new one (new
random ids) in one transaction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from civicloop.core.errors import Conflict, Invalid, InvalidState

from ..models import Ballot, Choice, Household, Order, Question, Receipt, Vote
from ..rules import RULES
from .common import bump, keyed_hash, now, record


def _when(value, field: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value or "").strip()
        moment = parse_datetime(text) if text else None
        if moment is None:
            raise Invalid(_("Give a date and time (YYYY-MM-DD HH:MM)."), field)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def check_create_vote(actor, project, *, title="", opens_at=None, closes_at=None, orders=(),
                      questions=(), quorum=None, majority=None):  # fmt: skip
    role = RULES.check("create_vote", actor, project)
    title = str(title or "").strip()
    if not title or len(title) > 100:
        raise Invalid(_("Give the vote a title of at most 100 characters."), "title")
    opens, closes = _when(opens_at, "opens_at"), _when(closes_at, "closes_at")
    if closes <= opens:
        raise Invalid(_("The vote must close after it opens."), "closes_at")
    if closes <= now():
        raise Invalid(_("The closing time has already passed."), "closes_at")
    order_ids = []
    for value in orders or ():
        try:
            order_ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            raise Invalid(_("This is not a valid id: %(v)s.") % {"v": value}, "orders") from None
    found = {
        o.pk: o for o in Order.objects.filter(pk__in=order_ids, compound_id=project.compound_id)
    }
    for pk in order_ids:
        order = found.get(pk)
        if order is None or order.state != Order.State.ACCEPTED:
            raise Invalid(_("Only accepted orders of this compound can be put to the vote."),
                          "orders")  # fmt: skip
    texts = [str(q).strip() for q in questions or () if str(q).strip()]
    if any(len(t) > 200 for t in texts):
        raise Invalid(_("A question is at most 200 characters."), "questions")
    if not order_ids and not texts:
        raise Invalid(_("Put at least one order or one question to the vote."), "orders")
    shares = []
    for value, default, field in ((quorum, settings.RENOVATION_VOTE_QUORUM, "quorum"),
                                  (majority, settings.RENOVATION_VOTE_MAJORITY, "majority")):  # fmt: skip
        share = Decimal(str(default if value in (None, "") else value).strip() or "0")
        if not Decimal(0) <= share <= Decimal(1):
            raise Invalid(_("A share is between 0 and 1."), field)
        shares.append(share.quantize(Decimal("0.001")))
    return role, title, opens, closes, [found[pk] for pk in order_ids], texts, *shares


def create_vote(actor, project, **fields) -> Vote:
    checked = check_create_vote(actor, project, **fields)
    return do_create_vote(actor, *checked[:1], project, *checked[1:])


@transaction.atomic
def do_create_vote(actor, role, project, title, opens, closes, orders, texts, quorum, majority,
                   at=None) -> Vote:  # fmt: skip
    vote = Vote.objects.create(project=project, title=title, opens_at=opens, closes_at=closes,
                               quorum=quorum, majority=majority)  # fmt: skip
    rows = [Question(vote=vote, order=o, text=o.title, seq=n) for n, o in enumerate(orders, 1)]
    rows += [Question(vote=vote, text=t, seq=len(orders) + n) for n, t in enumerate(texts, 1)]
    Question.objects.bulk_create(rows)
    record(actor, role, compound_id=project.compound_id, project_id=project.pk, subject="vote",
           subject_id=vote.pk, action="create_vote", note=title, at=at)  # fmt: skip
    return vote


def open_vote(actor, vote: Vote, *, version=None) -> Vote:
    role = RULES.check("open_vote", actor, vote)
    return do_open_vote(actor, role, vote, version)


@transaction.atomic
def do_open_vote(actor, role, vote, version=None, at=None) -> Vote:
    bump(Vote, vote, version, state=Vote.State.OPEN)
    record(actor, role, compound_id=vote.project.compound_id, project_id=vote.project_id,
           subject="vote", subject_id=vote.pk, action="open_vote", note=vote.title, at=at)  # fmt: skip
    return vote


# --- casting -----------------------------------------------------------------------------


def ballot_key(vote: Vote, code: str) -> str:
    return keyed_hash("ballot", f"{vote.pk}:{code}")


def check_ballot(name: str, resident, vote: Vote, answers: dict, at=None) -> dict:
    """Role, compound, window and a complete, valid set of answers ({question id: answer})."""
    RULES.check(name, resident, vote)
    at = at or now()
    if at < vote.opens_at:
        raise InvalidState(_("The vote opens at %(t)s.") % {"t": _local(vote.opens_at)})
    if at >= vote.closes_at:
        raise InvalidState(_("The vote closed at %(t)s.") % {"t": _local(vote.closes_at)})
    questions = set(Question.objects.filter(vote=vote).values_list("pk", flat=True))
    cleaned = {}
    for key, answer in (answers or {}).items():
        try:
            qid = int(key)
        except (TypeError, ValueError):
            qid = None
        if qid not in questions:
            raise Invalid(_("This question is not on this ballot: %(q)s.") % {"q": key}, "answers")
        if answer not in Choice.Answer.values:
            raise Invalid(_("Answer for, against or abstain."), "answers")
        cleaned[qid] = answer
    if set(cleaned) != questions:
        raise Invalid(_("Answer every question (abstaining is an answer)."), "answers")
    return cleaned


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def cast_vote(resident, vote: Vote, answers: dict) -> None:
    """The household's vote; :class:`Conflict` if it has voted already (then change it)."""
    cleaned = check_ballot("cast_vote", resident, vote, answers)
    do_cast_vote(resident, vote, cleaned)


@transaction.atomic
def do_cast_vote(resident, vote, cleaned: dict, at=None) -> None:
    locked = _lock_open(vote, at)
    try:
        with transaction.atomic():
            Receipt.objects.create(vote=locked, household_id=resident.household.pk)
    except IntegrityError:
        raise Conflict(
            _("Your household has already voted; you may change the vote until it closes.")
        ) from None
    _write_ballot(locked, resident.code, cleaned)


def change_vote(resident, vote: Vote, answers: dict) -> None:
    cleaned = check_ballot("change_vote", resident, vote, answers)
    do_change_vote(resident, vote, cleaned)


@transaction.atomic
def do_change_vote(resident, vote, cleaned: dict, at=None) -> None:
    locked = _lock_open(vote, at)
    if not Receipt.objects.filter(vote=locked, household_id=resident.household.pk).exists():
        raise InvalidState(_("Your household has not voted yet."))
    deleted, _rows = Ballot.objects.filter(
        vote=locked, key=ballot_key(locked, resident.code)
    ).delete()
    if not deleted:
        raise Conflict(
            _("This vote was cast with a code that has since been replaced; it stands as cast.")
        )
    _write_ballot(locked, resident.code, cleaned)


def _lock_open(vote, at=None) -> Vote:
    """The vote row locked (closing waits for votes in flight), still open and in its window."""
    locked = Vote.objects.select_for_update().get(pk=vote.pk)
    at = at or now()
    if locked.state != Vote.State.OPEN or not locked.opens_at <= at < locked.closes_at:
        raise InvalidState(_("The vote is not open."))
    return locked


def _write_ballot(vote, code: str, cleaned: dict) -> None:
    ballot = Ballot.objects.create(vote=vote, key=ballot_key(vote, code))
    Choice.objects.bulk_create(
        [Choice(ballot=ballot, question_id=q, answer=a) for q, a in sorted(cleaned.items())]
    )


def has_voted(resident, vote: Vote) -> bool:
    return Receipt.objects.filter(vote=vote, household_id=resident.household.pk).exists()


# --- closing ---------------------------------------------------------------------------


def check_close_vote(actor, vote: Vote, at=None) -> str:
    role = RULES.check("close_vote", actor, vote)
    if (at or now()) < vote.closes_at:
        raise InvalidState(
            _("The vote is open until %(t)s; households may still vote or change their vote.")
            % {"t": _local(vote.closes_at)}
        )
    return role


def close_vote(actor, vote: Vote, *, version=None) -> Vote:
    role = check_close_vote(actor, vote)
    return do_close_vote(actor, role, vote, version)


@transaction.atomic
def do_close_vote(actor, role, vote, version=None, at=None) -> Vote:
    """Count in SQL, publish counts, turnout and quorum; record the result (not the ballots)."""
    locked = Vote.objects.select_for_update().get(pk=vote.pk)
    eligible = Household.objects.filter(
        compound_id=locked.project.compound_id, is_active=True
    ).count()
    turnout = Receipt.objects.filter(vote=locked).count()
    quorum_met = eligible > 0 and turnout >= locked.quorum * eligible
    counts = {
        row["pk"]: row
        for row in Question.objects.filter(vote=locked)
        .values("pk")
        .annotate(
            f=Count("choices", filter=Q(choices__answer="for")),
            a=Count("choices", filter=Q(choices__answer="against")),
            n=Count("choices", filter=Q(choices__answer="abstain")),
        )
    }
    results = []
    for question in Question.objects.filter(vote=locked):
        row = counts[question.pk]
        passed = bool(quorum_met and turnout and row["f"] > locked.majority * turnout)
        Question.objects.filter(pk=question.pk).update(
            votes_for=row["f"], votes_against=row["a"], abstentions=row["n"], passed=passed
        )
        results.append({"q": question.pk, "for": row["f"], "against": row["a"],
                        "abstain": row["n"], "passed": passed})  # fmt: skip
    bump(Vote, vote, version if version is not None else locked.version, state=Vote.State.CLOSED,
         eligible=eligible, turnout=turnout, quorum_met=quorum_met)  # fmt: skip
    record(actor, role, compound_id=locked.project.compound_id, project_id=locked.project_id,
           subject="vote", subject_id=vote.pk, action="close_vote", note=vote.title, at=at,
           data={"eligible": eligible, "turnout": turnout, "quorum_met": quorum_met,
                 "results": results})  # fmt: skip
    return vote
