"""The Erqi demo, built once per test module (with a small history, or none)."""

import io

from django.core.management import call_command
from django.test import override_settings


def build_demo(django_db_blocker, *args):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        out = io.StringIO()
        call_command("demo", *args, stdout=out)
        return out.getvalue()


def flush(django_db_blocker):
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", verbosity=0)
