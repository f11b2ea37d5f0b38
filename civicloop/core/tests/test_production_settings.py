"""DEBUG off means production: HTTPS, HSTS and secure cookies on, check --deploy clean."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "DJANGO_ALLOW_ASYNC"))
    }
    environment.update(
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="civicloop.example.org",
        CIVICLOOP_BASE_URL="https://civicloop.example.org",
        DJANGO_SETTINGS_MODULE="civicloop.settings", **env,
    )  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )


SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
    "s.CSRF_COOKIE_SECURE, s.SECURE_REDIRECT_EXEMPT)"
)


def test_production_defaults_are_secure():
    out = run(SHOW)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True 31536000 True True ['^healthz$']"


def test_each_is_switched_by_a_variable_of_the_same_name():
    out = run(SHOW, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="60", SESSION_COOKIE_SECURE="0",
              CSRF_COOKIE_SECURE="0")  # fmt: skip
    assert out.stdout.strip() == "False 60 False False ['^healthz$']"


def test_check_deploy_is_clean():
    out = run("import sys; from django.core.management import execute_from_command_line; "
              "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])")  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_healthz_is_not_redirected_but_pages_are(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/console/login/").status_code == 301
    assert client.get("/healthz").status_code in (200, 503)
