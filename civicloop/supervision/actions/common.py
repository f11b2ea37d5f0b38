"""What the supervision actions share: input parsing, loading, the compare-and-set write."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from civicloop.core.errors import Conflict, Invalid
from civicloop.core.validation import check_photos, clean_text
from civicloop.notify.services import queue_for_unit
from civicloop.org.models import Membership, Person, Unit
from civicloop.worktime import services as worktime

from ..models import Attachment, Item, ItemEvent

MAX_TEXT = 4000
MAX_PHOTOS = 9
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".csv")


def now_or(at: datetime.datetime | None) -> datetime.datetime:
    return at if at is not None else timezone.now()


def today_at(now: datetime.datetime) -> datetime.date:
    return timezone.localtime(now).date()


def text(value, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    return clean_text(value, field, limit=limit, required=required)


def date_value(value, field: str, *, required: bool = False) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise Invalid(_("Give a date: %(field)s.") % {"field": field}, field)
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        parsed = parse_date(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise Invalid(
            _("%(value)s is not a date (write it as 2019-07-30): %(field)s.")
            % {"value": value, "field": field},
            field,
        )
    return parsed


def decimal_value(value, field: str, *, positive: bool = False) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(_("Give a number: %(field)s.") % {"field": field}, field) from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        message = (
            _("Give a positive number: %(field)s.")
            if positive
            else _("Give a number that is not negative: %(field)s.")
        )
        raise Invalid(message % {"field": field}, field)
    if number >= Decimal("1e10"):
        raise Invalid(_("This number is too large: %(field)s.") % {"field": field}, field)
    return number.quantize(Decimal("0.01"))


def int_value(value, field: str, *, low: int = 0, high: int | None = None) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise Invalid(_("Give a whole number: %(field)s.") % {"field": field}, field) from None
    if number < low or (high is not None and number > high):
        if high is None:
            message = _("Give a whole number of at least %(low)d: %(field)s.")
        else:
            message = _("Give a whole number from %(low)d to %(high)d: %(field)s.")
        raise Invalid(message % {"low": low, "high": high, "field": field}, field)
    return number


def unit_value(value, field: str) -> Unit:
    """A unit by instance, id or code, or :class:`Invalid` naming ``field``."""
    if isinstance(value, Unit):
        found = value
    else:
        raw = str(value or "").strip()
        if not raw:
            raise Invalid(_("Choose a unit: %(field)s.") % {"field": field}, field)
        found = Unit.objects.filter(code=raw).first() or Unit.objects.filter(name=raw).first()
        if found is None and raw.isdecimal() and len(raw) < 19:
            found = Unit.objects.filter(pk=int(raw)).first()
        if found is None:
            raise Invalid(_("There is no such unit: %(value)s.") % {"value": raw}, field)
    if not found.is_active:
        raise Invalid(_("%(unit)s is not active.") % {"unit": found}, field)
    return found


def person_value(value, field: str, unit: Unit | None) -> Person:
    """An active person by instance or id, who (when ``unit`` is given) works in ``unit``."""
    if isinstance(value, Person):
        found = value
    else:
        raw = str(value or "").strip()
        if not raw:
            raise Invalid(_("Name the responsible person: %(field)s.") % {"field": field}, field)
        found = (
            Person.objects.filter(pk=int(raw)).first()
            if raw.isdecimal() and len(raw) < 19
            else None
        )
        if found is None:
            found = Person.objects.filter(name=raw, is_active=True).first()
        if found is None:
            raise Invalid(_("There is no such person: %(value)s.") % {"value": raw}, field)
    if not found.is_active:
        raise Invalid(_("%(person)s is not active.") % {"person": found}, field)
    if (
        unit is not None
        and not Membership.objects.filter(person=found, unit=unit, is_active=True).exists()
    ):
        raise Invalid(
            _("%(person)s does not work in %(unit)s.") % {"person": found, "unit": unit}, field
        )
    return found


def deadline_after(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (through the work calendar).

    As in Chinese administrative practice (期间开始之日不计算在内) the start day
    itself does not count: 5 working days from Monday end on the next Monday.
    """
    begin = datetime.datetime.combine(
        start + datetime.timedelta(days=1),
        datetime.time.min,
        tzinfo=timezone.get_default_timezone(),
    )
    at = worktime.deadline_for(begin, days, worktime.TimeUnit.WORKING_DAYS).at
    return timezone.localtime(at).date()


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """Working days d with a < d ≤ b (negative when b is before a)."""
    if b < a:
        return -working_days_between(b, a)
    count, day = 0, a
    while day < b:
        day += datetime.timedelta(days=1)
        if worktime.is_workday(day)[0]:
            count += 1
    return count


