"""From a meeting report to registered supervision items: the office's confirm page.

The officer pastes the text of a report (or uploads a .txt, .md, .docx or a
PDF with a text layer), gives the meeting's date and title and sees the draft
items the extractor (:mod:`civicloop.supervision.extraction`) proposes, one
per target for scope rows, each with its source sentence highlighted and
every field editable. "Confirm selected" registers the ticked drafts through
:func:`civicloop.supervision.actions.register_item`, all in one transaction:
one invalid draft and nothing is registered. Who may use the page is the
``register`` row of the supervision rule table (out of role: 404).

The drafts are not stored anywhere between requests: each POST carries the
text, and the drafts are read again from it (the extractor is deterministic),
with the officer's edits laid over them by draft number. A digest of the text
and date guards against editing the text between reading and confirming.
"""

from __future__ import annotations

import datetime
import hashlib
import re

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from civicloop.core.errors import ActionError, Forbidden, Invalid
from civicloop.org.models import Membership, Role, Unit
from civicloop.supervision.actions import register_item
from civicloop.supervision.actions.items import check_register
from civicloop.supervision.extraction import MAX_CHARS, TextError, extract
from civicloop.supervision.extraction.files import MAX_UPLOAD_BYTES, text_from_upload
from civicloop.supervision.rules import TABLE

from .access import staff_view

#: The most drafts one page shows (each is a dozen form fields; Django accepts 1,000).
MAX_DRAFTS = 60
#: The longest minutes an item keeps (``register_item`` refuses more).
MINUTES_LIMIT = 20_000
#: The fields of a draft, as posted (``d<n>-<field>``) and as ``register_item`` names them.
DRAFT_FIELDS = ("title", "requirement", "deadline", "target_quantity", "target_noun",
                "lead_unit", "person", "post", "responsibility")  # fmt: skip
