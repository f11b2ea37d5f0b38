"""Dispatch names the unit by instance, id, or code (codes may be all digits)."""

import pytest

from civicloop.cases import actions
from civicloop.cases.models import State
from civicloop.org.models import Unit

from .loop_helpers import advance, report

pytestmark = pytest.mark.django_db


def test_dispatch_to_a_unit_with_a_numeric_code(loop):
    unit = Unit.objects.create(code="410103900", name="数字编码单位", kind=Unit.Kind.DEPARTMENT)
    case = advance(loop, report(loop, category="E0102"), State.PENDING_DISPATCH)
    case = actions.dispatch_case(
        loop["actors"]["dispatcher"], case, unit="410103900", reason="改派"
    )
    assert case.unit == unit


def test_dispatch_by_id_and_by_code(loop):
    dispatcher = loop["actors"]["dispatcher"]
    first = advance(loop, report(loop, category="E0102"), State.PENDING_DISPATCH)
    assert (
        actions.dispatch_case(dispatcher, first, unit=loop["cleaning"].pk, reason="改派").unit
        == loop["cleaning"]
    )
    second = advance(loop, report(loop, category="E0101"), State.PENDING_DISPATCH)
    assert (
        actions.dispatch_case(dispatcher, second, unit=str(loop["cleaning"].pk), reason="改派").unit
        == loop["cleaning"]
    )
    third = advance(
        loop, report(loop, category="E0101", where="east_point"), State.PENDING_DISPATCH
    )
    with pytest.raises(actions.Invalid) as refused:
        actions.dispatch_case(dispatcher, third, unit="NOPE")
    assert refused.value.field == "unit"
    assert (
        actions.dispatch_case(dispatcher, third, unit="HW", reason="改派").unit == loop["cleaning"]
    )
