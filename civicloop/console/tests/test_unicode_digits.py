"""Ids written with digits int() refuses ('²', '①': str.isdigit() is true for them)
are bad input: a 400 or a form error, never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ODD = ["²", "①", "1²", "٣x"]


@pytest.mark.parametrize("value", ODD)
def test_desk_endpoints_refuse_odd_digits(client_for, loop, value):
    lon, lat = loop["west_point"]
    shift_leader, acceptor = client_for("shift_leader"), client_for("acceptor")
    response = shift_leader.get(reverse("console:desk_standards"), {"category": value})
    assert response.status_code == 400
    response = acceptor.get(
        reverse("console:hotline_duplicates"), {"category": value, "lon": lon, "lat": lat}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("value", ODD)
def test_batch_refuses_odd_digits(client_for, loop, value):
    response = client_for("dispatcher").post(
        reverse("console:case_batch"),
        {"action": "dispatch", "cases": [value], "unit": loop["cleaning"].pk},
    )
    assert response.status_code == 400
