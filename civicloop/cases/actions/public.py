"""What residents do: follow an open case, rate a closed one (an unsatisfied
rating asks the shift leader to reopen it)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.core.errors import Invalid, InvalidState
from civicloop.notify.services import queue_for_unit
from civicloop.org.models import Membership, Role

from ..links import case_url
from ..models import Case, CaseFollower, CaseRequest, Rating
from ..permissions import Actor, public_actor
from .base import Action, Checked, authorise, load, now_or, text, write

UNSATISFIED_LEVEL = 2


def check_follow(case, *, email: str = "", phone: str = "") -> Checked:
    email = text(email, "email", limit=254)
    phone = text(phone, "phone", limit=40)
    actor = public_actor()
    case = load(case, None)
    authorise("follow", actor, case)
    return Checked(actor, "resident", case, {"email": email, "phone": phone})


def do_follow(c: Checked, *, at=None) -> CaseFollower:
    """Record the follower (once: the same e-mail and phone again change nothing)."""
    now = now_or(at)
    with transaction.atomic():
        if c.email or c.phone:
            known = CaseFollower.objects.filter(case=c.case, email=c.email, phone=c.phone).first()
            if known is not None:
                return known
        follower = CaseFollower.objects.create(case=c.case, email=c.email, phone=c.phone)
        write(c.case, c.actor, c.role, Action.FOLLOW, now, is_public=False)
    return follower


def follow_case(case, *, email: str = "", phone: str = "", at=None) -> CaseFollower:
    """A resident follows an open case instead of reporting it again."""
    return do_follow(check_follow(case, email=email, phone=phone), at=at)


def check_rate(case, *, level, reason: str = "", actor: Actor | None = None) -> Checked:
    actor = actor or public_actor()
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise Invalid(_("Rate from 1 to 5."), "level") from None
    if not 1 <= level <= 5:
        raise Invalid(_("Rate from 1 to 5."), "level")
    reason = text(reason, "reason", limit=1000)
    case = load(case, None)
    authorise("rate", actor, case)
    if Rating.objects.filter(case=case, rated_at__gte=case.closed_at).exists():
        raise InvalidState(_("This result has already been rated."))
    return Checked(actor, "resident", case, {"level": level, "reason": reason})


def unsatisfied_reason(reason: str) -> str:
    return reason or _("The resident is not satisfied.")


def shift_leader_units() -> list[int]:
    return list(
        Membership.objects.filter(role=Role.SHIFT_LEADER, is_active=True)
        .values_list("unit_id", flat=True)
        .distinct()
    )


def do_rate(c: Checked, *, at=None) -> Rating:
    now = now_or(at)
    case, actor = c.case, c.actor
    with transaction.atomic():
        rating = Rating.objects.create(case=case, level=c.level, reason=c.reason, rated_at=now)
        write(case, actor, "resident", Action.RATE, now, note=c.reason,
              data={"level": c.level, "rating": rating.pk})  # fmt: skip
        if c.level <= UNSATISFIED_LEVEL:
            request = CaseRequest.objects.create(
                case=case, kind=CaseRequest.Kind.REOPEN, unit_id=case.unit_id,
                reason=unsatisfied_reason(c.reason), requested_at=now,
            )  # fmt: skip
            write(case, actor, "resident", Action.REQUEST_REOPEN, now, note=request.reason,
                  data={"request": request.pk}, is_public=False)  # fmt: skip
            for unit_id in shift_leader_units():
                queue_for_unit(unit_id,
                               _("Unsatisfied rating on case %(number)s") % {"number": case.number},
                               request.reason, link=case_url(case),
                               topic=f"case:{case.pk}")  # fmt: skip
    return rating


def rate_case(case, *, level, reason: str = "", actor: Actor | None = None, at=None) -> Rating:
    """A resident rates the result of a closed case (5 levels; 1–2 are unsatisfied).

    An unsatisfied rating becomes a reopen request for the shift leader.
    """
    return do_rate(check_rate(case, level=level, reason=reason, actor=actor), at=at)


__all__ = ["UNSATISFIED_LEVEL", "Case", "check_follow", "check_rate", "do_follow", "do_rate",
           "follow_case", "rate_case"]  # fmt: skip
