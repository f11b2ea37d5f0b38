"""``/healthz``: is this instance able to serve? For load balancers and operators.

Answers JSON with the state of the database (a query), the cache (a write and
a read back) and the worker (its last heartbeat no older than
``HEALTHZ_WORKER_MAX_AGE`` seconds); 200 when all three are up, 503 when any is
down. It needs no session, no CSRF and no sign-in, says nothing private, and is
exempt from the HTTPS redirect so a plain-HTTP probe behind a TLS proxy works.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Heartbeat


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "down"
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 10)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": ok, "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _worker() -> dict:
    try:
        last = Heartbeat.latest("worker")
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    if last is None:
        return {"ok": False, "last_beat": None, "age_seconds": None}
    age = (timezone.now() - last).total_seconds()
    return {
        "ok": age <= settings.HEALTHZ_WORKER_MAX_AGE,
        "last_beat": last.isoformat(),
        "age_seconds": round(age, 1),
    }


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database(), "cache": _cache()}
    checks["worker"] = _worker() if checks["database"]["ok"] else {"ok": False}
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"ok": ok, **checks}, status=200 if ok else 503)
