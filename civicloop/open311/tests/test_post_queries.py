"""An Open311 POST stays within 7 queries once the process knows the client and the
catalogue (issue #16); a catalogue change elsewhere is seen through its counter."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicloop.cases.models import Case, FilingStandard
from civicloop.core import memo
from civicloop.core.tests.memos import elsewhere
from civicloop.open311.models import Open311Client, Open311Request

MAX_INTAKE_QUERIES = 7


def test_post_within_seven_queries(post_request, loop, api_client):
    assert post_request().status_code == 200  # the process learns client and catalogue
    lon, lat = loop["west_point"]
    with CaptureQueriesContext(connection) as queries:
        response = post_request(long=str(lon + 0.0005))
    assert response.status_code == 200, response.content
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sql) <= MAX_INTAKE_QUERIES, "\n".join(sql)
    number = response.json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    assert Open311Request.objects.get(case=case).client == api_client
    assert case.proposed_unit.code == "HW" and case.due_at
    assert case.events.get().data["possible_duplicates"]


def test_last_used_is_written_once_a_minute(post_request, api_client):
    assert post_request().status_code == 200
    first = Open311Client.objects.get().last_used_at
    assert first is not None
    assert post_request().status_code == 200
    assert Open311Client.objects.get().last_used_at == first


def test_deactivated_client_is_refused_at_once(post_request, api_client):
    assert post_request().status_code == 200
    api_client.is_active = False
    api_client.save()
    assert post_request().status_code == 403


def test_client_deactivated_by_another_process(post_request, api_client):
    assert post_request().status_code == 200
    Open311Client.objects.update(is_active=False)  # no signal
    elsewhere("open311.clients")
    memo.forget()
    assert post_request().status_code == 403


def test_standard_deactivated_elsewhere_is_no_longer_offered(post_request, loop):
    """A filing standard switched off by another process stops being accepted."""
    from django.db.models import Count, Q

    small = (
        FilingStandard.objects.filter(is_active=True)
        .values("small_class__full_code")
        .annotate(n=Count("id", filter=Q(is_active=True)))
        .filter(n__gt=1)
        .order_by("small_class__full_code")
        .first()
    )
    code = small["small_class__full_code"]
    standard = FilingStandard.objects.filter(small_class__full_code=code).order_by("code").last()
    chosen = {"service_code": code, "attribute[standard]": standard.code}
    assert post_request(**chosen).status_code == 200
    FilingStandard.objects.filter(pk=standard.pk).update(is_active=False)  # no signal
    elsewhere("cases.catalogue")
    memo.forget()
    assert post_request(**chosen).status_code == 400
