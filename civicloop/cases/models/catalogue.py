"""The catalogue of problems a case can be about (GB/T 30428.2 / 30428.8 style).

Two families, components (部件) and events (事件), each split into classes (大类)
and small classes (小类). A small class has one or more filing standards
(立案标准): the condition under which a report becomes a case, the condition
under which the case may be closed, and a time limit per area class and
urgency (处置时限). The catalogue ships as ``cases/data/catalogue.csv`` (see
``catalogue_loader``) and is edited in the admin afterwards.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicloop.geo.choices import AreaClass

#: Class codes from this value up are local extensions (national ones are lower).
FIRST_LOCAL_CLASS_CODE = 21


class Family(models.TextChoices):
    """The two families of the national classification."""

    COMPONENT = "C", _("Component")
    EVENT = "E", _("Event")


class Urgency(models.TextChoices):
    """Urgency of a case; urgent limits usually run continuously (24/7)."""

    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class LimitUnit(models.TextChoices):
    """Unit of a time limit.

    These values MUST agree with ``civicloop.worktime.services.TimeUnit``, which
    does the deadline arithmetic; a test there (or here, once both exist)
    should compare the two.
    """

    WORKING_MINUTES = "working_minutes", _("working minutes")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    MINUTES = "minutes", _("minutes (continuous)")
    HOURS = "hours", _("hours (continuous)")
    DAYS = "days", _("days (continuous)")


#: Compact suffixes used by the catalogue file ("4wh", "6h", "20wd").
LIMIT_SUFFIXES: dict[str, LimitUnit] = {
    "wmin": LimitUnit.WORKING_MINUTES,
    "wh": LimitUnit.WORKING_HOURS,
    "wd": LimitUnit.WORKING_DAYS,
    "min": LimitUnit.MINUTES,
    "h": LimitUnit.HOURS,
    "d": LimitUnit.DAYS,
}
_SUFFIX_OF_UNIT = {unit: suffix for suffix, unit in LIMIT_SUFFIXES.items()}
_LIMIT_RE = re.compile(r"^(?P<amount>\d{1,5}(?:\.\d{1,2})?)\s*(?P<suffix>wmin|wh|wd|min|h|d)$")


def parse_limit(text: str) -> tuple[Decimal, LimitUnit]:
    """Parse a compact limit such as ``"4wh"`` or ``"1.5d"`` into (amount, unit).

    Raises ``ValueError`` when the text is not a positive number followed by one
    of the suffixes in :data:`LIMIT_SUFFIXES`.
    """
    match = _LIMIT_RE.match(text.strip().lower())
    if match is None:
        raise ValueError(text)
    amount = Decimal(match["amount"])
    if amount <= 0:
        raise ValueError(text)
    return amount, LIMIT_SUFFIXES[match["suffix"]]


def format_limit(amount: Decimal | int, unit: str) -> str:
    """The compact form of a limit, the inverse of :func:`parse_limit`."""
    text = format(Decimal(amount), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}{_SUFFIX_OF_UNIT[LimitUnit(unit)]}"


two_digit_code_validator = RegexValidator(
    r"^(0[1-9]|[1-9][0-9])$",
    _("Enter a two-digit code from 01 to 99."),
    code="invalid_code",
)
full_code_validator = RegexValidator(
    r"^[CE](0[1-9]|[1-9][0-9]){2}$",
    _("A full code is C or E followed by a two-digit class and a two-digit small class code."),
    code="invalid_full_code",
)
standard_code_validator = RegexValidator(
    r"^[CE](0[1-9]|[1-9][0-9]){3}$",
    _(
        "A filing standard code is the small class's full code followed by two digits, "
        "e.g. E010201."
    ),
    code="invalid_standard_code",
)


class CategoryClass(models.Model):
    """A class (大类) of one family, e.g. event 01 市容环境."""

    family = models.CharField(_("family"), max_length=1, choices=Family.choices)
    code = models.CharField(
        _("code"),
        max_length=2,
        validators=[two_digit_code_validator],
        help_text=_("Two digits; national classes are 01–20, local classes start at 21."),
    )
    name = models.CharField(_("name"), max_length=60)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category class")
        verbose_name_plural = _("category classes")
        ordering = ["family", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "code"], name="cases_categoryclass_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.family}{self.code} {self.name}"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            # The small classes store their full code: keep it in step.
            for small in self.small_classes.all():
                if small.full_code != small.compute_full_code():
                    small.save(update_fields=["full_code"])

    @property
    def prefix(self) -> str:
        """Family letter and class code, e.g. ``"E01"``."""
        return f"{self.family}{self.code}"

    @property
    def is_local(self) -> bool:
        """True for a local extension class (code 21 and above)."""
        return self.code.isdigit() and int(self.code) >= FIRST_LOCAL_CLASS_CODE


class SmallClassQuerySet(models.QuerySet):
    """Queries on small classes."""

    def active(self) -> SmallClassQuerySet:
        return self.filter(is_active=True, category_class__is_active=True)

    def matching(self, text: str) -> SmallClassQuerySet:
        """Small classes whose full code, name or keywords contain ``text``."""
        text = text.strip()
        return self.filter(
            Q(full_code__iexact=text) | Q(name__icontains=text) | Q(keywords__icontains=text)
        )


class SmallClass(models.Model):
    """A small class (小类), e.g. event 0102 暴露垃圾 (full code ``E0102``)."""

    category_class = models.ForeignKey(
        CategoryClass,
        on_delete=models.PROTECT,
        related_name="small_classes",
        verbose_name=_("category class"),
    )
    code = models.CharField(
        _("code"),
        max_length=2,
        validators=[two_digit_code_validator],
        help_text=_("Two digits under the class; local small classes count down from 99."),
    )
    name = models.CharField(_("name"), max_length=60)
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_("Comma-separated plain words residents might type, e.g. 井盖,窨井."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    full_code = models.CharField(
        _("full code"),
        max_length=5,
        unique=True,
        editable=False,
        validators=[full_code_validator],
        help_text=_("Family letter, class code and small class code, e.g. E0102."),
    )

    objects = SmallClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("small class")
        verbose_name_plural = _("small classes")
        ordering = ["full_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category_class", "code"], name="cases_smallclass_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_code} {self.name}"

    def save(self, *args, **kwargs) -> None:
        self.full_code = self.compute_full_code()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"code", "category_class"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "full_code"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.category_class_id is not None and self.code:
            self.full_code = self.compute_full_code()
            try:
                full_code_validator(self.full_code)
            except ValidationError as error:
                raise ValidationError({"code": error.messages}) from error

    def compute_full_code(self) -> str:
        """Family + class code + small class code, from the current field values."""
        return f"{self.category_class.family}{self.category_class.code}{self.code}"

    @property
    def keyword_list(self) -> list[str]:
        """The keywords as a list (commas, Chinese commas and 、 all separate)."""
        return split_keywords(self.keywords)

    @classmethod
    def by_code(cls, full_code: str) -> SmallClass:
        """The small class with this full code (e.g. ``"E0102"``, case-insensitive).

        Raises ``SmallClass.DoesNotExist`` when there is none.
        """
        return cls.objects.select_related("category_class").get(full_code=full_code.strip().upper())


_KEYWORD_SPLIT_RE = re.compile(r"[,，、;；]")


def split_keywords(text: str) -> list[str]:
    """Split a keyword string on commas (ASCII or Chinese), 、 or semicolons."""
    return [word.strip() for word in _KEYWORD_SPLIT_RE.split(text or "") if word.strip()]


DEFAULT_STANDARD_CONSTRAINT = "cases_filingstandard_one_default"


class FilingStandard(models.Model):
    """A filing standard (立案标准) of a small class, with its closure condition."""

    small_class = models.ForeignKey(
        SmallClass,
        on_delete=models.CASCADE,
        related_name="standards",
        verbose_name=_("small class"),
    )
    code = models.CharField(
        _("code"),
        max_length=7,
        unique=True,
        validators=[standard_code_validator],
        help_text=_(
            "Filing detail code: the small class's full code and two digits, e.g. E010201."
        ),
    )
    condition = models.TextField(_("filing condition"))
    closure_condition = models.TextField(_("closure condition"))
    note = models.TextField(_("note"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_(
            "Proposed when an intake does not choose a standard; at most one per small class. "
            "Marking a standard as default removes the mark from the others."
        ),
    )

    class Meta:
        verbose_name = _("filing standard")
        verbose_name_plural = _("filing standards")
        ordering = ["small_class__full_code", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["small_class"],
                condition=Q(is_default=True),
                name=DEFAULT_STANDARD_CONSTRAINT,
                violation_error_message=_("This small class already has a default standard."),
            )
        ]

    def __str__(self) -> str:
        condition = self.condition if len(self.condition) <= 30 else self.condition[:29] + "…"
        return f"{self.code} {condition}"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            if self.is_default and self.small_class_id is not None:
                # The newest default wins; the unique constraint is the safety net.
                FilingStandard.objects.filter(
                    small_class_id=self.small_class_id, is_default=True
                ).exclude(pk=self.pk).update(is_default=False)
            super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.small_class_id is not None and self.code:
            full_code = self.small_class.full_code
            if not self.code.startswith(full_code):
                raise ValidationError(
                    {
                        "code": _("The code must start with the small class's full code %(full)s.")
                        % {"full": full_code}
                    }
                )

    def get_constraints(self) -> list:
        # save() moves the default mark, so forms must not reject a second default.
        return [
            (model, [c for c in constraints if c.name != DEFAULT_STANDARD_CONSTRAINT])
            for model, constraints in super().get_constraints()
        ]

    def limit_for(self, area_class: str, urgency: str = Urgency.NORMAL) -> TimeLimit | None:
        """The time limit for an area class and urgency, or None.

        An urgent case falls back to the normal limit when the standard has no
        urgent one for that area class. Uses prefetched ``time_limits`` if any.
        """
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("time_limits")
        index = self.__dict__.get("_limits_index")
        if prefetched is not None and index is not None and index[0] is prefetched:
            limits = index[1]  # the dictionary of these prefetched limits, built once
        else:
            limits = {(limit.area_class, limit.urgency): limit for limit in self.time_limits.all()}
            if prefetched is not None:
                self.__dict__["_limits_index"] = (prefetched, limits)
        found = limits.get((str(area_class), str(urgency)))
        if found is None and urgency == Urgency.URGENT:
            found = limits.get((str(area_class), Urgency.NORMAL.value))
        return found


class TimeLimit(models.Model):
    """The handling time limit (处置时限) of a standard in one area class and urgency."""

    standard = models.ForeignKey(
        FilingStandard,
        on_delete=models.CASCADE,
        related_name="time_limits",
        verbose_name=_("filing standard"),
    )
    area_class = models.CharField(_("area class"), max_length=1, choices=AreaClass.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), _("The amount must be positive."))],
    )
    unit = models.CharField(_("unit"), max_length=20, choices=LimitUnit.choices)

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["standard", "urgency", "area_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "area_class", "urgency"],
                name="cases_timelimit_unique_area_urgency",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="cases_timelimit_amount_positive",
                violation_error_message=_("The amount must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_class}/{self.get_urgency_display()}: {self.compact}"

    @property
    def compact(self) -> str:
        """The limit in the catalogue file's notation, e.g. ``"4wh"``."""
        return format_limit(self.amount, self.unit)
