"""The case and everything that hangs off it: history, evidence, requests,
supervision orders, ratings and followers.

Rows here are written only by :mod:`civicloop.cases.actions`. The case row
carries its current state, place, unit and deadlines (so lists and the worker
need no joins or computation); :class:`CaseEvent` is the append-only history
from which the timeline is read.
"""

from __future__ import annotations

import math
import secrets
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicloop.geo.choices import AreaClass

from .catalogue import FilingStandard, LimitUnit, SmallClass, Urgency


class State(models.TextChoices):
    REPORTED = "reported", pgettext_lazy("case state", "reported")  # 待受理
    VERIFYING = "verifying", pgettext_lazy("case state", "verifying")  # 待核实
    PENDING_FILING = "pending_filing", pgettext_lazy("case state", "pending filing")  # 待立案
    PENDING_DISPATCH = "pending_dispatch", pgettext_lazy("case state", "pending dispatch")  # 待派遣
    DISPATCHED = "dispatched", pgettext_lazy("case state", "dispatched")  # 待签收
    IN_PROGRESS = "in_progress", pgettext_lazy("case state", "in progress")  # 处置中
    PENDING_CHECK = "pending_check", pgettext_lazy("case state", "pending check")  # 待核查
    PENDING_CLOSURE = "pending_closure", pgettext_lazy("case state", "pending closure")  # 待结案
    CLOSED = "closed", pgettext_lazy("case state", "closed")  # 已结案
    SUSPENDED = "suspended", pgettext_lazy("case state", "suspended")  # 挂账
    CANCELLED = "cancelled", pgettext_lazy("case state", "cancelled")  # 已作废


#: States in which a case is still open (not closed, not cancelled).
OPEN_STATES = tuple(s for s in State.values if s not in (State.CLOSED, State.CANCELLED))
#: States in which a handling unit holds the case.
HANDLING_STATES = (State.DISPATCHED, State.IN_PROGRESS)


class CancelReason(models.TextChoices):
    NOT_ACCEPTED = "not_accepted", _("not accepted")  # 不予受理
    NOT_FILED = "not_filed", _("not filed")  # 不予立案
    VOID = "void", _("void")  # 作废
    MERGED = "merged", _("merged duplicate")  # 合并


class Source(models.TextChoices):
    INSPECTOR = "inspector", _("inspector")  # 监督员上报
    HOTLINE = "hotline", _("hotline")  # 热线
    PUBLIC = "public", _("resident")  # 公众（门户、Open311）
    CAMERA = "camera", _("camera / AI")  # 视频智能发现
    LEADER = "leader", _("leader instruction")  # 领导批示
    SUPERVISION = "supervision", _("supervision inspection")  # 督查发现
    ROAD_CHIEF = "road_chief", _("road chief")  # 路长
    VOLUNTEER = "volunteer", _("volunteer")  # 志愿者


#: Sources whose reports an inspector must verify on site before filing.
SOURCES_NEEDING_VERIFICATION = (Source.HOTLINE, Source.PUBLIC, Source.CAMERA, Source.VOLUNTEER)


class Light(models.TextChoices):
    GREEN = "green", _("green")
    YELLOW = "yellow", _("yellow")
    RED = "red", _("red")


def new_tracking_code() -> str:
    """A public tracking code: 10 characters, no look-alike letters."""
    # One draw of a uniform number below 31**10, written in base 31: the same
    # distribution as ten ``secrets.choice`` calls, at a tenth of the cost
    # (the demo's year of history makes 90,000 of them).
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    n = secrets.randbelow(len(alphabet) ** 10)
    code = []
    for _digit in range(10):
        n, digit = divmod(n, len(alphabet))
        code.append(alphabet[digit])
    return "".join(code)


#: Metres per degree of latitude (and of longitude at the equator).
METRES_PER_DEGREE = 111_195.0
#: The latitude at which a box around a point whose latitude SQL cannot take the
#: cosine of (a subquery's ``OuterRef``) gets its width: north of the whole
#: district (Erqi lies at about 34.6–34.8°N), so the box is never narrower than
#: the radius anywhere in it.
BOX_LATITUDE = 35.0


