"""The fast lane steps aside when the standard has no limit for the place."""

import pytest

from civicloop.cases.models import State, TimeLimit

from .loop_helpers import report

pytestmark = pytest.mark.django_db


def test_no_limit_for_the_area_class_means_the_normal_path(loop):
    loop["config"].fast_lane = True
    loop["config"].save()
    removed, _ = TimeLimit.objects.filter(
        standard__small_class__full_code="E0102", area_class="A"
    ).delete()
    assert removed
    case = report(loop, category="E0102")  # west point: area class A
    assert case.state == State.REPORTED and not case.fast_lane
