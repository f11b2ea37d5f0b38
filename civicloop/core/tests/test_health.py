"""/healthz: database, cache and worker heartbeat; 503 when one is down."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicloop.core.models import Heartbeat

pytestmark = pytest.mark.django_db


def test_no_worker_yet_is_503_with_the_reason(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["database"]["ok"] is True
    assert body["cache"]["ok"] is True
    assert body["worker"] == {"ok": False, "last_beat": None, "age_seconds": None}


def test_a_worker_pass_makes_it_healthy(client):
    call_command("worker", "--once", stdout=io.StringIO())
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["worker"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_stale_heartbeat_is_down(client, settings):
    settings.HEALTHZ_WORKER_MAX_AGE = 60
    Heartbeat.beat("worker", at=timezone.now() - datetime.timedelta(seconds=61))
    body = client.get("/healthz").json()
    assert body["worker"]["ok"] is False and body["worker"]["age_seconds"] >= 61


def test_a_broken_cache_is_down(client, monkeypatch):
    Heartbeat.beat("worker")

    def broken(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr("civicloop.core.health.cache.set", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == {"ok": False, "error": "ConnectionError"}


def test_only_get(client):
    assert client.post("/healthz").status_code == 405
