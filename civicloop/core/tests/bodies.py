"""Bodies a server cannot parse, and every URL of an app to send them to.

Used by the apps' ``test_bad_bodies.py``: each URL of a namespace (with its
path parameters filled in) gets each body by POST; the answer must be a 4xx
(a 400, a form page with errors, a redirect to sign in…), never a 500.
"""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

BROKEN = [
    # a multipart body whose closing boundary never comes
    ("multipart, no closing boundary",
     b'--XYZ\r\nContent-Disposition: form-data; name="note"\r\n\r\nvalue', "multipart/form-data; boundary=XYZ"),
    # a multipart content type without a boundary, and a boundary that is not one
    ("multipart, no boundary", b"note=value", "multipart/form-data"),
    ("multipart, bad boundary", b"--\x00\xff\r\n\r\n", "multipart/form-data; boundary=\x7f\"\""),
    # JSON that is not JSON, and JSON that is not an object
    ("broken JSON", b'{"note": ', "application/json"),
    ("JSON list", b"[1, 2]", "application/json"),
    # form encoding that is not UTF-8 and escapes that are not escapes
    ("garbage form", b"%ff%fe=%zz&note=\xff\xfe\xfd&%%=%", "application/x-www-form-urlencoded"),
    # a NUL character (PostgreSQL cannot store it) in every usual field name
    ("NUL in fields", b"&".join(f"{name}=a%00b".encode() for name in (
        "note", "description", "address", "reason", "reply", "name", "phone", "email", "code",
        "comment", "text", "q", "title", "opinion", "service_code", "api_key", "lat", "long",
        "address_string", "first_name", "last_name", "media_url", "account_id", "device_id",
        "username", "password")), "application/x-www-form-urlencoded"),
    # more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
    ("too many fields", b"&".join(b"f%d=1" % i for i in range(1200)), "application/x-www-form-urlencoded"),
]  # fmt: skip

_ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>([^()]*)\)")


def _fill(name: str, converter: str, pk: int, values: dict) -> str:
    if name in values:
        return str(values[name])
    if name == "fmt":
        return "json"
    return str(pk) if converter == "int" else "x"


def _route(pattern, pk: int, values: dict) -> str:
    text = str(pattern)
    if text.startswith("^") or text.endswith("$") or "(?P<" in text:  # a regex pattern
        text = text.lstrip("^").rstrip("$")
        text = _REGEX_GROUP.sub(lambda m: _fill(m[1], "str", pk, values), text)
        return text.replace("\\.", ".").replace(".*", "x")
    return _ROUTE_PARAM.sub(lambda m: _fill(m[2], m[1] or "str", pk, values), text)


def _walk(patterns, prefix: str, pk: int, values: dict):
    for entry in patterns:
        here = prefix + _route(entry.pattern, pk, values)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, here, pk, values)
        elif isinstance(entry, URLPattern):
            yield here


def urls_of(namespace: str, pk: int = 1, **values) -> list[str]:
    """Every URL of a namespace, path parameters filled in: by name from ``values``,
    ints with ``pk``, the rest with "x"."""
    prefix, resolver = get_resolver().namespace_dict[namespace]
    start = "/" + _route(prefix, pk, values)
    found = list(dict.fromkeys(_walk(resolver.url_patterns, start, pk, values)))
    return [url.replace("//", "/") for url in found]


def server_errors(client, urls, **headers) -> list[tuple[str, str, int]]:
    """(url, body, status) of each POST of a broken body answered with 5xx."""
    failures = []
    for url in urls:
        for label, body, content_type in BROKEN:
            response = client.generic("POST", url, body, content_type=content_type, **headers)
            if response.status_code >= 500:
                failures.append((url, label, response.status_code))
    return failures
