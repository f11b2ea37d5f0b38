"""Request and response schemas of the field API (they make the OpenAPI document)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema


class ErrorOut(Schema):
    code: str = Field(..., description="invalid, forbidden, not_found, invalid_state, conflict, "
                      "unauthenticated, rate_limited, server_error")  # fmt: skip
    message: str = Field(..., description="For people, in the request's language.")
    field: str | None = Field(None, description="The input field at fault, if any.")


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- auth and me ----------------------------------------------------------------


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=200)
    name: str = Field("", max_length=100, description="Which device or app the token is for.")


class TokenOut(Schema):
    token: str = Field(..., description="Send as 'Authorization: Bearer <token>'. Shown once.")
    prefix: str
    name: str
    created: datetime.datetime


class Ref(Schema):
    id: int
    code: str
    name: str


class MembershipOut(Schema):
    role: str
    role_label: str
    unit: Ref
    patrol_area: Ref | None = None
    road_section: Ref | None = None


class UserOut(Schema):
    id: int
    username: str
    name: str


class MeOut(Schema):
    user: UserOut
    roles: list[str]
    memberships: list[MembershipOut]
    units: list[Ref]


# --- cases ------------------------------------------------------------------------


class Category(Schema):
    code: str
    name: str


class RequestOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    reason: str
    hours: Decimal | None = None
    after_deadline: bool
    unit: Ref | None = None
    requested_at: datetime.datetime
    requested_by: str | None = None
    granted_hours: Decimal | None = Field(None, description="Extensions: the hours granted.")
    hours_label: str = Field(
        "",
        description="Hours asked and, once approved, granted, "
        "as people read them (申请 8 小时 · 批准 4 小时).",
    )
    decision_note: str = ""
    can_decide: bool | None = Field(None, description="Whether this user may approve or reject it.")


class CaseOut(Schema):
    id: int
    number: str
    version: int
    state: str
    state_label: str
    light: str = Field(..., description="green, yellow, red; empty when no clock runs.")
    source: str
    category: Category
    urgency: str
    address: str
    description: str
    lon: float
    lat: float
    street: Ref | None = None
    unit: Ref | None = None
    reported_at: datetime.datetime
    due_at: datetime.datetime | None = Field(None, description="Deadline of the current stage.")
    handling_deadline: datetime.datetime | None = None
    is_overdue: bool


class WorkItemOut(CaseOut):
    actions: list[str]
    pending_requests: list[RequestOut]


class CaseCreatedOut(Schema):
    id: int
    number: str
    tracking_code: str | None = Field(
        None,
        description="The resident's key to rate the result: only for acceptors, shift "
        "leaders and administrators (docs/privacy.md).",
    )
    version: int
    state: str
    light: str
    due_at: datetime.datetime | None = None
    proposed_unit: Ref | None = None
    routing_reason: str
    unit: Ref | None = None
    evidence: list[int]


class EvidenceOut(Schema):
    id: int
    kind: str
    content_type: str
    width: int
    height: int
    uploaded_at: datetime.datetime
    step: int | None = Field(None, description="The timeline entry the photo belongs to.")
    original: str | None = Field(None, description="URL of the original (staff who see the case).")
    public: str
    thumbnail: str


class ActorUnit(Schema):
    id: int
    name: str


class EventOut(Schema):
    id: int
    at: datetime.datetime
    action: str
    action_label: str
    actor: str
    role: str
    unit: Ref | None = Field(None, description="The handling unit the step concerns.")
    actor_unit: ActorUnit | None = Field(
        None, description="The unit the actor acted for (their own, not the case's)."
    )
    hours_label: str = Field("", description="Extension rows: hours asked and granted.")
    from_state: str
    to_state: str
    note: str
    on_time: bool | None = None
    data: dict
    evidence: list[int]


class SupervisionOrderOut(Schema):
    id: int
    unit: Ref
    issued_at: datetime.datetime
    issued_by: str | None = None
    opinion: str
    reply_due: datetime.datetime
    status: str
    reply: str
    replied_at: datetime.datetime | None = None


class CaseDetailOut(CaseOut):
    tracking_code: str | None = Field(
        None,
        description="The resident's key to rate the result: only for acceptors, shift "
        "leaders and administrators (docs/privacy.md).",
    )
    reporter_name: str | None = Field(
        None, description="A caller's name, or one an Open311 app sent: as reporter_phone."
    )
    reporter_phone: str | None = Field(
        None,
        description="The reporter's phone: only for the command centre and the unit "
        "handling the case (docs/privacy.md).",
    )
    reporter_email: str | None = Field(
        None, description="The reporter's e-mail: as reporter_phone."
    )
    cancel_reason: str
    community: Ref | None = None
    cell: str | None = None
    area_class: str
    road_section: Ref | None = None
    standard: str | None = None
    proposed_unit: Ref | None = None
    routing_reason: str
    assigned_inspector: UserOut | None = None
    reporter: str
    external_id: str
    fast_lane: bool
    self_handled: bool
    limit: str | None = None
    deadline_provisional: bool
    counts: dict[str, int]
    timeline: list[EventOut]
    evidence: list[EvidenceOut]
    pending_requests: list[RequestOut]
    supervision_orders: list[SupervisionOrderOut]
    actions: list[str] = Field(..., description="Actions this user may take now.")


class DuplicateOut(Schema):
    case: CaseOut
    distance_m: float


class ActionOut(Schema):
    case: CaseDetailOut | None = Field(
        None, description="The case after the action (null if the user no longer sees it)."
    )
    request: RequestOut | None = None
    order: SupervisionOrderOut | None = None
    evidence: list[int] = []


class PageIn(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class CaseFilters(Schema):
    state: str | None = Field(None, description="Comma-separated states.")
    light: str | None = Field(None, description="Comma-separated: green, yellow, red.")
    category: str | None = Field(None, description="Small class code or its prefix (E01).")
    street: str | None = Field(None, description="Street id or code.")
    unit: str | None = Field(None, description="Handling unit id or code.")
    since: datetime.datetime | None = Field(None, description="Reported at or after.")
    until: datetime.datetime | None = Field(None, description="Reported before.")


class Page(Schema):
    count: int
    page: int
    page_size: int
    pages: int


class CasePageOut(Page):
    items: list[CaseOut]


class WorkPageOut(Page):
    items: list[WorkItemOut]


# --- inputs -------------------------------------------------------------------------


class ReportIn(Schema):
    source: str = Field("inspector", description="inspector, hotline, camera, leader, ...")
    category: str = Field(..., description="Small class full code, e.g. E0102.", max_length=10)
    lon: float
    lat: float
    coord_system: str = Field("wgs84", description="wgs84, gcj02 or bd09.")
    description: str = ""
    address: str = ""
    urgency: str | None = Field(None, description="normal or urgent.")
    standard: str | None = Field(None, description="Filing standard code; default if empty.")
    owner: str = ""
    external_id: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""


class SelfHandledIn(Schema):
    category: str = Field(..., description="Small class full code, e.g. E0201.", max_length=10)
    lon: float
    lat: float
    coord_system: str = Field("wgs84", description="wgs84, gcj02 or bd09.")
    description: str = ""
    address: str = ""


class Versioned(Schema):
    version: int | None = Field(
        None, description="The case version the user saw; a changed case gives 409 conflict."
    )


class NoteIn(Versioned):
    note: str = ""


class ReasonIn(Versioned):
    reason: str


class InspectorIn(NoteIn):
    inspector: str | None = Field(None, description="User id or username of an inspector.")


class AssignInspectorIn(NoteIn):
    inspector: str = Field(..., description="User id or username of an inspector.")


class VerifyIn(NoteIn):
    true_report: bool


class CheckIn(NoteIn):
    passed: bool


class FileIn(NoteIn):
    category: str | None = None
    standard: str | None = None
    urgency: str | None = None


class DispatchIn(NoteIn):
    unit: str | None = Field(None, description="Unit id or code; the proposed unit if empty.")
    reason: str = Field(
        "", description="Why another unit than the proposed one (required then; kept in history)."
    )


class ExtensionIn(ReasonIn):
    hours: Decimal


class SuperviseIn(Versioned):
    opinion: str
    reply_hours: Decimal = Decimal(8)


class MergeIn(NoteIn):
    into: int = Field(..., description="Id of the open case this one repeats.")


class EvidenceIn(NoteIn):
    kind: str = Field("other", description="before, after, verify, check or other.")


class DecisionIn(Schema):
    note: str = ""
    hours: Decimal | None = Field(None, description="Extensions: hours granted (default: asked).")


class ReplyIn(Schema):
    reply: str
