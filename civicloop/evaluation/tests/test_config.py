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


def test_admin_edits_the_settings(admin_client):
    response = admin_client.get("/admin/evaluation/evaluationconfig/1/change/")
    assert response.status_code == 200
    data = {
        "weights": '{"unit": {"filed_count": 10, "closure_rate": 30, "on_time_rate": 30, '
                   '"rework_rate": 30}}',
        "filed_count_bands": "[[50, 100], [null, 0]]",
        "dispatch_count_bands": "[[0, 0], [null, 100]]",
        "grades": '[["A", 90], ["B", 0]]',
        "list_rule": "grade", "list_size": "2", "red_grades": "A", "black_grades": "B",
    }  # fmt: skip
    response = admin_client.post("/admin/evaluation/evaluationconfig/1/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    config = EvaluationConfig.get()
    assert config.list_rule == "grade" and config.filed_count_bands == [[50, 100], [None, 0]]
    data["grades"] = '[["A", 90], ["B", 10]]'
    response = admin_client.post("/admin/evaluation/evaluationconfig/1/change/", data)
    assert response.status_code == 200 and "最低分必须为 0" in response.content.decode()
