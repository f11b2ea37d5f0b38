"""What a locked-out sign-in gets: 429 with Retry-After, in the client's terms.

django-axes counts failed sign-ins per username and client address on every
login form (console, admin) and the API token endpoint; past
``AXES_FAILURE_LIMIT`` it calls :func:`lockout_response`. API paths get the
API's JSON error shape, pages a short translated page.
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def retry_after_seconds(request) -> int:
    cool_off = get_cool_off(request)
    return max(1, int(cool_off.total_seconds())) if cool_off else 3600


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    seconds = retry_after_seconds(request)
    minutes = max(1, round(seconds / 60))
    message = _(
        "Too many failed sign-ins for this account from your address. "
        "Try again in %(minutes)d minutes, or ask an administrator to unlock it."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "rate_limited", "message": message, "field": None}, status=429
        )
    else:
        response = HttpResponse(
            render_to_string("core/locked_out.html", {"message": message}, request=request),
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response
