"""NUL characters in codes and texts are refused as invalid input (PostgreSQL cannot store them)."""

import pytest

from civicloop.cases import actions
from civicloop.cases.models import Case, State

from .loop_helpers import advance, report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("category", {"category": "E01\x0002"}),
        ("standard", {"standard": "E0102\x0001"}),
        ("external_id", {"external_id": "abc\x00"}),
    ],
)
def test_report_with_a_nul_character(loop, field, kwargs):
    kwargs = {"category": "E0102", **kwargs}
    with pytest.raises(actions.Invalid) as refused:
        report(loop, **kwargs)
    assert refused.value.field == field
    assert not Case.objects.exists()


def test_dispatch_to_a_unit_code_with_a_nul_character(loop):
    case = advance(loop, report(loop, category="E0102"), State.PENDING_DISPATCH)
    with pytest.raises(actions.Invalid) as refused:
        actions.dispatch_case(loop["actors"]["dispatcher"], case, unit="HW\x00")
    assert refused.value.field == "unit"
