"""Photos: POST /api/cases/{id}/evidence and GET /api/evidence/{id}/{variant}."""

from civicloop.cases.models import Evidence


def test_upload_evidence_later(api, case_in, photo):
    case = case_in("in_progress")
    response = api("handler_clean").post_form(
        f"/api/cases/{case.pk}/evidence", {"kind": "after", "note": "done"}, photos=[photo()]
    )
    assert response.status_code == 201, response.content
    (evidence_id,) = response.json()
    assert Evidence.objects.get(pk=evidence_id).kind == "after"


def test_upload_evidence_refused(api, case_in, photo):
    case = case_in("in_progress")
    # another unit does not see the case
    response = api("handler_east").post_form(f"/api/cases/{case.pk}/evidence", {},
                                             photos=[photo()])  # fmt: skip
    assert response.status_code == 404
    client = api("handler_clean")
    response = client.post_form(f"/api/cases/{case.pk}/evidence", {"kind": "bogus"},
                                photos=[photo()])  # fmt: skip
    assert response.status_code == 400 and response.json()["field"] == "kind"
    response = client.post_form(f"/api/cases/{case.pk}/evidence", {}, photos=[b"GIF89a..."])
    assert response.status_code == 400 and response.json()["field"] == "photos"
    closed = case_in("closed")
    response = api("inspector").post_form(f"/api/cases/{closed.pk}/evidence", {},
                                          photos=[photo()])  # fmt: skip
    assert response.status_code == 409


def test_evidence_variants(api, case_in):
    case = case_in("in_progress")
    evidence = Evidence.objects.filter(case=case).first()
    client = api("handler_clean")
    original = client.get(f"/api/evidence/{evidence.pk}/original")
    assert original.status_code == 200
    assert original["Content-Type"] == "image/jpeg"
    with evidence.original.open("rb") as stored:
        assert b"".join(original.streaming_content) == stored.read()
    public = client.get(f"/api/evidence/{evidence.pk}/public")
    assert public.status_code == 200
    thumb = client.get(f"/api/evidence/{evidence.pk}/thumbnail")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert b"".join(thumb.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(f"/api/evidence/{evidence.pk}/raw").status_code == 404


def test_evidence_of_an_unseen_case_is_404(api, case_in):
    case = case_in("in_progress")
    evidence = Evidence.objects.filter(case=case).first()
    for variant in ("original", "public", "thumbnail"):
        response = api("handler_east").get(f"/api/evidence/{evidence.pk}/{variant}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert api("handler_clean").get("/api/evidence/999999/original").status_code == 404
