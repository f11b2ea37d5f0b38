"""On-site inspections (现场督查): a leader records problems; each becomes a case or an item.

A problem has a photo, a point, a text, the unit named on the spot and a
deadline. The leader chooses what it becomes:

* ``case`` — a case in the loop (source ``supervision``), accepted, filed and
  dispatched straight to that unit through the public actions of
  :mod:`civicloop.cases.actions` (``report_case`` → ``accept_case`` →
  ``file_case`` → ``dispatch``). They run under an actor with the
  administrator's rights named after the leader (``intake_actor``), and the
  dispatch is the trusted ``do_dispatch`` with the deadline set on the spot
  (the end of that day's working time), which replaces the filing standard's
  limit: the unit's clock, lights and escalation run to the leader's deadline.
* ``item`` — a supervised item (source ``inspection``) registered by the
  leader and assigned to that unit at once (the unit was named on the spot).

Everything is checked before anything is written, and written in one
transaction: a bad problem (unknown unit, a deadline before the day, a point
outside the district) leaves no inspection, no case and no item behind.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.core.errors import Invalid
from civicloop.org.actors import Actor
from civicloop.org.models import Membership, Role

from ..models import Inspection, InspectionProblem
from ..rules import TABLE
from .common import check_uploads, date_value, now_or, person_value, text, today_at, unit_value
from .items import check_register, do_assign, do_register

MAX_PROBLEMS = 50


def intake_actor(actor) -> Actor:
    """An actor with the rights to take a case in and dispatch it, named after ``actor``."""
    return Actor(user=actor.user, is_system=True,
                 display_name=_("%(name)s (on-site inspection)") % {"name": actor.name})  # fmt: skip


def _default_person(unit):
    membership = (
        Membership.objects.filter(unit=unit, is_active=True, person__is_active=True)
        .order_by("id").select_related("person")
    )  # fmt: skip
    leader = membership.filter(role=Role.UNIT_LEADER).first() or membership.first()
    if leader is None:
        raise Invalid(_("%(unit)s has nobody to name responsible.") % {"unit": unit}, "person")
    return leader.person


def check_record_inspection(actor, *, title, on=None, road=None, note="", problems=(), now=None):
    role = TABLE.role_for("register", actor)
    day = date_value(on, "on") or today_at(now)
    problems = list(problems or ())
    if not problems:
        raise Invalid(_("Record at least one problem."), "problems")
    if len(problems) > MAX_PROBLEMS:
        raise Invalid(_("At most %(n)d problems per inspection.") % {"n": MAX_PROBLEMS}, "problems")
    cleaned = []
    for index, problem in enumerate(problems, start=1):
        where = f"problems[{index}]"
        try:
            unit = unit_value(problem.get("unit"), "unit")
            deadline = date_value(problem.get("deadline"), "deadline", required=True)
            if deadline < day:
                raise Invalid(_("The deadline %(deadline)s is before the inspection day %(day)s.")
                              % {"deadline": deadline, "day": day}, "deadline")  # fmt: skip
            outcome = problem.get("outcome") or InspectionProblem.Outcome.CASE
            if outcome not in InspectionProblem.Outcome.values:
                raise Invalid(_("A problem becomes a case or an item."), "outcome")
            try:
                lon, lat = float(problem.get("lon")), float(problem.get("lat"))
            except (TypeError, ValueError):
                raise Invalid(_("Give the point (longitude and latitude)."), "lon") from None
            photos, _files = check_uploads([problem["photo"]] if problem.get("photo") else ())
            entry = {"seq": index, "text": text(problem.get("text"), "text", required=True),
                     "lon": lon, "lat": lat, "unit": unit, "deadline": deadline,
                     "outcome": outcome, "photo": photos[0] if photos else None,
                     "category": problem.get("category") or ""}  # fmt: skip
            if outcome == InspectionProblem.Outcome.CASE and not entry["category"]:
                raise Invalid(_("Choose the category of the case."), "category")
            if outcome == InspectionProblem.Outcome.ITEM:
                person = (person_value(problem["person"], "person", unit) if problem.get("person")
                          else _default_person(unit))  # fmt: skip
                _role, entry["register"] = check_register(
                    actor, now=now, title=entry["text"][:200], requirement=entry["text"],
                    source="inspection", source_title=title, source_date=day, lead_unit=unit,
                    person=person, post=problem.get("post") or _("unit leader"),
                    responsibility=problem.get("responsibility")
                    or _("Rectify the problem found on the inspection by the deadline."),
                    start=day, deadline=deadline,
                )  # fmt: skip
            cleaned.append(entry)
        except Invalid as error:
            raise Invalid(_("Problem %(n)d: %(error)s") % {"n": index, "error": error.message},
                          f"{where}.{error.field}") from None  # fmt: skip
    return role, {"title": text(title, "title", required=True, limit=200), "on": day,
                  "road": road, "note": text(note, "note"), "problems": cleaned}  # fmt: skip


def do_record_inspection(actor, role, cleaned, now) -> Inspection:
    from civicloop.cases import actions as loop

    leader = actor.user.person if actor.user_id and hasattr(actor.user, "person") else None
    if leader is None:
        raise Invalid(_("Only a person with a login records an inspection."), "leader")
    inspection = Inspection.objects.create(title=cleaned["title"], on=cleaned["on"],
                                           road=cleaned["road"], note=cleaned["note"],
                                           leader=leader, created_at=now)  # fmt: skip
    intake = intake_actor(actor)
    for entry in cleaned["problems"]:
        problem = InspectionProblem(inspection=inspection, seq=entry["seq"], text=entry["text"],
                                    lon=entry["lon"], lat=entry["lat"], unit=entry["unit"],
                                    deadline=entry["deadline"], outcome=entry["outcome"])  # fmt: skip
        photo = entry["photo"]
        if photo is not None:
            problem.photo.save(f"{entry['seq']}-{photo.sha256[:12]}.{photo.extension}",
                               ContentFile(photo.data), save=False)  # fmt: skip
        try:
            if entry["outcome"] == InspectionProblem.Outcome.CASE:
                case = loop.report_case(
                    intake, source="supervision", category=entry["category"], lon=entry["lon"],
                    lat=entry["lat"], description=entry["text"], photos=[photo] if photo else (),
                    at=now,
                )  # fmt: skip
                if case.state == "reported":
                    case = loop.accept_case(intake, case, at=now)
                if case.state == "pending_filing":
                    case = loop.file_case(intake, case, note=cleaned["title"], at=now)
                if case.state == "pending_dispatch":
                    named = _("Named on the spot; deadline %(d)s.") % {"d": entry["deadline"]}
                    case = loop.do_dispatch(
                        loop.check_dispatch(
                            intake, case, unit=entry["unit"], reason=named, note=named
                        ),
                        at=now,
                        deadline=entry["deadline"],
                    )
                problem.case = case
            else:
                item = do_register(actor, role, entry["register"], now)
                assign = {"lead_unit": item.lead_unit, "person": item.person, "post": item.post,
                          "responsibility": item.responsibility, "note": cleaned["title"]}  # fmt: skip
                do_assign(intake, "system", item, assign, now)
                problem.item = item
        except Invalid as error:
            raise Invalid(_("Problem %(n)d: %(error)s") % {"n": entry["seq"], "error": error.message},
                          f"problems[{entry['seq']}].{error.field}") from None  # fmt: skip
        problem.save()
    return inspection


def record_inspection(actor, *, at=None, **data) -> Inspection:
    """Record an inspection with its problems; each becomes a dispatched case or an item."""
    now = now_or(at)
    role, cleaned = check_record_inspection(actor, now=now, **data)
    with transaction.atomic():
        return do_record_inspection(actor, role, cleaned, now)
