# ruff: noqa: F401  (this package re-exports its modules' public names)
"""Every change to a case, one function per business action, by topic.

The console, the portal, Open311, the field API, the worker, the demo and the
tests all change cases through this package and nothing else. Each action
``X`` is ``do_X(check_X(...))``:

* ``check_X`` authorises against the rule table (:mod:`civicloop.cases.rules`:
  role, then scope, then state, with the reason users hear) and validates its
  input (:class:`Invalid`, naming the field); it writes nothing;
* ``do_X`` (trusted callers only) writes in one transaction: a compare-and-set
  update of the case row on its ``version`` (two people acting at once: one
  wins, the other gets :class:`Conflict`), one append-only :class:`CaseEvent`,
  any evidence and requests, and the notifications in the outbox.

Callers that showed the user a case may pass ``version=`` (the version they
showed): if the case changed since, the action is refused with a conflict
rather than applied to something the user has not seen.

Modules: :mod:`.intake` (reports), :mod:`.centre` (accept … dispatch, close,
merge), :mod:`.handling` (sign, result, check, resume), :mod:`.requests`
(requests and decisions), :mod:`.supervision`, :mod:`.public` (follow, rate),
:mod:`.evidence`; :mod:`.base` has what they share (the one :func:`write`, the
stage clocks).
"""

from __future__ import annotations

from civicloop.core.errors import ActionError, Conflict, Forbidden, Invalid, InvalidState

from ..rules import RULES, SOURCE_ROLES, UNIT_REQUESTS, available_actions, decisions_for
from .base import (
    MAX_DESCRIPTION,
    MAX_EXTENSION_HOURS,
    MAX_NOTE,
    MAX_PHOTOS,
    STAGE_MINUTES,
    Checked,
    actor_unit_data,
    clean_hours,
    handling_clock,
    handling_limit,
    is_continuous,
    lapse_requests,
    move_deadline,
    on_time,
    stage_fields,
    suspended_span,
    write,
)
from .centre import (
    accept_case,
    accept_change,
    apply,
    assign_inspector,
    cancel_change,
    cancelled_note,
    check_accept,
    check_assign_inspector,
    check_close,
    check_dispatch,
    check_file,
    check_inspector,
    check_merge,
    check_refuse,
    check_send_for_verification,
    check_verify,
    close_case,
    close_change,
    dispatch_case,
    dispatch_change,
    do_accept,
    do_assign_inspector,
    do_close,
    do_dispatch,
    do_file,
    do_merge,
    do_refuse,
    do_send_for_verification,
    do_verify,
    file_case,
    file_change,
    merge_case,
    merge_change,
    override_data,
    overrides_routing,
    refuse_case,
    refuse_change,
    send_for_verification,
    send_for_verification_change,
    unit_of,
    verify_case,
    verify_change,
    write_dispatch,
)
from .evidence import add_evidence, check_add_evidence, check_photos, do_add_evidence
from .handling import (
    check_case,
    check_change,
    check_check,
    check_resume,
    check_sign,
    check_submit_result,
    do_check,
    do_resume,
    do_sign,
    do_submit_result,
    resume_case,
    resume_change,
    sign_case,
    sign_change,
    submit_result,
    submit_result_change,
    submitted_note,
)
from .intake import (
    check_report,
    check_self_handled,
    do_report,
    do_self_handled,
    find_duplicates,
    nearby_open_cases,
    next_number,
    record_report,
    report_case,
    report_self_handled,
    self_handle_fields,
)
from .public import (
    UNSATISFIED_LEVEL,
    check_follow,
    check_rate,
    do_follow,
    do_rate,
    follow_case,
    rate_case,
    unsatisfied_reason,
)
from .requests import (
    REJECT_ACTIONS,
    REQUEST_ACTIONS,
    REQUEST_ROWS,
    approve_extension,
    approve_extension_change,
    approve_reopen,
    approve_return,
    approve_return_change,
    approve_suspension,
    approve_suspension_change,
    approve_void,
    approve_void_change,
    check_decision,
    check_request,
    do_approve,
    do_reject,
    do_request,
    reject_extension,
    reject_reopen,
    reject_return,
    reject_suspension,
    reject_void,
    reopen_extra,
    request_data,
    request_extension,
    request_return,
    request_suspension,
    request_void,
    returned_note,
)
from .supervision import (
    check_issue_supervision,
    check_reply_supervision,
    do_issue_supervision,
    do_reply_supervision,
    issue_supervision,
    reply_due,
    reply_supervision,
)

#: The one registry from rule-table names to action functions (the console's
#: forms, the API's endpoints, the demo and the menu test look actions up here).
REGISTRY = {
    "report": report_case,
    "self_handle": report_self_handled,
    "accept": accept_case,
    "send_for_verification": send_for_verification,
    "verify": verify_case,
    "refuse": refuse_case,
    "file": file_case,
    "refuse_at_filing": refuse_case,
    "dispatch": dispatch_case,
    "sign": sign_case,
    "submit_result": submit_result,
    "request_return": request_return,
    "request_extension": request_extension,
    "request_suspension": request_suspension,
    "resume": resume_case,
    "check": check_case,
    "close": close_case,
    "assign_inspector": assign_inspector,
    "merge": merge_case,
    "request_void": request_void,
    "supervise": issue_supervision,
    "add_evidence": add_evidence,
    "approve_return": approve_return,
    "reject_return": reject_return,
    "approve_extension": approve_extension,
    "reject_extension": reject_extension,
    "approve_suspension": approve_suspension,
    "reject_suspension": reject_suspension,
    "approve_void": approve_void,
    "reject_void": reject_void,
    "approve_reopen": approve_reopen,
    "reject_reopen": reject_reopen,
    "reply_supervision": reply_supervision,
    "follow": follow_case,
    "rate": rate_case,
}


def action(name: str):
    """The function of rule-table row ``name``."""
    return REGISTRY[name]


def decision(kind: str, verdict: str):
    """The function deciding a request of ``kind``: ``verdict`` is "approve" or "reject"."""
    return REGISTRY[f"{verdict}_{kind}"]


__all__ = [name for name in dir() if not name.startswith("_")]
