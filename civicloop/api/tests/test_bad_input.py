"""Input the database cannot take is a 400, never a 500; a photo whose file is gone is a 404."""

import pytest

from civicloop.cases.models import Case, Evidence


@pytest.mark.parametrize(
    "body",
    [
        {"category": "E01\x0002"},
        {"category": "E0102", "external_id": "a\x00b"},
        {"category": "E0102", "description": "x\x00"},
    ],
)
def test_nul_characters_in_a_report(api, loop, body):
    lon, lat = loop["west_point"]
    response = api("inspector").post("/api/cases", {"lon": lon, "lat": lat, **body})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert not Case.objects.exists()


def test_nul_characters_in_form_fields_and_filters(api, case_in):
    case = case_in("pending_dispatch")
    client = api("dispatcher")
    response = client.post_form(f"/api/cases/{case.pk}/actions/dispatch", {"unit": "HW\x00"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    for params in ({"unit": "a\x00b"}, {"street": "1\x00"}, {"category": "E\x00"}):
        response = client.get("/api/cases", params)
        assert response.status_code == 400, params
    case.refresh_from_db()
    assert case.state == "pending_dispatch"


def test_a_missing_photo_file_is_404(api, case_in):
    case = case_in("in_progress")
    evidence = Evidence.objects.filter(case=case).first()
    evidence.original.storage.delete(evidence.original.name)
    response = api("handler_clean").get(f"/api/evidence/{evidence.pk}/original")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
