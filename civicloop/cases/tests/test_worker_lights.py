"""The worker turns lights green → yellow → red, each change a history row."""

import datetime

import pytest

from civicloop.cases import actions
from civicloop.cases.models import Case
from civicloop.cases.timekeeping import run_pass

from .test_worker_support import dispatched, hours, minutes, pass_time, worker_events

pytestmark = pytest.mark.django_db


def test_green_then_yellow_then_red_with_history(loop):
    now = pass_time()
    case = dispatched(loop, now - hours(5))  # yellow after 4.8 h, due after 6 h
    version = case.version

    report = run_pass(now - hours(1))
    assert (report.yellow, report.red) == (0, 0)
    case.refresh_from_db()
    assert case.light == "green" and case.version == version

    report = run_pass(now)
    assert (report.yellow, report.red, report.overdue) == (1, 0, 0)
    case.refresh_from_db()
    assert case.light == "yellow" and not case.is_overdue and case.state == "dispatched"

    late = now + hours(1) + minutes(1)
    report = run_pass(late)
    assert (report.yellow, report.red, report.overdue) == (0, 1, 1)
    case.refresh_from_db()
    assert case.light == "red" and case.is_overdue and case.state == "dispatched"

    yellow, red = worker_events(case, "light")
    assert (yellow.at, yellow.data["from"], yellow.data["to"]) == (now, "green", "yellow")
    assert (red.at, red.data["from"], red.data["to"], red.data["overdue"]) == (
        late, "yellow", "red", True,
    )  # fmt: skip
    for event in (yellow, red):
        assert event.role == "system" and event.actor is None and event.actor_name == "system"
        assert event.from_state == event.to_state == "dispatched"
        assert not event.is_public and event.unit == loop["offices"]["west"]
    assert "turned yellow" in yellow.note and "has passed" in red.note


def test_a_case_missed_while_yellow_turns_red_in_one_step(loop):
    now = pass_time()
    case = dispatched(loop, now - hours(7))
    report = run_pass(now)
    assert (report.yellow, report.red, report.overdue) == (0, 1, 1)
    [event] = worker_events(case, "light")
    assert (event.data["from"], event.data["to"]) == ("green", "red")


def test_centre_stages_get_lights_but_no_reminders_or_escalations(loop):
    """A report waiting for acceptance runs on the centre's limit (working minutes)."""
    now = pass_time()
    lon, lat = loop["west_point"]
    case = actions.report_case(loop["actors"]["inspector"], source="inspector",
                               category="C0101", lon=lon, lat=lat, at=now - hours(48))  # fmt: skip
    assert case.light == "green"
    assert case.yellow_at < case.due_at
    run_pass(case.yellow_at + datetime.timedelta(seconds=1))
    case.refresh_from_db()
    assert case.light == "yellow"
    run_pass(case.due_at + minutes(1))
    case.refresh_from_db()
    assert case.state == "reported" and case.light == "red"
    assert not case.is_overdue and case.escalation_level == 0
    assert [e.data["to"] for e in worker_events(case)] == ["yellow", "red"]


def test_a_case_whose_light_an_action_already_set_is_left_alone(loop):
    """Only due rows are changed: a pass long before any deadline writes nothing."""
    now = pass_time()
    cases = [dispatched(loop, now - hours(n)) for n in (0, 1, 2)]
    report = run_pass(now)
    assert report.changes == 0 and report.conflicts == 0
    assert [c.version for c in cases] == list(
        Case.objects.filter(pk__in=[c.pk for c in cases])
        .order_by("pk")
        .values_list("version", flat=True)
    )
