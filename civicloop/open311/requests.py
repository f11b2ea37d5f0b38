"""Cases as Open311 service requests (read side)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.cases.models import OPEN_STATES, CancelReason, Case, Evidence, Source, State
from civicloop.cases.public_steps import public_state


def w3(value: datetime.datetime | None) -> str | None:
    """A W3C datetime with its offset, in the site's time zone (e.g. 2024-05-01T09:30:00+08:00)."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


#: What :func:`request_dict` reads: nothing else is loaded (a page holds 1,000 rows).
REQUEST_FIELDS = (
    "number", "state", "cancel_reason", "source", "description", "address", "lat", "lon",
    "reported_at", "updated_at", "closed_at", "cancelled_at", "handling_deadline",
    "small_class__name", "small_class__full_code", "unit__name", "standard__closure_condition",
    "street__name", "community__name", "duplicate_of__number", "open311_request__media_url",
)  # fmt: skip


def request_queryset() -> QuerySet:
    before = (
        Evidence.objects.filter(kind=Evidence.Kind.BEFORE)
        .order_by("uploaded_at", "id")
        .only("id", "case_id")
    )
    return (
        Case.objects.select_related(
            "small_class", "unit", "standard", "street", "community", "duplicate_of",
            "open311_request",
        )
        .only(*REQUEST_FIELDS)
        .prefetch_related(Prefetch("evidence", queryset=before, to_attr="before_photos"))
    )  # fmt: skip


def status_of(case: Case) -> str:
    return "open" if case.state in OPEN_STATES else "closed"


def status_notes(case: Case) -> str:
    if case.state == State.CANCELLED:
        if case.cancel_reason == CancelReason.MERGED and case.duplicate_of is not None:
            return _("Merged into request %(number)s (the same problem).") % {
                "number": case.duplicate_of.number
            }
        return _("Closed without handling: %(reason)s.") % {
            "reason": case.get_cancel_reason_display()
        }
    return public_state(case.state)  # the same words as the portal's tracking page


def media_url(case: Case, request) -> str | None:
    photos = getattr(case, "before_photos", None)
    if photos is None:
        photos = list(case.evidence.filter(kind=Evidence.Kind.BEFORE).order_by("uploaded_at", "id"))
    if photos:
        return request.build_absolute_uri(
            reverse("portal:photo", kwargs={"pk": photos[0].pk, "variant": "public"})
        )
    try:
        extra = case.open311_request
    except ObjectDoesNotExist:
        return None
    return extra.media_url or None


def address_of(case: Case) -> str | None:
    """Typed address (residents' reports only, like the description), community, street.

    Staff, hotline and camera addresses may name a caller's home ("王先生家楼下"),
    so only the places from the geo app are published for them.
    """
    parts = [case.address if case.source == Source.PUBLIC else ""]
    if case.community is not None:
        parts.append(case.community.name)
    if case.street is not None:
        parts.append(case.street.name)
    text = ", ".join(p for p in parts if p)
    return text or None


def request_dict(case: Case, request) -> dict:
    """One ``request`` element. Residents' own words are shown; staff notes never are."""
    closed_at = case.closed_at or case.cancelled_at
    return {
        "service_request_id": case.number,
        "status": status_of(case),
        "status_notes": status_notes(case),
        "service_name": case.small_class.name,
        "service_code": case.small_class.full_code,
        # Only residents' descriptions are public (they are told so); staff and
        # hotline descriptions may name people.
        "description": case.description
        if case.source == Source.PUBLIC and case.description
        else None,
        "agency_responsible": case.unit.name if case.unit is not None else None,
        "service_notice": (case.standard.closure_condition or None) if case.standard else None,
        "requested_datetime": w3(case.reported_at),
        "updated_datetime": w3(
            closed_at if status_of(case) == "closed" and closed_at else case.updated_at
        ),
        "expected_datetime": w3(case.handling_deadline),
        "address": address_of(case),
        "lat": round(case.lat, 6),
        "long": round(case.lon, 6),
        "media_url": media_url(case, request),
    }
