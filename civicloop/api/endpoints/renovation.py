"""Renovation (老旧小区改造) under /api/renovation/: the ledger, orders, and the actions.

Lists have the shape of ``/api/cases``. The programme ledger, compound plans,
orders and published results are public information (the portal shows them
too), so every signed-in user may read them; each action is checked against
the renovation rule table, and each item says which ``actions`` its user may
take. Residents act with their household code (``code``), without a token.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile

from civicloop.geo.models import Region
from civicloop.renovation import actions, progress, queries
from civicloop.renovation.actions import votes as vote_actions
from civicloop.renovation.models import Order, Project, Stage, Vote, WorkItem
from civicloop.renovation.rules import RULES

from ..auth import actor
from ..errors import not_found
from ..schemas import ERRORS, Id, In, Page, PageIn, Version, amount, text
from .common import paginate

router = Router(tags=["renovation"])
PREFIX = "/renovation"
DELIVERY_PHOTOS = File(None, description="Photos of the delivered work (at least one).")
ORDER_PHOTOS = File(None, description="Up to 9 photos.")


# --- schemas -------------------------------------------------------------------------


class BatchOut(Schema):
    id: int
    seq: int
    name: str
    starts_on: datetime.date
    deadline: datetime.date
    compounds: int
    progress: float
    light: str


class ProgrammeOut(Schema):
    id: int
    code: str
    name: str
    compounds: int
    progress: float
    batches: list[BatchOut]


class ProgrammePageOut(Page):
    items: list[ProgrammeOut]


class CompoundOut(Schema):
    id: int = F(..., description="The compound's id (geo).")
    code: str
    name: str
    street: str
    community: str
    project: int
    batch: int
    deadline: datetime.date
    project_class: str
    level: str
    approach: str
    bid_section: str
    contractor: str
    state: str
    progress: float
    light: str
    is_synthetic: bool
    public_url: str


class CompoundPageOut(Page):
    items: list[CompoundOut]


class OrderOut(Schema):
    id: int
    title: str
    text: str
    work_type: str | None
    state: str
    created_at: datetime.datetime
    decline_reason: str
    merged_into: int | None
    votes_for: int
    votes_against: int
    adopted_by: str
    version: int
    actions: list[str]


class OrderPageOut(Page):
    items: list[OrderOut]


class CompoundFilters(In):
    q: str | None = F(None, max_length=100, description="Name, code, community or bid section.")
    street: str | None = F(None, description="Street id or code.")
    batch: Id | None = None
    project_class: str | None = F(None, description="quality or improvement")


class Done(Schema):
    id: int
    state: str
    version: int


class VersionIn(In):
    version: Version | None = None


class OrderMergeIn(VersionIn):
    into: Id


Amount = amount(0, 9_999_999_999)
Progress = Annotated[int, F(ge=0, le=100)]
#: 12 letters and digits; dashes, spaces or other separators between them are ignored.
HouseholdCode = Annotated[
    str,
    F(
        pattern=r"^[^A-Za-z0-9\x00]*(?:[A-Za-z0-9][^A-Za-z0-9\x00]*){12}$",
        description="The household code printed on the community's slip (ABCD-EFGH-JKLM).",
    ),
]


class DeclineIn(VersionIn):
    reason: text(1000, required=True)


class TakeIn(VersionIn):
    budget: Amount = F(Decimal(0), description="10k yuan, not below zero")
    quantity: Amount = Decimal(0)
    title: str = F("", max_length=100)


class ItemIn(In):
    title: str = F("", max_length=100)
    work_type: str = F("", description="Menu code, e.g. R04")
    quantity: Amount = Decimal(0)
    budget: Amount = Decimal(0)
    progress: Progress = 0


class ItemUpdateIn(VersionIn):
    progress: Progress | None = F(None, description="0 to 100")
    budget: Amount | None = F(None, description="10k yuan, not below zero")
    quantity: Amount | None = None


class AdoptIn(VersionIn):
    kind: Literal["public", "civilized", "company", "deputy"]
    unit: Id | None = None
    money: Amount = Decimal(0)
    labour: str = F("", max_length=200)
    design: str = F("", max_length=200)


class DeliverIn(VersionIn):
    note: str = F("", max_length=1000)


class StageIn(VersionIn):
    held_on: str = ""
    minutes: str = ""
    published_text: str = ""


class VoteIn(In):
    title: str = F(..., max_length=100)
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    orders: list[Id] = []
    questions: list[str] = []


class OrderIn(In):
    code: HouseholdCode
    title: str = F("", max_length=100)
    text: str = F("", max_length=2000)
    work_type: str = ""


class BallotIn(In):
    code: HouseholdCode
    answers: dict[str, str] = F(..., description="{question id: for | against | abstain}")


class RatingIn(In):
    code: HouseholdCode
    stars: Annotated[int, F(ge=1, le=5)]
    comment: str = F("", max_length=300)


# --- reads ----------------------------------------------------------------------------


@router.get(f"{PREFIX}/programmes", response={200: ProgrammePageOut, **ERRORS})
def list_programmes(request, paging: Query[PageIn]):
    """Programmes with their compound count and their batches (deadline, compounds, progress, light)."""
    result = paginate(queries.programmes(), paging.page, paging.page_size)
    by_batch = progress.rollup("project__batch")
    by_programme = progress.rollup("project__programme")
    result["items"] = [
        {"id": p.pk, "code": p.code, "name": p.name, "compounds": p.compounds,
         "progress": by_programme.get(p.pk, {}).get("progress", 0.0),
         "batches": [_batch_out(b, by_batch) for b in p.batches.all()]}
        for p in result["items"]
    ]  # fmt: skip
    return result


def _batch_out(batch, by_batch) -> dict:
    value = by_batch.get(batch.pk, {}).get("progress", 0.0)
    return {"id": batch.pk, "seq": batch.seq, "name": batch.name, "starts_on": batch.starts_on,
            "deadline": batch.deadline, "compounds": batch.compounds, "progress": value,
            "light": progress.light(value, batch)}  # fmt: skip


def _street(value: str | None):
    if not value:
        return None
    value = value.strip()
    found = Region.objects.filter(level=Region.Level.STREET, code=value).first()
    if found is None and value.isdecimal() and len(value) < 19:
        found = Region.objects.filter(level=Region.Level.STREET, pk=int(value)).first()
    if found is None:
        raise not_found(_("There is no such street."))
    return found


@router.get(f"{PREFIX}/compounds", response={200: CompoundPageOut, **ERRORS})
def list_compounds(request, filters: Query[CompoundFilters], paging: Query[PageIn]):
    """Compounds under renovation (one row per compound project), with progress and light."""
    projects = queries.ledger(q=(filters.q or "").strip(), street=_street(filters.street),
                              batch=filters.batch, project_class=filters.project_class or "")  # fmt: skip
    result = paginate(projects, paging.page, paging.page_size)
    result["items"] = [compound_out(p) for p in result["items"]]
    return result


def compound_out(project: Project) -> dict:
    compound = project.compound
    value = progress.value(project)
    return {
        "id": compound.pk, "code": compound.code, "name": compound.name,
        "street": compound.community.parent.name if compound.community.parent else "",
        "community": compound.community.name, "project": project.pk, "batch": project.batch_id,
        "deadline": project.batch.deadline, "project_class": project.project_class,
        "level": project.level, "approach": project.approach, "bid_section": project.bid_section,
        "contractor": project.contractor, "state": project.state, "progress": value,
        "light": progress.light(value, project.batch), "is_synthetic": compound.is_synthetic,
        "public_url": reverse("portal:renovation_compound", args=[compound.pk]),
    }  # fmt: skip


def _project(compound_id: Id) -> Project:
    project = queries.project_for(compound_id)
    if project is None:
        raise not_found(_("This compound is not under renovation."))
    return project


@router.get(f"{PREFIX}/compounds/{{compound_id}}", response={200: CompoundOut, **ERRORS})
def compound_detail(request, compound_id: Id):
    return compound_out(_project(compound_id))


@router.get(f"{PREFIX}/compounds/{{compound_id}}/orders", response={200: OrderPageOut, **ERRORS})
def list_orders(request, compound_id: Id, paging: Query[PageIn], state: str | None = None):
    """The compound's residents' orders, with published vote counts and the adopter of their item."""
    _project(compound_id)
    orders = queries.orders(compound_id)
    if state:
        orders = orders.filter(state=state)
    result = paginate(orders, paging.page, paging.page_size)
    who = actor(request)
    result["items"] = [order_out(o, who) for o in result["items"]]
    return result


def order_out(order: Order, who=None) -> dict:
    offered = [n for n in ("accept_order", "merge_order", "decline_order", "take_order")
               if who is not None and RULES.allows(n, who, order)]  # fmt: skip
    return {
        "id": order.pk, "title": order.title, "text": order.text,
        "work_type": order.work_type.code if order.work_type else None, "state": order.state,
        "created_at": order.created_at, "decline_reason": order.decline_reason,
        "merged_into": order.merged_into_id, "votes_for": order.votes_for_sum or 0,
        "votes_against": order.votes_against_sum or 0, "adopted_by": queries.adopted_by(order),
        "version": order.version, "actions": offered,
    }  # fmt: skip


# --- staff actions ------------------------------------------------------------------------


def _order(order_id: Id) -> Order:
    return get_object_or_404(Order.objects.select_related("compound__community"), pk=order_id)


def _item(item_id: Id) -> WorkItem:
    return get_object_or_404(
        WorkItem.objects.select_related("project__compound__community"), pk=item_id
    )


def _done(obj) -> dict:
    return {"id": obj.pk, "state": obj.state, "version": obj.version}


@router.post(f"{PREFIX}/orders/{{order_id}}/accept", response={200: Done, **ERRORS})
def accept(request, order_id: Id, payload: VersionIn):
    return _done(actions.accept_order(actor(request), _order(order_id), version=payload.version))


@router.post(f"{PREFIX}/orders/{{order_id}}/merge", response={200: Done, **ERRORS})
def merge(request, order_id: Id, payload: OrderMergeIn):
    return _done(actions.merge_order(actor(request), _order(order_id), payload.into,
                                     version=payload.version))  # fmt: skip


@router.post(f"{PREFIX}/orders/{{order_id}}/decline", response={200: Done, **ERRORS})
def decline(request, order_id: Id, payload: DeclineIn):
    return _done(actions.decline_order(actor(request), _order(order_id), reason=payload.reason,
                                       version=payload.version))  # fmt: skip


@router.post(f"{PREFIX}/orders/{{order_id}}/take", response={201: Done, **ERRORS})
def take(request, order_id: Id, payload: TakeIn):
    """接单: the renovation office turns an accepted order into a work item (returned)."""
    item = actions.take_order(actor(request), _order(order_id), version=payload.version,
                              budget=payload.budget, quantity=payload.quantity,
                              title=payload.title)  # fmt: skip
    return Status(201, _done(item))


@router.post(f"{PREFIX}/compounds/{{compound_id}}/items", response={201: Done, **ERRORS})
def add_item(request, compound_id: Id, payload: ItemIn):
    item = actions.add_item(actor(request), _project(compound_id), **payload.dict())
    return Status(201, _done(item))


@router.post(f"{PREFIX}/items/{{item_id}}/progress", response={200: Done, **ERRORS})
def update_item(request, item_id: Id, payload: ItemUpdateIn):
    data = payload.dict()
    return _done(actions.update_item(actor(request), _item(item_id), **data))


@router.post(f"{PREFIX}/items/{{item_id}}/adopt", response={200: Done, **ERRORS})
def adopt(request, item_id: Id, payload: AdoptIn):
    item = _item(item_id)
    actions.adopt_item(actor(request), item, **payload.dict())
    return _done(item)


@router.post(f"{PREFIX}/items/{{item_id}}/deliver", response={200: Done, **ERRORS})
def deliver(request, item_id: Id, payload: Form[DeliverIn],
            photos: list[UploadedFile] = DELIVERY_PHOTOS):  # fmt: skip
    item = actions.deliver_item(actor(request), _item(item_id), photos=photos or (),
                                note=payload.note, version=payload.version)  # fmt: skip
    return _done(item)


def _stage(stage_id: Id) -> Stage:
    return get_object_or_404(Stage.objects.select_related("project__compound__community"),
                             pk=stage_id)  # fmt: skip


@router.post(f"{PREFIX}/stages/{{stage_id}}/open", response={200: Done, **ERRORS})
def open_stage(request, stage_id: Id, payload: VersionIn):
    return _done(actions.open_stage(actor(request), _stage(stage_id), version=payload.version))


@router.post(f"{PREFIX}/stages/{{stage_id}}/complete", response={200: Done, **ERRORS})
def complete_stage(request, stage_id: Id, payload: StageIn):
    return _done(actions.complete_stage(actor(request), _stage(stage_id), **payload.dict()))


@router.post(f"{PREFIX}/compounds/{{compound_id}}/votes", response={201: Done, **ERRORS})
def create_vote(request, compound_id: Id, payload: VoteIn):
    vote = actions.create_vote(actor(request), _project(compound_id), **payload.dict())
    return Status(201, _done(vote))


def _vote(vote_id: Id) -> Vote:
    return get_object_or_404(Vote.objects.select_related("project__compound__community"),
                             pk=vote_id)  # fmt: skip


@router.post(f"{PREFIX}/votes/{{vote_id}}/open", response={200: Done, **ERRORS})
def open_vote(request, vote_id: Id, payload: VersionIn):
    return _done(actions.open_vote(actor(request), _vote(vote_id), version=payload.version))


@router.post(f"{PREFIX}/votes/{{vote_id}}/close", response={200: Done, **ERRORS})
def close_vote(request, vote_id: Id, payload: VersionIn):
    """Close after the closing time and publish counts, turnout and quorum."""
    return _done(actions.close_vote(actor(request), _vote(vote_id), version=payload.version))


# --- residents (household code instead of a token) -------------------------------------------


@router.post(f"{PREFIX}/compounds/{{compound_id}}/orders", auth=None,
             response={201: OrderOut, **ERRORS})  # fmt: skip
def place_order(request, compound_id: Id, payload: Form[OrderIn],
                photos: list[UploadedFile] = ORDER_PHOTOS):  # fmt: skip
    """A resident orders (下单) with the household code; refused for another compound's household."""
    project = _project(compound_id)
    resident = actions.resident_for(payload.code, compound=project.compound)
    order = actions.place_order(resident, project, title=payload.title, text=payload.text,
                                work_type=payload.work_type, photos=photos or ())  # fmt: skip
    return Status(201, order_out(queries.orders(compound_id).get(pk=order.pk)))


@router.post(f"{PREFIX}/votes/{{vote_id}}/ballot", auth=None, response={200: dict, **ERRORS})
def ballot(request, vote_id: Id, payload: BallotIn):
    """Vote, or change the household's vote while the vote is open (secret: nothing is echoed)."""
    vote = _vote(vote_id)
    resident = actions.resident_for(payload.code, compound=vote.project.compound)
    if vote_actions.has_voted(resident, vote):
        actions.change_vote(resident, vote, payload.answers)
        return {"status": "changed"}
    actions.cast_vote(resident, vote, payload.answers)
    return {"status": "cast"}


@router.post(f"{PREFIX}/items/{{item_id}}/rating", auth=None, response={201: dict, **ERRORS})
def rate(request, item_id: Id, payload: RatingIn):
    item = _item(item_id)
    resident = actions.resident_for(payload.code, compound=item.project.compound)
    actions.rate_item(resident, item, stars=payload.stars, comment=payload.comment)
    item.refresh_from_db()
    return Status(201, {"state": item.state})
