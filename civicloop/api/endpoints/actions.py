"""Every action on a case, one endpoint each: POST /cases/{id}/actions/{name}.

Each endpoint answers 404 for a case the user cannot see, then calls the one
function of :mod:`civicloop.cases.actions` and returns the case as it is now.
Bodies are form fields (multipart where photos go along) or the same fields
as a JSON object. ``version`` (the version the user saw) turns a concurrent
change into 409 ``conflict``.
"""

from django.utils.translation import gettext as _
from ninja import File, Form, Router, UploadedFile

from civicloop.cases import actions as loop
from civicloop.cases.models import Case, CaseRequest, SupervisionOrder

from ..auth import actor
from ..errors import not_found
from ..schemas import (
    ERRORS,
    ActionOut,
    AssignInspectorIn,
    CheckIn,
    DecisionIn,
    DispatchIn,
    EvidenceIn,
    ExtensionIn,
    FileIn,
    Id,
    InspectorIn,
    MergeIn,
    NoteIn,
    ReasonIn,
    ReplyIn,
    SuperviseIn,
    VerifyIn,
)
from ..serialize import DETAIL_RELATED, detail_out, order_out, request_out
from .common import require_visible, user_ref

router = Router(tags=["actions"])
requests_router = Router(tags=["requests"])

PHOTOS = File(None, description="JPEG, PNG or WebP photos (multipart), up to 9.")
RESPONSES = {200: ActionOut, **ERRORS}


def result(request, case_id: Id, *, req=None, order=None, evidence=()) -> dict:
    """The case after the action, if the user still sees it."""
    who = actor(request)
    case = Case.objects.filter(pk=case_id).visible_to(who).select_related(*DETAIL_RELATED).first()
    if req is not None and case is not None and req.case_id == case.pk:
        req.case = case  # can_decide reads the case's state
    return {
        "case": detail_out(who, case) if case is not None else None,
        "request": request_out(req, who) if req is not None else None,
        "order": order_out(order) if order is not None else None,
        "evidence": [e.pk for e in evidence],
    }


def _act(name: str, body=NoteIn, *, photos: bool = False, summary: str = ""):
    """Register POST /cases/{case_id}/actions/<name> for a handler ``fn(who, case_id, payload, photos)``."""

    def register(fn):
        path = f"/cases/{{case_id}}/actions/{name}"
        decorator = router.post(path, response=RESPONSES, operation_id=f"action_{name}",
                                summary=summary or name.replace("_", " "))  # fmt: skip
        if photos:

            def endpoint(request, case_id: Id, payload: Form[body],
                         photos: list[UploadedFile] = PHOTOS):  # fmt: skip
                require_visible(request, case_id)
                return fn(request, actor(request), case_id, payload, photos or ())

        else:

            def endpoint(request, case_id: Id, payload: Form[body]):
                require_visible(request, case_id)
                return fn(request, actor(request), case_id, payload, ())

        endpoint.__doc__ = fn.__doc__
        endpoint.__name__ = f"action_{name}"
        return decorator(endpoint)

    return register


@_act("accept", summary="Accept a report (受理)")
def accept(request, who, case_id, p, photos):
    """Acceptor or shift leader: the report waits for filing."""
    loop.accept_case(who, case_id, note=p.note, version=p.version)
    return result(request, case_id)


@_act("send_for_verification", InspectorIn, summary="Send for verification (核实)")
def send_for_verification(request, who, case_id, p, photos):
    """Acceptor or shift leader: an inspector verifies on site (the patrol area's, or a named one)."""
    loop.send_for_verification(who, case_id, inspector=user_ref(p.inspector), note=p.note,
                               version=p.version)  # fmt: skip
    return result(request, case_id)


@_act("assign_inspector", AssignInspectorIn, summary="Assign an inspector")
def assign_inspector(request, who, case_id, p, photos):
    """Shift leader or acceptor: the named inspector verifies and checks this case."""
    loop.assign_inspector(who, case_id, inspector=user_ref(p.inspector), note=p.note,
                          version=p.version)  # fmt: skip
    return result(request, case_id)


@_act("verify", VerifyIn, photos=True, summary="Verify on site (核实)")
def verify(request, who, case_id, p, photos):
    """Inspector: true (to filing) or false (not accepted; a note is required)."""
    loop.verify_case(who, case_id, true_report=p.true_report, note=p.note, photos=photos,
                     version=p.version)  # fmt: skip
    return result(request, case_id)


@_act("refuse", ReasonIn, summary="Refuse (不予受理 / 不予立案)")
def refuse(request, who, case_id, p, photos):
    """Not accepted before filing (acceptor, shift leader) or not filed (shift leader)."""
    loop.refuse_case(who, case_id, reason=p.reason, version=p.version)
    return result(request, case_id)


@_act("file", FileIn, summary="File (立案)")
def file(request, who, case_id, p, photos):
    """Shift leader: fix category, filing standard and urgency."""
    loop.file_case(who, case_id, category=p.category, standard=p.standard, urgency=p.urgency,
                   note=p.note, version=p.version)  # fmt: skip
    return result(request, case_id)


@_act("request_void", ReasonIn, summary="Ask to void (作废申请)")
def request_void(request, who, case_id, p, photos):
    """Centre staff or inspector: the shift leader decides."""
    req = loop.request_void(who, case_id, reason=p.reason, version=p.version)
    return result(request, case_id, req=req)


@_act("dispatch", DispatchIn, summary="Dispatch (派遣)")
def dispatch(request, who, case_id, p, photos):
    """Dispatcher: to the given unit (id or code) or the proposed one; another unit needs a reason."""
    loop.dispatch_case(who, case_id, unit=(p.unit or "").strip() or None, reason=p.reason,
                       note=p.note, version=p.version)  # fmt: skip
    return result(request, case_id)


