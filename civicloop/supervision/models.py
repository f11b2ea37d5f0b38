"""Supervision (督查督办): items followed until done, campaign ledgers, inspections.

An :class:`Item` (督办事项) comes from a meeting, a leader's instruction, an
on-site inspection or a case escalated from the loop. It names a lead unit,
cooperating units, a person, their post, a deadline and the responsibility
(定人、定岗、定时、定责). Every change goes through :mod:`.actions`, appends an
:class:`ItemEvent` (append-only) and is checked against :mod:`.rules`.

A :class:`Campaign` (专项台账) has target rows (:class:`CampaignRow`), one per
compound, school, road section or street, with status fields defined per
campaign (:attr:`Campaign.fields`). An :class:`Inspection` (现场督查) keeps the
problems a leader recorded and what became of each (a case or an item).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ASSIGNED = "assigned", _("assigned")
    SIGNED = "signed", _("signed for")
    IN_PROGRESS = "in_progress", _("in progress")
    REPORTED = "reported", _("completion reported")
    PASSED = "passed", _("review passed")
    CLOSED = "closed", _("closed")


#: States in which the item's clock runs and the worker turns its colour.
RUNNING_STATES = (State.REGISTERED, State.ASSIGNED, State.SIGNED, State.IN_PROGRESS)
#: States of an item not yet finished (review passed or closed).
OPEN_STATES = (*RUNNING_STATES, State.REPORTED)
#: States a unit works in.
WORKING_STATES = (State.SIGNED, State.IN_PROGRESS)


class Colour(models.TextChoices):
    """Colour sheets (色单): green normal, blue near the deadline, yellow behind, red overdue."""

    GREEN = "green", _("normal")
    BLUE = "blue", _("blue sheet (deadline near)")
    YELLOW = "yellow", _("yellow sheet (behind schedule)")
    RED = "red", _("red sheet (overdue)")


class SourceKind(models.TextChoices):
    MEETING = "meeting", _("meeting decision")
    INSTRUCTION = "instruction", _("leader's instruction")
    INSPECTION = "inspection", _("on-site inspection")
    CASE = "case", _("case escalated from the loop")


class Reporting(models.TextChoices):
    ONE_OFF = "one_off", _("one-off")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    CUSTOM = "custom", _("every N working days")


class Completion(models.TextChoices):
    NONE = "", _("not yet")
    ON_TIME = "on_time", _("completed on time")
    OVERDUE = "overdue", _("completed overdue")
    NOT_COMPLETE = "not_complete", _("not complete")


class SupervisionSettings(models.Model):
    """The office's settings (one row, editable in the admin; defaults below)."""

    office = models.ForeignKey(
        "org.Unit", verbose_name=_("supervision office"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Its channels (the office's group chat) receive red sheets."),
    )  # fmt: skip
    blue_days = models.PositiveSmallIntegerField(
        _("blue sheet within (working days)"), default=3,
        help_text=_("An item turns blue when its deadline is this many working days away or less."),
    )  # fmt: skip
    chase_every_days = models.PositiveSmallIntegerField(
        _("chase every (working days)"), default=2,
        help_text=_("While an item is red, a chasing notice (催办) goes out this often."),
    )  # fmt: skip
    interview_after_reds = models.PositiveSmallIntegerField(
        _("interview after red sheets"), default=3,
        help_text=_("The office may order an interview (约谈) once an item had this many red sheets."),
    )  # fmt: skip
    case_weight = models.DecimalField(
        _("weight of the case-loop evaluation"), max_digits=4, decimal_places=2, default=0.3,
        help_text=_("0 ranks on supervision alone; 0.3 takes 30 percent from the case-loop composite."),
    )  # fmt: skip
    weight_on_time = models.PositiveSmallIntegerField(_("weight: on-time rate"), default=60)
    weight_not_overdue = models.PositiveSmallIntegerField(_("weight: not overdue"), default=20)
    weight_no_red = models.PositiveSmallIntegerField(_("weight: no red sheets"), default=10)
    weight_no_rejection = models.PositiveSmallIntegerField(_("weight: no rejections"), default=10)
    list_size = models.PositiveSmallIntegerField(
        _("red and black list size"), default=3,
        help_text=_("The best N make the red list, the worst N the black list."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("supervision settings")
        verbose_name_plural = _("supervision settings")

    def __str__(self) -> str:
        return str(_("supervision settings"))

    @classmethod
    def get(cls) -> SupervisionSettings:
        return cls.objects.select_related("office").get_or_create(pk=1)[0]


class Item(models.Model):
    """A supervised item (督办事项)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    requirement = models.TextField(_("requirement"))
    source = models.CharField(
        _("source"), max_length=12, choices=SourceKind.choices, default=SourceKind.MEETING
    )
    source_title = models.CharField(_("meeting or instruction"), max_length=200, blank=True)
    source_date = models.DateField(_("date of the source"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("escalated from case"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="supervision_items",
    )  # fmt: skip
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT,
        related_name="supervision_items",
    )  # fmt: skip
    cooperating_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("cooperating units"), blank=True, related_name="+"
    )
    person = models.ForeignKey(
        "org.Person", verbose_name=_("responsible person"), on_delete=models.PROTECT,
        related_name="supervision_items",
    )  # fmt: skip
    post = models.CharField(_("post"), max_length=100)
    responsibility = models.TextField(_("responsibility"))
    start = models.DateField(_("start"))
    deadline = models.DateField(_("deadline"))
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline in working days"), null=True, blank=True,
        help_text=_("When the deadline was given as a number of working days after the start."),
    )  # fmt: skip
    target_quantity = models.DecimalField(
        _("target quantity"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target_noun = models.CharField(_("counted noun"), max_length=40, blank=True)
    target_at_least = models.BooleanField(_("at least"), default=False)
    reporting = models.CharField(
        _("reporting"), max_length=10, choices=Reporting.choices, default=Reporting.ONE_OFF
    )
    reporting_days = models.PositiveSmallIntegerField(
        _("report every (working days)"), null=True, blank=True
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.REGISTERED
    )
    colour = models.CharField(
        _("colour"), max_length=8, choices=Colour.choices, default=Colour.GREEN
    )
    completion = models.CharField(
        _("completion"), max_length=12, choices=Completion.choices, default="", blank=True
    )
    done_percent = models.PositiveSmallIntegerField(_("done (%)"), default=0)
    done_quantity = models.DecimalField(
        _("quantity done"), max_digits=12, decimal_places=2, default=0
    )
    red_count = models.PositiveSmallIntegerField(_("red sheets"), default=0)
    chase_count = models.PositiveSmallIntegerField(_("chasing notices"), default=0)
    last_chased_on = models.DateField(_("last chased"), null=True, blank=True)
    interview_count = models.PositiveSmallIntegerField(_("interviews"), default=0)
    reported_on = models.DateField(_("completion reported"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("supervised item")
        verbose_name_plural = _("supervised items")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["state", "deadline"], name="superv_item_state_deadline"),
            models.Index(fields=["lead_unit", "state"], name="superv_item_unit_state"),
            models.Index(fields=["colour", "state"], name="superv_item_colour_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("start")),
                name="superv_item_deadline_after_start",
            ),
            models.CheckConstraint(
                condition=Q(done_percent__lte=100), name="superv_item_percent_le_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def cooperating_ids(self) -> set[int]:
        cached = getattr(self, "_prefetched_objects_cache", {}).get("cooperating_units")
        if cached is not None:
            return {u.pk for u in cached}
        if not hasattr(self, "_cooperating_ids"):
            self._cooperating_ids = set(self.cooperating_units.values_list("pk", flat=True))
        return self._cooperating_ids

    def done_share(self) -> float:
        """Share done, from the quantity against the target, else the percentage."""
        if self.target_quantity:
            return min(1.0, float(self.done_quantity) / float(self.target_quantity))
        return self.done_percent / 100


class ItemEvent(models.Model):
    """One change of an item (append-only): its timeline is read from these rows."""

    class Action(models.TextChoices):
        REGISTER = "register", _("registered")
        ASSIGN = "assign", _("assigned")
        SIGN = "sign", _("signed for")
        PROGRESS = "report_progress", _("progress report")
        PART = "report_part", _("cooperating unit's report")
        COMPLETE = "submit_completion", _("completion report")
        PASS = "pass_review", _("review passed")
        REJECT = "reject_review", _("review rejected")
        CLOSE = "close", _("closed (销号)")
        REOPEN = "reopen", _("reopened")
        REQUEST_EXTENSION = "request_extension", _("extension requested")
        APPROVE_EXTENSION = "approve_extension", _("extension approved")
        REJECT_EXTENSION = "reject_extension", _("extension refused")
        CHASE = "chase", _("chasing notice (催办)")
        INTERVIEW = "order_interview", _("interview ordered (约谈)")
        COLOUR = "colour", _("colour sheet")

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    actor_name = models.CharField(_("by (name)"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("item event")
        verbose_name_plural = _("item events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["item", "at"], name="superv_event_item_at"),
            models.Index(fields=["action", "at"], name="superv_event_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.get_action_display()}"


def attachment_path(instance, filename: str) -> str:
    return f"supervision/{instance.item_id}/{filename}"


class Attachment(models.Model):
    """A photo or file attached to an item (with the event that brought it)."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        ItemEvent,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=200, blank=True)
    is_photo = models.BooleanField(_("photo"), default=False)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.name or self.file.name


class ExtensionRequest(models.Model):
    """A unit asks the office for a later deadline; the office decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    new_deadline = models.DateField(_("requested deadline"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    requested_at = models.DateTimeField(_("requested at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="pending"), name="superv_one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.new_deadline}"


# --- campaigns -------------------------------------------------------------------


class Campaign(models.Model):
    """A campaign ledger (专项台账): target rows with status fields defined here.

    ``fields`` is a list of ``{"key", "label", "kind", "required"}`` with kind
    ``bool``, ``int``, ``percent``, ``text`` or ``date``; ``done_field`` names
    the yes/no field that says a row is done.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    row_noun = models.CharField(_("a row is a"), max_length=20, default="compound")
    deadline = models.DateField(_("deadline"))
    fields = models.JSONField(_("status fields"), default=list, blank=True)
    done_field = models.CharField(_("done when this field is yes"), max_length=40)
    channel = models.ForeignKey(
        "notify.Channel", verbose_name=_("special work group"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("The group chat (专项工作群) that receives the campaign's notices."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-deadline", "id"]

    def __str__(self) -> str:
        return self.name

    def field(self, key: str) -> dict | None:
        return next((f for f in self.fields if f.get("key") == key), None)


class CampaignRow(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="rows"
    )
    key = models.CharField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    street = models.ForeignKey(
        "geo.Region", verbose_name=_("street"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT,
        related_name="campaign_rows",
    )  # fmt: skip
    person = models.ForeignKey(
        "org.Person", verbose_name=_("responsible person"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    deadline = models.DateField(_("deadline"))
    values = models.JSONField(_("status"), default=dict, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    colour = models.CharField(
        _("colour"), max_length=8, choices=Colour.choices, default=Colour.GREEN
    )
    updated_at = models.DateTimeField(_("updated"))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("campaign row")
        verbose_name_plural = _("campaign rows")
        ordering = ["campaign", "key"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="superv_row_unique_key")
        ]
        indexes = [
            models.Index(fields=["campaign", "unit"], name="superv_row_campaign_unit"),
            models.Index(fields=["unit", "done"], name="superv_row_unit_done"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.key}"


class CampaignRowEvent(models.Model):
    """One change of a campaign row (append-only)."""

    row = models.ForeignKey(CampaignRow, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    actor_name = models.CharField(_("by (name)"), max_length=60, blank=True)
    action = models.CharField(_("action"), max_length=20)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("campaign row event")
        verbose_name_plural = _("campaign row events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["row", "at"], name="superv_rowevent_row_at")]

    def __str__(self) -> str:
        return f"{self.row_id} {self.get_action_display()}"


# --- on-site inspections ---------------------------------------------------------


class Inspection(models.Model):
    """A leader's on-site inspection (现场督查) of a road or an area."""

    title = models.CharField(_("title"), max_length=200)
    leader = models.ForeignKey(
        "org.Person", verbose_name=_("leader"), on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField(_("date"))
    road = models.ForeignKey(
        "geo.Road", verbose_name=_("road"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return self.title


def problem_photo_path(instance, filename: str) -> str:
    return f"supervision/inspections/{instance.inspection_id}/{filename}"


class InspectionProblem(models.Model):
    """A problem found on an inspection; it became a case or an item."""

    class Outcome(models.TextChoices):
        CASE = "case", _("case in the loop")
        ITEM = "item", _("supervised item")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="problems")
    seq = models.PositiveSmallIntegerField(_("no."))
    text = models.TextField(_("problem"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    photo = models.ImageField(_("photo"), upload_to=problem_photo_path, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("deadline"))
    outcome = models.CharField(_("became"), max_length=8, choices=Outcome.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.OneToOneField(
        Item,
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_problem",
    )

    class Meta:
        verbose_name = _("inspection problem")
        verbose_name_plural = _("inspection problems")
        ordering = ["inspection", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "seq"], name="superv_problem_seq")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}-{self.seq}"
