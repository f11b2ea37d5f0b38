"""Helpers for case-loop tests: drive a case to a state through the actions."""

from __future__ import annotations

import datetime

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseRequest, State

ORDER = [
    State.REPORTED,
    State.PENDING_FILING,
    State.PENDING_DISPATCH,
    State.DISPATCHED,
    State.IN_PROGRESS,
    State.PENDING_CHECK,
    State.PENDING_CLOSURE,
    State.CLOSED,
]


def report(loop, *, where="west_point", category="E0101", source="inspector", by="inspector",
           at=None, **kwargs) -> Case:  # fmt: skip
    lon, lat = loop[where]
    return actions.report_case(
        loop["actors"][by], source=source, category=category, lon=lon, lat=lat, at=at, **kwargs
    )


def advance(loop, case: Case, to: str, *, photo=None, at: datetime.datetime | None = None,
            step: datetime.timedelta = datetime.timedelta(minutes=5)) -> Case:  # fmt: skip
    """Move ``case`` along the main line up to state ``to`` (each step ``step`` later)."""
    a = loop["actors"]
    now = at
    handler = {loop["cleaning"].pk: "handler_clean", loop["offices"]["west"].pk: "handler_west",
               loop["offices"]["east"].pk: "handler_east"}  # fmt: skip

    def tick():
        nonlocal now
        if now is not None:
            now = now + step
        return now

    while ORDER.index(case.state) < ORDER.index(to):
        state = case.state
        if state == State.REPORTED:
            case = actions.accept_case(a["acceptor"], case, at=tick())
        elif state == State.PENDING_FILING:
            case = actions.file_case(a["shift_leader"], case, at=tick())
        elif state == State.PENDING_DISPATCH:
            case = actions.dispatch_case(a["dispatcher"], case, at=tick())
        elif state == State.DISPATCHED:
            case = actions.sign_case(a[handler[case.unit_id]], case, at=tick())
        elif state == State.IN_PROGRESS:
            case = actions.submit_result(
                a[handler[case.unit_id]], case, photos=[photo()] if photo else [], at=tick()
            )
        elif state == State.PENDING_CHECK:
            inspector = "inspector" if case.patrol_area_id else "admin_role"
            case = actions.check_case(a[inspector], case, passed=True, at=tick())
        elif state == State.PENDING_CLOSURE:
            case = actions.close_case(a["shift_leader"], case, at=tick())
    return case


def handler_for(loop, case: Case) -> str:
    return {loop["cleaning"].pk: "handler_clean", loop["offices"]["west"].pk: "handler_west",
            loop["offices"]["east"].pk: "handler_east"}[case.unit_id]  # fmt: skip


def pending(case: Case, kind: str) -> CaseRequest:
    return CaseRequest.objects.get(case=case, kind=kind, status=CaseRequest.Status.PENDING)
