"""Fixtures of the API tests: token clients per user and cases in every state."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicloop.api.actions import issue_token
from civicloop.cases import actions as acts
from civicloop.cases.models import CaseRequest


class ApiClient:
    """A Django test client that sends a bearer token and reads English by default."""

    def __init__(self, key: str | None, language: str = "en"):
        self.key = key
        self.client = Client()
        self.language = language

    def _headers(self, extra):
        headers = {"HTTP_ACCEPT_LANGUAGE": self.language}
        if self.key:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.key}"
        headers.update(extra)
        return headers

    def get(self, path, params=None, **extra):
        return self.client.get(path, params or {}, **self._headers(extra))

    def post(self, path, data=None, **extra):
        """JSON body."""
        return self.client.post(
            path, json.dumps(data or {}), content_type="application/json", **self._headers(extra)
        )

    def post_form(self, path, data=None, photos=(), **extra):
        """Multipart body with photos."""
        data = dict(data or {})
        if photos:
            data["photos"] = [
                SimpleUploadedFile(f"p{i}.jpg", content, content_type="image/jpeg")
                for i, content in enumerate(photos)
            ]
        return self.client.post(path, data, **self._headers(extra))


@pytest.fixture
def api(loop):
    """``api("inspector")``: a client with a fresh token of that loop user."""

    def make(username: str, language: str = "en") -> ApiClient:
        _token, key = issue_token(loop["users"][username], "test")
        return ApiClient(key, language)

    return make


@pytest.fixture
def anonymous():
    return ApiClient(None)


PATH = [
    "reported", "pending_filing", "pending_dispatch", "dispatched", "in_progress",
    "pending_check", "pending_closure", "closed",
]  # fmt: skip


@pytest.fixture
def case_in(loop, photo):
    """``case_in("in_progress")``: a case of the west street (E0102, cleaning company)
    brought to that state through the actions. Also "verifying" and "suspended"."""
    a = loop["actors"]

    def make(state: str, point: str = "west_point", category: str = "E0102"):
        lon, lat = loop[point]
        case = acts.report_case(a["inspector"], source="inspector", category=category,
                                lon=lon, lat=lat, photos=[photo()])  # fmt: skip
        if state == "verifying":
            return acts.send_for_verification(a["acceptor"], case)
        steps = {
            "pending_filing": lambda c: acts.accept_case(a["acceptor"], c),
            "pending_dispatch": lambda c: acts.file_case(a["shift_leader"], c),
            "dispatched": lambda c: acts.dispatch_case(a["dispatcher"], c),
            "in_progress": lambda c: acts.sign_case(handler(c), c),
            "pending_check": lambda c: acts.submit_result(handler(c), c, photos=[photo()]),
            "pending_closure": lambda c: acts.check_case(a["inspector"], c, passed=True),
            "closed": lambda c: acts.close_case(a["shift_leader"], c),
        }
        target = "dispatched" if state == "suspended" else state
        for name in PATH[1 : PATH.index(target) + 1]:
            case = steps[name](case)
        if state == "suspended":
            request = acts.request_suspension(handler(case), case, reason="road works")
            case = acts.approve_suspension(a["dispatcher"], request)
        case.refresh_from_db()
        return case

    def handler(case):
        return a["handler_clean"] if case.unit_id == loop["cleaning"].pk else a["handler_west"]

    return make


def pending_request(loop, case, kind: str) -> CaseRequest:
    """A pending request of ``kind`` on ``case`` (made through the actions)."""
    a = loop["actors"]
    unit_actor = a["handler_clean"] if case.unit_id == loop["cleaning"].pk else a["handler_west"]
    if kind == "return":
        return acts.request_return(unit_actor, case, reason="not ours")
    if kind == "extension":
        return acts.request_extension(unit_actor, case, hours=4, reason="need a crane")
    if kind == "suspension":
        return acts.request_suspension(unit_actor, case, reason="road works")
    if kind == "void":
        return acts.request_void(a["dispatcher"], case, reason="test report")
    if kind == "reopen":
        acts.rate_case(case, level=1, reason="still dirty")
        return CaseRequest.objects.get(case=case, kind="reopen", status="pending")
    raise ValueError(kind)


from civicloop.renovation.tests.conftest import reno  # noqa: E402,F401  (for test_renovation_api)
