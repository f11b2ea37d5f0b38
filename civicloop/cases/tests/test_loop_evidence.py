"""Photos are stored under MEDIA_ROOT with a public copy (no location) and a thumbnail."""

import io

import pytest
from PIL import Image

from civicloop.cases import actions
from civicloop.cases.models import State

from .loop_helpers import advance, report

pytestmark = pytest.mark.django_db


def gps_jpeg() -> bytes:
    image = Image.new("RGB", (120, 80), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (34.0, 42.0, 0.0), 3: "E", 4: (113.0, 37.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_photos_are_stored_with_a_public_copy_and_thumbnail(loop, settings):
    case = report(loop, photos=[gps_jpeg()])
    evidence = case.evidence.get()
    assert evidence.kind == "before" and evidence.event.action == "report"
    assert evidence.content_type == "image/jpeg" and (evidence.width, evidence.height) == (120, 80)
    for field in (evidence.original, evidence.public, evidence.thumbnail):
        path = settings.MEDIA_ROOT / field.name
        assert path.is_file() and str(path).startswith(str(settings.MEDIA_ROOT))
    original = Image.open(evidence.original.path)
    assert 0x8825 in original.getexif()  # the original keeps it (staff only)
    public = Image.open(evidence.public.path)
    assert dict(public.getexif()) == {} and "exif" not in public.info
    assert public.size == (120, 80)
    assert max(Image.open(evidence.thumbnail.path).size) <= settings.CASES_THUMBNAIL_PX


def test_results_need_an_after_photo_unless_configured(loop, photo):
    case = advance(loop, report(loop), State.IN_PROGRESS)
    with pytest.raises(actions.Invalid, match="photo of the result"):
        actions.submit_result(loop["actors"]["handler_west"], case, note="done")
    loop["config"].require_result_photo = False
    loop["config"].save()
    case = actions.submit_result(loop["actors"]["handler_west"], case, note="done")
    assert case.state == State.PENDING_CHECK


def test_staff_add_evidence_to_cases_they_see(loop, photo):
    case = advance(loop, report(loop), State.IN_PROGRESS)
    added = actions.add_evidence(
        loop["actors"]["handler_west"], case, photos=[photo()], kind="other"
    )
    assert len(added) == 1
    with pytest.raises(actions.Forbidden):
        actions.add_evidence(loop["actors"]["handler_east"], case, photos=[photo()])
    with pytest.raises(actions.Invalid):
        actions.add_evidence(loop["actors"]["handler_west"], case, photos=[])
    with pytest.raises(actions.Invalid):
        actions.add_evidence(loop["actors"]["handler_west"], case, photos=[b"GIF89a..."])