@_act("sign", summary="Sign for receipt (签收)")
def sign(request, who, case_id, p, photos):
    """Handler or leader of the case's unit."""
    loop.sign_case(who, case_id, note=p.note, version=p.version)
    return result(request, case_id)


@_act("submit_result", photos=True, summary="Submit the result (处置反馈)")
def submit_result(request, who, case_id, p, photos):
    """The case's unit, with after-photos."""
    loop.submit_result(who, case_id, note=p.note, photos=photos, version=p.version)
    return result(request, case_id)


@_act("check", CheckIn, photos=True, summary="Check on site (核查)")
def check(request, who, case_id, p, photos):
    """Inspector: passed (to closure) or failed (rework by the same unit; a note is required)."""
    loop.check_case(who, case_id, passed=p.passed, note=p.note, photos=photos, version=p.version)
    return result(request, case_id)


@_act("close", summary="Close (结案)")
def close(request, who, case_id, p, photos):
    """Shift leader."""
    loop.close_case(who, case_id, note=p.note, version=p.version)
    return result(request, case_id)


@_act("request_return", ReasonIn, summary="Ask to return (回退申请)")
def request_return(request, who, case_id, p, photos):
    """The case's unit: not ours; the dispatcher decides."""
    req = loop.request_return(who, case_id, reason=p.reason, version=p.version)
    return result(request, case_id, req=req)


@_act("request_extension", ExtensionIn, summary="Ask for more time (延期申请)")
def request_extension(request, who, case_id, p, photos):
    """The case's unit: N hours with a reason; the dispatcher decides."""
    req = loop.request_extension(who, case_id, hours=p.hours, reason=p.reason, version=p.version)
    return result(request, case_id, req=req)


@_act("request_suspension", ReasonIn, summary="Ask to suspend (挂账申请)")
def request_suspension(request, who, case_id, p, photos):
    """The case's unit: cannot be solved in time; the dispatcher decides."""
    req = loop.request_suspension(who, case_id, reason=p.reason, version=p.version)
    return result(request, case_id, req=req)


@_act("resume", summary="Resume a suspended case")
def resume(request, who, case_id, p, photos):
    """Dispatcher: the deadline moves by the suspended time."""
    loop.resume_case(who, case_id, note=p.note, version=p.version)
    return result(request, case_id)


@_act("supervise", SuperviseIn, summary="Issue a supervision order (督办)")
def supervise(request, who, case_id, p, photos):
    """Supervisor or shift leader: an opinion and a reply due in working hours."""
    order = loop.issue_supervision(who, case_id, opinion=p.opinion, reply_hours=p.reply_hours,
                                   version=p.version)  # fmt: skip
    return result(request, case_id, order=order)


@_act("merge", MergeIn, summary="Merge a duplicate (合并)")
def merge(request, who, case_id, p, photos):
    """Shift leader: this case repeats the open case ``into``."""
    if not Case.objects.filter(pk=p.into).visible_to(who).exists():
        raise loop.Invalid(_("There is no such case."), "into")
    loop.merge_case(who, case_id, into=p.into, note=p.note, version=p.version)
    return result(request, case_id)


@_act("add_evidence", EvidenceIn, photos=True, summary="Add photos")
def add_evidence(request, who, case_id, p, photos):
    """Staff who see an open case."""
    stored = loop.add_evidence(who, case_id, photos=photos, kind=p.kind, note=p.note,
                               version=p.version)  # fmt: skip
    return result(request, case_id, evidence=stored)


# --- decisions on requests and replies to supervision orders -----------------------


def _visible_request(request, request_id: Id) -> CaseRequest:
    found = CaseRequest.objects.filter(pk=request_id).first()
    if (
        found is None
        or not Case.objects.filter(pk=found.case_id).visible_to(actor(request)).exists()
    ):
        raise not_found(_("There is no such request."))
    return found


@requests_router.post("/requests/{request_id}/approve", response=RESPONSES)
def approve_request(request, request_id: Id, payload: Form[DecisionIn]):
    """Approve a return, extension or suspension (dispatcher) or a void or reopen (shift
    leader). Extensions may grant fewer ``hours`` than asked."""
    req = _visible_request(request, request_id)
    kwargs = {"note": payload.note}
    if req.kind == CaseRequest.Kind.EXTENSION and payload.hours is not None:
        kwargs["hours"] = payload.hours
    loop.decision(req.kind, "approve")(actor(request), req.pk, **kwargs)
    req.refresh_from_db()
    return result(request, req.case_id, req=req)


@requests_router.post("/requests/{request_id}/reject", response=RESPONSES)
def reject_request(request, request_id: Id, payload: Form[DecisionIn]):
    """Reject a request; the unit that asked is told."""
    req = _visible_request(request, request_id)
    loop.decision(req.kind, "reject")(actor(request), req.pk, note=payload.note)
    req.refresh_from_db()
    return result(request, req.case_id, req=req)


@requests_router.post("/supervision-orders/{order_id}/reply", response=RESPONSES)
def reply_supervision(request, order_id: Id, payload: Form[ReplyIn]):
    """The supervised unit answers a supervision order."""
    order = SupervisionOrder.objects.filter(pk=order_id).first()
    if (
        order is None
        or not Case.objects.filter(pk=order.case_id).visible_to(actor(request)).exists()
    ):
        raise not_found(_("There is no such supervision order."))
    order = loop.reply_supervision(actor(request), order.pk, reply=payload.reply)
    return result(request, order.case_id, order=order)
