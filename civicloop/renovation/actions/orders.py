"""Residents' orders (下单) and their review by the community (审单), and taking them (接单)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.core.errors import Invalid, InvalidState

from ..models import Order, Project, Question, WorkItem, WorkType
from ..rules import RULES
from .common import bump, check_photos, decimal_value, now, record, store_photos
from .items import refresh_project_state


def _work_type(value) -> WorkType | None:
    if value in (None, ""):
        return None
    if isinstance(value, WorkType):
        return value
    text = str(value).strip()
    found = WorkType.objects.filter(code=text, is_active=True).first()
    if found is None and text.isdecimal() and len(text) < 19:
        found = WorkType.objects.filter(pk=int(text), is_active=True).first()
    if found is None:
        raise Invalid(_("There is no such item on the menu: %(v)s.") % {"v": text}, "work_type")
    return found


# --- placing -----------------------------------------------------------------------


def check_place_order(resident, project: Project, *, title="", text="", work_type=None,
                      photos=()) -> tuple:  # fmt: skip
    RULES.check("place_order", resident, project)
    kind = _work_type(work_type)
    title = str(title or "").strip() or (kind.name if kind else "")
    text = str(text or "").strip()
    if not title:
        raise Invalid(
            _("Choose an item from the menu or say in a few words what is needed."), "title"
        )
    if len(title) > 100:
        raise Invalid(_("The title is at most 100 characters."), "title")
    if len(text) > 2000:
        raise Invalid(_("The description is at most 2000 characters."), "text")
    return kind, title, text, check_photos(photos)


def place_order(resident, project: Project, **fields) -> Order:
    kind, title, text, images = check_place_order(resident, project, **fields)
    return do_place_order(resident, project, kind, title, text, images)


@transaction.atomic
def do_place_order(resident, project, kind, title, text, images=(), at=None) -> Order:
    at = at or now()
    order = Order.objects.create(compound_id=project.compound_id, household=resident.household,
                                 work_type=kind, title=title, text=text, created_at=at)  # fmt: skip
    store_photos(
        images, compound_id=project.compound_id, kind="order", project=project, order=order
    )
    record(resident, "resident", compound_id=project.compound_id, project_id=project.pk,
           subject="order", subject_id=order.pk, action="place_order", note=title, at=at)  # fmt: skip
    return order


# --- review --------------------------------------------------------------------------


def _project_of(order: Order) -> Project | None:
    return Project.objects.filter(compound_id=order.compound_id).order_by("-id").first()


def check_review(actor, name: str, order: Order) -> str:
    return RULES.check(name, actor, order)


def accept_order(actor, order: Order, *, version=None, note: str = "") -> Order:
    role = check_review(actor, "accept_order", order)
    return do_review(actor, role, order, "accept_order", Order.State.ACCEPTED, version, note=note)


def merge_order(actor, order: Order, into, *, version=None, note: str = "") -> Order:
    role = check_review(actor, "merge_order", order)
    target = (
        into if isinstance(into, Order) else Order.objects.filter(pk=_int(into, "into")).first()
    )
    if target is None or target.compound_id != order.compound_id or target.pk == order.pk:
        raise Invalid(_("Merge into another order of the same compound."), "into")
    if target.state not in (Order.State.SUBMITTED, Order.State.ACCEPTED, Order.State.TAKEN):
        raise Invalid(_("That order was merged or declined itself; choose another."), "into")
    return do_review(actor, role, order, "merge_order", Order.State.MERGED, version,
                     merged_into=target, note=note or target.title)  # fmt: skip


def decline_order(actor, order: Order, *, reason: str, version=None) -> Order:
    role = check_review(actor, "decline_order", order)
    reason = str(reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the order is declined: the resident will read it."), "reason")
    if len(reason) > 1000:
        raise Invalid(_("The reason is at most 1000 characters."), "reason")
    return do_review(actor, role, order, "decline_order", Order.State.DECLINED, version,
                     decline_reason=reason, note=reason)  # fmt: skip


def _int(value, field: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid(_("This is not a valid id: %(v)s.") % {"v": value}, field) from None


@transaction.atomic
def do_review(actor, role, order, action, state, version, *, merged_into=None,
              decline_reason="", note="", at=None) -> Order:  # fmt: skip
    at = at or now()
    bump(Order, order, version, state=state, reviewed_at=at, merged_into=merged_into,
         decline_reason=decline_reason)  # fmt: skip
    project = _project_of(order)
    record(actor, role, compound_id=order.compound_id, project_id=project.pk if project else None,
           subject="order", subject_id=order.pk, action=action, note=note, at=at)  # fmt: skip
    return order


# --- taking (接单) ----------------------------------------------------------------------


def check_take_order(actor, order: Order, *, budget=None, quantity=None, title=""):
    role = RULES.check("take_order", actor, order)
    project = _project_of(order)
    if project is None:
        raise InvalidState(_("This compound has no renovation project to take the order into."))
    rejected = Question.objects.filter(order=order, vote__state="closed", passed=False).exists()
    if rejected:
        raise InvalidState(_("The residents voted against this order; it cannot be taken."))
    title = str(title or "").strip() or order.title
    if len(title) > 100:
        raise Invalid(_("The title is at most 100 characters."), "title")
    return (
        role,
        project,
        title,
        decimal_value(budget, "budget"),
        decimal_value(quantity, "quantity"),
    )


def take_order(actor, order: Order, *, version=None, **fields) -> WorkItem:
    role, project, title, budget, quantity = check_take_order(actor, order, **fields)
    return do_take_order(actor, role, order, project, title, budget, quantity, version)


@transaction.atomic
def do_take_order(actor, role, order, project, title, budget, quantity, version=None,
                  at=None) -> WorkItem:  # fmt: skip
    at = at or now()
    bump(Order, order, version, state=Order.State.TAKEN)
    item = WorkItem.objects.create(project=project, work_type=order.work_type, title=title,
                                   budget=budget, quantity=quantity, source_order=order)  # fmt: skip
    record(actor, role, compound_id=order.compound_id, project_id=project.pk, subject="order",
           subject_id=order.pk, action="take_order", note=title, at=at,
           data={"item": item.pk})  # fmt: skip
    record(actor, role, compound_id=order.compound_id, project_id=project.pk, subject="item",
           subject_id=item.pk, action="add_item", note=title, at=at,
           data={"budget": str(budget), "order": order.pk})  # fmt: skip
    refresh_project_state(project)
    return item
