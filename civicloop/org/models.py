"""Units, people, memberships with roles, and responsibility rules.

A responsibility rule maps (category, optional place, optional component
owner) to the unit that must handle such a case; ``routing.route`` picks the
most specific matching rule, and falls back to the street office of the place
(属地兜底).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicloop.geo.models import PatrolArea, Region, Road, RoadSection

from .categories import category_exists


class Unit(models.Model):
    """A responsible unit (责任单位): department, street office, contractor, police."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("department")
        STREET_OFFICE = "street_office", _("street office")
        CONTRACTOR = "contractor", _("contractor")
        POLICE = "police", _("police")
        OTHER = "other", _("other")

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_.-]+$", _("Use letters, digits, '.', '_' or '-'."))
        ],
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("For a street office: its street. It is then the territorial fallback there."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind="street_office", is_active=True),
                name="org_unit_one_street_office_per_region",
                violation_error_message=_("This street already has an active street office."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.STREET_OFFICE and (
            self.region is None or self.region.level != Region.Level.STREET
        ):
            raise ValidationError({"region": _("A street office needs its street as territory.")})


class Person(models.Model):
    """A person who works in the system; may have a login (``user``)."""

    name = models.CharField(_("name"), max_length=60)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("A made-up person of the demo dataset.")
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    INSPECTOR = "inspector", _("inspector")
    ACCEPTOR = "acceptor", _("acceptor")
    SHIFT_LEADER = "shift_leader", _("shift leader")
    DISPATCHER = "dispatcher", _("dispatcher")
    HANDLER = "handler", _("handler")
    UNIT_LEADER = "unit_leader", _("unit leader")
    SUPERVISOR = "supervisor", _("supervisor")
    ROAD_CHIEF = "road_chief", _("road chief")
    ADMINISTRATOR = "administrator", _("administrator")
    # District leaders (区领导): inspect on site, follow what is late.
    LEADER = "leader", _("district leader")
    # Community workers (社区工作者): review residents' orders, run stages and votes.
    COMMUNITY_WORKER = "community_worker", _("community worker")
    # The renovation office (老旧小区改造办, housing security centre): the programme ledger.
    RENOVATION_OFFICER = "renovation_officer", _("renovation officer")
    # Units, companies and deputies that adopt renovation items (认领方).
    ADOPTER = "adopter", _("adopter")


#: Who else acts in histories (the ``role`` column of case and item events).
OTHER_ACTORS = {"resident": _("resident"), "system": _("system")}


def role_label(value: str) -> str:
    """The translated name of a role code as written in histories (the code if unknown)."""
    if value in Role.values:
        return str(Role(value).label)
    return str(OTHER_ACTORS.get(value, value))


class Membership(models.Model):
    """A person's role in a unit, optionally scoped to a patrol area or road."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, db_index=True)
    patrol_area = models.ForeignKey(
        PatrolArea,
        verbose_name=_("patrol area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text=_("Inspectors only: the patrol area they verify and check in."),
    )
    road_section = models.ForeignKey(
        RoadSection,
        verbose_name=_("road section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text=_("Road chiefs only: the section they are chief of."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["unit", "role", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["road_section"],
                condition=Q(role="road_chief", is_active=True),
                name="org_membership_one_chief_per_section",
                violation_error_message=_("This road section already has a road chief."),
            ),
            models.CheckConstraint(
                condition=Q(patrol_area__isnull=True) | Q(role="inspector"),
                name="org_membership_patrol_area_for_inspectors",
            ),
            models.CheckConstraint(
                condition=Q(road_section__isnull=True) | Q(role="road_chief"),
                name="org_membership_section_for_road_chiefs",
            ),
        ]
        indexes = [models.Index(fields=["person", "is_active"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.unit} · {self.get_role_display()}"

    def clean(self) -> None:
        errors = {}
        if self.patrol_area_id and self.role != Role.INSPECTOR:
            errors["patrol_area"] = _("Only an inspector has a patrol area.")
        if self.road_section_id and self.role != Role.ROAD_CHIEF:
            errors["road_section"] = _("Only a road chief has a road section.")
        if self.role == Role.ROAD_CHIEF and not self.road_section_id:
            errors["road_section"] = _("A road chief needs a road section.")
        if errors:
            raise ValidationError(errors)


category_code_validator = RegexValidator(
    r"^[CE]\d{2}(\d{2})?$",
    _(
        "A category code is C or E, a 2-digit class and optionally a 2-digit small class: E05 or E0505."
    ),
)


class ResponsibilityRule(models.Model):
    """Which unit handles a category, optionally only at a place or for an owner.

    The most specific matching rule wins: a rule for the component's owner
    beats one without; then a small class beats a whole class; then a road
    beats a community, a community a street, a street the district, and that
    any place; then the higher priority. Without any match the street office
    of the place is responsible.
    """

    category_code = models.CharField(
        _("category code"),
        max_length=5,
        db_index=True,
        validators=[category_code_validator],
        help_text=_("E0505 for one small class, E05 for a whole class."),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="responsibility_rules",
    )
    road = models.ForeignKey(
        Road,
        verbose_name=_("road"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="responsibility_rules",
    )
    owner = models.CharField(
        _("component owner"),
        max_length=100,
        blank=True,
        help_text=_("Only for components whose recorded owner (权属单位) is this."),
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="responsibility_rules",
    )
    priority = models.SmallIntegerField(
        _("priority"), default=0, help_text=_("Breaks ties between equally specific rules.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("responsibility rule")
        verbose_name_plural = _("responsibility rules")
        ordering = ["category_code", "-priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=True) | Q(road__isnull=True),
                name="org_rule_region_or_road",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_code} → {self.unit}"

    def clean(self) -> None:
        if self.region_id and self.road_id:
            raise ValidationError(_("A rule names a region or a road, not both."))
        # The catalogue belongs to cases, above org: its check is registered (categories.py).
        if self.category_code and not category_exists(self.category_code):
            raise ValidationError(
                {"category_code": _("No category with this code is in the catalogue.")}
            )
