"""Open311 GeoReport v2 endpoints under ``/open311/v2/``.

Every endpoint answers in JSON or XML after its ``.json`` / ``.xml`` suffix;
errors are the specification's list of ``{code, description}`` with HTTP 400,
403 (API key) or 404 (unknown service, request, token or jurisdiction), and
429 with ``Retry-After`` when a client address sends too many requests.
"""

from __future__ import annotations

import datetime
import functools
import math
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.core import get_usage

from civicloop.cases import memos as catalogue
from civicloop.cases.actions import MAX_DESCRIPTION, ActionError, check_report, record_report
from civicloop.cases.models import OPEN_STATES, Case
from civicloop.cases.permissions import public_actor
from civicloop.core.clientip import ratelimit_key
from civicloop.core.compiled import Compiled, insert
from civicloop.core.keys import hash_key
from civicloop.core.memo import Memo

from . import render
from .geocode import geocode
from .models import CLIENTS_MEMO, Open311Client, Open311Request
from .requests import request_dict, request_queryset
from .services import (
    InvalidAttribute,
    attributes_for,
    service_dict,
    service_queryset,
    validate_attributes,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_WINDOW = datetime.timedelta(days=90)
MAX_PAGE_SIZE = 1000
#: Largest ``page`` accepted (an offset SQL can hold); dates outside these years are refused.
MAX_PAGE = 1_000_000
YEARS = (1900, 2999)
_ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def jurisdiction_ids() -> set[str]:
    ids = {settings.CIVICLOOP_DISTRICT_CODE, settings.OPEN311_JURISDICTION_ID}
    return {i for i in ids if i}


def _rate(_group, _request) -> str:
    return settings.OPEN311_RATE_LIMIT


def endpoint(*methods: str):
    """Method check, rate limit and jurisdiction check shared by every endpoint."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, fmt: str = "xml", **kwargs):
            if request.method not in methods:
                response = render.errors(
                    fmt, 400, _("Use %(methods)s here.") % {"methods": " or ".join(methods)}
                )
                response["Allow"] = ", ".join(methods)
                return response
            usage = get_usage(
                request, group="open311", key=ratelimit_key, rate=_rate, increment=True
            )
            if usage and usage["should_limit"]:
                response = render.errors(
                    fmt, 429, _("Too many requests from your address; try again later.")
                )
                response["Retry-After"] = str(max(1, math.ceil(usage["time_left"])))
                return response
            params = request.POST if request.method == "POST" else request.GET
            jurisdiction = params.get("jurisdiction_id", "").strip()
            if jurisdiction and jurisdiction not in jurisdiction_ids():
                return render.errors(
                    fmt, 404,
                    _("jurisdiction_id %(id)s was not found; this endpoint serves %(ids)s.")
                    % {"id": jurisdiction[:40], "ids": ", ".join(sorted(jurisdiction_ids()))},
                )  # fmt: skip
            return view(request, *args, fmt=fmt, **kwargs)

        return wrapper

    return decorate


# --- discovery and services ------------------------------------------------------


@endpoint("GET")
def discovery(request, fmt: str):
    changeset = settings.OPEN311_CHANGESET
    data = {
        "changeset": changeset,
        "contact": settings.OPEN311_CONTACT
        or _("The district's digital city management command centre."),
        "key_service": settings.OPEN311_KEY_SERVICE
        or _("API keys are issued by the centre's administrators on request."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render.respond(fmt, "discovery", data)


@endpoint("GET")
def services(request, fmt: str):
    data = [service_dict(small) for small in service_queryset()]
    return render.respond(fmt, "services", data)


@endpoint("GET")
def service_definition(request, code: str, fmt: str):
    small = service_queryset().filter(full_code=code.strip().upper()).first()
    if small is None:
        return render.errors(
            fmt, 404, _("service_code %(code)s was not found.") % {"code": code[:20]}
        )
    data = {
        "service_code": small.full_code,
        "attributes": [attribute.as_dict() for attribute in attributes_for(small)],
    }
    return render.respond(fmt, "service_definition", data)


# --- requests -------------------------------------------------------------------


@endpoint("GET", "POST")
@sensitive_post_parameters(
    "email", "phone", "first_name", "last_name", "device_id", "account_id"
)  # never in an error report (docs/privacy.md)
def service_requests(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


class BadRequest(Exception):
    def __init__(self, *messages: str, status: int = 400):
        super().__init__(*messages)
        self.messages = messages
        self.status = status


def _w3_param(params, name: str, end: bool = False) -> datetime.datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+") if "T" in raw else raw)
        day = parse_date(raw) if value is None else None
    except ValueError:
        value = day = None
    if value is None:
        if day is None:
            raise BadRequest(
                _("%(name)s must be a W3C datetime such as 2024-05-01T00:00:00+08:00.")
                % {"name": name}
            )
        value = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise BadRequest(
            _("%(name)s must lie between the years %(first)d and %(last)d.")
            % {"name": name, "first": YEARS[0], "last": YEARS[1]}
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _positive_int(params, name: str, default: int, maximum: int | None = None) -> int:
    """A whole number from 1 (ASCII digits); above ``maximum`` is refused (None: clamped later)."""
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw[:18]) < 1:
        raise BadRequest(_("%(name)s must be a whole number from 1.") % {"name": name})
    value = int(raw) if len(raw) <= 18 else 10**18  # no int() of thousands of digits
    if maximum is not None and value > maximum:
        raise BadRequest(_("%(name)s may be at most %(n)d.") % {"name": name, "n": maximum})
    return value


# The read side's queries, compiled once per process and shape (civicloop.core.compiled).
_BY_IDS = Compiled(Case, name="open311.requests_by_id")
_WINDOW = Compiled(Case, datetime.datetime, datetime.datetime, name="open311.requests")
_SINGLE = Compiled(Case, str, name="open311.request")


def _filters(params) -> tuple[list[str], datetime.datetime, datetime.datetime, set[str]]:
    """Service codes, the window (at most 90 days; the last 90 by default) and statuses."""
    codes = [c.strip().upper() for c in params.get("service_code", "").split(",") if c.strip()]
    start = _w3_param(params, "start_date")
    end = _w3_param(params, "end_date", end=True)
    if start and end:
        if end < start:
            raise BadRequest(_("end_date is before start_date."))
        if end - start > MAX_WINDOW:
            raise BadRequest(_("start_date and end_date may not span more than 90 days."))
    elif start:
        end = start + MAX_WINDOW
    elif end:
        start = end - MAX_WINDOW
    else:
        end = timezone.now()
        start = end - MAX_WINDOW
    statuses = {s.strip().lower() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise BadRequest(_("status is open or closed (or both, comma separated)."))
    return codes, start, end, statuses


def _list(request, fmt: str):
    params = request.GET
    try:
        ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
        # The specification: a list of IDs overrides every other argument.
        codes, start, end, statuses = _filters(params) if not ids else ([], None, None, set())
        page = _positive_int(params, "page", 1, maximum=MAX_PAGE)
        page_size = min(_positive_int(params, "page_size", MAX_PAGE_SIZE), MAX_PAGE_SIZE)
    except BadRequest as error:
        return render.errors(fmt, error.status, *error.messages)
    offset = (page - 1) * page_size
    window = slice(offset, offset + page_size)
    if ids:
        ids = tuple(ids[:MAX_PAGE_SIZE])
        rows = _BY_IDS.all(
            (ids, window.start, window.stop),
            lambda: request_queryset().filter(number__in=ids)[window],
        )  # fmt: skip
    else:
        status = statuses if len(statuses) == 1 else set()

        def build(start, end):
            queryset = request_queryset().filter(reported_at__gte=start, reported_at__lte=end)
            if codes:
                queryset = queryset.filter(small_class__full_code__in=codes)
            if status == {"open"}:
                queryset = queryset.open()
            elif status == {"closed"}:
                queryset = queryset.exclude(state__in=OPEN_STATES)
            return queryset[window]

        shape = (tuple(codes), tuple(status), window.start, window.stop)
        rows = _WINDOW.all(shape, build, start, end)
    return render.respond(fmt, "service_requests", [request_dict(r, request) for r in rows])


@endpoint("GET")
def service_request(request, request_id: str, fmt: str):
    row = _SINGLE.first(
        "number", lambda number: request_queryset().filter(number=number)[:1], request_id.strip()
    )
    if row is None:
        return render.errors(
            fmt, 404, _("service_request_id %(id)s was not found.") % {"id": request_id[:40]}
        )
    return render.respond(fmt, "service_requests", [request_dict(row, request)])


@endpoint("GET")
def token(request, token: str, fmt: str):
    found = Open311Request.objects.select_related("case").filter(token=token.strip()).first()
    if found is None:
        return render.errors(fmt, 404, _("token %(token)s was not found.") % {"token": token[:40]})
    data = [{"service_request_id": found.case.number, "token": found.token}]
    return render.respond(fmt, "service_requests", data)


def _attributes(params) -> dict[str, list[str]]:
    given: dict[str, list[str]] = {}
    for key in params:
        match = _ATTRIBUTE_RE.match(key)
        if match:
            given.setdefault(match.group(1), []).extend(params.getlist(key))
        elif key.startswith("attribute"):
            raise BadRequest(
                _("%(key)s: write attributes as attribute[code]=value.") % {"key": key[:40]}
            )
    return given


def _text(params, name: str, limit: int) -> str:
    value = params.get(name, "").strip()
    if len(value) > limit:
        raise BadRequest(
            _("%(name)s: at most %(n)d characters, please.") % {"name": name, "n": limit}
        )
    if "\x00" in value:  # PostgreSQL cannot store it
        raise BadRequest(_("%(name)s contains a NUL character.") % {"name": name})
    return value


def _location(params) -> tuple[float, float, str]:
    lat_raw, lon_raw = params.get("lat", "").strip(), params.get("long", "").strip()
    address = _text(params, "address_string", 200)
    if lat_raw or lon_raw:
        if not (lat_raw and lon_raw):
            raise BadRequest(_("Send both lat and long (WGS-84), not only one of them."))
        try:
            lat, lon = float(lat_raw), float(lon_raw)
        except ValueError:
            raise BadRequest(_("lat and long must be decimal degrees (WGS-84).")) from None
        if not (
            math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
        ):
            raise BadRequest(_("lat and long are not a valid WGS-84 position."))
        return lon, lat, address
    if address:
        point = geocode(address)
        if point is None:
            raise BadRequest(
                _(
                    "address_string %(address)s could not be located (only compound names are "
                    "known); send lat and long instead."
                )
                % {"address": address[:60]}
            )
        return point[0], point[1], address
    if params.get("address_id", "").strip():
        raise BadRequest(_("address_id is not supported here; send lat and long."))
    raise BadRequest(_("A location is required: lat and long, or address_string."))


#: Active clients by key digest, kept in this process (``civicloop.core.memo``).
CLIENTS = Memo(CLIENTS_MEMO, dict)
#: Digests a process remembers at most (then it starts afresh).
MAX_REMEMBERED = 10_000


def _client(key: str) -> Open311Client | None:
    """The active client holding ``key`` (one query the first time a process sees it)."""
    digest = hash_key(key)
    known = CLIENTS.get()
    found = known.get(digest)
    if found is None:
        found = Open311Client.authenticate(key)
        if found is None:
            return None  # unknown keys are never remembered
        if len(known) >= MAX_REMEMBERED:
            known.clear()
        known[digest] = found
    return found


def _touch(client: Open311Client) -> None:
    """Record the client's last use, at most every ``OPEN311_CLIENT_TOUCH_SECONDS``."""
    now = timezone.now()
    interval = datetime.timedelta(seconds=settings.OPEN311_CLIENT_TOUCH_SECONDS)
    if client.last_used_at is None or now - client.last_used_at > interval:
        client.last_used_at = now
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)


