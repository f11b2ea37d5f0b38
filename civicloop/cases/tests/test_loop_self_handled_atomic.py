"""Self-handling is one transaction and never goes through the fast lane."""

import pytest

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseEvent, Evidence, State

pytestmark = pytest.mark.django_db


def test_self_handling_with_the_fast_lane_on(loop, photo):
    loop["config"].fast_lane = True
    loop["config"].save()
    lon, lat = loop["west_point"]
    case = actions.report_self_handled(
        loop["actors"]["inspector"], category="E0102", lon=lon, lat=lat,
        before_photos=[photo()], after_photos=[photo((0, 200, 0))], description="已清理",
    )  # fmt: skip
    assert case.state == State.PENDING_CLOSURE and case.self_handled
    assert case.unit is None and not case.fast_lane
    assert [e.action for e in case.events.order_by("id")] == ["report", "self_handle"]


def test_a_failing_self_handling_writes_nothing(loop, photo, monkeypatch):
    real_write = actions.write

    def failing_write(case, actor, role, action, *args, **kwargs):
        if action == CaseEvent.Action.SELF_HANDLE:
            raise actions.Conflict("boom")
        return real_write(case, actor, role, action, *args, **kwargs)

    monkeypatch.setattr(actions.intake, "write", failing_write)
    lon, lat = loop["west_point"]
    with pytest.raises(actions.Conflict):
        actions.report_self_handled(
            loop["actors"]["inspector"], category="E0102", lon=lon, lat=lat,
            before_photos=[photo()], after_photos=[photo((0, 200, 0))],
        )  # fmt: skip
    assert not Case.objects.exists() and not Evidence.objects.exists()
