"""The client address that rate limits count against (portal and Open311).

Without a reverse proxy (``CIVICLOOP_TRUSTED_PROXIES = 0``, the default) the
address is ``REMOTE_ADDR`` and ``X-Forwarded-For`` is ignored: a client could
write anything there. Behind N reverse proxies that each append the address
they saw to ``X-Forwarded-For`` (nginx ``proxy_add_x_forwarded_for``), set
``CIVICLOOP_TRUSTED_PROXIES = N``: the address is then the N-th entry from the
right, the one the outermost trusted proxy saw; entries further left were
written by the client and are never used. Without this setting every resident
behind a proxy would share the proxy's address (and one limit).

IPv6 addresses count per /64 (one household or phone usually holds a whole
/64); an address that cannot be read (a Unix socket leaves ``REMOTE_ADDR``
empty) counts as ``unknown``, never as an error.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

IPV6_PREFIX = 64
UNKNOWN = "unknown"


def _normalise(raw: str) -> str | None:
    raw = (raw or "").strip()
    if raw.startswith("[") and "]" in raw:  # "[2001:db8::1]:443"
        raw = raw[1 : raw.index("]")]
    elif raw.count(":") == 1:  # "203.0.113.7:51234"
        raw = raw.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False).network_address)
    return str(address)


def client_address(request) -> str:
    """The address a request is counted against (see the module docstring)."""
    proxies = settings.CIVICLOOP_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return _normalise(forwarded[-proxies]) or UNKNOWN
        # Fewer entries than proxies: the request did not come through all of
        # them; the leftmost entry is still one a trusted proxy wrote.
        if forwarded:
            return _normalise(forwarded[0]) or UNKNOWN
    return _normalise(remote) or UNKNOWN


def ratelimit_key(_group, request) -> str:
    """django-ratelimit ``key`` callable."""
    return client_address(request)


def axes_client_ip(request) -> str | None:
    """The address django-axes records for a sign-in: a valid IP, or None.

    ``client_address`` answers "unknown" when it cannot tell (no REMOTE_ADDR,
    as with Django's test client ``force_login``, or a garbled proxy header);
    axes stores addresses in an IP column, which PostgreSQL checks, so that
    becomes None instead of a failed sign-in.
    """
    address = client_address(request)
    return None if address == UNKNOWN else address
