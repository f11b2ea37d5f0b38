"""POST /api/cases/self-handled: an inspector's problem fixed on the spot (自处置)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicloop.cases.models import Case

pytestmark = pytest.mark.django_db


def files(name, *contents):
    return [SimpleUploadedFile(f"{name}{i}.jpg", c, content_type="image/jpeg")
            for i, c in enumerate(contents)]  # fmt: skip


def test_an_inspector_reports_a_problem_handled_on_the_spot(api, loop, photo):
    lon, lat = loop["west_point"]
    client = api("inspector")
    answer = client.client.post(
        "/api/cases/self-handled",
        {"category": "E0201", "lon": lon, "lat": lat, "description": "小广告已清除",
         "before_photos": files("b", photo()), "after_photos": files("a", photo((0, 200, 0)))},
        **client._headers({}),
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    body = answer.json()
    case = Case.objects.get(pk=body["id"])
    assert body["state"] == "pending_closure" and case.self_handled
    assert len(body["evidence"]) == 2
    assert sorted(case.evidence.values_list("kind", flat=True)) == ["after", "before"]


def test_self_handling_needs_both_photos_and_an_inspector(api, loop, photo):
    lon, lat = loop["west_point"]
    data = {"category": "E0201", "lon": lon, "lat": lat}
    client = api("inspector")
    answer = client.client.post("/api/cases/self-handled", {**data, "before_photos": files("b", photo())},
                                **client._headers({}))  # fmt: skip
    assert answer.status_code == 400 and answer.json()["field"] == "photos"
    handler = api("handler_west")
    answer = handler.client.post(
        "/api/cases/self-handled",
        {**data, "before_photos": files("b", photo()), "after_photos": files("a", photo())},
        **handler._headers({}),
    )
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    assert not Case.objects.exists()
