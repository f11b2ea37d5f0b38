"""Uploads: what follows the image is never stored; lossless formats have a smaller pixel budget."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from civicloop.core import images
from civicloop.core.images import ImageRejected, check_image, public_copy, thumbnail

TRAILER = b"<html><script>alert(document.cookie)</script></html>PK\x03\x04zip"


def encode(fmt: str, size=(64, 48), **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("JPEG", {}),
        ("JPEG", {"progressive": True}),
        ("JPEG", {"restart_marker_blocks": 1}),
        ("PNG", {}),
        ("WEBP", {}),
        ("WEBP", {"lossless": True}),
    ],
    ids=["jpeg", "progressive", "restart-markers", "png", "webp", "webp-lossless"],
)
def test_a_trailer_after_the_image_is_dropped(fmt, options):
    image = encode(fmt, **options)
    checked = check_image(image + TRAILER)
    assert checked.data == image
    assert checked.size == len(image)
    assert b"<script>" not in checked.data
    # what is stored still opens and gives the same derived copies
    assert thumbnail(checked)[:2] == b"\xff\xd8"
    public_copy(checked)


def test_an_image_without_trailer_is_kept_byte_for_byte():
    image = encode("JPEG", size=(300, 200), quality=70)
    assert check_image(image).data == image


def test_a_multi_picture_jpeg_keeps_its_pictures_and_loses_its_trailer():
    out = io.BytesIO()
    first = Image.new("RGB", (32, 24), (255, 0, 0))
    first.save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (32, 24), (0, 0, 255))])
    image = out.getvalue()
    checked = check_image(image + TRAILER)
    assert checked.data == image
    assert Image.open(io.BytesIO(checked.data)).n_frames == 2


def test_a_jpeg_whose_markers_do_not_add_up_is_refused():
    image = bytearray(encode("JPEG"))
    # cut out the end-of-image marker and everything before it of the last scan's end
    broken = bytes(image[:-2]) + b"\x00\x00"
    with pytest.raises(ImageRejected):
        check_image(broken)


def test_png_and_webp_have_a_smaller_pixel_budget_than_jpeg(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS_FULL_DECODE", 40 * 30 - 1)
    assert check_image(encode("JPEG", size=(40, 30))).width == 40
    for fmt in ("PNG", "WEBP"):
        with pytest.raises(ImageRejected, match="megapixels"):
            check_image(encode(fmt, size=(40, 30)))
    monkeypatch.setattr(images, "MAX_PIXELS_FULL_DECODE", 40 * 30)
    assert check_image(encode("PNG", size=(40, 30))).height == 30
