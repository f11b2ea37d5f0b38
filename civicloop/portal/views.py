"""The resident portal: home, report, nearby cases, follow, tracking, rating, privacy."""

from __future__ import annotations

import functools
import json
import math
import re

import shapely
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import get_usage

from civicloop.cases.actions import (
    ActionError,
    find_duplicates,
    follow_case,
    rate_case,
    report_case,
)
from civicloop.cases.actions.public import UNSATISFIED_LEVEL
from civicloop.cases.models import (
    OPEN_STATES,
    Case,
    CaseFollower,
    CaseRequest,
    Evidence,
    LoopConfig,
    Rating,
    SmallClass,
    Source,
    State,
)
from civicloop.cases.permissions import public_actor
from civicloop.cases.public_steps import public_state
from civicloop.core.clientip import ratelimit_key
from civicloop.geo import display
from civicloop.geo.models import GeoDataVersion, Region

from .forms import MAX_PORTAL_PHOTOS, FollowForm, RatingForm, ReportForm, category_groups
from .timeline import PUBLIC_PHOTO_KINDS, case_queryset, merge_chain, own_photos, timeline

NEARBY_DAYS = 365
#: What a tracking code can look like (``new_tracking_code``: 10 characters, up to 16 stored).
CODE_RE = re.compile(r"^[A-Z0-9]{4,16}$")


def _rate(_group, _request) -> str:
    return settings.PORTAL_RATE_LIMIT


def _miss_rate(_group, _request) -> str:
    """Unknown tracking codes a client address may try."""
    return settings.PORTAL_TRACK_RATE_LIMIT


def _too_many(request, usage, template_context: dict | None = None):
    retry = max(1, math.ceil(usage["time_left"]))
    context = {"retry_after": retry, **(template_context or {})}
    response = render(request, "portal/429.html", context, status=429)
    response["Retry-After"] = str(retry)
    return response


def _track_misses(request, *, increment: bool):
    """Usage of the unknown-tracking-code counter of this client address (``None``: no limit)."""
    return get_usage(request, group="portal-track-miss", key=ratelimit_key, rate=_miss_rate,
                     increment=increment)  # fmt: skip


