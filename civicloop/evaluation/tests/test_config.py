"""The evaluation settings: seeded with DESIGN.md's defaults, validated, edited in the admin."""

import pytest
from django.core.exceptions import ValidationError

from civicloop.evaluation.models import (
    DEFAULT_FILED_BANDS,
    DEFAULT_GRADES,
    DEFAULT_WEIGHTS,
    EvaluationConfig,
)

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_the_defaults():
    # A transactional test earlier in the run may have flushed the seeded row:
    # run the migration's seed function itself on an empty table.
    import importlib

    from django.apps import apps

    EvaluationConfig.objects.all().delete()
    seed = importlib.import_module("civicloop.evaluation.migrations.0002_seed_config").seed
    seed(apps, None)
    config = EvaluationConfig.objects.get(pk=1)
    assert config.weights == DEFAULT_WEIGHTS
    assert config.weights["unit"] == {"filed_count": 10, "closure_rate": 30, "on_time_rate": 30,
                                      "rework_rate": 30}  # fmt: skip
    assert config.filed_count_bands == DEFAULT_FILED_BANDS
    assert config.grades == DEFAULT_GRADES
    config.full_clean()


@pytest.mark.parametrize(("count", "score"), [(0, 100), (50, 100), (51, 90), (100, 90),
                                              (101, 75), (200, 75), (201, 60), (500, 60),
                                              (501, 40), (1000, 40), (1001, 0)])  # fmt: skip
def test_filed_count_bands(count, score):
    assert EvaluationConfig.band_score(DEFAULT_FILED_BANDS, count) == score


@pytest.mark.parametrize(("score", "grade"), [(100, "A"), (90, "A"), (89.99, "B"), (75, "B"),
                                              (60, "C"), (40, "D"), (39.9, "E"), (0, "E")])  # fmt: skip
def test_grades(score, grade):
    assert EvaluationConfig.get().grade_for(score) == grade


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weights", {"unit": {"filed_count": 50, "closure_rate": 30, "on_time_rate": 30,
                              "rework_rate": 30}}),
        ("weights", {"unit": {"filed_count": 100}}),
        ("weights", {"nobody": {}}),
        ("filed_count_bands", [[50, 100], [10, 90], [None, 0]]),
        ("filed_count_bands", [[50, 100], [100, 90]]),
        ("filed_count_bands", [[50, 120], [None, 0]]),
        ("grades", [["A", 90], ["B", 95], ["E", 0]]),
        ("grades", [["A", 90], ["B", 10]]),
        ("red_grades", "Z"),
    ],
)  # fmt: skip
def test_invalid_settings_are_refused(field, value):
    config = EvaluationConfig.get()
    setattr(config, field, value)
    with pytest.raises(ValidationError) as error:
        config.full_clean()
    assert field in error.value.message_dict


def _form_data(**changes) -> dict:
    """The admin form's fields as the page would post them (defaults, then changes)."""
    from civicloop.evaluation.admin import BAND_SLOTS, GRADE_SLOTS
    from civicloop.evaluation.models import DEFAULT_WEIGHTS

    config = EvaluationConfig.get()
    data = {"list_rule": config.list_rule, "list_size": config.list_size,
            "red_grades": config.red_grades, "black_grades": config.black_grades,
            "min_cases": config.min_cases}  # fmt: skip
    for family, components in DEFAULT_WEIGHTS.items():
        for component, weight in components.items():
            data[f"w_{family}_{component}"] = weight
    for key in ("filed_count_bands", "dispatch_count_bands"):
        bands = getattr(config, key)
        for i in range(BAND_SLOTS):
            bound, score = bands[i] if i < len(bands) else (None, None)
            data[f"{key}_{i}_bound"] = "" if bound is None else bound
            data[f"{key}_{i}_score"] = "" if score is None else score
    for i in range(GRADE_SLOTS):
        grade, minimum = config.grades[i] if i < len(config.grades) else ("", None)
        data[f"grade_{i}_name"] = grade
        data[f"grade_{i}_min"] = "" if minimum is None else minimum
    data.update(changes)
    return data


def test_admin_edits_the_settings_as_labelled_fields(admin_client):
    url = "/admin/evaluation/evaluationconfig/1/change/"
    response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    body = response.content.decode()
    # One labelled box per weight, band and grade; no JSON text area.
    assert 'name="weights"' not in body and 'name="grades"' not in body
    assert 'name="w_unit_closure_rate"' in body and 'name="filed_count_bands_0_bound"' in body
    assert "处置单位的权重" in body and "参与排名的最少案件数" in body and "结案率" in body
    data = _form_data(
        w_unit_filed_count=20, w_unit_closure_rate=20, list_rule="grade", list_size=2,
        red_grades="A", black_grades="E", min_cases=5,
        filed_count_bands_1_bound="", filed_count_bands_1_score=0,
    )  # fmt: skip
    for i in range(2, 8):
        data[f"filed_count_bands_{i}_bound"] = data[f"filed_count_bands_{i}_score"] = ""
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    config = EvaluationConfig.get()
    assert config.list_rule == "grade" and config.min_cases == 5
    assert config.filed_count_bands == [[50, 100], [None, 0]]
    assert config.weights["unit"] == {"filed_count": 20, "closure_rate": 20, "on_time_rate": 30,
                                      "rework_rate": 30}  # fmt: skip
    assert config.grades == [["A", 90], ["B", 75], ["C", 60], ["D", 40], ["E", 0]]
    # The model's rules still hold, with their message on the page.
    response = admin_client.post(url, _form_data(grade_4_min=10), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and "最低分必须为 0" in response.content.decode()
    response = admin_client.post(url, _form_data(w_unit_filed_count=50),
                                 HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert response.status_code == 200 and "权重合计必须为 100" in response.content.decode()
    assert EvaluationConfig.get().grades[-1] == ["E", 0]
