"""The tracking page: the public timeline, never personal data, staff names or originals."""

from civicloop.cases import actions
from civicloop.cases.models import Evidence
from civicloop.cases.tests.loop_helpers import advance


def test_public_timeline(client, loop, public_report, photo, django_assert_max_num_queries):
    case = public_report(description="垃圾很多", reporter_phone="13912345678",
                         reporter_email="me@example.org", photos=[photo()])  # fmt: skip
    actions.assign_inspector(loop["actors"]["shift_leader"], case,
                             inspector=loop["users"]["inspector"], note="内部备注")  # fmt: skip
    case = advance(loop, case, "closed", photo=photo)
    with django_assert_max_num_queries(12):
        page = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert case.number in page and "垃圾很多" in page
    assert "环卫清扫公司" in page  # the unit
    for secret in ("13912345678", "me@example.org", "inspector", "shift_leader", "acceptor",
                   "dispatcher", "handler_clean", "内部备注"):  # fmt: skip
        assert secret not in page, secret
    after = Evidence.objects.get(case=case, kind="after")
    assert f"/photos/{after.pk}/thumb/" in page and f"/photos/{after.pk}/public/" in page
    # The reporter's own photo: on their own page (their code), as the public copy
    before = Evidence.objects.get(case=case, kind="before")
    assert f"/photos/{before.pk}/public/" in page.split('id="own-photos"')[1].split("</div>")[0]
    for evidence in Evidence.objects.filter(case=case):
        assert evidence.original.url not in page
    assert "closed" in page


def test_photos_serve_public_copies_only(client, loop, public_report, photo):
    case = public_report(photos=[photo()])
    before = Evidence.objects.get(case=case)
    response = client.get(f"/photos/{before.pk}/public/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == before.public.open("rb").read()
    assert client.get(f"/photos/{before.pk}/thumb/").status_code == 200
    assert client.get(f"/photos/{before.pk}/original/").status_code == 404
    actions.accept_case(loop["actors"]["acceptor"], case)
    actions.add_evidence(loop["actors"]["acceptor"], case, photos=[photo()], kind="verify")
    verify = Evidence.objects.get(case=case, kind="verify")
    assert client.get(f"/photos/{verify.pk}/public/").status_code == 404


def test_merged_case_shows_the_case_it_was_merged_into(client, loop, public_report):
    first = public_report()
    second = public_report()
    actions.merge_case(loop["actors"]["shift_leader"], second, into=first)
    actions.accept_case(loop["actors"]["acceptor"], first)
    page = client.get(f"/track/{second.tracking_code}/").content.decode()
    assert f"merged into case {first.number}" in page
    assert 'id="merged-into"' in page
    assert "taken up, being registered" in page  # the target's progress, in public words
    assert first.tracking_code not in page


def test_staff_description_is_not_shown(client, loop):
    lon, lat = loop["west_point"]
    case = actions.report_case(loop["actors"]["inspector"], source="inspector",
                               category="E0102", lon=lon, lat=lat, description="内部描述")  # fmt: skip
    assert "内部描述" not in client.get(f"/track/{case.tracking_code}/").content.decode()