def limit_intake(view):
    """Count POSTs per client address (settings.PORTAL_RATE_LIMIT); answer 429 past the limit."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            usage = get_usage(
                request, group="portal-intake", key=ratelimit_key, rate=_rate, method="POST",
                increment=True,
            )  # fmt: skip
            if usage and usage["should_limit"]:
                return _too_many(request, usage)
        return view(request, *args, **kwargs)

    return wrapper


def _map_context() -> dict:
    return {
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "map_tile_subdomains": settings.MAP_TILE_SUBDOMAINS,
        # GCJ-02 tiles (MAP_TILE_CRS): the report map converts its points through the server.
        "map_point_url": reverse("portal:map_point") if display.shifted() else "",
    }


@require_GET
def home(request):
    return render(request, "portal/home.html")


@require_GET
def favicon(request):
    """``/favicon.ico``, asked for by browsers whatever the page says: the static icon."""
    response = redirect(static("shared/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def privacy(request):
    return render(request, "portal/privacy.html")


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("phone", "email")  # never in an error report (docs/privacy.md)
@limit_intake
def report(request):
    form = ReportForm(request.POST if request.method == "POST" else None)
    photo_error = ""
    if request.method == "POST":
        photos = request.FILES.getlist("photos")
        if len(photos) > MAX_PORTAL_PHOTOS:
            photo_error = _("At most %(n)d photos, please.") % {"n": MAX_PORTAL_PHOTOS}
        if form.is_valid() and not photo_error:
            data = form.cleaned_data
            try:
                case = report_case(
                    public_actor(), source=Source.PUBLIC, category=data["category"],
                    lon=data["lon"], lat=data["lat"], description=data["description"],
                    address=data["address"], photos=photos, reporter_phone=data["phone"],
                    reporter_email=data["email"],
                )  # fmt: skip
            except ActionError as error:
                target = {"location": "lon", "category": "category", "description": "description",
                          "address": "address", "reporter_phone": "phone",
                          "reporter_email": "email"}.get(error.field or "")  # fmt: skip
                if error.field == "photos":
                    photo_error = error.message
                else:
                    form.add_error(target, error.message)
            else:
                request.session["portal_new_code"] = case.tracking_code
                return redirect("portal:track", code=case.tracking_code)
    selected = (form.data.get("category") or "").upper() if form.is_bound else ""
    context = {
        "form": form,
        "groups": category_groups(),
        "selected": selected,
        "photo_error": photo_error,
        "max_photos": MAX_PORTAL_PHOTOS,
        "radius_m": LoopConfig.get().public_nearby_radius_m,
        "portal_text": {
            "metres": _("m away"),
            "pinPlaced": _("Pin placed."),
            "noLocation": _("Your location is not available; tap the map instead."),
        },
        **_map_context(),
    }
    return render(request, "portal/report.html", context, status=400 if form.is_bound else 200)


def _float(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@require_GET
def nearby(request):
    """Open cases of the same kind near a point (JSON), for the resident to follow instead."""
    code = (request.GET.get("category") or "").strip().upper()
    lon, lat = _float(request.GET.get("lon")), _float(request.GET.get("lat"))
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return JsonResponse({"error": _("Give lon and lat as numbers.")}, status=400)
    small = SmallClass.objects.active().filter(full_code=code).first()
    if small is None:
        return JsonResponse({"error": _("Unknown category.")}, status=400)
    radius = LoopConfig.get().public_nearby_radius_m
    found = find_duplicates(small.pk, lon, lat, radius_m=radius, days=NEARBY_DAYS)
    cases = []
    for case, distance in found:
        description = case.description if case.source == Source.PUBLIC else ""
        cases.append(
            {
                "number": case.number,
                "category": small.name,
                "state": str(case.get_state_display()),
                "reported": timezone.localtime(case.reported_at).strftime("%Y-%m-%d %H:%M"),
                "distance_m": round(distance),
                "description": description[:120],
            }
        )
    return JsonResponse({"radius_m": radius, "cases": cases})


@require_POST
@limit_intake
def follow(request):
    form = FollowForm(request.POST)
    if not form.is_valid():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        return render(request, "portal/message.html",
                      {"title": _("Could not follow the case"), "text": errors[0]},
                      status=400)  # fmt: skip
    case = Case.objects.filter(
        number=form.cleaned_data["number"].strip(), state__in=OPEN_STATES
    ).first()
    if case is None:
        return render(request, "portal/message.html",
                      {"title": _("Could not follow the case"),
                       "text": _("This case is no longer open.")}, status=400)  # fmt: skip
    try:
        follower = follow_case(
            case, email=form.cleaned_data["email"], phone=form.cleaned_data["phone"]
        )
    except ActionError as error:
        return render(request, "portal/message.html",
                      {"title": _("Could not follow the case"), "text": error.message},
                      status=400)  # fmt: skip
    request.session["portal_new_code"] = follower.tracking_code
    return redirect("portal:track", code=follower.tracking_code)


@require_GET
def track_lookup(request):
    code = (request.GET.get("code") or "").strip().upper()
    if CODE_RE.match(code):
        return redirect("portal:track", code=code)
    if code:
        return render(request, "portal/track_lookup.html", {"not_found": code[:20]}, status=404)
    return render(request, "portal/track_lookup.html")


def _resolve(code: str) -> tuple[Case, bool]:
    """The case behind a tracking code, and whether the code is the reporter's own."""
    code = code.strip().upper()
    if not CODE_RE.match(code):
        raise Http404
    case = case_queryset().filter(tracking_code=code).first()
    if case is not None:
        return case, True
    follower = CaseFollower.objects.filter(tracking_code=code).first()
    if follower is not None:
        return case_queryset().get(pk=follower.case_id), False
    raise Http404


def _last_rating(case: Case) -> Rating | None:
    if case.closed_at is None:
        return None
    return (
        Rating.objects.filter(case=case, rated_at__gte=case.closed_at).order_by("-rated_at").first()
    )


