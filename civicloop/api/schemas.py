"""Request and response schemas of the field API (they make the OpenAPI document)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import BeforeValidator, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from civicloop.cases.actions import MAX_DESCRIPTION, MAX_EXTENSION_HOURS, MAX_NOTE
from civicloop.cases.models import Light, State


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class In(Schema):
    """An input: no text it reads may hold a NUL character (PostgreSQL cannot store it).

    Fields it does not declare are ignored, NUL or not (the document allows them).
    """

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data):
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                key = field.alias or name
                if key in data and _has_nul(data[key]):
                    raise PydanticCustomError("nul", "{field}: NUL character", {"field": key})
        return data


class Out(Schema):
    """A response: validated by pydantic alone when it is a plain dict (what
    ``serialize.py`` builds), without ninja's attribute getter around every
    object, which cost more than the rest of a list page (issue #16)."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        if isinstance(values, dict):
            return handler(values)
        return handler(DjangoGetter(values, cls, info.context))


# --- shared field types: what the actions accept, said in the schema -------------

#: Text with at least one character that is not a space (and, like all text, no NUL).
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"

#: Largest id (and version) a database column holds: a 64-bit signed integer.
MAX_ID = 2**63 - 1
#: An id, in a path or a body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: A version (compare-and-set counter) as a client saw it.
Version = Annotated[int, Field(ge=0, le=MAX_ID)]

#: A note: optional, at most MAX_NOTE characters.
Note = Annotated[str, Field(max_length=MAX_NOTE)]
#: A reason, opinion or reply: required, not blank, at most MAX_NOTE characters.
Reason = Annotated[str, Field(min_length=1, max_length=MAX_NOTE, pattern=NOT_BLANK)]
#: Hours of an extension or a reply time: more than 0, at most MAX_EXTENSION_HOURS.
Hours = Annotated[
    Decimal,
    Field(gt=0, le=MAX_EXTENSION_HOURS),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": int(MAX_EXTENSION_HOURS)}),
]


def text(limit: int, *, required: bool = False):
    """A text field as the actions' ``clean_text`` takes it: at most ``limit``
    characters; when required, not blank."""
    if required:
        return Annotated[str, Field(min_length=1, max_length=limit, pattern=NOT_BLANK)]
    return Annotated[str, Field(max_length=limit)]


def amount(minimum=0, maximum=None, *, exclusive: bool = False):
    """A decimal number sent as a JSON number or form text (bounds included)."""
    low = "exclusiveMinimum" if exclusive else "minimum"
    bounds = {low: minimum} if minimum is not None else {}
    if maximum is not None:
        bounds["maximum"] = maximum
    limits = Field(**({"gt" if exclusive else "ge": minimum} if minimum is not None else {}),
                   **({"le": maximum} if maximum is not None else {}))  # fmt: skip
    return Annotated[Decimal, limits, WithJsonSchema({"type": "number", **bounds})]


def choices_pattern(values) -> str:
    """A comma-separated list of ``values`` (blanks around and empty items allowed)."""
    one = "(?:" + "|".join(re.escape(v) for v in values if v) + ")"
    return rf"^\s*(?:{one}\s*)?(?:,\s*(?:{one}\s*)?)*$"


_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?$"
)


def _datetime_text(value):
    # Pydantic alone would also take a number (seconds since 1970) or a bare date.
    if isinstance(value, str) and not _DATETIME.match(value.strip()):
        raise ValueError("not an ISO 8601 date and time")
    return value


#: A date and time in a query string: ISO 8601 / RFC 3339 text only.
DateTimeText = Annotated[datetime.datetime, BeforeValidator(_datetime_text)]


class ErrorOut(Out):
    code: str = Field(..., description="invalid, forbidden, not_found, invalid_state, conflict, "
                      "unauthenticated, rate_limited, server_error")  # fmt: skip
    message: str = Field(..., description="For people, in the request's language.")
    field: str | None = Field(None, description="The input field at fault, if any.")


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
#: Endpoints that take uploads also answer 413 (body above DATA_UPLOAD_MAX_MEMORY_SIZE…).
UPLOAD_ERRORS = {**ERRORS, 413: ErrorOut}


# --- auth and me ----------------------------------------------------------------


class TokenIn(In):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=200)
    name: str = Field("", max_length=100, description="Which device or app the token is for.")


class TokenOut(Out):
    token: str = Field(..., description="Send as 'Authorization: Bearer <token>'. Shown once.")
    prefix: str
    name: str
    created: datetime.datetime


class Ref(Out):
    id: int
    code: str
    name: str


class MembershipOut(Out):
    role: str
    role_label: str
    unit: Ref
    patrol_area: Ref | None = None
    road_section: Ref | None = None


class UserOut(Out):
    id: int
    username: str
    name: str


class MeOut(Out):
    user: UserOut
    roles: list[str]
    memberships: list[MembershipOut]
    units: list[Ref]


# --- cases ------------------------------------------------------------------------


class Category(Out):
    code: str
    name: str


