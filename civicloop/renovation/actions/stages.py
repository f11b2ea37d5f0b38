"""一征三议两公开: six stages per project, each started and completed in turn.

征 collect opinions; 三议 the community party organisation proposes, the
four-party joint meeting (community, owners' committee, property company,
design company) discusses, the residents resolve; 两公开 publish the decision,
publish the result. Each stage is completed with its date and minutes; the two
publishing stages also carry the text shown on the compound's public page.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from civicloop.core.errors import Invalid, InvalidState

from ..models import Stage
from ..rules import RULES
from .common import bump, now, record

PUBLISHING = (Stage.Kind.PUBLISH_DECISION, Stage.Kind.PUBLISH_RESULT)


def ensure_stages(project) -> list[Stage]:
    """The six stages of a project (created the first time they are needed)."""
    existing = {s.kind: s for s in Stage.objects.filter(project=project)}
    missing = [Stage(project=project, kind=kind, seq=seq)
               for seq, kind in enumerate(Stage.ORDER, start=1) if kind not in existing]  # fmt: skip
    if missing:
        Stage.objects.bulk_create(missing, ignore_conflicts=True)
    return list(Stage.objects.filter(project=project).order_by("seq"))


def check_open_stage(actor, stage: Stage) -> str:
    role = RULES.check("open_stage", actor, stage)
    previous = Stage.objects.filter(project_id=stage.project_id, seq=stage.seq - 1).first()
    if previous is not None and previous.state != Stage.State.DONE:
        raise InvalidState(
            _("Complete “%(stage)s” first.") % {"stage": previous.get_kind_display()}
        )
    return role


def open_stage(actor, stage: Stage, *, version=None) -> Stage:
    role = check_open_stage(actor, stage)
    return do_open_stage(actor, role, stage, version)


@transaction.atomic
def do_open_stage(actor, role, stage, version=None, at=None) -> Stage:
    bump(Stage, stage, version, state=Stage.State.OPEN)
    record(actor, role, compound_id=stage.project.compound_id, project_id=stage.project_id,
           subject="stage", subject_id=stage.pk, action="open_stage",
           note=stage.get_kind_display(), at=at)  # fmt: skip
    return stage


def check_complete_stage(actor, stage: Stage, *, held_on=None, minutes="", published_text=""):
    role = RULES.check("complete_stage", actor, stage)
    if isinstance(held_on, datetime.date):
        day = held_on
    else:
        try:
            day = parse_date(str(held_on or "").strip())
        except ValueError:
            day = None
        if day is None:
            raise Invalid(_("Give the date it was held (YYYY-MM-DD)."), "held_on")
    if day > timezone.localdate(now()):
        raise Invalid(_("The date cannot be in the future."), "held_on")
    minutes = str(minutes or "").strip()
    if not minutes:
        raise Invalid(_("Write the minutes (who took part, what was said and decided)."), "minutes")
    if len(minutes) > 10000:
        raise Invalid(_("The minutes are at most 10000 characters."), "minutes")
    published_text = str(published_text or "").strip()
    if stage.kind in PUBLISHING and not published_text:
        raise Invalid(_("Write the text to publish on the compound's page."), "published_text")
    if len(published_text) > 10000:
        raise Invalid(_("The published text is at most 10000 characters."), "published_text")
    return role, day, minutes, published_text


def complete_stage(actor, stage: Stage, *, version=None, **fields) -> Stage:
    role, day, minutes, text = check_complete_stage(actor, stage, **fields)
    return do_complete_stage(actor, role, stage, day, minutes, text, version)


@transaction.atomic
def do_complete_stage(actor, role, stage, held_on, minutes, published_text="", version=None,
                      at=None) -> Stage:  # fmt: skip
    bump(Stage, stage, version, state=Stage.State.DONE, held_on=held_on, minutes=minutes,
         published_text=published_text)  # fmt: skip
    record(actor, role, compound_id=stage.project.compound_id, project_id=stage.project_id,
           subject="stage", subject_id=stage.pk, action="complete_stage",
           note=stage.get_kind_display(), data={"held_on": held_on.isoformat()}, at=at)  # fmt: skip
    return stage