def past_deadline_q(at) -> Q:
    """A unit holds the case and its handling deadline is before ``at``."""
    return Q(state__in=HANDLING_STATES, handling_deadline__lt=at)


def overdue_q(now) -> Q:
    """The one definition of "overdue": past the handling deadline while a unit holds
    the case, or marked overdue by the worker (it stays marked until a new deadline)."""
    return Q(is_overdue=True) | past_deadline_q(now)


class CaseQuerySet(models.QuerySet):
    """The domain rules on sets of cases, written once (``Case.objects``)."""

    def open(self):
        """Not closed and not cancelled."""
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now):
        """Open and overdue at ``now`` (see :func:`overdue_q`)."""
        return self.filter(overdue_q(now), state__in=OPEN_STATES)

    def visible_to(self, actor):
        """The cases ``actor`` may see (``civicloop.cases.permissions``; the same rule as
        the ``can_see_case`` predicate of the rule table)."""
        from civicloop.cases.permissions import visible_cases

        return visible_cases(actor, self)

    def near(self, lon: float, lat: float, metres: float):
        """Cases in the box of ``metres`` around a point (narrows in SQL; the exact
        distance is :func:`distance_m`)."""
        return self.filter(**near_lookup(lon, lat, metres))


def near_lookup(lon, lat, metres: float, *, at_lat: float | None = None) -> dict:
    """Filter arguments for a box of ``metres`` around a point (values or ``F``/``OuterRef``).

    ``at_lat`` is the latitude the longitude span is computed at (the point's own
    when it is a number).
    """
    dlat = metres / METRES_PER_DEGREE
    reference = at_lat if at_lat is not None else lat
    dlon = dlat / max(math.cos(math.radians(reference)), 0.01)
    return {
        "lon__gte": lon - dlon, "lon__lte": lon + dlon,
        "lat__gte": lat - dlat, "lat__lte": lat + dlat,
    }  # fmt: skip


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance in metres between two nearby points (equirectangular)."""
    ky = METRES_PER_DEGREE
    kx = ky * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon2 - lon1) * kx, (lat2 - lat1) * ky)


class Case(models.Model):
    """One problem in the loop, from report to closure (案件)."""

    # Unique through Meta.constraints: the same unique index, without the second
    # ``varchar_pattern_ops`` index that ``unique=True`` adds on PostgreSQL for
    # LIKE 'prefix%' (no query needs it; docs/indexes.md).
    number = models.CharField(_("case number"), max_length=24)
    tracking_code = models.CharField(_("tracking code"), max_length=16, default=new_tracking_code)
    # The indexes of this table and the queries they serve: Meta.indexes and
    # docs/indexes.md. A foreign key without a query that filters on it has
    # db_index=False.
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    cancel_reason = models.CharField(
        _("cancel reason"), max_length=20, choices=CancelReason.choices, blank=True
    )
    #: Incremented by every action; a stale version is a conflict.
    version = models.PositiveIntegerField(_("version"), default=0)

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    small_class = models.ForeignKey(
        SmallClass, verbose_name=_("small class"), on_delete=models.PROTECT, related_name="cases",
        db_index=False,  # (small_class, reported_at) below
    )  # fmt: skip
    standard = models.ForeignKey(
        FilingStandard,
        verbose_name=_("filing standard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    owner = models.CharField(_("component owner"), max_length=100, blank=True)

    # Where (WGS-84) and what the locator said.
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    cell = models.ForeignKey(
        "geo.GridCell", verbose_name=_("grid cell"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases",
    )  # fmt: skip
    community = models.ForeignKey(
        "geo.Region", verbose_name=_("community"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="community_cases", db_index=False,
    )  # fmt: skip
    street = models.ForeignKey(
        "geo.Region", verbose_name=_("street"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="street_cases", db_index=False,
    )  # fmt: skip
    area_class = models.CharField(
        _("area class"), max_length=1, choices=AreaClass.choices, default=AreaClass.B
    )
    patrol_area = models.ForeignKey(
        "geo.PatrolArea", verbose_name=_("patrol area"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases", db_index=False,
    )  # fmt: skip
    road_section = models.ForeignKey(
        "geo.RoadSection", verbose_name=_("road section"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cases", db_index=False,
    )  # fmt: skip
    road_chief = models.ForeignKey(
        "org.Person", verbose_name=_("road chief"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="road_cases", db_index=False,
    )  # fmt: skip

    # Who reported. Staff reporters are users; residents leave optional contacts
    # that are never shown publicly.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="reported_cases",
    )  # fmt: skip
    reporter_name = models.CharField(_("reporter's name"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=40, blank=True)
    reporter_email = models.EmailField(_("reporter's e-mail"), blank=True)
    external_id = models.CharField(
        _("external reference"), max_length=100, blank=True,
        help_text=_("The reference of the system the report came from (hotline ticket, camera event, API client)."),
    )  # fmt: skip
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    # Routing.
    proposed_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("proposed unit"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="proposed_cases", db_index=False,
    )  # fmt: skip
    routing_reason = models.TextField(_("routing reason"), blank=True)
    routing_ambiguous = models.BooleanField(_("routing ambiguous"), default=False)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("handling unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="cases", db_index=False,
    )  # fmt: skip
    assigned_inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned inspector"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assigned_cases",
        help_text=_("Verifies and checks this case even outside their patrol area."),
    )  # fmt: skip
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="duplicates", db_index=False,
    )  # fmt: skip
    fast_lane = models.BooleanField(_("fast lane"), default=False)
    self_handled = models.BooleanField(_("self-handled"), default=False)

    # Milestones.
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("result submitted at"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    # The current stage's clock (centre stages and handling alike): the light
    # refers to it. Empty while suspended or when the case is finished.
    stage_started_at = models.DateTimeField(_("stage started"), null=True, blank=True)
    due_at = models.DateTimeField(_("stage deadline"), null=True, blank=True)
    yellow_at = models.DateTimeField(_("turns yellow after"), null=True, blank=True)
    light = models.CharField(_("light"), max_length=6, choices=Light.choices, blank=True)
    deadline_provisional = models.BooleanField(_("deadline provisional"), default=False)

    # The handling limit (dispatch → result), moved by extensions and suspensions.
    limit_amount = models.DecimalField(
        _("limit"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    limit_unit = models.CharField(
        _("limit unit"), max_length=20, choices=LimitUnit.choices, blank=True
    )
    handling_started_at = models.DateTimeField(_("handling started"), null=True, blank=True)
    handling_deadline = models.DateTimeField(_("handling deadline"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    extension_hours = models.DecimalField(
        _("extension hours"), max_digits=7, decimal_places=2, default=0
    )
    suspended_seconds = models.PositiveBigIntegerField(
        _("suspended time (s)"), default=0, help_text=_("Working time spent suspended.")
    )
    handled_on_time = models.BooleanField(_("handled on time"), null=True, blank=True)
    is_overdue = models.BooleanField(_("overdue"), default=False)

    # Counters the evaluation reads.
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    suspension_count = models.PositiveSmallIntegerField(_("suspensions"), default=0)
    supervision_count = models.PositiveSmallIntegerField(_("supervision orders"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopens"), default=0)
    #: 0 nothing sent, 1 reminded (near deadline), 2 escalated to the unit's
    #: leader, 3 escalated to the supervision office.
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        # Each index serves the queries named in docs/indexes.md (measured at
        # 1,000,000 cases); an index no query needs costs every insert and
        # every update that moves an indexed column.
        indexes = [
            # Lists and the API: a state (open = nine of them) newest first; the
            # dashboard and map: open cases; the home's stage queues.
            models.Index(fields=["state", "-reported_at"], name="cases_case_state_rep"),
            # Who sees what (permissions.visible_filter: unit, street, patrol area,
            # road section; own reports and the assigned inspector through their
            # foreign keys' own indexes) and the list filters on those, each alone
            # or with a state (open in a street, a unit's queues).
            models.Index(fields=["unit", "state"], name="cases_case_unit_state"),
            models.Index(fields=["street", "state"], name="cases_case_street_state"),
            models.Index(fields=["road_section", "state"], name="cases_case_section_state"),
            models.Index(fields=["patrol_area", "state"], name="cases_case_patrol_state"),
            # The community filter (a community holds ~1 % of the cases).
            models.Index(fields=["community", "state"], name="cases_case_comm_state"),
            # Duplicate search (nearby_open_cases, merge candidates) and the category filter.
            models.Index(fields=["small_class", "reported_at"], name="cases_case_class_rep"),
            # The light filter, and the worker: turn red (green/yellow past due_at),
            # remind (yellow, due_at ahead).
            models.Index(fields=["light", "due_at"], name="cases_case_light_due"),
            # The worker: turn yellow (only green cases are in it).
            models.Index(
                fields=["yellow_at"], condition=Q(light="green"), name="cases_case_turn_yellow"
            ),
            # Periods of the evaluation, ledger and bulletin: dispatched (units),
            # filed (streets, communities, cells, road chiefs). reported_at and
            # closed_at are indexed on their fields (lists, dashboard, ledger).
            models.Index(fields=["dispatched_at"], name="cases_case_dispatched"),
            models.Index(fields=["filed_at"], name="cases_case_filed"),
            # The case list sorted by last change (sort=updated).
            models.Index(fields=["updated_at"], name="cases_case_updated"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="cases_case_number_uniq"),
            models.UniqueConstraint(fields=["tracking_code"], name="cases_case_tracking_code_uniq"),
            models.CheckConstraint(
                condition=Q(state="cancelled") | Q(cancel_reason=""),
                name="cases_case_reason_only_cancelled",
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelled") | ~Q(cancel_reason=""),
                name="cases_case_cancelled_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def family(self) -> str:
        return self.number[:1]


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The case history is append-only.")

    def delete(self):
        raise PermissionDenied("The case history is append-only.")


class CaseEvent(models.Model):
    """One change of a case (append-only): who, role, when, from → to, note, data."""

    class Action(models.TextChoices):
        REPORT = "report", _("reported")
        ACCEPT = "accept", _("accepted")
        SEND_FOR_VERIFICATION = "send_for_verification", _("sent for verification")
        ASSIGN_INSPECTOR = "assign_inspector", _("inspector assigned")
        VERIFY = "verify", _("verified")
        REFUSE = "refuse", _("refused")
        FILE = "file", _("filed")
        REQUEST_VOID = "request_void", _("void requested")
        APPROVE_VOID = "approve_void", _("void approved")
        REJECT_VOID = "reject_void", _("void rejected")
        DISPATCH = "dispatch", _("dispatched")
        SIGN = "sign", _("signed for")
        REQUEST_RETURN = "request_return", _("return requested")
        APPROVE_RETURN = "approve_return", _("return approved")
        REJECT_RETURN = "reject_return", _("return rejected")
        REQUEST_EXTENSION = "request_extension", _("extension requested")
        APPROVE_EXTENSION = "approve_extension", _("extension approved")
        REJECT_EXTENSION = "reject_extension", _("extension rejected")
        REQUEST_SUSPENSION = "request_suspension", _("suspension requested")
        APPROVE_SUSPENSION = "approve_suspension", _("suspension approved")
        REJECT_SUSPENSION = "reject_suspension", _("suspension rejected")
        RESUME = "resume", _("resumed")
        SUBMIT_RESULT = "submit_result", _("result submitted")
        CHECK = "check", _("checked")
        CLOSE = "close", _("closed")
        SELF_HANDLE = "self_handle", _("handled on the spot")
        SUPERVISE = "supervise", _("supervision order issued")
        REPLY_SUPERVISION = "reply_supervision", _("supervision order answered")
        MERGE = "merge", _("merged")
        ABSORB = "absorb", _("duplicate merged in")
        RATE = "rate", _("rated")
        REQUEST_REOPEN = "request_reopen", _("reopen requested")
        REOPEN = "reopen", _("reopened")
        REJECT_REOPEN = "reject_reopen", _("reopen rejected")
        ADD_EVIDENCE = "add_evidence", _("evidence added")
        FOLLOW = "follow", _("followed by a resident")
        LIGHT = "light", _("light changed")
        REMIND = "remind", _("reminder sent")
        ESCALATE = "escalate", _("escalated")

    # The case, actor and action are indexed through the composite indexes of Meta;
    # no query selects history rows by unit (docs/indexes.md).
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events",
        db_index=False,
    )  # fmt: skip
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="case_events", db_index=False,
    )  # fmt: skip
    actor_name = models.CharField(_("by (name)"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="case_events", db_index=False,
        help_text=_("The handling unit the step concerns."),
    )  # fmt: skip
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    #: Whether the step was done within its stage limit (None where no limit applies).
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    #: Public residents may see this step on the tracking page.
    is_public = models.BooleanField(_("public"), default=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case history")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"], name="cases_event_case_at"),
            models.Index(fields=["action", "at"], name="cases_event_action_at"),
            models.Index(fields=["actor", "action", "at"], name="cases_event_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The case history is append-only.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The case history is append-only.")


def _private_upload_to(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.case_id}/{filename}"


class Evidence(models.Model):
    """A photo of a case: the original (private), a public copy without location
    metadata, and a thumbnail. Checked by content on the way in."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("before")
        AFTER = "after", _("after")
        VERIFY = "verify", _("verification")
        CHECK = "check", _("check")
        OTHER = "other", _("other")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="evidence"
    )
    event = models.ForeignKey(
        CaseEvent, verbose_name=_("step"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="evidence",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    original = models.FileField(_("original"), upload_to=_private_upload_to, max_length=200)
    public = models.FileField(_("public copy"), upload_to=_private_upload_to, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to=_private_upload_to, max_length=200)
    content_type = models.CharField(_("content type"), max_length=30)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.pk}"


def _hours(value) -> str:
    """8.00 → "8", 4.50 → "4.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def hours_label(asked, granted=None) -> str:
    """How an extension reads wherever it appears: "asked 8 h", or once decided with
    a grant "asked 8 h · granted 4 h" (申请 8 小时 · 批准 4 小时); "" without hours."""
    if asked is None and granted is None:
        return ""
    if granted is None:
        return str(_("asked %(asked)s h") % {"asked": _hours(asked)})
    if asked is None:
        return str(_("granted %(granted)s h") % {"granted": _hours(granted)})
    return str(
        _("asked %(asked)s h · granted %(granted)s h")
        % {"asked": _hours(asked), "granted": _hours(granted)}
    )


class CaseRequest(models.Model):
    """A request that someone else decides: return, extension, suspension, void, reopen."""

    class Kind(models.TextChoices):
        RETURN = "return", _("return")  # 回退
        EXTENSION = "extension", _("extension")  # 延期
        SUSPENSION = "suspension", _("suspension")  # 挂账
        VOID = "void", _("void")  # 作废
        REOPEN = "reopen", _("reopen")  # 重办

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("request status", "pending")
        APPROVED = "approved", pgettext_lazy("request status", "approved")
        REJECTED = "rejected", pgettext_lazy("request status", "rejected")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="requests"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="case_requests",
        help_text=_("The handling unit that asked (returns, extensions, suspensions)."),
    )  # fmt: skip
    reason = models.TextField(_("reason"))
    hours = models.DecimalField(
        _("hours"), max_digits=7, decimal_places=2, null=True, blank=True,
        help_text=_("Extensions: the hours asked for (working hours for working-time limits)."),
    )  # fmt: skip
    granted_hours = models.DecimalField(
        _("hours granted"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    #: Returns: asked for after the handling deadline (counts against the unit).
    after_deadline = models.BooleanField(_("after the deadline"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("case request")
        verbose_name_plural = _("case requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status="pending"),
                name="cases_request_one_pending_per_kind",
                violation_error_message=_("A request of this kind is already waiting."),
            )
        ]
        indexes = [
            models.Index(fields=["status", "kind", "requested_at"], name="cases_request_queue"),
            models.Index(fields=["unit", "kind", "requested_at"], name="cases_request_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.get_status_display()}"

    @property
    def hours_label(self) -> str:
        """The hours asked and, once approved, granted (see :func:`hours_label`)."""
        granted = self.granted_hours if self.status == self.Status.APPROVED else None
        if self.status == self.Status.APPROVED and granted is None:
            granted = self.hours  # approved before granted hours were recorded
        return hours_label(self.hours, granted)


class SupervisionOrder(models.Model):
    """A supervision order (督办) on a case: an overlay, not a state."""

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting reply")
        REPLIED = "replied", _("replied")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="supervision_orders"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("supervised unit"), on_delete=models.PROTECT,
        related_name="supervision_orders",
    )  # fmt: skip
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    issued_at = models.DateTimeField(_("issued at"))
    opinion = models.TextField(_("opinion"))
    reply_due = models.DateTimeField(_("reply due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("replied by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"], name="cases_superv_unit_status")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.unit}"


class Rating(models.Model):
    """A resident's rating of a closed case (5 levels)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="ratings"
    )
    level = models.PositiveSmallIntegerField(pgettext_lazy("rating", "level"))
    reason = models.TextField(_("reason"), blank=True)
    rated_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="cases_rating_level_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.level}"

    @property
    def satisfied(self) -> bool:
        return self.level >= 3