#: Fields of ``Invalid`` that belong to the meeting rather than to one draft.
MEETING_FIELDS = {"source_title": "title", "source_date": "date", "minutes": "text"}
#: Fields shown with their own error next to them; others are shown at the draft's head.
SHOWN_FIELDS = {*DRAFT_FIELDS, "cooperating_units", "draft"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _may_register(actor) -> None:
    """404 unless the ``register`` row of the rule table admits ``actor``."""
    try:
        TABLE.role_for("register", actor)
    except Forbidden:
        raise Http404("The supervision office only.") from None


def _digest(text: str, day: datetime.date) -> str:
    return hashlib.sha256(f"{day.isoformat()}\n{text}".encode()).hexdigest()[:20]


def _meeting_date(raw: str) -> datetime.date:
    raw = (raw or "").strip()
    if not raw:
        return timezone.localdate()
    try:
        if not _DATE.match(raw):
            raise ValueError(raw)
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise Invalid(
            _("“%(value)s” is not a date: give the meeting's date as YYYY-MM-DD, a real day.")
            % {"value": raw[:20]},
            "date",
        ) from None


def _read_text(request) -> str:
    """The posted text, or the uploaded file's text (which then replaces it)."""
    upload = request.FILES.get("file")
    if upload is not None:
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        text = text_from_upload(upload.name, data)
    else:
        text = request.POST.get("text", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise TextError("empty", _("Paste the text of the report or choose a file."))
    if len(text) > MAX_CHARS:
        raise TextError(
            "too_long",
            _("The text has %(n)s characters; the limit is %(limit)s.")
            % {"n": f"{len(text):,}", "limit": f"{MAX_CHARS:,}"},
        )
    return text


def highlight(text: str, item) -> str:
    """The item's sentence as HTML: escaped text, ``<mark>`` over each field's characters."""
    lo, hi = item.sentence_start, item.sentence_end
    spans = [("req", item.start, item.end)]
    for kind, span in (("deadline", item.deadline_span), ("quantity", item.quantity_span),
                       ("per", item.per_span)):  # fmt: skip
        if span:
            spans.append((kind, span[0], span[1]))
    spans += [("unit", u.start, u.end) for u in item.units]
    spans = [(k, max(a, lo), min(b, hi)) for k, a, b in spans if b > lo and a < hi and b > a]
    cuts = sorted({lo, hi, *(a for _k, a, _b in spans), *(b for _k, _a, b in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = escape(text[a:b])
        kinds = [k for k, s, e in spans if s <= a and b <= e]
        if kinds:
            classes = " ".join(f"hl-{k}" for k in kinds)
            out.append(f'<mark class="{classes}">{piece}</mark>')
        else:
            out.append(piece)
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def _number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _drafts(text: str, day: datetime.date) -> list[dict]:
    """One draft per extracted item, or per target of a scope row."""
    drafts = []
    for item in extract(text, day):
        html = highlight(text, item)
        common = {
            "sentence": html,
            "requirement": item.requirement,
            "deadline": item.deadline.isoformat() if item.deadline else "",
            "provisional": item.deadline_provisional,
            "target_quantity": _number(item.quantity),
            "target_noun": item.quantity_unit,
            "at_least": item.at_least,
            "per": item.per or "",
        }
        units = sorted(item.units, key=lambda u: -u.confidence)
        if item.targets:
            for target in item.targets:
                drafts.append({
                    **common, "target": target.name,
                    "title": f"{target.name}：{item.requirement}"[:200],
                    "lead_unit": str(target.unit_id or ""), "matched": None,
                    "cooperating": [str(u.id) for u in units],
                })  # fmt: skip
        else:
            lead = units[0] if units else None
            drafts.append({
                **common, "target": "", "title": item.requirement[:200],
                "lead_unit": str(lead.id) if lead else "", "matched": lead,
                "cooperating": [str(u.id) for u in units[1:]],
            })  # fmt: skip
    for n, draft in enumerate(drafts):
        draft.update(n=n, checked=True, errors={}, post="", person="", fresh=True,
                     responsibility=_("Lead the work, report progress and completion on time."))  # fmt: skip
    return drafts


def _overlay(drafts: list[dict], post) -> None:
    """Lay the officer's posted edits over the drafts read again from the text."""
    for draft in drafts:
        prefix = f"d{draft['n']}-"
        for name in DRAFT_FIELDS:
            if prefix + name in post:
                draft[name] = post.get(prefix + name, "").strip()
        draft["at_least"] = bool(post.get(prefix + "at_least"))
        draft["cooperating"] = post.getlist(prefix + "cooperating_units")
        draft["checked"] = bool(post.get(prefix + "pick"))
        # A unit changed since its people were offered: offer the new unit's, with their post.
        draft["fresh"] = post.get(prefix + "people_of") != draft["lead_unit"]


def _is_id(value: str) -> bool:
    """A posted primary key (digits that fit a bigint; anything else is refused later)."""
    return value.isascii() and value.isdigit() and len(value) < 19


def _people(drafts: list[dict]) -> None:
    """Each draft's choice of responsible people (the lead unit's leaders and handlers)."""
    wanted = {int(d["lead_unit"]) for d in drafts if _is_id(d["lead_unit"])}
    by_unit: dict[int, list] = {}
    memberships = (
        Membership.objects.filter(unit_id__in=wanted, is_active=True, person__is_active=True,
                                  role__in=(Role.UNIT_LEADER, Role.HANDLER))
        .select_related("person").order_by("person__name", "id")
    )  # fmt: skip
    for m in memberships:
        people = by_unit.setdefault(m.unit_id, [])
        if all(p["id"] != str(m.person_id) for p in people):
            people.append({"id": str(m.person_id), "name": m.person.name,
                           "post": str(Role(m.role).label), "lead": m.role == Role.UNIT_LEADER})  # fmt: skip
    for people in by_unit.values():
        people.sort(key=lambda p: not p["lead"])
    for draft in drafts:
        people = by_unit.get(int(draft["lead_unit"]), []) if _is_id(draft["lead_unit"]) else []
        draft["people"] = people
        if people and draft["person"] not in {p["id"] for p in people}:
            draft["person"] = people[0]["id"]
        if draft["fresh"] and people:  # the person's role as the post, until edited
            chosen = next(p for p in people if p["id"] == draft["person"])
            draft["post"] = chosen["post"]


def _register_data(draft: dict, meeting: dict) -> dict:
    return {
        "source": "meeting", "source_title": meeting["title"], "source_date": meeting["date"],
        "minutes": meeting["text"][:MINUTES_LIMIT],
        **{name: draft[name] for name in DRAFT_FIELDS},
        "target_at_least": "true" if draft["at_least"] else "",
        "cooperating_units": [u for u in draft["cooperating"] if u != draft["lead_unit"]],
    }  # fmt: skip


class _Refused(Exception):
    """A draft failed inside the transaction: roll everything back."""


def _confirm(actor, drafts: list[dict], meeting: dict) -> list | None:
    """Register every ticked draft in one transaction, or none (errors set on the drafts)."""
    picked = [d for d in drafts if d["checked"]]
    now = timezone.now()
    failed = False
    for draft in picked:
        try:
            check_register(actor, now=now, **_register_data(draft, meeting))
        except ActionError as error:
            draft["errors"][error.field or "draft"] = error.message
            failed = True
    if failed:
        return None
    created = []
    try:
        with transaction.atomic():
            for draft in picked:
                try:
                    created.append(register_item(actor, at=now, **_register_data(draft, meeting)))
                except ActionError as error:
                    draft["errors"][error.field or "draft"] = error.message
                    raise _Refused from error
    except _Refused:
        return None
    return created


@staff_view
def extract_page(request):
    """Paste or upload a report, see the drafts, edit them, confirm some: one transaction."""
    actor = request.actor
    _may_register(actor)
    today = timezone.localdate()
    meeting = {"text": "", "title": "", "date": today, "raw_date": today.isoformat()}
    errors: dict[str, str] = {}
    drafts: list[dict] = []
    digest, status, notice = "", 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "extract")
        meeting["title"] = request.POST.get("title", "").strip()[:200]
        meeting["raw_date"] = request.POST.get("date", "").strip()
        meeting["text"] = request.POST.get("text", "").replace("\r\n", "\n")
        try:
            meeting["date"] = _meeting_date(meeting["raw_date"])
            meeting["text"] = _read_text(request)
            drafts = _drafts(meeting["text"], meeting["date"])
        except Invalid as error:
            errors[error.field or "text"] = error.message
            status, drafts = 400, []
        else:
            meeting["raw_date"] = meeting["date"].isoformat()
            digest = _digest(meeting["text"], meeting["date"])
            if not drafts:
                notice = _("No items found: the text commits no one to anything the reader knows.")
            elif len(drafts) > MAX_DRAFTS:
                notice = _("%(n)d drafts found; the first %(max)d are shown. Split the text to see the rest.") % {
                    "n": len(drafts), "max": MAX_DRAFTS}  # fmt: skip
                drafts = drafts[:MAX_DRAFTS]
            same = request.POST.get("digest") == digest and "file" not in request.FILES
            if action in ("confirm", "refresh") and drafts and not same:
                notice = _("The text or the date changed since the drafts were read: here they are again; nothing was registered.")  # fmt: skip
                action = "extract"
            elif action in ("confirm", "refresh") and same:
                _overlay(drafts, request.POST)
        if drafts and not errors and action == "confirm":
            _people(drafts)
            if not meeting["title"]:
                errors["title"] = _("Give the meeting's title: it is the items' source.")
                status = 400
            elif not any(d["checked"] for d in drafts):
                errors["drafts"] = _("Tick the drafts to register.")
                status = 400
            else:
                created = _confirm(actor, drafts, meeting)
                if created is not None:
                    messages.success(request, _("%(n)d items registered from “%(title)s”: %(numbers)s.") % {
                        "n": len(created), "title": meeting["title"],
                        "numbers": "、".join(i.number for i in created)})  # fmt: skip
                    ids = ",".join(str(i.pk) for i in created)
                    return redirect(f"{reverse('console:sv_items')}?ids={ids}")
                errors["drafts"] = _("Nothing was registered: correct the drafts marked below.")
                status = 400
                for draft in drafts:
                    for field in list(draft["errors"]):
                        if field in MEETING_FIELDS:
                            errors[MEETING_FIELDS[field]] = draft["errors"].pop(field)
                        elif field not in SHOWN_FIELDS:
                            draft["errors"]["draft"] = draft["errors"].pop(field)
        elif drafts:
            _people(drafts)
    units = Unit.objects.filter(is_active=True).order_by("kind", "name").only("id", "name")
    return render(request, "console/sv/extract.html", {
        "meeting": meeting, "errors": errors, "drafts": drafts, "digest": digest,
        "notice": notice, "units": [(str(u.pk), u.name) for u in units] if drafts else [],
        "max_chars": MAX_CHARS, "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }, status=status)  # fmt: skip


urlpatterns = [
    path("supervision/extract/", extract_page, name="sv_extract"),
]
