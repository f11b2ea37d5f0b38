"""Forms of the console: list filters, intake, case actions, request decisions."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from civicloop.cases.actions import MAX_PHOTOS, SOURCE_ROLES
from civicloop.cases.models import Light, Source, State, Urgency
from civicloop.cases.models.catalogue import SmallClass
from civicloop.geo.models import Region
from civicloop.org.models import Role, Unit

from . import desks

PHOTO_TYPES = "image/jpeg,image/png,image/webp"
#: Largest primary key a filter accepts (a larger number is a form error, not a database error).
MAX_ID = 2**31 - 1
#: Dates a filter accepts (outside them the day arithmetic would overflow).
MIN_DATE, MAX_DATE = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


class FilterDateField(forms.DateField):
    """A date filter within ``MIN_DATE``–``MAX_DATE``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("validators", [MinValueValidator(MIN_DATE), MaxValueValidator(MAX_DATE)])
        super().__init__(**kwargs)


def _id_field():
    return forms.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                              widget=forms.HiddenInput)  # fmt: skip


class FastSelect(forms.Select):
    """A select rendered in Python, not one template per option (long lists stay cheap)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        selected = "" if value is None else str(value)
        options = [
            format_html(
                '<option value="{}"{}>{}</option>',
                str(option_value),
                mark_safe(" selected") if str(option_value) == selected else "",
                label,
            )
            for option_value, label in self.choices
        ]
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe("".join(options)))


class RichSelect(forms.Select):
    """A select with option groups and ``data-`` attributes per option, rendered in Python.

    ``groups`` is ``[(group label or None, [(value, label, {data name: value}), ...]), ...]``;
    without groups it renders ``choices`` flat. desk.js puts a filter box in front of it
    when it has ``data-filter-placeholder``.
    """

    groups: list | None = None

    def _option(self, value, label, data, selected):
        extra = mark_safe("".join(
            format_html(' data-{}="{}"', key, str(item)) for key, item in (data or {}).items()
        ))  # fmt: skip
        return format_html(
            '<option value="{}"{}{}>{}</option>', str(value),
            mark_safe(" selected") if str(value) == selected else "", extra, label,
        )  # fmt: skip

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        selected = "" if value is None else str(value)
        parts = []
        groups = self.groups if self.groups is not None else [
            (None, [(v, label, None) for v, label in self.choices])
        ]  # fmt: skip
        for group, options in groups:
            rendered = mark_safe(
                "".join(self._option(v, lab, d, selected) for v, lab, d in options)
            )
            if group is None:
                parts.append(rendered)
            else:
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', group, rendered))
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe("".join(parts)))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; the content is checked by the action."""

    def __init__(self, *args, **kwargs):
        # capture: a phone opens its back camera for the photo (handlers and inspectors in the street)
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": PHOTO_TYPES, "capture": "environment"})
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS}, code="too_many"
            )
        return [super(PhotosField, self).clean(f, initial) for f in files]


def _textarea(rows=2):
    return forms.Textarea(attrs={"rows": rows})


def category_choices_queryset():
    return SmallClass.objects.filter(is_active=True).order_by("full_code")


def inspector_queryset():
    return (
        get_user_model()
        .objects.filter(
            person__memberships__role=Role.INSPECTOR,
            person__memberships__is_active=True,
            is_active=True,
        )
        .select_related("person")
        .distinct()
        .order_by("username")
    )


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        person = getattr(obj, "person", None)
        return f"{person.name}（{obj.username}）" if person else obj.username