class CaseFollower(models.Model):
    """A resident who followed an existing case instead of reporting it again."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="followers"
    )
    tracking_code = models.CharField(
        _("tracking code"), max_length=16, unique=True, default=new_tracking_code
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")

    def __str__(self) -> str:
        return self.tracking_code


class DailySequence(models.Model):
    """The last case number used per prefix and day (case numbers are unique)."""

    key = models.CharField(max_length=16, primary_key=True)  # e.g. E010220201118
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"


_config_cache: dict = {}


class LoopConfig(models.Model):
    """District-wide settings of the loop, edited in the admin (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    fast_lane = models.BooleanField(
        _("fast lane"),
        default=False,
        help_text=_(
            "Reports from trusted sources are accepted, filed and dispatched at once when "
            "routing is unambiguous."
        ),
    )
    fast_lane_sources = models.CharField(
        _("trusted sources"),
        max_length=200,
        default="inspector",
        help_text=_("Comma-separated sources, e.g. inspector,road_chief."),
    )
    duplicate_radius_m = models.PositiveIntegerField(_("duplicate radius (m)"), default=50)
    duplicate_days = models.PositiveIntegerField(_("duplicate window (days)"), default=7)
    public_nearby_radius_m = models.PositiveIntegerField(
        _("nearby radius for residents (m)"), default=250
    )
    accept_minutes = models.PositiveIntegerField(
        _("acceptance limit (working minutes)"), default=10
    )
    verify_minutes = models.PositiveIntegerField(
        _("verification limit (working minutes)"), default=30
    )
    file_minutes = models.PositiveIntegerField(_("filing limit (working minutes)"), default=10)
    dispatch_minutes = models.PositiveIntegerField(
        _("dispatch limit (working minutes)"), default=10
    )
    sign_minutes = models.PositiveIntegerField(
        _("sign-for limit (working minutes)"),
        default=30,
        help_text=_("Signing is part of the handling limit; this only times the receipt."),
    )
    check_minutes = models.PositiveIntegerField(_("check limit (working minutes)"), default=30)
    close_minutes = models.PositiveIntegerField(_("closure limit (working minutes)"), default=10)
    remind_before_minutes = models.PositiveIntegerField(
        _("reminder before the deadline (minutes)"),
        default=0,
        help_text=_("0: remind when the light turns yellow."),
    )
    escalate_after_hours = models.PositiveIntegerField(
        _("escalate to the supervision office after (hours overdue)"), default=8
    )
    require_result_photo = models.BooleanField(_("results need an after-photo"), default=True)
    supervision_office = models.ForeignKey(
        "org.Unit", verbose_name=_("supervision office"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Receives escalations of cases long overdue (e.g. 区督查局)."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("loop settings")
        verbose_name_plural = _("loop settings")

    def __str__(self) -> str:
        return str(_("loop settings"))

    @classmethod
    def get(cls) -> LoopConfig:
        """The settings row, cached in this process for ``CASES_CONFIG_CACHE_SECONDS``.

        Saving it clears this process's copy at once (signals); other
        processes see the change within the cache time. Treat the returned
        object as read-only unless you save it.
        """
        now = time.monotonic()
        cached = _config_cache.get("config")
        if cached is not None and now < _config_cache["expires"]:
            return cached
        config, _created = cls.objects.get_or_create(pk=1)
        _config_cache.update(config=config, expires=now + settings.CASES_CONFIG_CACHE_SECONDS)
        return config

    @staticmethod
    def clear_cache(**_kwargs) -> None:
        _config_cache.clear()

    @property
    def trusted_sources(self) -> set[str]:
        return {s.strip() for s in self.fast_lane_sources.split(",") if s.strip()}
