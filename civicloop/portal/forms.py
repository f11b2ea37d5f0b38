"""The resident's report form (photos are read from ``request.FILES`` and checked by the action)."""

from __future__ import annotations

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from civicloop.cases.actions import MAX_DESCRIPTION, MAX_PHOTOS
from civicloop.cases.models import SmallClass


def category_groups():
    """Active small classes grouped by class, in catalogue order: [(class, [small, …]), …]."""
    groups: dict[int, tuple] = {}
    for small in (
        SmallClass.objects.active()
        .select_related("category_class")
        .order_by("category_class__family", "category_class__code", "code")
    ):
        groups.setdefault(small.category_class_id, (small.category_class, []))[1].append(small)
    return list(groups.values())


def clean_phone(value: str) -> str:
    """Digits and + - ( ) only; full-width characters typed with a Chinese IME become ASCII."""
    phone = unicodedata.normalize("NFKC", value).strip()
    if phone and not all(ch.isdigit() or ch in "+-() " for ch in phone):
        raise forms.ValidationError(_("A phone number has digits only (and + - ( ))."))
    return phone


class ReportForm(forms.Form):
    category = forms.CharField(
        label=_("What is the problem?"), max_length=5,
        error_messages={"required": _("Choose what kind of problem it is.")},
    )  # fmt: skip
    lon = forms.FloatField(
        widget=forms.HiddenInput,
        error_messages={"required": _("Put a pin on the map or use your location.")},
    )
    lat = forms.FloatField(
        widget=forms.HiddenInput,
        error_messages={"required": _("Put a pin on the map or use your location.")},
    )
    address = forms.CharField(
        label=_("Address or landmark (optional)"), max_length=200, required=False
    )
    description = forms.CharField(
        label=_("Description"), max_length=MAX_DESCRIPTION, required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_DESCRIPTION}),
        help_text=_("Plain text, at most 4,000 characters. Please do not write names or phone numbers here: the description is public."),
    )  # fmt: skip
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail (optional)"), max_length=254, required=False)

    def clean_category(self):
        code = self.cleaned_data["category"].strip().upper()
        if not SmallClass.objects.active().filter(full_code=code).exists():
            raise forms.ValidationError(_("Choose a kind of problem from the list."))
        return code

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class RatingForm(forms.Form):
    LEVELS = [
        (5, _("Very satisfied")),
        (4, _("Satisfied")),
        (3, _("Acceptable")),
        (2, _("Unsatisfied")),
        (1, _("Very unsatisfied")),
    ]
    level = forms.TypedChoiceField(
        label=_("How satisfied are you with the result?"), choices=LEVELS, coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the five levels.")},
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Why? (optional)"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )  # fmt: skip


class FollowForm(forms.Form):
    number = forms.CharField(max_length=24)
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=40, required=False)

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


MAX_PORTAL_PHOTOS = MAX_PHOTOS
