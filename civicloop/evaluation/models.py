"""Configuration of the evaluation: weights, count bands, grades and list rules.

One row (pk=1), seeded by a data migration with the defaults of DESIGN.md §6
and edited in the admin. The services read it through :meth:`EvaluationConfig.get`.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Composite weights per scope family (percent; each family sums to 100).
DEFAULT_WEIGHTS = {
    "unit": {"filed_count": 10, "closure_rate": 30, "on_time_rate": 30, "rework_rate": 30},
    "inspector": {
        "effective_rate": 40,
        "missed_rate": 20,
        "verify_on_time_rate": 20,
        "check_on_time_rate": 20,
    },
    "acceptor": {"intake_on_time_rate": 60, "wrong_acceptance_rate": 40},
    "shift_leader": {"filing_on_time_rate": 25, "void_rate": 40, "closure_on_time_rate": 35},
    "dispatcher": {"dispatch_count": 20, "dispatch_on_time_rate": 40, "misdispatch_rate": 40},
    "region": {
        "public_report_rate": 10,
        "filed_count": 20,
        "closure_rate": 30,
        "on_time_closure_rate": 40,
    },
}

#: Filed-count score: [upper bound inclusive (None = no bound), score]; fewer cases score more.
DEFAULT_FILED_BANDS = [[50, 100], [100, 90], [200, 75], [500, 60], [1000, 40], [None, 0]]
#: Dispatch-count score: more work scores more (DESIGN.md names the score, not its bands).
DEFAULT_DISPATCH_BANDS = [[0, 0], [49, 40], [99, 60], [199, 75], [499, 90], [None, 100]]
#: Grades: [grade, minimum score], best first; the last one catches everything.
DEFAULT_GRADES = [["A", 90], ["B", 75], ["C", 60], ["D", 40], ["E", 0]]


def _check_bands(value, field: str) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError({field: _("Give a list of [upper bound, score] pairs.")})
    previous = -1
    for index, item in enumerate(value):
        if not (isinstance(item, list) and len(item) == 2):
            raise ValidationError({field: _("Give a list of [upper bound, score] pairs.")})
        bound, score = item
        last = index == len(value) - 1
        if bound is None and not last:
            raise ValidationError({field: _("Only the last band may have no upper bound.")})
        if last and bound is not None:
            raise ValidationError({field: _("The last band must have no upper bound (null).")})
        if bound is not None:
            if not isinstance(bound, int) or bound <= previous:
                raise ValidationError(
                    {field: _("Upper bounds must be whole numbers in increasing order.")}
                )
            previous = bound
        if not isinstance(score, int | float) or not 0 <= score <= 100:
            raise ValidationError({field: _("Scores must be between 0 and 100.")})


class EvaluationConfig(models.Model):
    """Weights, bands, grades and the red/black list rule (one row).

    Both list rules keep to the grades: with "top and bottom N" the red list
    takes the best N *among the red-list grades* and the black list the worst
    N *among the black-list grades*, so a grade A is never on the black list
    nor an E on the red one, however few entities are ranked.
    """

    class ListRule(models.TextChoices):
        TOP_N = "top_n", _("top and bottom N")
        GRADE = "grade", _("by grade")

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    weights = models.JSONField(
        _("weights (%)"),
        default=dict,
        help_text=_(
            "Per family (unit, inspector, acceptor, shift_leader, dispatcher, region): "
            "component → weight in percent; each family sums to 100."
        ),
    )
    filed_count_bands = models.JSONField(
        _("filed-count bands"),
        default=list,
        help_text=_("[[upper bound, score], …] in increasing order; the last bound is null."),
    )
    dispatch_count_bands = models.JSONField(
        _("dispatch-count bands"),
        default=list,
        help_text=_("[[upper bound, score], …] in increasing order; the last bound is null."),
    )
    grades = models.JSONField(
        _("grades"),
        default=list,
        help_text=_("[[grade, minimum score], …] from the best grade down; the last minimum is 0."),
    )
    list_rule = models.CharField(
        _("red/black list rule"), max_length=10, choices=ListRule.choices, default=ListRule.TOP_N
    )
    list_size = models.PositiveSmallIntegerField(
        _("list size (N)"), default=3, help_text=_("Top/bottom N: how many on each list.")
    )
    red_grades = models.CharField(
        _("red-list grades"), max_length=20, default="A", help_text=_("Comma-separated, e.g. A")
    )
    black_grades = models.CharField(
        _("black-list grades"),
        max_length=20,
        default="D,E",
        help_text=_("Comma-separated, e.g. D,E"),
    )
    min_cases = models.PositiveSmallIntegerField(
        _("minimum cases to rank"),
        default=10,
        help_text=_(
            "An entity with fewer cases in the period (due, filed, dispatches … as the "
            "scope counts them) is listed with its figures but not ranked and never on a list."
        ),
    )

    class Meta:
        verbose_name = _("evaluation settings")
        verbose_name_plural = _("evaluation settings")

    def __str__(self) -> str:
        return str(_("evaluation settings"))

    @classmethod
    def get(cls) -> EvaluationConfig:
        config, _created = cls.objects.get_or_create(pk=1, defaults=cls.default_values())
        return config

    @staticmethod
    def default_values() -> dict:
        return {
            "weights": copy.deepcopy(DEFAULT_WEIGHTS),
            "filed_count_bands": copy.deepcopy(DEFAULT_FILED_BANDS),
            "dispatch_count_bands": copy.deepcopy(DEFAULT_DISPATCH_BANDS),
            "grades": copy.deepcopy(DEFAULT_GRADES),
        }

    # --- reading -------------------------------------------------------------

    def weights_for(self, family: str) -> dict[str, float]:
        return dict((self.weights or {}).get(family) or DEFAULT_WEIGHTS[family])

    @staticmethod
    def band_score(bands: list, count: int) -> float:
        for bound, score in bands:
            if bound is None or count <= bound:
                return float(score)
        return 0.0

    def grade_for(self, score: float | None) -> str:
        if score is None:
            return ""
        grades = self.grades or DEFAULT_GRADES
        for grade, minimum in grades:
            if score >= minimum:
                return grade
        return grades[-1][0]

    @property
    def red_grade_set(self) -> set[str]:
        return {g.strip().upper() for g in self.red_grades.split(",") if g.strip()}

    @property
    def black_grade_set(self) -> set[str]:
        return {g.strip().upper() for g in self.black_grades.split(",") if g.strip()}

    # --- validation ----------------------------------------------------------

    def clean(self) -> None:
        weights = self.weights
        if not isinstance(weights, dict):
            raise ValidationError({"weights": _("Give an object of families.")})
        for family, components in weights.items():
            if family not in DEFAULT_WEIGHTS:
                raise ValidationError(
                    {"weights": _("Unknown family %(family)s.") % {"family": family}}
                )
            if not isinstance(components, dict) or set(components) != set(DEFAULT_WEIGHTS[family]):
                raise ValidationError(
                    {
                        "weights": _("%(family)s needs exactly these components: %(names)s.")
                        % {"family": family, "names": ", ".join(DEFAULT_WEIGHTS[family])}
                    }
                )
            values = list(components.values())
            if any(not isinstance(v, int | float) or v < 0 for v in values):
                raise ValidationError({"weights": _("Weights must be numbers of 0 or more.")})
            if abs(sum(values) - 100) > 1e-6:
                raise ValidationError(
                    {
                        "weights": _("The weights of %(family)s must sum to 100.")
                        % {"family": family}
                    }
                )
        _check_bands(self.filed_count_bands, "filed_count_bands")
        _check_bands(self.dispatch_count_bands, "dispatch_count_bands")
        grades = self.grades
        if not isinstance(grades, list) or not grades:
            raise ValidationError({"grades": _("Give a list of [grade, minimum score] pairs.")})
        previous = 101
        for item in grades:
            if not (
                isinstance(item, list)
                and len(item) == 2
                and isinstance(item[0], str)
                and item[0].strip()
                and isinstance(item[1], int | float)
            ):
                raise ValidationError({"grades": _("Give a list of [grade, minimum score] pairs.")})
            if item[1] >= previous:
                raise ValidationError(
                    {"grades": _("Minimum scores must decrease from the best grade down.")}
                )
            previous = item[1]
        if grades[-1][1] != 0:
            raise ValidationError({"grades": _("The last grade must have minimum 0.")})
        known = {g for g, _m in grades}
        for field in ("red_grades", "black_grades"):
            unknown = {
                g.strip().upper() for g in getattr(self, field).split(",") if g.strip()
            } - known
            if unknown:
                raise ValidationError(
                    {
                        field: _("Unknown grade(s): %(grades)s.")
                        % {"grades": ", ".join(sorted(unknown))}
                    }
                )
        if self.red_grade_set & self.black_grade_set:
            raise ValidationError(
                {
                    "black_grades": _("A grade cannot be on both lists: %(grades)s.")
                    % {"grades": ", ".join(sorted(self.red_grade_set & self.black_grade_set))}
                }
            )
        if self.list_rule == self.ListRule.TOP_N and self.list_size < 1:
            raise ValidationError({"list_size": _("N must be at least 1.")})
