"""Supervision's part of each worker pass: colour sheets, red-sheet escalation, chasing.

Registered in :mod:`civicloop.core.periodic` by ``SupervisionConfig.ready``;
``manage.py worker`` runs it before delivering the outbox. One pass at ``now``:

1. every running item gets its colour (:func:`.colours.colour_for`); a change
   is a compare-and-set with one ``colour`` history row by the system;
2. an item turning **red** is a red sheet: ``red_count`` + 1, a message to the
   lead unit's channels naming its unit leaders, and one to the office's group
   chat (the channels of ``SupervisionSettings.office``);
3. a red item not chased for ``chase_every_days`` working days gets a chasing
   notice (催办) — another red sheet — through :func:`.actions.items.do_chase`;
4. campaign rows get their colours; rows newly red are summed up in one
   message to the campaign's special work group.

Messages carry dedupe keys (item, step, day) so none is queued twice, and
every item is changed in its own transaction, so several workers may run.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.errors import Conflict
from civicloop.notify.services import queue_for_channels, queue_for_unit
from civicloop.org.actors import SYSTEM
from civicloop.org.models import Membership, Role
from civicloop.worktime.services import is_workday

from .actions.common import link, today_at, working_days_between, write
from .actions.items import do_chase
from .colours import colour_for
from .models import (
    RUNNING_STATES,
    Campaign,
    CampaignRow,
    Colour,
    Item,
    ItemEvent,
    SupervisionSettings,
)

logger = logging.getLogger("civicloop.worker")
ROLE = "system"


@dataclass
class SupervisionReport:
    coloured: int = 0
    red: int = 0
    chased: int = 0
    rows: int = 0
    conflicts: int = 0

    def __str__(self) -> str:
        return (
            _(
                "supervision: %(coloured)d colour changes, %(red)d red sheets, %(chased)d chased, "
                "%(rows)d ledger rows recoloured, %(conflicts)d conflicts"
            )
            % self.__dict__
        )


def unit_leaders(unit_id: int) -> list[str]:
    names = (
        Membership.objects.filter(unit_id=unit_id, role=Role.UNIT_LEADER, is_active=True,
                                  person__is_active=True)
        .order_by("person__name").values_list("person__name", flat=True)
    )  # fmt: skip
    return list(dict.fromkeys(names))


def red_sheet(item: Item, config: SupervisionSettings, now) -> int:
    """Queue the red sheet of ``item``: its lead unit (naming the leaders) and the office."""
    day = today_at(now).isoformat()
    leaders = "、".join(unit_leaders(item.lead_unit_id)) or _("(no unit leader recorded)")
    subject = _("Red sheet: %(number)s is overdue") % {"number": item.number}
    body = _(
        "%(title)s\nLead unit: %(unit)s; unit leaders: %(leaders)s\n"
        "Responsible: %(person)s (%(post)s)\nDeadline: %(deadline)s"
    ) % {"title": item.title, "unit": item.lead_unit, "leaders": leaders, "person": item.person,
         "post": item.post, "deadline": item.deadline}  # fmt: skip
    queued = queue_for_unit(item.lead_unit_id, subject, body, link=link(item),
                            topic=f"item:{item.pk}", dedupe_key=f"item:{item.pk}:red:{day}")  # fmt: skip
    if config.office_id and config.office_id != item.lead_unit_id:
        queued += queue_for_unit(config.office_id, subject, body, link=link(item),
                                 topic=f"item:{item.pk}", dedupe_key=f"item:{item.pk}:red:{day}")  # fmt: skip
    return queued


def _recolour(pk: int, now, today, config, report: SupervisionReport) -> None:
    with transaction.atomic():
        item = Item.objects.select_related("lead_unit", "person").filter(pk=pk).first()
        if item is None or item.state not in RUNNING_STATES:
            return
        colour = colour_for(item, today, config.blue_days)
        if colour != item.colour:
            fields = {"colour": colour}
            if colour == Colour.RED:
                fields.update(red_count=item.red_count + 1, last_chased_on=today)
            write(item, SYSTEM, ROLE, ItemEvent.Action.COLOUR, now, fields=fields,
                  data={"from": item.colour, "to": colour}, unit_id=item.lead_unit_id)  # fmt: skip
            report.coloured += 1
            if colour == Colour.RED:
                report.red += 1
                red_sheet(item, config, now)
        elif (
            colour == Colour.RED
            and config.chase_every_days
            and (item.last_chased_on is None
                 or working_days_between(item.last_chased_on, today) >= config.chase_every_days)
        ):  # fmt: skip
            note = _("Still overdue since %(deadline)s: report progress today.") % {
                "deadline": item.deadline
            }
            do_chase(SYSTEM, ROLE, item, {"note": note}, now, red_sheet=True)
            report.chased += 1
            if item.red_count == config.interview_after_reds and config.office_id:
                queue_for_unit(
                    config.office_id,
                    _("%(number)s had %(n)d red sheets: an interview (约谈) may be ordered")
                    % {"number": item.number, "n": item.red_count},
                    item.title, link=link(item), topic=f"item:{item.pk}",
                    dedupe_key=f"item:{item.pk}:interview:{item.red_count}",
                )  # fmt: skip


def recolour_rows(today: datetime.date, config: SupervisionSettings, now) -> int:
    """Colour every campaign row by SQL updates; tell each campaign's group of new reds."""
    changed = 0
    open_rows = CampaignRow.objects.filter(done=False)
    blue_until = today
    counted = 0
    while counted < config.blue_days:
        blue_until += datetime.timedelta(days=1)
        if is_workday(blue_until)[0]:
            counted += 1
    newly_red = (
        open_rows.filter(deadline__lt=today).exclude(colour=Colour.RED)
        .values("campaign").annotate(n=Count("id"))
    )  # fmt: skip
    for entry in newly_red:
        campaign = Campaign.objects.select_related("channel").get(pk=entry["campaign"])
        if campaign.channel_id:
            queue_for_channels(
                [campaign.channel],
                _("%(campaign)s: %(n)d rows overdue") % {"campaign": campaign.name, "n": entry["n"]},
                _("Deadline passed for %(n)d rows; see the ledger.") % {"n": entry["n"]},
                link=f"/console/supervision/campaigns/{campaign.pk}/",
                topic=f"campaign:{campaign.pk}",
                dedupe_key=f"campaign:{campaign.pk}:red:{today.isoformat()}",
            )  # fmt: skip
    changed += (
        open_rows.filter(deadline__lt=today).exclude(colour=Colour.RED).update(colour=Colour.RED)
    )
    changed += open_rows.filter(deadline__gte=today, deadline__lte=blue_until).exclude(
        colour=Colour.BLUE).update(colour=Colour.BLUE)  # fmt: skip
    changed += CampaignRow.objects.filter(Q(done=True) | Q(deadline__gt=blue_until)).exclude(
        colour=Colour.GREEN).update(colour=Colour.GREEN)  # fmt: skip
    return changed


def run_pass(now: datetime.datetime | None = None, should_stop=None) -> SupervisionReport:
    """One supervision pass at ``now`` (call it outside a transaction)."""
    now = now or timezone.now()
    today = today_at(now)
    config = SupervisionSettings.get()
    report = SupervisionReport()
    pks = list(
        Item.objects.filter(state__in=RUNNING_STATES).order_by("pk").values_list("pk", flat=True)
    )
    for pk in pks:
        if should_stop is not None and should_stop():
            return report
        try:
            _recolour(pk, now, today, config, report)
        except Conflict:
            report.conflicts += 1
    report.rows = recolour_rows(today, config, now)
    return report
