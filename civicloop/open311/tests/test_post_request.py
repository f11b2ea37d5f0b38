"""POST requests: a report from an app enters the same loop as every other report."""

import json

from civicloop.cases import actions
from civicloop.cases.models import Case, Evidence, Source, State
from civicloop.cases.permissions import visible_cases
from civicloop.open311.models import Open311Request

from .xmlcheck import parse


def test_post_json_creates_a_case_in_the_acceptors_queue(loop, post_request, api_client):
    response = post_request(
        email="resident@example.org", phone="13800000000", first_name="三", last_name="张",
        account_id="acc-1", device_id="dev-1", media_url="https://example.org/p.jpg",
    )  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    (answer,) = json.loads(response.content)
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert answer["account_id"] == "acc-1"
    case = Case.objects.get(number=answer["service_request_id"])
    assert case.source == Source.PUBLIC
    assert case.state == State.REPORTED
    assert case.small_class.full_code == "E0102"
    assert case.reporter_email == "resident@example.org"
    assert case.reporter_phone == "13800000000"
    assert case.reporter_name == "张三"
    assert case.tracking_code in answer["service_notice"]
    extra = Open311Request.objects.get(case=case)
    assert (extra.client, extra.account_id, extra.device_id) == (api_client, "acc-1", "dev-1")
    acceptor = loop["actors"]["acceptor"]
    queue = visible_cases(acceptor, Case.objects.filter(state=State.REPORTED))
    assert case in queue
    assert "accept" in actions.available_actions(acceptor, case)
    api_client.refresh_from_db()
    assert api_client.last_used_at is not None


def test_post_xml(post_request):
    response = post_request(fmt="xml")
    assert response.status_code == 200
    root = parse(response, "service_requests")
    request = root.find("request")
    number = request.findtext("service_request_id")
    assert Case.objects.filter(number=number).exists()
    assert request.find("account_id") is not None  # empty element, as in the specification
    assert request.find("token") is None  # realtime: an ID, never both


def test_attributes_reach_the_case(post_request):
    response = post_request(
        service_code="C0101",
        **{"attribute[standard]": "C010101", "attribute[urgency]": "urgent",
           "attribute[owner]": "自来水公司"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert case.standard.code == "C010101"
    assert case.urgency == "urgent"
    assert case.owner == "自来水公司"
    assert Open311Request.objects.get(case=case).attributes["owner"] == "自来水公司"


def test_photo_upload_as_media(post_request, photo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = post_request(media=SimpleUploadedFile("a.jpg", photo(), "image/jpeg"))
    assert response.status_code == 200
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert Evidence.objects.filter(case=case, kind=Evidence.Kind.BEFORE).count() == 1


def test_address_string_of_a_known_compound(post_request, loop):
    import shapely

    from civicloop.geo.models import Compound

    compound = Compound(code="CP1", name="幸福小区", community=loop["west_c"])
    compound.geometry = shapely.box(113.601, 34.702, 113.603, 34.704)
    compound.save()
    response = post_request(lat=None, long=None, address_string="二七区幸福小区3号楼门口")
    assert response.status_code == 200, response.content
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert 113.601 <= case.lon <= 113.603 and 34.702 <= case.lat <= 34.704
    assert case.address == "二七区幸福小区3号楼门口"
