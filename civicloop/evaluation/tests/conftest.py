"""A hand-built month of cases with known outcomes, made through the case actions.

June 2026 (period "2026-06"; Dragon Boat Festival on the 19th is avoided), with
two cases in May for the change against the previous period. Every step has
an explicit time; ``AS_OF`` is the moment the stock measures refer to.

Cases (W = the west street's point, E = the east street's point):

=====  =========================================================================
A      E0102 at W → cleaning company, handled on time, closed
B      E0102 at W → cleaning company, result two days late, closed
C      E0102 at W → cleaning company, check failed once (rework), closed
E      E0102 at W → cleaning company, extension of 8 h, result after the old
       deadline but before the extended one (on time), closed
K      E0101 at W → first dispatched to the cleaning company, which returns it
       before its deadline (a wrong dispatch), then to the west office, closed
D      E0101 at W → west office, which returns it four days late (counts
       against it), then dispatched to the east office, closed
F      E0101 at W → west office, suspended two days, result after the old
       deadline but inside the moved one (on time), closed
G      E0101 at W → west office, voided after dispatch
H      E0101 at E → east office, signed and never handled (overdue now)
I      E0101 at W reported by a resident, verified late, → west office, closed
J      E0101 at W, accepted, then not filed by the shift leader
M1     (May) E0101 at E → east office, on time, closed
M2     (May) E0102 at W → cleaning company, result late, closed
=====  =========================================================================
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseRequest, State
from civicloop.cases.permissions import public_actor
from civicloop.worktime import services as worktime

TZ = timezone.get_fixed_timezone(8 * 60)
AS_OF = datetime.datetime(2026, 7, 15, 0, 0, tzinfo=TZ)
MIN = datetime.timedelta(minutes=1)


def at(day: str, hm: str = "09:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=TZ)


class Builder:
    def __init__(self, loop):
        self.loop = loop
        self.a = loop["actors"]
        self.handlers = {
            loop["cleaning"].pk: "handler_clean",
            loop["offices"]["west"].pk: "handler_west",
            loop["offices"]["east"].pk: "handler_east",
        }

    def report(self, when, category="E0101", where="west_point", **kwargs):
        lon, lat = self.loop[where]
        actor = kwargs.pop("actor", self.a["inspector"])
        return actions.report_case(actor, source=kwargs.pop("source", "inspector"),
                                   category=category, lon=lon, lat=lat, at=when, **kwargs)  # fmt: skip

    def handler(self, case):
        return self.a[self.handlers[case.unit_id]]

    def checker(self, case):
        return self.a["inspector"] if case.patrol_area_id else self.a["admin_role"]

    def to_dispatched(self, case, when, unit=None):
        """Accept, file and dispatch, five minutes apart (all on time)."""
        a = self.a
        if case.state == State.REPORTED:
            case = actions.accept_case(a["acceptor"], case, at=when + 5 * MIN)
        if case.state == State.PENDING_FILING:
            case = actions.file_case(a["shift_leader"], case, at=when + 10 * MIN)
        reason = "改派" if unit is not None else ""
        return actions.dispatch_case(a["dispatcher"], case, unit=unit, reason=reason,
                                     at=when + 15 * MIN)  # fmt: skip

    def sign(self, case):
        return actions.sign_case(self.handler(case), case, at=case.dispatched_at + 5 * MIN)

    def submit(self, case, when):
        return actions.submit_result(self.handler(case), case, at=when)

    def finish(self, case, when):
        """Check (passed) and close, five minutes apart, after a result at ``when``."""
        case = actions.check_case(self.checker(case), case, passed=True, at=when + 5 * MIN)
        return actions.close_case(self.a["shift_leader"], case, at=when + 10 * MIN)

    def simple(self, when, category="E0101", where="west_point", late=False):
        case = self.sign(self.to_dispatched(self.report(when, category, where), when))
        done = case.handling_deadline + datetime.timedelta(days=2) if late else when + 30 * MIN
        return self.finish(self.submit(case, done), done)


@pytest.fixture(autouse=True)
def _seeded_settings(request):
    """The settings row the data migration seeds; a transactional test elsewhere
    in the run may have flushed it, so database tests make sure it is there."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from civicloop.evaluation.models import EvaluationConfig

    EvaluationConfig.get()