class RequestOut(Out):
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


class CaseOut(Out):
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


class CaseCreatedOut(Out):
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


class EvidenceOut(Out):
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


class ActorUnit(Out):
    id: int
    name: str


class EventOut(Out):
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


class SupervisionOrderOut(Out):
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
    external_id: str | None = None
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


class DuplicateOut(Out):
    case: CaseOut
    distance_m: float


class ActionOut(Out):
    case: CaseDetailOut | None = Field(
        None, description="The case after the action (null if the user no longer sees it)."
    )
    request: RequestOut | None = None
    order: SupervisionOrderOut | None = None
    evidence: list[int] = []


class PageIn(In):
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class CaseFilters(In):
    state: str | None = Field(None, description="Comma-separated states.",
                              pattern=choices_pattern(State.values))  # fmt: skip
    light: str | None = Field(None, description="Comma-separated: green, yellow, red.",
                              pattern=choices_pattern(Light.values))  # fmt: skip
    category: str | None = Field(None, description="Small class code or its prefix (E01).")
    street: str | None = Field(None, description="Street id or code.")
    unit: str | None = Field(None, description="Handling unit id or code.")
    since: DateTimeText | None = Field(None, description="Reported at or after.")
    until: DateTimeText | None = Field(None, description="Reported before.")


class Page(Out):
    count: int
    count_exact: bool = Field(
        True, description="False when there are more rows than counted: case lists count "
        "exactly up to 10,000 (count is then 10,000).")  # fmt: skip
    page: int
    page_size: int
    pages: int


class CasePageOut(Page):
    items: list[CaseOut]


class WorkPageOut(Page):
    items: list[WorkItemOut]


# --- inputs -------------------------------------------------------------------------


SourceName = Literal["inspector", "hotline", "public", "camera", "leader", "supervision",
                     "road_chief", "volunteer"]  # fmt: skip
CoordSystem = Literal["wgs84", "gcj02", "bd09"]
UrgencyName = Literal["", "normal", "urgent"]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Latitude = Annotated[float, Field(ge=-90, le=90)]


class ReportIn(In):
    source: SourceName = Field("inspector", description="Who reports (the role must fit it).")
    category: str = Field(..., description="Small class full code, e.g. E0102.", min_length=1,
                          max_length=10)  # fmt: skip
    lon: Longitude = Field(..., description="Longitude; the point must lie in the district.")
    lat: Latitude
    coord_system: CoordSystem = "wgs84"
    description: str = Field("", max_length=MAX_DESCRIPTION)
    address: str = Field("", max_length=200)
    urgency: UrgencyName | None = Field(None, description="normal (default) or urgent.")
    standard: str | None = Field(None, description="Filing standard code; default if empty.",
                                 max_length=50)  # fmt: skip
    owner: str = Field("", max_length=100)
    external_id: str = Field("", max_length=100)
    reporter_name: str = Field("", max_length=60)
    reporter_phone: str = Field("", max_length=40)
    reporter_email: str = Field("", max_length=254)


class SelfHandledIn(In):
    category: str = Field(..., description="Small class full code, e.g. E0201.", min_length=1,
                          max_length=10)  # fmt: skip
    lon: Longitude = Field(..., description="Longitude; the point must lie in the district.")
    lat: Latitude
    coord_system: CoordSystem = "wgs84"
    description: str = Field("", max_length=MAX_DESCRIPTION)
    address: str = Field("", max_length=200)


class Versioned(In):
    version: Version | None = Field(
        None, description="The case version the user saw; a changed case gives 409 conflict."
    )


class NoteIn(Versioned):
    note: Note = ""


class ReasonIn(Versioned):
    reason: Reason


class InspectorIn(NoteIn):
    inspector: str | None = Field(None, description="User id or username of an inspector.")


class AssignInspectorIn(NoteIn):
    inspector: str = Field(..., description="User id or username of an inspector.")


class VerifyIn(NoteIn):
    true_report: bool


class CheckIn(NoteIn):
    passed: bool


class FileIn(NoteIn):
    category: str | None = Field(None, max_length=10, description="Small class code (if changed).")
    standard: str | None = Field(None, max_length=50)
    urgency: UrgencyName | None = None


class DispatchIn(NoteIn):
    unit: str | None = Field(None, description="Unit id or code; the proposed unit if empty.")
    reason: str = Field(
        "", description="Why another unit than the proposed one (required then; kept in history)."
    )


class ExtensionIn(ReasonIn):
    hours: Hours


class SuperviseIn(Versioned):
    opinion: Reason
    reply_hours: Hours = Decimal(8)


class MergeIn(NoteIn):
    into: Id = Field(..., description="Id of the open case this one repeats.")


class EvidenceIn(NoteIn):
    kind: Literal["before", "after", "verify", "check", "other"] = "other"


class DecisionIn(In):
    note: Note = ""
    hours: Hours | None = Field(None, description="Extensions: hours granted (default: asked).")


class ReplyIn(In):
    reply: Reason
