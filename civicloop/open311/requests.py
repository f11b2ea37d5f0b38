"""Cases as Open311 service requests (read side)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.cases.models import OPEN_STATES, CancelReason, Case, Evidence, Source, State
from civicloop.cases.public_steps import public_state
from civicloop.core.choices import label


def w3(value: datetime.datetime | None) -> str | None:
    """A W3C datetime with its offset, in the site's time zone (e.g. 2024-05-01T09:30:00+08:00)."""
    if value is None:
        return None
    # The default zone (not the active one: nothing activates another here), read once
    # per call of a cached function rather than through the thread-local per value.
    return value.astimezone(timezone.get_default_timezone()).isoformat(timespec="seconds")


#: What :func:`request_dict` reads, by value name: nothing else is loaded (a page holds
#: 1,000 rows); ``first_photo`` is the id of the report's first photo.
REQUEST_VALUES = (
    "number", "state", "cancel_reason", "source", "description", "address", "lat", "lon",
    "reported_at", "updated_at", "closed_at", "cancelled_at", "handling_deadline",
    "small_class__name", "small_class__full_code", "unit__name", "standard__closure_condition",
    "street__name", "community__name", "duplicate_of__number", "open311_request__media_url",
    "first_photo",
)  # fmt: skip


def request_queryset() -> QuerySet:
    """Cases as :data:`REQUEST_VALUES` rows, newest first."""
    first_photo = (
        Evidence.objects.filter(case_id=OuterRef("pk"), kind=Evidence.Kind.BEFORE)
        .order_by("uploaded_at", "id")
        .values("id")[:1]
    )
    return (
        Case.objects.annotate(first_photo=Subquery(first_photo))
        .order_by("-reported_at", "-id")
        .values(*REQUEST_VALUES)
    )


def status_of(row: Mapping) -> str:
    return "open" if row["state"] in OPEN_STATES else "closed"


def status_notes(row: Mapping) -> str:
    if row["state"] == State.CANCELLED:
        if row["cancel_reason"] == CancelReason.MERGED and row["duplicate_of__number"]:
            return _("Merged into request %(number)s (the same problem).") % {
                "number": row["duplicate_of__number"]
            }
        return _("Closed without handling: %(reason)s.") % {
            "reason": label(CancelReason, row["cancel_reason"])
        }
    return public_state(row["state"])  # the same words as the portal's tracking page


def media_url(row: Mapping, request) -> str | None:
    if row["first_photo"] is not None:
        return request.build_absolute_uri(
            reverse("portal:photo", kwargs={"pk": row["first_photo"], "variant": "public"})
        )
    return row["open311_request__media_url"] or None


def address_of(row: Mapping) -> str | None:
    """Typed address (residents' reports only, like the description), community, street.

    Staff, hotline and camera addresses may name a caller's home ("王先生家楼下"),
    so only the places from the geo app are published for them.
    """
    parts = [
        row["address"] if row["source"] == Source.PUBLIC else "",
        row["community__name"], row["street__name"],
    ]  # fmt: skip
    text = ", ".join(p for p in parts if p)
    return text or None


def request_dict(row: Mapping, request) -> dict:
    """One ``request`` element of a :data:`REQUEST_VALUES` row. Residents' own words are
    shown; staff notes never are."""
    closed_at = row["closed_at"] or row["cancelled_at"]
    status = status_of(row)
    public = row["source"] == Source.PUBLIC
    return {
        "service_request_id": row["number"],
        "status": status,
        "status_notes": status_notes(row),
        "service_name": row["small_class__name"],
        "service_code": row["small_class__full_code"],
        # Only residents' descriptions are public (they are told so); staff and
        # hotline descriptions may name people.
        "description": row["description"] if public and row["description"] else None,
        "agency_responsible": row["unit__name"],
        "service_notice": row["standard__closure_condition"] or None,
        "requested_datetime": w3(row["reported_at"]),
        "updated_datetime": w3(
            closed_at if status == "closed" and closed_at else row["updated_at"]
        ),
        "expected_datetime": w3(row["handling_deadline"]),
        "address": address_of(row),
        "lat": round(row["lat"], 6),
        "long": round(row["lon"], 6),
        "media_url": media_url(row, request),
    }
