"""The API against its own OpenAPI document, with schemathesis (all its checks).

Every operation of ``/api/openapi.json`` gets a few schema-valid and a few
schema-violating requests, in-process through the WSGI app, signed in as an
administrator: the server must answer what the document says (status codes,
bodies, content types, headers), accept what the document allows and refuse
what it does not. Bounded and derandomized for CI; ``bench/schema.py`` is the
larger run against a live server.

The few operations whose refusals depend on data the document cannot state
(unknown category codes, points outside the district, photos that are not
photos…) are listed, with the reasons, in ``civicloop/api/conformance.py``: for
them (only) a 400 to schema-valid data is accepted.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import RejectedPositiveData

from civicloop.api.conformance import allows_400

from .conftest import pending_request

EXAMPLES = 2


@pytest.fixture
def data(loop, case_in, api):
    """A few cases in different states, a pending request and a supervision order."""
    from civicloop.cases import actions as acts

    reported = case_in("reported")
    pending = case_in("pending_dispatch")
    dispatched = case_in("dispatched")
    working = case_in("in_progress")
    request = pending_request(loop, dispatched, "extension")
    order = acts.issue_supervision(loop["actors"]["supervisor"], working, opinion="hurry")
    evidence = reported.evidence.first()
    return {
        "case_id": [reported.pk, pending.pk, dispatched.pk, working.pk],
        "request_id": [request.pk],
        "order_id": [order.pk],
        "evidence_id": [evidence.pk],
        "variant": ["original", "public", "thumbnail"],
        "key": api("admin_role").key,
    }


def _strategy(operation, mode, pools):
    names = [p.name for p in operation.path_parameters]
    known = [name for name in names if name in pools]
    if not known:
        return operation.as_strategy(generation_mode=mode)
    choices = [{}]
    for name in known:
        choices = [{**c, name: value} for c in choices for value in pools[name]]
    return st.one_of(
        [operation.as_strategy(generation_mode=mode, path_parameters=c) for c in choices]
    )


def _runner(strategy, headers, semantic: bool):
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=strategy)
    def run(case):
        try:
            case.call_and_validate(headers=headers)
        except FailureGroup as group:
            if not semantic or not all(_semantic_400(f) for f in group.exceptions):
                raise

    return run


def _semantic_400(failure) -> bool:
    return isinstance(failure, RejectedPositiveData) and failure.status_code == 400


@pytest.fixture
def keep_connection():
    """Like django.test.Client: the requests run inside the test's transaction, so the
    WSGI handler must not close the connection after each one (it would, on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_the_api_does_what_its_openapi_document_says(keep_connection, data):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {data['key']}", "Accept-Language": "en"}
    pools = {k: v for k, v in data.items() if k != "key"}
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 70
    _run_all(operations, pools, headers, failures)
    assert failures == [], "\n\n".join(failures)


def _run_all(operations, pools, headers, failures) -> None:
    for operation in operations:
        semantic = allows_400(operation.label)
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            try:
                _runner(_strategy(operation, mode, pools), headers, semantic)()
            except (Exception, BaseExceptionGroup) as error:  # one entry per operation and mode
                failures.append(f"{operation.label} ({mode}): {str(error).strip()[:2000]}")