# --- the case list ----------------------------------------------------------------


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("number, description or address")}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("all states")), ("open", _("all open"))] + list(State.choices),
    )
    light = forms.ChoiceField(
        label=_("Light"), required=False, choices=[("", _("any light"))] + list(Light.choices)
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=category_choices_queryset(),
        empty_label=_("all categories"),
    )  # fmt: skip
    street = forms.ModelChoiceField(
        label=_("Street"), required=False,
        queryset=Region.objects.filter(level=Region.Level.STREET).order_by("code"),
        empty_label=_("all streets"),
    )  # fmt: skip
    community = forms.ModelChoiceField(
        label=_("Community"), required=False,
        queryset=Region.objects.filter(level=Region.Level.COMMUNITY).order_by("code"),
        empty_label=_("all communities"),
    )  # fmt: skip
    unit = forms.ModelChoiceField(
        label=_("Unit"), required=False,
        queryset=Unit.objects.filter(is_active=True).order_by("kind", "code"),
        empty_label=_("all units"),
    )  # fmt: skip
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("all sources"))] + list(Source.choices)
    )
    date_from = FilterDateField(
        label=_("Reported from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = FilterDateField(
        label=_("Reported until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    closed_from = FilterDateField(widget=forms.HiddenInput)
    closed_to = FilterDateField(widget=forms.HiddenInput)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    road = _id_field()
    section = _id_field()
    cell = _id_field()  # set by picking a grid cell in the place search
    patrol_area = _id_field()
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("new", _("newest first")),
            ("old", _("oldest first")),
            ("due", _("deadline first")),
            ("updated", _("recently changed")),
            ("number", _("by number")),
        ],
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


# --- intake -----------------------------------------------------------------------


def report_sources(actor) -> list[tuple[str, str]]:
    """The intake sources (value, label) ``actor`` may report from; empty: no intake."""
    return [
        (value, label)
        for value, label in Source.choices
        if value in SOURCE_ROLES and actor is not None
        and actor.has(*SOURCE_ROLES[value], Role.ADMINISTRATOR)
    ]  # fmt: skip


class ReportForm(forms.Form):
    """A report from staff: an inspector's own, a hotline call, a road chief's …"""

    source = forms.ChoiceField(label=_("Source"))
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=category_choices_queryset(), empty_label=_("choose…"),
        # desk.js puts a filter box in front of the 100-odd categories.
        widget=forms.Select(attrs={"data-filter-placeholder": _("filter categories: code or name")}),
    )  # fmt: skip
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="normal")
    lon = forms.FloatField(
        label=_("Longitude"), widget=forms.NumberInput(attrs={"step": "0.000001"})
    )
    lat = forms.FloatField(
        label=_("Latitude"), widget=forms.NumberInput(attrs={"step": "0.000001"})
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), max_length=4000, widget=_textarea(3))
    reporter_name = forms.CharField(label=_("Caller's name"), max_length=60, required=False)
    reporter_phone = forms.CharField(label=_("Caller's phone"), max_length=40, required=False)
    photos = PhotosField()

    def __init__(self, *args, actor=None, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = report_sources(actor)
        if source:
            allowed = [c for c in allowed if c[0] == source]
        self.fields["source"].choices = allowed
        if allowed:
            self.fields["source"].initial = allowed[0][0]
        if len(allowed) == 1:
            self.fields["source"].widget = forms.HiddenInput()
        self.allowed_sources = [c[0] for c in allowed]


# --- actions on a case ------------------------------------------------------------


class ActionForm(forms.Form):
    """An action's form; ``case`` (the case it acts on) lets a desk show what applies to it."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case


class NoteForm(ActionForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea())


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=_textarea())


class VerdictMixin:
    def clean(self):
        data = super().clean()
        verdict = data.get(self.verdict_field)
        if verdict is False and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what is wrong."))
        return data


class VerifyForm(VerdictMixin, ActionForm):
    verdict_field = "true_report"
    true_report = forms.TypedChoiceField(
        label=_("Verdict"),
        choices=[("1", _("The problem exists (true report)")),
                 ("0", _("No such problem (false report)"))],
        coerce=lambda v: v == "1", widget=forms.RadioSelect,
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea())
    photos = PhotosField()


class CheckForm(VerdictMixin, ActionForm):
    verdict_field = "passed"
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Solved: passes the check")), ("0", _("Not solved: back for rework"))],
        coerce=lambda v: v == "1", widget=forms.RadioSelect,
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea())
    photos = PhotosField()


class ResultForm(ActionForm):
    note = forms.CharField(
        label=_("What was done"), required=False, max_length=2000, widget=_textarea()
    )
    photos = PhotosField(label=_("Photos after handling"))


class InspectorForm(ActionForm):
    inspector = InspectorChoiceField(
        label=_("Inspector"), queryset=inspector_queryset(), required=False,
        empty_label=_("the inspector of the patrol area"),
        help_text=_("Each with their patrol areas; those whose area holds this case come first."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["inspector"]
        areas = desks.inspector_areas()
        people = desks.inspector_choices(list(field.queryset), self.case, areas)
        field.widget.choices = [("", field.empty_label), *people]
        field.widget.attrs["data-filter-placeholder"] = _("find an inspector or a patrol area")


class AssignForm(InspectorForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["inspector"]
        field.required = True
        field.empty_label = _("choose…")
        field.widget.choices = [("", field.empty_label), *field.widget.choices[1:]]


class FileForm(ActionForm):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=category_choices_queryset(),
        widget=forms.Select(attrs={"data-filter-placeholder": _("filter categories: code or name"),
                                   "data-standards-for": "file-standard"}),
    )  # fmt: skip
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    # A choice among the category's standards (desk.js reloads them when the category
    # changes); the action checks that the code is one of the category's.
    standard = forms.CharField(
        label=_("Filing standard"), required=False, max_length=20,
        widget=RichSelect(attrs={"id": "file-standard"}),
        help_text=_("Its filing condition and time limits; empty: the category's default."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.case
        category = self.data.get(self.add_prefix("category")) if self.is_bound else None
        if not (category and str(category).isdecimal() and len(str(category)) < 10):
            category = case.small_class_id if case is not None else None
        self.standards = desks.standards_of(int(category) if category else None, case)
        widget = self.fields["standard"].widget
        widget.attrs["data-url"] = reverse("console:desk_standards")
        if case is not None:
            widget.attrs["data-case"] = str(case.pk)
        widget.groups = [(None, [("", _("the category's default standard"), None)] + [
            (s["code"], desks.standard_label(s),
             {"condition": s["condition"], "closure": s["closure"], "applies": s["applies"]})
            for s in self.standards
        ])]  # fmt: skip


class DispatchForm(ActionForm):
    unit = forms.ModelChoiceField(
        label=_("Handling unit"),
        queryset=Unit.objects.filter(is_active=True).order_by("kind", "code"),
        widget=RichSelect(attrs={"data-filter-placeholder": _("find a unit: code or name")}),
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Why another unit than the suggestion"), required=False, max_length=2000,
        widget=_textarea(),
        help_text=_("Required when the unit is not the suggested one; kept in the history."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.case
        proposed = case.proposed_unit_id if case is not None else None
        widget = self.fields["unit"].widget
        suggested = _("suggested")
        widget.groups = [(None, [("", _("choose…"), None)])] + [
            (kind, [(u.pk, f"{u.code} {u.name}" + (f" ★ {suggested}" if u.pk == proposed else ""),
                     {"kind": u.kind, "keywords": u.short_name}) for u in units])
            for kind, units in desks.unit_groups(self.fields["unit"].queryset)
        ]  # fmt: skip
        widget.attrs["data-proposed"] = str(proposed or "")
        self.preview = desks.dispatch_preview(case) if case is not None else None


class ExtensionForm(ActionForm):
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.5"), max_value=Decimal(720), decimal_places=2
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=_textarea())


#: A case number: family letter, class and small class, date, daily sequence.
NUMBER_PATTERN = re.compile(r"[CE][0-9]{16,20}")


def case_number(raw) -> str:
    """A case number typed by a user (upper case), or "" for none; a form error otherwise."""
    number = (raw or "").strip().upper()
    if number and not NUMBER_PATTERN.fullmatch(number):
        raise forms.ValidationError(
            _("%(number)s is not a case number (e.g. E0102202011180007).") % {"number": number[:24]}
        )
    return number


class MergeForm(ActionForm):
    """Merge into one of the duplicates found nearby, or into a case named by its number.

    ``candidates``: the (case, metres) pairs of "Duplicates nearby" the user can see.
    ``cleaned_data["into"]`` is a candidate's id (int) or the number typed (str); the
    console resolves either among the cases the user can see (civicloop.console.case_actions).
    """

    target = forms.TypedChoiceField(
        label=_("Merge into"), required=False, coerce=int, empty_value=None,
        widget=forms.RadioSelect,
    )  # fmt: skip
    number = forms.CharField(
        label=_("Or another case, by number"), required=False, max_length=24,
        help_text=_("An open case not among the duplicates nearby."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea())

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            (case.pk, f"{case.number} · {case.get_state_display()} · {round(metres)} m")
            for case, metres in candidates
        ]
        if not candidates:
            del self.fields["target"]
            self.fields["number"].label = _("Merge into case number")
            self.fields["number"].help_text = _("The open case this one repeats.")

    def clean_number(self):
        return case_number(self.cleaned_data.get("number"))

    def clean(self):
        data = super().clean()
        target, number = data.get("target"), data.get("number")
        if self.errors:
            return data
        if target and number:
            raise forms.ValidationError(_("Choose a case or type a number, not both."))
        if not (target or number):
            raise forms.ValidationError(_("Choose the case this one repeats."))
        data["into"] = target or number
        return data


class SuperviseForm(ActionForm):
    opinion = forms.CharField(label=_("Opinion"), max_length=2000, widget=_textarea(3))
    reply_hours = forms.DecimalField(
        label=_("Reply due in (working hours)"), initial=8, min_value=Decimal("0.5"),
        max_value=Decimal(720), decimal_places=2,
    )  # fmt: skip


class DecisionForm(forms.Form):
    """Approve or reject a request; an extension may be granted fewer hours."""

    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea(1))
    hours = forms.DecimalField(
        label=_("Hours granted"), required=False, min_value=Decimal("0.5"),
        max_value=Decimal(720), decimal_places=2,
    )  # fmt: skip


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply"), max_length=2000, widget=_textarea(2),
                            error_messages={"required": _("Write a reply.")})  # fmt: skip


def _fast_selects(*form_classes):
    """Every select of these forms renders through :class:`FastSelect`."""
    for form_class in form_classes:
        for field in form_class.base_fields.values():
            if type(field.widget) is forms.Select:
                field.widget = FastSelect(attrs=field.widget.attrs)
                if hasattr(field, "choices"):
                    field.widget.choices = field.choices


_fast_selects(CaseFilterForm, ReportForm, FileForm, DispatchForm, InspectorForm, AssignForm)
