"""Django system checks of the installation's settings (run by runserver,
migrate, the worker and every other management command, by ``manage.py check``,
and by civicloop.wsgi before it serves). Registered in CoreConfig.ready.

- ``civicloop.E001`` (Error): DEBUG is off and SECRET_KEY is the development
  fallback from settings.py (or empty). Sessions, CSRF tokens and password
  reset links would be signed with a key anyone can read on GitHub.
- ``civicloop.W001`` (Warning): DEBUG is off and CIVICLOOP_BASE_URL points at
  this machine (localhost, 127.0.0.0/8, ::1, 0.0.0.0): links in notifications
  would lead nowhere for the people who receive them.

With DEBUG on (``make demo``, development) both are silent.
"""

from __future__ import annotations

import ipaddress
import urllib.parse

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

#: The tag of Civicloop's own checks (``manage.py check --tag civicloop``).
TAG = "civicloop"

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _secret_key() -> str:
    try:
        return settings.SECRET_KEY or ""
    except ImproperlyConfigured:  # Django refuses an empty SECRET_KEY on access
        return ""


def check_secret_key(app_configs=None, **kwargs) -> list:
    if settings.DEBUG:
        return []
    key = _secret_key()
    if key and key != settings.DEVELOPMENT_SECRET_KEY:
        return []
    return [
        Error(
            _("SECRET_KEY is the development fallback (or empty) while DEBUG is off."),
            hint=_(
                "Set the environment variable SECRET_KEY to a long random string, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'; "
                "or set DEBUG=1 for development."
            ),
            id="civicloop.E001",
        )
    ]


def is_local_url(url: str) -> bool:
    """True when ``url`` names this machine (or no host at all)."""
    host = (urllib.parse.urlsplit(url).hostname or "").strip().lower()
    if not host or host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def check_base_url(app_configs=None, **kwargs) -> list:
    if settings.DEBUG or not is_local_url(settings.CIVICLOOP_BASE_URL):
        return []
    return [
        Warning(
            _(
                "CIVICLOOP_BASE_URL is %(url)s, an address of this machine, while DEBUG is "
                "off: links in notifications will not open for their recipients."
            )
            % {"url": settings.CIVICLOOP_BASE_URL},
            hint=_(
                "Set CIVICLOOP_BASE_URL to the console's public address, "
                "e.g. https://cg.erqi.gov.cn."
            ),
            id="civicloop.W001",
        )
    ]


def refuse_serious_problems() -> None:
    """Raise ImproperlyConfigured on any Error of Civicloop's checks (civicloop.wsgi calls it).

    Management commands run the checks themselves; a WSGI server (gunicorn) does
    not, so without this a production server would start with the fallback key.
    """
    serious = [m for m in run_checks(tags=[TAG]) if m.is_serious() and not m.is_silenced()]
    if serious:
        raise ImproperlyConfigured("; ".join(f"{m.id}: {m.msg} {m.hint or ''}" for m in serious))


def register_checks() -> None:
    """Called from CoreConfig.ready."""
    register(check_secret_key, TAG, Tags.security)
    register(check_base_url, TAG, Tags.security)
