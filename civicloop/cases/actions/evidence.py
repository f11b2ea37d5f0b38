"""Photos: checked by content before anything is written, stored with their step."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from civicloop.core.errors import Forbidden, Invalid
from civicloop.core.images import public_copy, thumbnail
from civicloop.core.validation import check_photos as core_check_photos

from ..models import Case, CaseEvent, Evidence
from ..permissions import Actor
from .base import (
    MAX_PHOTOS,
    Action,
    Checked,
    atomic_with_files,
    authorise,
    load,
    now_or,
    text,
    write,
)


def check_photos(photos: Iterable) -> list:
    """Check uploads by content before anything is written (:class:`Invalid` if bad)."""
    return core_check_photos(photos, limit=MAX_PHOTOS)


def store_photos(
    case: Case,
    event: CaseEvent,
    photos: Sequence,
    kind: str,
    actor: Actor,
    now: datetime.datetime,
    written: list[str],
) -> list[Evidence]:
    """Write checked photos as evidence of ``event`` (inside the caller's transaction)."""
    stored = []
    for image in photos:
        stem = f"{now:%Y%m%d%H%M%S}-{image.sha256[:12]}"
        evidence = Evidence(
            case=case, event=event, kind=kind, content_type=image.content_type,
            size=image.size, width=image.width, height=image.height, sha256=image.sha256,
            uploaded_by=actor.user if actor.user_id else None, uploaded_at=now,
        )  # fmt: skip
        for field, content, suffix in (
            ("original", image.data, image.extension),
            ("public", public_copy(image), image.extension),
            ("thumbnail", thumbnail(image), "jpg"),
        ):
            name = f"{stem}-{field}.{suffix}"
            getattr(evidence, field).save(name, ContentFile(content), save=False)
            written.append(getattr(evidence, field).name)
        evidence.save()
        stored.append(evidence)
    return stored


def check_add_evidence(actor: Actor, case, *, photos, kind: str = "other", note: str = "",
                       version=None) -> Checked:  # fmt: skip
    if actor.is_public:
        raise Forbidden(_("Only staff may add evidence."))
    if kind not in Evidence.Kind.values:
        raise Invalid(_("Unknown kind of evidence."), "kind")
    checked = check_photos(photos)
    if not checked:
        raise Invalid(_("Add at least one photo."), "photos")
    note = text(note, "note")
    case = load(case, version)
    authorise("add_evidence", actor, case)
    role = actor.first_role(*sorted(actor.roles))
    return Checked(actor, role, case, {"photos": checked, "kind": kind, "note": note})


def do_add_evidence(c: Checked, *, at=None) -> list[Evidence]:
    now = now_or(at)
    with atomic_with_files() as written:
        event = write(c.case, c.actor, c.role, Action.ADD_EVIDENCE, now, note=c.note,
                      data={"count": len(c.photos)})  # fmt: skip
        return store_photos(c.case, event, c.photos, c.kind, c.actor, now, written)


def add_evidence(actor: Actor, case, *, photos, kind: str = "other", note: str = "",
                 version=None, at=None) -> list[Evidence]:  # fmt: skip
    """Add photos to an open case (any staff who can see it and works on it)."""
    return do_add_evidence(
        check_add_evidence(actor, case, photos=photos, kind=kind, note=note, version=version),
        at=at,
    )
