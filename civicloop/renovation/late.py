"""A renovation work item late against its batch becomes a supervision item.

Renovation sits above supervision, so it registers this itself (``apps.py``):
``hooks.on_item_late`` calls :func:`raise_supervision_item` once per late item,
and the worker runs :func:`late_pass` in every pass (``core.periodic``). The
item goes to the renovation office (the unit of the first active renovation
officer), named on that officer, with ``RENOVATION_LATE_ITEM_DAYS`` working
days to finish; the office then follows it like any other item (colours,
chasing, 红黑榜).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.org.actors import SYSTEM
from civicloop.org.models import Membership, Role
from civicloop.supervision.actions import register_item
from civicloop.supervision.models import SourceKind

from . import hooks

logger = logging.getLogger(__name__)


def _office():
    membership = (
        Membership.objects.filter(role=Role.RENOVATION_OFFICER, is_active=True, person__is_active=True,
                                  unit__is_active=True)
        .select_related("unit", "person").order_by("id").first()
    )  # fmt: skip
    return (membership.unit, membership.person) if membership else (None, None)


def raise_supervision_item(item) -> None:
    unit, person = _office()
    if unit is None:
        logger.warning("late renovation item %s: no renovation officer to assign it to", item.pk)
        return
    project = item.project
    facts = {
        "compound": project.compound.name, "item": item.title, "batch": project.batch.name,
        "deadline": project.batch.deadline.isoformat(), "progress": item.progress,
    }  # fmt: skip
    register_item(
        SYSTEM,
        source=SourceKind.INSTRUCTION,
        source_title=_("Old-compound renovation ledger: batch deadline passed"),
        title=_("%(compound)s: %(item)s late against %(batch)s") % facts,
        requirement=_(
            "%(batch)s was due on %(deadline)s; the work item %(item)s of %(compound)s is at "
            "%(progress)s %% and not finished. Finish it and report the completion with photos."
        )
        % facts,
        lead_unit=unit,
        person=person,
        post=_("renovation officer"),
        responsibility=_("Finish the late renovation work item and report its completion."),
        deadline_days=settings.RENOVATION_LATE_ITEM_DAYS,
    )


def late_pass(now=None, should_stop=None) -> str | None:
    raised = hooks.raise_late_items(timezone.localdate(now) if now is not None else None)
    return _("renovation: %(n)d late items raised") % {"n": raised} if raised else None
