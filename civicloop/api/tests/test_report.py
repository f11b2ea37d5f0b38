"""POST /api/cases: intake through the API, JSON or multipart with photos."""

from civicloop.cases.models import Case, CaseEvent, Evidence


def body(loop, **extra):
    lon, lat = loop["west_point"]
    return {"source": "inspector", "category": "E0102", "lon": lon, "lat": lat,
            "description": "garbage pile", "address": "测试路 1 号", **extra}  # fmt: skip


def test_report_as_json(api, loop):
    response = api("inspector").post("/api/cases", body(loop, external_id="app-1"))
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert data["number"] == case.number and data["number"].startswith("E0102")
    assert data["state"] == "reported" and data["light"] == "green" and data["due_at"]
    assert data["proposed_unit"]["code"] == "HW" and data["routing_reason"]
    assert case.reporter == loop["users"]["inspector"] and case.external_id == "app-1"
    assert CaseEvent.objects.filter(case=case, action="report").count() == 1
    assert data["evidence"] == []


def test_report_multipart_with_photos(api, loop, photo):
    response = api("inspector").post_form("/api/cases", body(loop), photos=[photo(), photo()])
    assert response.status_code == 201, response.content
    data = response.json()
    assert len(data["evidence"]) == 2
    assert set(Evidence.objects.filter(case_id=data["id"]).values_list("kind", flat=True)) == {
        "before"
    }


def test_report_in_gcj02(api, loop):
    lon, lat = loop["west_point"]
    response = api("inspector").post(
        "/api/cases", body(loop, lon=lon + 0.0055, lat=lat - 0.0012, coord_system="gcj02")
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert abs(case.lon - lon) < 0.001


def test_report_refusals(api, loop, photo):
    client = api("inspector")
    for extra, status, code, field in [
        ({"category": "X9999"}, 400, "invalid", "category"),
        ({"category": ""}, 400, "invalid", "category"),
        ({"lon": 100.0, "lat": 30.0}, 400, "invalid", "location"),
        ({"coord_system": "mars"}, 400, "invalid", "coord_system"),
        ({"urgency": "whenever"}, 400, "invalid", "urgency"),
        ({"source": "telepathy"}, 400, "invalid", "source"),
        ({"source": "hotline"}, 403, "forbidden", None),
        ({"lon": "east"}, 400, "invalid", "lon"),
    ]:
        response = client.post("/api/cases", body(loop, **extra))
        assert response.status_code == status, (extra, response.content)
        assert response.json()["code"] == code
        assert response.json()["field"] == field
    missing = body(loop)
    del missing["lat"]
    response = client.post("/api/cases", missing)
    assert response.status_code == 400 and response.json()["field"] == "lat"
    response = client.post_form("/api/cases", body(loop), photos=[b"not an image"])
    assert response.status_code == 400 and response.json()["field"] == "photos"
    assert not Case.objects.exists()
    assert not Evidence.objects.exists()


def test_handler_cannot_report_as_inspector(api, loop):
    response = api("handler_west").post("/api/cases", body(loop))
    assert response.status_code == 403


def test_acceptor_registers_a_hotline_call(api, loop):
    response = api("acceptor").post(
        "/api/cases", body(loop, source="hotline", reporter_name="王先生", reporter_phone="138")
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.source == "hotline" and case.reporter_name == "王先生"
