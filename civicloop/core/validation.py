"""Input checks every app's actions share: text fields and photo uploads.

Each raises :class:`civicloop.core.errors.Invalid` naming the field, so a
face can show the message beside it; nothing is written before they pass.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from .errors import Invalid
from .images import ImageRejected, check_image

MAX_PHOTOS = 9


def clean_text(value, field: str, *, limit: int, required: bool = False, missing: str = "") -> str:
    """``value`` stripped; refused when required and empty (``missing`` says so),
    longer than ``limit`` characters, or holding a NUL (PostgreSQL cannot store it)."""
    value = str(value or "").strip()
    if required and not value:
        raise Invalid(missing or _("This field is required: %(field)s.") % {"field": field}, field)
    if len(value) > limit:
        raise Invalid(
            _("At most %(n)d characters, please (%(got)d given).")
            % {"n": limit, "got": len(value)},
            field,
        )
    if "\x00" in value:
        raise Invalid(_("The text contains a NUL character."), field)
    return value


def check_photos(photos: Iterable, *, required: bool = False, limit: int = MAX_PHOTOS) -> list:
    """Check uploads by content (:func:`core.images.check_image`) before anything is written.

    Photos already checked pass as they are; None entries are skipped (an empty
    upload is refused like any other file that is not a photo).
    """
    photos = [p for p in (photos or []) if p is not None]
    if required and not photos:
        raise Invalid(_("Add at least one photo."), "photos")
    if len(photos) > limit:
        raise Invalid(_("At most %(n)d photos at a time.") % {"n": limit}, "photos")
    checked = []
    for index, photo in enumerate(photos, start=1):
        if hasattr(photo, "sha256") and hasattr(photo, "content_type"):
            checked.append(photo)  # already checked
            continue
        try:
            checked.append(check_image(photo))
        except ImageRejected as error:
            raise Invalid(
                _("Photo %(n)d: %(error)s") % {"n": index, "error": error}, "photos"
            ) from error
    return checked
