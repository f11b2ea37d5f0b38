"""The report form without a browser: validation, photos, intake through the action."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicloop.cases.models import Case, Evidence, Source, State


def _data(loop, **extra):
    lon, lat = loop["west_point"]
    data = {"category": "E0102", "lon": lon, "lat": lat, "description": "垃圾堆在路口",
            "phone": "13800000000", "email": "me@example.org"}  # fmt: skip
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_form_lists_categories_by_class(client, loop):
    page = client.get("/report/").content.decode()
    # Both families have a class called 市容环境: the family names the group.
    assert '<optgroup label="Event·市容环境">' in page
    assert '<optgroup label="Component·市容环境">' in page
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/report/").content.decode()
    assert '<optgroup label="事件·市容环境">' in zh and '<optgroup label="部件·市容环境">' in zh
    assert 'value="E0102"' in page and "暴露垃圾" in page
    assert "vendor/leaflet/leaflet.js" in page
    assert "http://" not in page.split("<body>")[1].replace("http://testserver", "")


def test_report_with_photos(client, loop, photo):
    photos = [SimpleUploadedFile(f"p{i}.jpg", photo(), "image/jpeg") for i in range(2)]
    response = client.post("/report/", {**_data(loop), "photos": photos})
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/track/{case.tracking_code}/"
    assert (case.source, case.state, case.small_class.full_code) == (
        Source.PUBLIC,
        State.REPORTED,
        "E0102",
    )
    assert case.reporter_phone == "13800000000" and case.reporter_email == "me@example.org"
    assert Evidence.objects.filter(case=case, kind="before").count() == 2
    page = client.get(response["Location"]).content.decode()
    assert case.tracking_code in page and "Thank you" in page
    assert "13800000000" not in page and "me@example.org" not in page


@pytest.mark.parametrize(
    "extra, text",
    [
        ({"category": None}, "Choose what kind of problem"),
        ({"category": "X9999"}, "Choose a kind of problem from the list"),
        ({"lon": None, "lat": None}, "Put a pin on the map"),
        ({"lon": "116.4", "lat": "39.9"}, "outside the district"),
        ({"description": "x" * 4001}, "4000"),
        ({"email": "nope"}, "valid email"),
        ({"phone": "call me"}, "digits"),
    ],
)
def test_invalid_reports(client, loop, extra, text):
    response = client.post("/report/", _data(loop, **extra))
    assert response.status_code == 400
    assert text in response.content.decode()
    assert not Case.objects.exists()


def test_a_file_that_is_not_a_photo(client, loop):
    fake = SimpleUploadedFile("p.jpg", b"<html>not an image</html>", "image/jpeg")
    response = client.post("/report/", {**_data(loop), "photos": [fake]})
    assert response.status_code == 400
    assert "Photo 1" in response.content.decode()
    assert not Case.objects.exists()


def test_too_many_photos(client, loop, photo):
    photos = [SimpleUploadedFile(f"p{i}.jpg", photo(), "image/jpeg") for i in range(10)]
    response = client.post("/report/", {**_data(loop), "photos": photos})
    assert response.status_code == 400
    assert "At most 9 photos" in response.content.decode()


def test_rate_limit(client, loop, settings):
    settings.PORTAL_RATE_LIMIT = "2/m"
    for _i in range(2):
        assert client.post("/report/", _data(loop)).status_code == 302
    response = client.post("/report/", _data(loop))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many requests" in response.content.decode()
    assert Case.objects.count() == 2
    assert client.get("/report/").status_code == 200  # reading is not limited
    response = client.post("/report/follow/", {"number": "x"})
    assert response.status_code == 429  # following counts as intake too


def test_empty_post_shows_the_errors(client, loop):
    response = client.post("/report/", {})
    assert response.status_code == 400
    assert "Choose what kind of problem it is." in response.content.decode()


def test_full_width_phone_is_stored_in_ascii(client, loop):
    response = client.post("/report/", _data(loop, phone="１３８０００００００１"))
    assert response.status_code == 302
    assert Case.objects.get().reporter_phone == "13800000001"