def _lookup(request, code: str):
    """``_resolve`` behind the miss limit: a client address that tried too many unknown
    codes is refused every lookup (429) until the window ends, so codes cannot be enumerated.
    Returns (case, own) or a response."""
    usage = _track_misses(request, increment=False)
    if usage and (usage["should_limit"] or usage["count"] >= usage["limit"]):
        return _too_many(request, usage, {"lookup": True})
    try:
        return _resolve(code)
    except Http404:
        _track_misses(request, increment=True)
        return render(request, "portal/track_lookup.html", {"not_found": code[:20]}, status=404)


def _after_rating(case: Case, rating: Rating | None) -> str:
    """What happens after an unsatisfied rating (its reopen request's outcome); "" otherwise."""
    if rating is None or rating.level > UNSATISFIED_LEVEL:
        return ""
    request = (
        CaseRequest.objects.filter(
            case=case, kind=CaseRequest.Kind.REOPEN, requested_at__gte=rating.rated_at
        )
        .order_by("-requested_at", "-id")
        .first()
    )
    if request is not None and request.status == CaseRequest.Status.REJECTED:
        return _(
            "The city management centre reviewed the case after your rating and decided that "
            "the result stands."
        )
    return _(
        "You are not satisfied, so the case goes back to the city management centre: its shift "
        "leader reviews the result and either sends the case back to the unit to be handled "
        "again, or decides that the result stands. This page shows what was decided."
    )


def _track_context(case: Case, code: str, own: bool, rating: Rating | None) -> dict:
    """What the tracking page shows of ``case`` (the reporter's own page shows more)."""
    return {
        "case": case,
        "code": code,
        "own": own,
        "steps": timeline(case),
        "public_state": public_state(case.state),
        "rating": rating,
        "after_rating": _after_rating(case, rating) if own else "",
        "own_photos": own_photos(case) if own else [],
        "own_address": case.address if own and case.source == Source.PUBLIC else "",
        "is_open": case.state in OPEN_STATES,
    }


@require_GET
def track(request, code: str):
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return found
    case, own = found
    rating = _last_rating(case) if case.state == State.CLOSED else None
    can_rate = own and case.state == State.CLOSED and rating is None
    chain = merge_chain(case)
    merged_into = [
        {"case": target, "steps": timeline(target), "public_state": public_state(target.state)}
        for target in chain
    ]
    just_created = request.session.pop("portal_new_code", None) == code.upper()
    context = {
        **_track_context(case, code.upper(), own, rating),
        "merged_into": merged_into,
        "rating_form": RatingForm() if can_rate else None,
        "just_created": just_created,
    }
    return render(request, "portal/track.html", context)


@require_POST
@limit_intake
def rate(request, code: str):
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return found
    case, own = found
    if not own:  # followers see the progress but do not rate
        raise Http404
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            rate_case(case, level=form.cleaned_data["level"], reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("portal:track", code=case.tracking_code)
    context = {**_track_context(case, case.tracking_code, True, None), "merged_into": [],
               "rating_form": form}  # fmt: skip
    return render(request, "portal/track.html", context, status=400)


@require_GET
def photo(request, pk: int, variant: str):
    """The public copy or thumbnail of a before- or after-photo; never the original."""
    evidence = Evidence.objects.filter(pk=pk, kind__in=PUBLIC_PHOTO_KINDS).first()
    if evidence is None or variant not in ("public", "thumb"):
        raise Http404
    file = evidence.public if variant == "public" else evidence.thumbnail
    content_type = evidence.content_type if variant == "public" else "image/jpeg"
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def boundaries(request):
    """District and street boundaries as GeoJSON (simplified, cached per geometry version)."""
    key = f"portal:boundaries:{GeoDataVersion.current()}:{display.system()}"
    body = cache.get(key)
    if body is None:
        features = []
        for region in Region.objects.filter(
            level__lte=Region.Level.STREET, geom__isnull=False
        ).order_by("level", "code"):
            geometry = region.geometry
            if geometry is None:
                continue
            simple = shapely.simplify(
                display.geometry_to_map(geometry), 0.0001, preserve_topology=True
            )
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": region.name, "level": region.level},
                    "geometry": json.loads(shapely.to_geojson(simple)),
                }
            )
        body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
        cache.set(key, body, 3600)
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
