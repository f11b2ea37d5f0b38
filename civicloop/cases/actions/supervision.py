"""Supervision orders (督办): issued to the case's unit, answered by that unit."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.core.errors import Invalid, InvalidState
from civicloop.notify.services import queue_for_unit
from civicloop.org.actors import UNIT_ROLES
from civicloop.org.models import Role
from civicloop.worktime import services as worktime

from ..links import case_url
from ..models import SupervisionOrder
from ..permissions import Actor
from ..rules import RULES
from .base import Action, Checked, authorise, clean_hours, load, now_or, text, write


def check_issue_supervision(actor, case, *, opinion, reply_hours=8, version=None) -> Checked:
    role = RULES.role_for("supervise", actor)
    opinion = text(opinion, "opinion", required=True)
    hours = clean_hours(reply_hours, "reply_hours")
    case = load(case, version)
    authorise("supervise", actor, case)
    return Checked(actor, role, case, {"opinion": opinion, "hours": hours})


def reply_due(now, hours) -> datetime.datetime:
    return worktime.add_working_time(now, datetime.timedelta(hours=float(hours))).at


def do_issue_supervision(c: Checked, *, at=None) -> SupervisionOrder:
    now = now_or(at)
    case = c.case
    with transaction.atomic():
        due = reply_due(now, c.hours)
        order = SupervisionOrder.objects.create(
            case=case, unit_id=case.unit_id, issued_by=c.actor.user if c.actor.user_id else None,
            issued_at=now, opinion=c.opinion, reply_due=due,
        )  # fmt: skip
        write(case, c.actor, c.role, Action.SUPERVISE, now,
              fields={"supervision_count": case.supervision_count + 1}, note=c.opinion,
              data={"order": order.pk, "reply_due": due.isoformat()})  # fmt: skip
        queue_for_unit(case.unit_id,
                       _("Supervision order on case %(number)s") % {"number": case.number},
                       c.opinion, link=case_url(case), topic=f"case:{case.pk}")  # fmt: skip
    return order


def issue_supervision(
    actor: Actor, case, *, opinion: str, reply_hours=8, version=None, at=None
) -> SupervisionOrder:
    """A supervision order (督办) to the case's unit: an opinion and a reply due in working hours."""
    return do_issue_supervision(
        check_issue_supervision(actor, case, opinion=opinion, reply_hours=reply_hours,
                                version=version), at=at)  # fmt: skip


def check_reply_supervision(actor, order, *, reply) -> Checked:
    reply = text(reply, "reply", required=True)
    pk = order.pk if isinstance(order, SupervisionOrder) else order
    order = SupervisionOrder.objects.filter(pk=pk).first()
    if order is None:
        raise Invalid(_("There is no such supervision order."), "order")
    admin = actor.has(Role.ADMINISTRATOR)
    RULES.check_scope("reply_supervision", actor, order, Role.ADMINISTRATOR if admin else "")
    if order.status != SupervisionOrder.Status.OPEN:
        raise InvalidState(_("This supervision order has already been answered."))
    role = actor.first_role(*UNIT_ROLES, Role.ADMINISTRATOR)
    return Checked(actor, role, None, {"order": order, "reply": reply})


def do_reply_supervision(c: Checked, *, at=None) -> SupervisionOrder:
    now = now_or(at)
    order = c.order
    with transaction.atomic():
        updated = SupervisionOrder.objects.filter(
            pk=order.pk, status=SupervisionOrder.Status.OPEN
        ).update(status=SupervisionOrder.Status.REPLIED, reply=c.reply, replied_at=now,
                 replied_by=c.actor.user if c.actor.user_id else None)  # fmt: skip
        if not updated:
            raise InvalidState(_("This supervision order has already been answered."))
        case = load(order.case_id, None)
        in_time = now <= order.reply_due
        write(case, c.actor, c.role, Action.REPLY_SUPERVISION, now, note=c.reply,
              data={"order": order.pk, "on_time": in_time}, on_time=in_time,
              unit_id=order.unit_id)  # fmt: skip
        order.refresh_from_db()
    return order


def reply_supervision(actor: Actor, order, *, reply: str, at=None) -> SupervisionOrder:
    """The supervised unit answers a supervision order."""
    return do_reply_supervision(check_reply_supervision(actor, order, reply=reply), at=at)
