"""Old-compound renovation (老旧小区改造) and residents' participation.

Programme → batches (with deadlines) → compound projects (one per compound in
a programme) → work items (from a menu, :class:`WorkType`). Residents of a
compound, proving who they are with the household code the community issued
(:class:`Household`), place orders (下单); the community reviews them; the plan
goes through the stages of 一征三议两公开 (:class:`Stage`); households vote
(:class:`Vote`, secret: see :class:`Ballot`); units and deputies adopt items
(:class:`Adoption`), deliver them and residents rate them.

Every change goes through :mod:`civicloop.renovation.actions`; every change is
an append-only :class:`Event` row, and timelines are read from them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicloop.geo.models import Compound
from civicloop.org.models import Person, Unit


class WorkType(models.Model):
    """One entry of the work menu (一拆五改三增 and the supporting functions), edited in the admin."""

    class Group(models.TextChoices):
        DEMOLISH = "demolish", _("demolish (一拆)")
        REWORK = "rework", _("rework (五改)")
        ADD = "add", _("add (三增)")
        SUPPORT = "support", _("supporting function")
        OTHER = "other", _("other")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    group = models.CharField(_("group"), max_length=10, choices=Group.choices)
    measure = models.CharField(_("unit of measure"), max_length=10, blank=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("work type")
        verbose_name_plural = _("work menu")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """A renovation programme (e.g. 二七区老旧小区改造 2020–2021)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    """A batch of a programme: its compounds are due by ``deadline``."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="batches"
    )
    seq = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=60)
    starts_on = models.DateField(_("starts on"))
    deadline = models.DateField(_("deadline"))

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["programme", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "seq"], name="renovation_batch_seq"),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("starts_on")),
                name="renovation_batch_dates",
                violation_error_message=_("The deadline cannot be before the start."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectClass(models.TextChoices):
    QUALITY = "quality", _("quality upgrade (品质型)")
    IMPROVEMENT = "improvement", _("basic improvement (改善型)")


class ContentLevel(models.TextChoices):
    BASIC = "basic", _("basic (基础)")
    COMPLETE = "complete", _("complete (完善)")
    UPGRADE = "upgrade", _("upgrade (提升)")


class Approach(models.TextChoices):
    AREA = "area", _("area together (片区同治)")
    ROAD = "road", _("road and courtyard together (路院同治)")
    BLOCK = "block", _("block together (街区同治)")


class Project(models.Model):
    """The renovation of one compound within a programme."""

    class State(models.TextChoices):
        PLANNING = "planning", _("planning")
        UNDERWAY = "underway", _("under construction")
        COMPLETED = "completed", _("completed")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="projects"
    )
    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="projects"
    )
    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), on_delete=models.PROTECT, related_name="renovations"
    )
    project_class = models.CharField(_("class"), max_length=12, choices=ProjectClass.choices)
    level = models.CharField(_("content level"), max_length=10, choices=ContentLevel.choices)
    approach = models.CharField(
        _("area approach"), max_length=8, choices=Approach.choices, blank=True
    )
    bid_section = models.CharField(_("bid section"), max_length=40, blank=True)
    contractor = models.CharField(
        pgettext_lazy("renovation", "contractor"), max_length=100, blank=True
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNING
    )
    is_pilot = models.BooleanField(_("participation pilot"), default=False)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("compound project")
        verbose_name_plural = _("compound projects")
        ordering = ["batch__seq", "compound__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "compound"], name="renovation_project_once"
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "project_class"], name="renovation_proj_batch_cls"),
            models.Index(fields=["compound"], name="renovation_proj_compound"),
        ]

    def __str__(self) -> str:
        return str(self.compound)


class WorkItem(models.Model):
    """One piece of work in a compound project, with quantity, budget and progress."""

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        UNDERWAY = "underway", _("under way")
        DELIVERED = "delivered", _("delivered, awaiting rating")
        RETURNED = "returned", _("sent back")
        DONE = "done", _("done")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="items"
    )
    work_type = models.ForeignKey(
        WorkType, verbose_name=_("work type"), null=True, blank=True, on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=100)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=0)
    budget = models.DecimalField(_("budget (10k yuan)"), max_digits=12, decimal_places=2, default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    source_order = models.OneToOneField(
        "Order",
        verbose_name=_("from order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_item",
    )
    late_raised_at = models.DateTimeField(_("late raised at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        ordering = ["project", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="renovation_item_budget",
                violation_error_message=_("A budget cannot be below zero."),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="renovation_item_progress",
                violation_error_message=_("Progress cannot be above 100 %."),
            ),
        ]
        indexes = [models.Index(fields=["project", "state"], name="renovation_item_proj_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def compound_id(self) -> int:
        return self.project.compound_id


class Funding(models.Model):
    """Money for a project from one source (10k yuan)."""

    class Source(models.TextChoices):
        HIGHER = "higher", _("higher-level funds")
        MAINTENANCE = "maintenance", _("maintenance fund")
        RESIDENTS = "residents", _("residents' contributions")
        CO_BUILDING = "cobuilding", _("co-building units")
        OTHER = "other", _("other")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="funding"
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    amount = models.DecimalField(_("amount (10k yuan)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        ordering = ["project", "source", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="renovation_funding_amount")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"


class Household(models.Model):
    """A household of a compound, known by the code its community issued (stored hashed).

    The code is how an anonymous resident proves they belong to the compound:
    it is printed once on a slip (see ``actions.households.issue_codes``) and
    only its keyed hash is kept. The same code places orders, votes and rates.
    """

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.CASCADE,
        related_name="households_set",
    )
    label = models.CharField(_("dwelling"), max_length=40)
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    issued_at = models.DateTimeField(pgettext_lazy("renovation", "issued at"))

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["compound", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "label"],
                condition=Q(is_active=True),
                name="renovation_household_label",
            )
        ]

    def __str__(self) -> str:
        return self.label


class Order(models.Model):
    """A residents' order (下单): what a household says the compound needs."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", pgettext_lazy("renovation", "accepted")
        MERGED = "merged", _("merged")
        DECLINED = "declined", _("declined")
        TAKEN = "taken", _("taken into the plan")

    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), on_delete=models.CASCADE, related_name="orders"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    work_type = models.ForeignKey(
        WorkType, verbose_name=_("work type"), null=True, blank=True, on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("description"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SUBMITTED
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    created_at = models.DateTimeField(_("placed at"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("residents' order")
        verbose_name_plural = _("residents' orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["compound", "state"], name="renovation_order_comp_state"),
            models.Index(fields=["household"], name="renovation_order_household"),
        ]

    def __str__(self) -> str:
        return self.title


class Stage(models.Model):
    """One step of 一征三议两公开 for a project, with its date and minutes."""

    class Kind(models.TextChoices):
        COLLECT = "collect", _("collect opinions (征)")
        PROPOSE = "propose", _("party organisation proposes (议)")
        JOINT = "joint", _("four-party joint meeting (议)")
        RESOLVE = "resolve", _("residents resolve (议)")
        PUBLISH_DECISION = "decision", _("publish the decision (公开)")
        PUBLISH_RESULT = "result", _("publish the result (公开)")

    class State(models.TextChoices):
        PENDING = "pending", _("not started")
        OPEN = "open", pgettext_lazy("renovation", "in progress")
        DONE = "done", _("done")

    ORDER = [k.value for k in Kind]

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="stages"
    )
    kind = models.CharField(_("stage"), max_length=10, choices=Kind.choices)
    seq = models.PositiveSmallIntegerField(_("order"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    published_text = models.TextField(_("published text"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["project", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="renovation_stage_once")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def compound_id(self) -> int:
        return self.project.compound_id


class Vote(models.Model):
    """A vote of the compound's households on questions (usually accepted orders)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed, results published")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="votes"
    )
    title = models.CharField(_("title"), max_length=100)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    quorum = models.DecimalField(_("quorum (share of households)"), max_digits=4, decimal_places=3)
    majority = models.DecimalField(_("majority (share of votes)"), max_digits=4, decimal_places=3)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.DRAFT)
    eligible = models.PositiveIntegerField(_("eligible households"), default=0)
    turnout = models.PositiveIntegerField(_("households that voted"), default=0)
    quorum_met = models.BooleanField(_("quorum met"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="renovation_vote_window"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def compound_id(self) -> int:
        return self.project.compound_id


class Question(models.Model):
    """One question of a vote; after closing it carries its published counts."""

    vote = models.ForeignKey(
        Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("residents' order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    text = models.CharField(_("question"), max_length=200)
    seq = models.PositiveSmallIntegerField(_("order"), default=0)
    votes_for = models.PositiveIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    abstentions = models.PositiveIntegerField(_("abstentions"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["vote", "seq", "id"]
        indexes = [models.Index(fields=["order"], name="renovation_question_order")]

    def __str__(self) -> str:
        return self.text


class Receipt(models.Model):
    """ "This household has voted in this vote" — and nothing about how.

    One row per (vote, household), unique: the database itself refuses a
    second vote of a household, whatever the timing of concurrent requests.
    """

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="receipts")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="receipts")

    class Meta:
        verbose_name = _("voting receipt")
        verbose_name_plural = _("voting receipts")
        constraints = [
            models.UniqueConstraint(fields=["vote", "household"], name="renovation_receipt_once")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class Ballot(models.Model):
    """A secret ballot: no household, no time, a random id.

    ``key`` is HMAC-SHA256(SECRET_KEY, vote id + the household's plain code).
    Only someone holding the plain code (which is never stored) can find the
    ballot again, to change it before closing; the stored household hash is a
    different HMAC and does not lead here.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    key = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["vote", "key"], name="renovation_ballot_key")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class Choice(models.Model):
    """One answer on a ballot (random id, so insertion order does not link it to a receipt)."""

    class Answer(models.TextChoices):
        FOR = "for", _("for")
        AGAINST = "against", _("against")
        ABSTAIN = "abstain", _("abstain")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    answer = models.CharField(max_length=8, choices=Answer.choices)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "question"], name="renovation_choice_once")
        ]
        indexes = [models.Index(fields=["question", "answer"], name="renovation_choice_q_a")]

    def __str__(self) -> str:
        return self.answer


class Adoption(models.Model):
    """A unit, company or deputy adopts (认领) a work item and says what it commits."""

    class Kind(models.TextChoices):
        PUBLIC_UNIT = "public", _("public unit")
        CIVILIZED_UNIT = "civilized", _("civilized unit")
        COMPANY = "company", _("company")
        DEPUTY = "deputy", _("people's deputy")

    item = models.OneToOneField(
        WorkItem, verbose_name=_("work item"), on_delete=models.CASCADE, related_name="adoption"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("adopter"), on_delete=models.PROTECT, related_name="adoptions"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    money = models.DecimalField(_("money (10k yuan)"), max_digits=12, decimal_places=2, default=0)
    labour = models.CharField(_("labour"), max_length=200, blank=True)
    design = models.CharField(_("design"), max_length=200, blank=True)
    adopted_at = models.DateTimeField(_("adopted at"))

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [
            models.CheckConstraint(condition=Q(money__gte=0), name="renovation_adoption_money")
        ]
        indexes = [models.Index(fields=["unit"], name="renovation_adoption_unit")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.item}"


class Rating(models.Model):
    """A household's rating (1–5) of a delivered item; one per household and delivery round."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="ratings")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="ratings")
    round = models.PositiveSmallIntegerField(_("delivery round"), default=1)
    stars = models.PositiveSmallIntegerField(_("stars"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    rated_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "household", "round"], name="renovation_rating_once"
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="renovation_rating_stars"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★"


class Photo(models.Model):
    """A checked photo (public copy without metadata, and a thumbnail)."""

    class Kind(models.TextChoices):
        BEFORE = "before", pgettext_lazy("renovation", "before")
        AFTER = "after", pgettext_lazy("renovation", "after")
        ORDER = "order", _("order")
        DELIVERY = "delivery", _("delivery")

    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="photos")  # fmt: skip
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(WorkItem, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="photos")  # fmt: skip
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="photos")  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    public = models.FileField(_("photo"), upload_to="renovation/%Y/%m/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="renovation/%Y/%m/")
    content_type = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["compound", "kind"], name="renovation_photo_comp_kind")]

    def __str__(self) -> str:
        return self.public.name


class Event(models.Model):
    """Append-only history of everything that happened in renovation (the timelines).

    Individual votes are never recorded here (only opening, closing and results).
    """

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="events")  # fmt: skip
    subject = models.CharField(_("subject"), max_length=10)  # order, item, stage, vote, project
    subject_id = models.BigIntegerField(_("subject id"))
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    actor_name = models.CharField(_("by"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("renovation event")
        verbose_name_plural = _("renovation events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["compound", "at"], name="renovation_event_comp_at"),
            models.Index(fields=["subject", "subject_id"], name="renovation_event_subject"),
        ]

    def __str__(self) -> str:
        return self.action

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("renovation events are append-only")
        super().save(*args, **kwargs)