def _create(request, fmt: str):
    params = request.POST
    key = params.get("api_key", "").strip()
    if not key:
        return render.errors(fmt, 403, _("api_key is missing -- can't create the request."))
    client = _client(key)
    if client is None:
        return render.errors(fmt, 403, _("Invalid api_key received -- can't create the request."))
    try:
        code = params.get("service_code", "").strip().upper()
        if not code:
            raise BadRequest(_("service_code was not provided."))
        small = catalogue.small_class(code)  # the process's catalogue, with its standards
        if small is None or not (small.is_active and small.category_class.is_active):
            raise BadRequest(
                _("service_code %(code)s was not found.") % {"code": code[:20]}, status=404
            )
        lon, lat, address = _location(params)
        attributes = validate_attributes(small, _attributes(params))
        description = _text(params, "description", MAX_DESCRIPTION)
        email = _text(params, "email", 254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise BadRequest(_("email is not a valid e-mail address.")) from None
        phone = _text(params, "phone", 40)
        name = (_text(params, "last_name", 30) + _text(params, "first_name", 30)).strip()
        account_id = _text(params, "account_id", 100)
        device_id = _text(params, "device_id", 100)
        media_url = _text(params, "media_url", 500)
        if media_url:
            try:
                URLValidator(schemes=["http", "https"])(media_url)
            except ValidationError:
                raise BadRequest(_("media_url must be an http or https URL.")) from None
    except InvalidAttribute as error:
        return render.errors(fmt, 400, str(error))
    except BadRequest as error:
        return render.errors(fmt, error.status, *error.messages)
    extra = Open311Request(
        client=client, account_id=account_id, device_id=device_id, media_url=media_url,
        attributes=attributes,
    )  # fmt: skip

    def keep_request(case) -> None:
        extra.case = case
        insert(extra)  # the INSERT built once per process

    try:
        intake = check_report(
            public_actor(),
            source="public",
            category=small,
            lon=lon,
            lat=lat,
            description=description,
            address=address,
            urgency=attributes.get("urgency"),
            standard=attributes.get("standard"),
            owner=attributes.get("owner", ""),
            photos=request.FILES.getlist("media"),
            reporter_name=name,
            reporter_phone=phone,
            reporter_email=email,
            external_id=f"open311:{client.pk}:{account_id}",
        )
        # The case and its Open311 row in one transaction (no savepoint around the report).
        case = record_report(intake, then=keep_request)
    except ActionError as error:
        field = f"{error.field}: " if error.field else ""
        return render.errors(fmt, 400, f"{field}{error.message}")
    _touch(client)
    track = request.build_absolute_uri(reverse("portal:track", kwargs={"code": case.tracking_code}))
    notice = _(
        "Received as case %(number)s; it will be checked and passed to the responsible unit. "
        "Progress: %(url)s"
    ) % {"number": case.number, "url": track}
    data = [
        {
            "service_request_id": case.number,
            "service_notice": notice,
            "account_id": extra.account_id or None,
        }
    ]
    return render.respond(fmt, "service_requests", data)


@endpoint("GET", "POST")
def not_found(request, fmt: str, rest: str = ""):
    return render.errors(
        fmt, 404, _("There is no such Open311 resource; see %(url)s.")
        % {"url": request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "xml"}))},
    )  # fmt: skip
