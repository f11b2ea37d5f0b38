"""Admin for the evaluation settings: weights, bands, grades and list rules as labelled
fields (one number per box, named in words), never raw JSON.

The form reads the JSON columns of :class:`EvaluationConfig` into fields and
writes them back; the model's own ``clean`` still validates the result (sums
of 100, increasing bands, decreasing grades), its messages shown on the form.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from .models import DEFAULT_WEIGHTS, EvaluationConfig

FAMILY_LABELS = {
    "unit": _("handling units"),
    "inspector": _("inspectors"),
    "acceptor": _("acceptors"),
    "shift_leader": _("shift leaders"),
    "dispatcher": _("dispatchers"),
    "region": _("regions (streets, communities, grid cells, road chiefs)"),
}
COMPONENT_LABELS = {
    "filed_count": _("filed-count score (bands below)"),
    "closure_rate": _("closure rate"),
    "on_time_rate": _("on-time handling rate"),
    "rework_rate": _("no rework (1 − rework rate)"),
    "effective_rate": _("effective report rate"),
    "missed_rate": _("no missed reports (1 − missed rate)"),
    "verify_on_time_rate": _("on-time verification"),
    "check_on_time_rate": _("on-time check"),
    "intake_on_time_rate": _("on-time intake"),
    "wrong_acceptance_rate": _("no wrong acceptance (1 − rate)"),
    "filing_on_time_rate": _("on-time filing"),
    "void_rate": _("accurate filing (1 − void rate)"),
    "closure_on_time_rate": _("on-time closure"),
    "dispatch_count": _("dispatch-count score (bands below)"),
    "dispatch_on_time_rate": _("on-time dispatch"),
    "misdispatch_rate": _("accurate dispatch (1 − wrong dispatch rate)"),
    "public_report_rate": _("public-report rate"),
    "on_time_closure_rate": _("on-time closure rate"),
}
BANDS = {
    "filed_count_bands": _("filed-count bands"),
    "dispatch_count_bands": _("dispatch-count bands"),
}
BAND_SLOTS = 8
GRADE_SLOTS = 6


def _number(value):
    """Decimals as ints when whole (the JSON keeps 30, not 30.0)."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _declared_fields() -> dict:
    fields = {}
    for family, components in DEFAULT_WEIGHTS.items():
        for component in components:
            fields[f"w_{family}_{component}"] = forms.DecimalField(
                label=COMPONENT_LABELS[component], min_value=0, max_value=100,
                decimal_places=2, required=True,
            )  # fmt: skip
    for key in BANDS:
        for index in range(BAND_SLOTS):
            fields[f"{key}_{index}_bound"] = forms.IntegerField(
                label=_("up to (cases)"), min_value=0, required=False,
                help_text=_("empty: no upper bound (the last band)"),
            )  # fmt: skip
            fields[f"{key}_{index}_score"] = forms.DecimalField(
                label=_("score"), min_value=0, max_value=100, decimal_places=2, required=False
            )
    for index in range(GRADE_SLOTS):
        fields[f"grade_{index}_name"] = forms.CharField(
            label=_("grade"), max_length=3, required=False
        )
        fields[f"grade_{index}_min"] = forms.DecimalField(
            label=_("minimum score"), min_value=0, max_value=100, decimal_places=2, required=False
        )
    return fields


class _ConfigForm(forms.ModelForm):
    class Meta:
        model = EvaluationConfig
        fields = ["list_rule", "list_size", "red_grades", "black_grades", "min_cases"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        config = self.instance
        for family, components in DEFAULT_WEIGHTS.items():
            weights = config.weights_for(family) if config.weights else dict(components)
            for component in components:
                self.initial.setdefault(f"w_{family}_{component}", weights.get(component, 0))
        for key in BANDS:
            for index, (bound, score) in enumerate((getattr(config, key) or [])[:BAND_SLOTS]):
                self.initial.setdefault(f"{key}_{index}_bound", bound)
                self.initial.setdefault(f"{key}_{index}_score", score)
        for index, (grade, minimum) in enumerate((config.grades or [])[:GRADE_SLOTS]):
            self.initial.setdefault(f"grade_{index}_name", grade)
            self.initial.setdefault(f"grade_{index}_min", minimum)

    def clean(self):
        data = super().clean()
        config = self.instance
        config.weights = {
            family: {c: _number(data.get(f"w_{family}_{c}") or 0) for c in components}
            for family, components in DEFAULT_WEIGHTS.items()
        }
        for key in BANDS:
            bands = []
            for index in range(BAND_SLOTS):
                bound = data.get(f"{key}_{index}_bound")
                score = data.get(f"{key}_{index}_score")
                if score is None and bound is None:
                    continue
                if score is None:
                    self.add_error(f"{key}_{index}_score", _("Give the band's score."))
                    continue
                bands.append([bound, _number(score)])
            setattr(config, key, bands)
        grades = []
        for index in range(GRADE_SLOTS):
            name = (data.get(f"grade_{index}_name") or "").strip().upper()
            minimum = data.get(f"grade_{index}_min")
            if not name and minimum is None:
                continue
            if not name or minimum is None:
                self.add_error(f"grade_{index}_name", _("Give both the grade and its minimum."))
                continue
            grades.append([name, _number(minimum)])
        config.grades = grades
        return data

    def _update_errors(self, errors):
        # The model names its JSON columns; on this form they are many boxes:
        # such messages go to the top of the form.
        if hasattr(errors, "error_dict"):
            remapped: dict = {}
            for field, messages in errors.error_dict.items():
                key = field if field in self.fields else NON_FIELD_ERRORS
                remapped.setdefault(key, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)


EvaluationConfigForm = type(
    "EvaluationConfigForm", (_ConfigForm,), {**_declared_fields(), "__module__": __name__}
)


def _fieldsets() -> list:
    sets = [
        (_("Ranking and lists"),
         {"fields": ["min_cases", "list_rule", "list_size", "red_grades", "black_grades"]}),
    ]  # fmt: skip
    for family, components in DEFAULT_WEIGHTS.items():
        sets.append((
            _("Weights of the %(family)s (percent, summing to 100)")
            % {"family": FAMILY_LABELS[family]},
            {"fields": [f"w_{family}_{c}" for c in components]},
        ))  # fmt: skip
    for key, label in BANDS.items():
        sets.append((
            label,
            {"fields": [(f"{key}_{i}_bound", f"{key}_{i}_score") for i in range(BAND_SLOTS)],
             "description": _("From the fewest cases up; leave the last band's bound empty.")},
        ))  # fmt: skip
    sets.append((
        _("Grades"),
        {"fields": [(f"grade_{i}_name", f"grade_{i}_min") for i in range(GRADE_SLOTS)],
         "description": _("From the best grade down; the last minimum is 0.")},
    ))  # fmt: skip
    return sets


@admin.register(EvaluationConfig)
class EvaluationConfigAdmin(admin.ModelAdmin):
    form = EvaluationConfigForm
    list_display = ["__str__", "list_rule", "list_size", "red_grades", "black_grades", "min_cases"]

    def get_fieldsets(self, request, obj=None):
        return _fieldsets()

    def has_add_permission(self, request):
        return not EvaluationConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
