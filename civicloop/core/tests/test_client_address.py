"""Which address a request counts against: REMOTE_ADDR, or behind trusted proxies the
X-Forwarded-For entry the outermost proxy wrote (never one the client wrote)."""

import pytest
from django.test import RequestFactory

from civicloop.core.clientip import client_address


def _request(remote="10.0.0.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_proxies_forwarded_for_is_ignored(settings):
    settings.CIVICLOOP_TRUSTED_PROXIES = 0
    assert client_address(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "1.2.3.4, 198.51.100.9", "198.51.100.9"),  # the client wrote 1.2.3.4
        (2, "1.2.3.4, 198.51.100.9, 10.1.1.1", "198.51.100.9"),
        (1, "[2001:db8:1:2::5]:443", "2001:db8:1:2::"),  # IPv6 counts per /64
        (1, "198.51.100.9:5123", "198.51.100.9"),
        (1, "not an address", "unknown"),
    ],
)
def test_behind_trusted_proxies(settings, proxies, forwarded, expected):
    settings.CIVICLOOP_TRUSTED_PROXIES = proxies
    assert client_address(_request("10.0.0.1", forwarded)) == expected


def test_empty_remote_addr_is_not_an_error(settings):
    # A Unix socket between the proxy and the app server leaves REMOTE_ADDR empty.
    settings.CIVICLOOP_TRUSTED_PROXIES = 0
    assert client_address(_request("")) == "unknown"


def test_residents_behind_one_proxy_have_their_own_limits(client, loop, settings):
    settings.CIVICLOOP_TRUSTED_PROXIES = 1
    settings.PORTAL_RATE_LIMIT = "1/m"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = client.post("/report/", {}, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    assert first.status_code == 400
    again = client.post("/report/", {}, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    assert again.status_code == 429
    # A spoofed left entry does not give a fresh limit …
    spoofed = client.post("/report/", {}, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.1", **proxy)
    assert spoofed.status_code == 429
    # … while another resident behind the same proxy is not affected.
    other = client.post("/report/", {}, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy)
    assert other.status_code == 400
