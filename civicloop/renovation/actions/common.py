"""What every renovation action shares: the clock, history rows, photos, compare-and-set."""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.errors import Conflict, Invalid
from civicloop.core.images import public_copy, thumbnail
from civicloop.core.validation import check_photos as core_check_photos

from ..models import Event, Photo

MAX_PHOTOS = 9


def now() -> datetime.datetime:
    return timezone.now()


def keyed_hash(purpose: str, text: str) -> str:
    """HMAC-SHA256 of ``text`` under SECRET_KEY, separated by ``purpose``."""
    message = f"civicloop.renovation.{purpose}:{text}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def record(actor, role: str, *, compound_id: int, project_id: int | None, subject: str,
           subject_id: int, action: str, note: str = "", data: dict | None = None,
           at: datetime.datetime | None = None) -> Event:  # fmt: skip
    """Append one history row (the caller is inside its transaction)."""
    return Event.objects.create(
        compound_id=compound_id, project_id=project_id, subject=subject, subject_id=subject_id,
        action=action, actor=actor.user if getattr(actor, "user_id", None) else None,
        actor_name=str(actor.name)[:100], role=role, at=at or now(), note=note, data=data or {},
    )  # fmt: skip


def decimal_value(value, field: str, *, minimum: Decimal | None = Decimal(0),
                  maximum: Decimal | None = None) -> Decimal:  # fmt: skip
    """A decimal from user input, or :class:`Invalid` naming ``field``."""
    if value in (None, ""):
        return Decimal(0)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(_("This is not a number: %(value)s.") % {"value": value}, field) from None
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise Invalid(_("This is not a number: %(value)s.") % {"value": value}, field)
    if minimum is not None and number < minimum:
        raise Invalid(_("This cannot be below %(min)s.") % {"min": minimum}, field)
    if maximum is not None and number > maximum:
        raise Invalid(_("This cannot be above %(max)s.") % {"max": maximum}, field)
    return number.quantize(Decimal("0.01"))


def progress_value(value, field: str = "progress") -> int:
    try:
        number = int(str(value).strip().rstrip("%"))
    except (TypeError, ValueError):
        raise Invalid(_("Progress is a whole number from 0 to 100."), field) from None
    if number < 0:
        raise Invalid(_("Progress cannot be below 0 %."), field)
    if number > 100:
        raise Invalid(_("Progress cannot be above 100 %."), field)
    return number


def check_photos(photos: Iterable, *, required: bool = False) -> list:
    """Check uploads by content before anything is written."""
    return core_check_photos(photos, required=required, limit=MAX_PHOTOS)


def store_photos(images: list, *, compound_id: int, kind: str, project=None, item=None,
                 order=None) -> list[Photo]:  # fmt: skip
    """Write checked photos (public copy without metadata, and a thumbnail)."""
    stored = []
    at = now()
    for image in images:
        photo = Photo(compound_id=compound_id, kind=kind, project=project, item=item,
                      order=order, content_type=image.content_type, sha256=image.sha256,
                      uploaded_at=at)  # fmt: skip
        stem = f"{at:%Y%m%d%H%M%S}-{image.sha256[:12]}"
        photo.public.save(f"{stem}.{image.extension}", ContentFile(public_copy(image)), save=False)
        photo.thumbnail.save(f"{stem}-t.jpg", ContentFile(thumbnail(image)), save=False)
        photo.save()
        stored.append(photo)

    return stored


def bump(model, obj, version, **changes) -> None:
    """Compare-and-set: write ``changes`` only if the row still has ``version``."""
    if version is not None and str(version).strip() != "":
        try:
            expected = int(version)
        except (TypeError, ValueError):
            raise Invalid(_("The version is not a number."), "version") from None
    else:
        expected = obj.version
    updated = model.objects.filter(pk=obj.pk, version=expected).update(
        version=expected + 1, **changes
    )
    if not updated:
        raise Conflict(_("Someone else changed this first; reload and try again."))
    obj.version = expected + 1
    for name, value in changes.items():
        setattr(obj, name, value)