def check_uploads(photos=(), files=()) -> tuple[list, list]:
    """Photos by content (core.images) and files by size and suffix, before any write."""
    checked, files = check_photos(photos, limit=MAX_PHOTOS), list(files or ())
    kept = []
    for upload in files:
        name = str(getattr(upload, "name", "") or "file")
        if not name.lower().endswith(FILE_SUFFIXES):
            raise Invalid(
                _("%(name)s: only PDF, Word, Excel, text and CSV files.") % {"name": name}, "files"
            )
        data = upload.read() if hasattr(upload, "read") else bytes(upload)
        if len(data) > MAX_FILE_BYTES:
            raise Invalid(_("%(name)s is larger than 10 MB.") % {"name": name}, "files")
        kept.append((name.rsplit("/", 1)[-1][:150], data))
    return checked, kept


def store_uploads(item: Item, event: ItemEvent, photos, files, now) -> list[Attachment]:
    stored = []
    for image in photos:
        attachment = Attachment(item=item, event=event, is_photo=True, at=now,
                                name=f"{image.sha256[:12]}.{image.extension}")  # fmt: skip
        attachment.file.save(attachment.name, ContentFile(image.data), save=False)
        attachment.save()
        stored.append(attachment)
    for name, data in files:
        attachment = Attachment(item=item, event=event, is_photo=False, at=now, name=name)
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def load(item: Item | int, version=None) -> Item:
    pk = item.pk if isinstance(item, Item) else item
    try:
        fresh = Item.objects.select_related("lead_unit", "person").get(pk=pk)
    except (Item.DoesNotExist, ValueError, TypeError):
        raise Invalid(_("There is no such item."), "item") from None
    if version not in (None, "") and int(version) != fresh.version:
        raise Conflict(
            _("Someone else changed this item in the meantime (it is now %(state)s). "
              "Reload it and try again.") % {"state": fresh.get_state_display()}
        )  # fmt: skip
    return fresh


def write(
    item: Item, actor, role: str, action: str, now, *, to_state: str | None = None,
    fields: dict | None = None, note: str = "", data: dict | None = None, unit_id=None,
) -> ItemEvent:  # fmt: skip
    """Compare-and-set the item on its version, then append one history row."""
    fields = dict(fields or {})
    from_state = item.state
    if to_state:
        fields["state"] = to_state
    updated = Item.objects.filter(pk=item.pk, version=item.version).update(
        **fields, updated_at=now, version=F("version") + 1
    )
    if not updated:
        raise Conflict(
            _("Someone else changed this item in the meantime. Reload it and try again.")
        )
    for name, value in fields.items():
        setattr(item, name, value)
    item.version += 1
    item.updated_at = now
    return ItemEvent.objects.create(
        item=item, at=now, actor=actor.user if actor.user_id else None,
        actor_name=actor.name[:60], role=role, action=action, from_state=from_state,
        to_state=to_state or "", note=note, data=data or {}, unit_id=unit_id,
    )  # fmt: skip


def link(item: Item) -> str:
    return f"/console/supervision/items/{item.pk}/"


def notify_unit(item: Item, unit_id: int, subject: str, body: str, *, dedupe_key=None) -> int:
    return queue_for_unit(unit_id, subject, body, link=link(item), topic=f"item:{item.pk}",
                          dedupe_key=dedupe_key)  # fmt: skip
