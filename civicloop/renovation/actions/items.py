"""Work items: add and update (the office), adopt and deliver (做单), rate (评单)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg
from django.utils.translation import gettext as _

from civicloop.core.errors import Conflict, Forbidden, Invalid
from civicloop.notify.services import queue_for_unit
from civicloop.org.models import Person, Role, Unit

from ..models import Adoption, Event, Photo, Project, Rating, WorkItem, WorkType
from ..rules import RULES
from .common import bump, check_photos, decimal_value, now, progress_value, record, store_photos

I = WorkItem.State  # noqa: E741


def refresh_project_state(project: Project) -> None:
    """Planning until work starts, under construction, completed when every item is done."""
    items = WorkItem.objects.filter(project=project)
    total = items.count()
    if total and not items.exclude(state=I.DONE).exists():
        state = Project.State.COMPLETED
    elif items.filter(progress__gt=0).exists() or items.exclude(state=I.PLANNED).exists():
        state = Project.State.UNDERWAY
    else:
        state = Project.State.PLANNING
    if state != project.state:
        Project.objects.filter(pk=project.pk).update(state=state, version=project.version + 1)
        project.state, project.version = state, project.version + 1


def _item_event(actor, role, item, action, note="", data=None, at=None) -> Event:
    return record(actor, role, compound_id=item.project.compound_id, project_id=item.project_id,
                  subject="item", subject_id=item.pk, action=action, note=note, data=data,
                  at=at)  # fmt: skip


# --- add and update (the renovation office) ------------------------------------------


def check_add_item(actor, project, *, title="", work_type=None, quantity=None, budget=None,
                   progress=0):  # fmt: skip
    role = RULES.check("add_item", actor, project)
    kind = None
    if work_type not in (None, ""):
        kind = work_type if isinstance(work_type, WorkType) else WorkType.objects.filter(
            code=str(work_type).strip()).first()  # fmt: skip
        if kind is None:
            raise Invalid(_("There is no such item on the menu: %(v)s.") % {"v": work_type},
                          "work_type")  # fmt: skip
    title = str(title or "").strip() or (kind.name if kind else "")
    if not title or len(title) > 100:
        raise Invalid(_("Give the item a title of at most 100 characters."), "title")
    return (role, kind, title, decimal_value(quantity, "quantity"), decimal_value(budget, "budget"),
            progress_value(progress or 0))  # fmt: skip


def add_item(actor, project, **fields) -> WorkItem:
    role, kind, title, quantity, budget, progress = check_add_item(actor, project, **fields)
    return do_add_item(actor, role, project, kind, title, quantity, budget, progress)


@transaction.atomic
def do_add_item(actor, role, project, kind, title, quantity, budget, progress=0,
                at=None) -> WorkItem:  # fmt: skip
    item = WorkItem.objects.create(project=project, work_type=kind, title=title,
                                   quantity=quantity, budget=budget, progress=progress,
                                   state=I.UNDERWAY if progress else I.PLANNED)  # fmt: skip
    _item_event(actor, role, item, "add_item", title, {"budget": str(budget)}, at=at)
    refresh_project_state(project)
    return item


def check_update_item(actor, item, *, progress=None, budget=None, quantity=None) -> tuple:
    role = RULES.check("update_item", actor, item)
    changes = {}
    if progress not in (None, ""):
        changes["progress"] = progress_value(progress)
    if budget not in (None, ""):
        changes["budget"] = decimal_value(budget, "budget")
    if quantity not in (None, ""):
        changes["quantity"] = decimal_value(quantity, "quantity")
    if not changes:
        raise Invalid(_("Nothing to change: give progress, budget or quantity."), "progress")
    return role, changes


def update_item(actor, item, *, version=None, **fields) -> WorkItem:
    role, changes = check_update_item(actor, item, **fields)
    return do_update_item(actor, role, item, changes, version)


@transaction.atomic
def do_update_item(actor, role, item, changes, version=None) -> WorkItem:
    if changes.get("progress") and item.state == I.PLANNED:
        changes["state"] = I.UNDERWAY
    bump(WorkItem, item, version, **changes)
    _item_event(actor, role, item, "update_item",
                data={k: str(v) for k, v in changes.items()})  # fmt: skip
    refresh_project_state(item.project)
    return item


# --- adopt (认领) ----------------------------------------------------------------------


def check_adopt_item(actor, item, *, unit=None, kind="", money=None, labour="", design="",
                     person=None):  # fmt: skip
    role = RULES.check("adopt_item", actor, item)
    own = actor.unit_ids(Role.ADOPTER)
    if unit in (None, ""):
        if len(own) != 1 and role != Role.ADMINISTRATOR:
            raise Invalid(_("Say which of your units adopts the item."), "unit")
        unit_id = next(iter(own), None)
    else:
        unit_id = unit.pk if isinstance(unit, Unit) else _int(unit, "unit")
    if unit_id is None or (role != Role.ADMINISTRATOR and unit_id not in own):
        raise Forbidden(_("You can adopt only in the name of your own unit."), "unit")
    unit_obj = Unit.objects.filter(pk=unit_id, is_active=True).first()
    if unit_obj is None:
        raise Invalid(_("There is no such unit."), "unit")
    if kind not in Adoption.Kind.values:
        raise Invalid(_("Say what kind of adopter this is."), "kind")
    money = decimal_value(money, "money")
    labour, design = str(labour or "").strip()[:200], str(design or "").strip()[:200]
    if not money and not labour and not design:
        raise Invalid(_("Say what you commit: money, labour or design."), "money")
    if person is None and getattr(actor, "user", None) is not None:
        person = Person.objects.filter(user=actor.user).first()
    return role, unit_obj, kind, money, labour, design, person


def _int(value, field):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid(_("This is not a valid id: %(v)s.") % {"v": value}, field) from None


def adopt_item(actor, item, *, version=None, **fields) -> Adoption:
    role, unit, kind, money, labour, design, person = check_adopt_item(actor, item, **fields)
    return do_adopt_item(actor, role, item, unit, kind, money, labour, design, person, version)


@transaction.atomic
def do_adopt_item(actor, role, item, unit, kind, money=Decimal(0), labour="", design="",
                  person=None, version=None, at=None) -> Adoption:  # fmt: skip
    at = at or now()
    bump(WorkItem, item, version, state=I.UNDERWAY)
    try:
        with transaction.atomic():
            adoption = Adoption.objects.create(item=item, unit=unit, person=person, kind=kind,
                                               money=money, labour=labour, design=design,
                                               adopted_at=at)  # fmt: skip
    except IntegrityError:
        raise Conflict(_("Someone adopted this item first.")) from None
    item.adoption = adoption
    _item_event(actor, role, item, "adopt_item", unit.name,
                {"unit": unit.pk, "kind": kind, "money": str(money)}, at=at)  # fmt: skip
    refresh_project_state(item.project)
    return adoption


# --- deliver (做单) ---------------------------------------------------------------------


def check_deliver_item(actor, item, *, photos=(), note=""):
    role = RULES.check("deliver_item", actor, item)
    note = str(note or "").strip()
    if len(note) > 1000:
        raise Invalid(_("The note is at most 1000 characters."), "note")
    return role, check_photos(photos, required=True), note


def deliver_item(actor, item, *, version=None, **fields) -> WorkItem:
    role, images, note = check_deliver_item(actor, item, **fields)
    return do_deliver_item(actor, role, item, images, note, version)


def delivery_round(item) -> int:
    return Event.objects.filter(subject="item", subject_id=item.pk, action="deliver_item").count()


@transaction.atomic
def do_deliver_item(actor, role, item, images, note="", version=None, at=None) -> WorkItem:
    at = at or now()
    bump(WorkItem, item, version, state=I.DELIVERED, progress=100)
    store_photos(images, compound_id=item.project.compound_id, kind="delivery",
                 project=item.project, item=item)  # fmt: skip
    _item_event(actor, role, item, "deliver_item", note, {"round": delivery_round(item) + 1}, at=at)
    refresh_project_state(item.project)
    return item


# --- rate (评单) ------------------------------------------------------------------------


def check_rate_item(resident, item, *, stars=None, comment=""):
    RULES.check("rate_item", resident, item)
    try:
        stars = int(str(stars).strip())
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise Invalid(_("Rate with 1 to 5 stars."), "stars")
    comment = str(comment or "").strip()
    if len(comment) > 300:
        raise Invalid(_("The comment is at most 300 characters."), "comment")
    return stars, comment


def rate_item(resident, item, **fields) -> Rating:
    stars, comment = check_rate_item(resident, item, **fields)
    return do_rate_item(resident, item, stars, comment)


@transaction.atomic
def do_rate_item(resident, item, stars, comment="", at=None) -> Rating:
    """One rating per household and delivery round; a low mean sends the item back."""
    at = at or now()
    item = WorkItem.objects.select_for_update().select_related("project").get(pk=item.pk)
    if item.state not in (I.DELIVERED, I.DONE):
        raise Conflict(_("This item was rated back to its adopter a moment ago."))
    rnd = max(delivery_round(item), 1)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(item=item, household=resident.household, round=rnd,
                                           stars=stars, comment=comment, rated_at=at)  # fmt: skip
    except IntegrityError:
        raise Conflict(_("Your household has already rated this delivery.")) from None
    mean = Rating.objects.filter(item=item, round=rnd).aggregate(m=Avg("stars"))["m"]
    returned = mean <= settings.RENOVATION_LOW_RATING
    # The mean of this delivery round decides, after every rating: low sends it back.
    state = I.RETURNED if returned else I.DONE
    changes = {"state": state, **({"progress": 90} if returned else {})}
    WorkItem.objects.filter(pk=item.pk).update(version=item.version + 1, **changes)
    item.version += 1
    for k, v in changes.items():
        setattr(item, k, v)
    _item_event(resident, "resident", item, "rate_item", comment,
                {"stars": stars, "round": rnd, "returned": returned}, at=at)  # fmt: skip
    if returned:
        adoption = Adoption.objects.filter(item=item).first()
        if adoption is not None:
            queue_for_unit(adoption.unit_id, _("Residents sent a renovation item back"),
                           _("%(item)s (%(compound)s) was rated %(mean).1f stars; please redo it.")
                           % {"item": item.title, "compound": item.project.compound.name,
                              "mean": mean}, topic="renovation")  # fmt: skip
    refresh_project_state(item.project)
    return rating


# --- photos of a project (before / after) -------------------------------------------------


def add_project_photos(actor, project, *, kind: str, photos) -> list[Photo]:
    role = RULES.check("add_item", actor, project, state=False)
    if kind not in (Photo.Kind.BEFORE, Photo.Kind.AFTER):
        raise Invalid(_("A project photo is a photo before or after."), "kind")
    images = check_photos(photos, required=True)
    with transaction.atomic():
        stored = store_photos(images, compound_id=project.compound_id, kind=kind, project=project)
        record(actor, role, compound_id=project.compound_id, project_id=project.pk,
               subject="project", subject_id=project.pk, action="add_photos",
               data={"kind": kind, "n": len(stored)})  # fmt: skip
    return stored
