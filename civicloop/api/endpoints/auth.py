"""Tokens and the signed-in user."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from ninja import Form, Router, Status

from civicloop.core.clientip import ratelimit_key
from civicloop.org.models import Membership, Role

from ..actions import issue_token
from ..auth import actor
from ..errors import ApiError
from ..schemas import ERRORS, MeOut, TokenIn, TokenOut
from ..serialize import ref, user_out

router = Router(tags=["auth"])


def _failures(request, increment: bool):
    rate = settings.API_TOKEN_RATE_LIMIT
    return get_usage(request, group="api-token", key=ratelimit_key, rate=rate, increment=increment)


@router.post("/auth/token", auth=None, response={201: TokenOut, **ERRORS, 429: ERRORS[400]})
def create_token(request, payload: Form[TokenIn]):
    """Exchange a username and password for a new token (shown once).

    Only staff with at least one active role get a token. Failed attempts are
    limited per address (API_TOKEN_RATE_LIMIT, default 10 a minute) and, like
    every sign-in form, per username and address (django-axes: AXES_FAILURE_LIMIT,
    default 5, locked for AXES_COOLOFF_MINUTES); both answer 429 with Retry-After.
    """
    usage = _failures(request, increment=False)
    if usage and usage["count"] >= usage["limit"]:
        raise ApiError(429, "rate_limited", _("Too many failed sign-ins; wait a minute."),
                       retry_after=usage.get("time_left", 60))  # fmt: skip
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        _failures(request, increment=True)
        raise ApiError(401, "unauthenticated", _("Wrong username or password."))
    request.user = user
    who = actor(request)
    if not who.roles:
        raise ApiError(403, "forbidden", _("This account has no role in any unit."))
    token, key = issue_token(user, payload.name)
    return Status(201, {"token": key, "prefix": token.prefix, "name": token.name,
                 "created": token.created})  # fmt: skip


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request):
    """The signed-in user, their roles and units."""
    who = actor(request)
    rows = (
        Membership.objects.filter(pk__in=[m.pk for m in who.memberships])
        .select_related("unit", "patrol_area", "road_section")
        .order_by("id")
    )
    memberships = [
        {"role": m.role, "role_label": str(Role(m.role).label), "unit": ref(m.unit),
         "patrol_area": ref(m.patrol_area), "road_section": ref(m.road_section)}
        for m in rows
    ]  # fmt: skip
    units = {m.unit_id: ref(m.unit) for m in who.memberships}
    return {
        "user": user_out(request.user),
        "roles": sorted(who.roles),
        "memberships": memberships,
        "units": list(units.values()),
    }