@pytest.fixture
def month(loop):
    """The cases of the module docstring; returns {letter: Case} (fresh from the database).

    Its units have 2-5 cases each, below the default minimum to be ranked (10):
    the month ranks from one case up; the minimum has tests of its own.
    """
    from civicloop.evaluation.models import EvaluationConfig

    EvaluationConfig.get()  # seeded by the migration, unless a transactional test flushed it
    EvaluationConfig.objects.filter(pk=1).update(min_cases=1)
    config = loop["config"]
    config.require_result_photo = False
    config.save()
    b = Builder(loop)
    a = loop["actors"]
    cases = {}

    # May
    cases["M1"] = b.simple(at("2026-05-11"), "E0101", "east_point")
    cases["M2"] = b.simple(at("2026-05-12"), "E0102", late=True)

    # June
    cases["A"] = b.simple(at("2026-06-01"), "E0102")
    cases["B"] = b.simple(at("2026-06-01", "10:00"), "E0102", late=True)

    t = at("2026-06-02")
    c = b.sign(b.to_dispatched(b.report(t, "E0102"), t))
    c = b.submit(c, t + 30 * MIN)
    c = actions.check_case(a["inspector"], c, passed=False, note="未清理干净", at=t + 40 * MIN)
    c = b.submit(c, t + 60 * MIN)
    cases["C"] = b.finish(c, t + 60 * MIN)

    t = at("2026-06-03")
    e = b.sign(b.to_dispatched(b.report(t, "E0102"), t))
    old_deadline = e.handling_deadline
    request = actions.request_extension(b.handler(e), e, hours=8, reason="量大", at=t + 30 * MIN)
    e = actions.approve_extension(a["dispatcher"], request, at=t + 35 * MIN)
    assert e.handling_deadline > old_deadline
    done = worktime.add_working_time(old_deadline, datetime.timedelta(hours=1)).at
    assert old_deadline < done <= e.handling_deadline
    cases["E"] = b.finish(b.submit(e, done), done)

    t = at("2026-06-04")
    k = b.sign(b.to_dispatched(b.report(t, "E0101"), t, unit=loop["cleaning"]))
    request = actions.request_return(b.handler(k), k, reason="不属于环卫", at=t + 30 * MIN)
    assert not request.after_deadline
    k = actions.approve_return(a["dispatcher"], request, at=t + 35 * MIN)
    k = actions.dispatch_case(a["dispatcher"], k, at=t + 40 * MIN)
    assert k.unit == loop["offices"]["west"]
    k = b.sign(k)
    cases["K"] = b.finish(b.submit(k, t + 90 * MIN), t + 90 * MIN)

    t = at("2026-06-08")
    d = b.sign(b.to_dispatched(b.report(t, "E0101"), t))
    late = at("2026-06-12")
    assert late > d.handling_deadline
    request = actions.request_return(b.handler(d), d, reason="不归我们", at=late)
    assert request.after_deadline
    d = actions.approve_return(a["dispatcher"], request, at=late + 2 * MIN)
    d = actions.dispatch_case(a["dispatcher"], d, unit=loop["offices"]["east"],
                                reason="东街道负责", at=late + 5 * MIN)  # fmt: skip
    d = b.sign(d)
    cases["D"] = b.finish(b.submit(d, late + 60 * MIN), late + 60 * MIN)

    t = at("2026-06-09")
    f = b.sign(b.to_dispatched(b.report(t, "E0101"), t))
    old_deadline = f.handling_deadline
    request = actions.request_suspension(b.handler(f), f, reason="施工中", at=t + 30 * MIN)
    f = actions.approve_suspension(a["dispatcher"], request, at=t + 35 * MIN)
    f = actions.resume_case(a["dispatcher"], f, at=at("2026-06-11", "09:35"))
    assert f.handling_deadline > old_deadline
    done = worktime.add_working_time(old_deadline, datetime.timedelta(hours=1)).at
    assert old_deadline < done <= f.handling_deadline
    cases["F"] = b.finish(b.submit(f, done), done)

    t = at("2026-06-10")
    g = b.to_dispatched(b.report(t, "E0101"), t)
    request = actions.request_void(a["acceptor"], g, reason="重复测试", at=t + 30 * MIN)
    cases["G"] = actions.approve_void(a["shift_leader"], request, at=t + 35 * MIN)

    t = at("2026-06-10", "10:00")
    cases["H"] = b.sign(b.to_dispatched(b.report(t, "E0101", "east_point"), t))

    t = at("2026-06-15")
    lon, lat = loop["west_point"]
    i = actions.report_case(public_actor("张三"), source="public", category="E0101", lon=lon,
                            lat=lat, at=t)  # fmt: skip
    i = actions.send_for_verification(a["acceptor"], i, at=t + 5 * MIN)
    i = actions.verify_case(a["inspector"], i, true_report=True, at=t + 120 * MIN)
    i = b.sign(b.to_dispatched(i, t + 120 * MIN))
    cases["I"] = b.finish(b.submit(i, t + 180 * MIN), t + 180 * MIN)

    t = at("2026-06-16")
    j = actions.accept_case(a["acceptor"], b.report(t, "E0101"), at=t + 5 * MIN)
    cases["J"] = actions.refuse_case(a["shift_leader"], j, reason="不符合立案条件", at=t + 10 * MIN)

    assert CaseRequest.objects.filter(status=CaseRequest.Status.PENDING).count() == 0
    return {k: Case.objects.get(pk=v.pk) for k, v in cases.items()}
