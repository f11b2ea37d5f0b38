"""Photo checks: accepted formats, refusals, metadata-free public copies, thumbnails.

Every image is generated here with Pillow; nothing binary is stored in the repository.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageCms, JpegImagePlugin

from civicloop.core import images
from civicloop.core.images import CheckedImage, ImageRejected, check_image, public_copy, thumbnail

GPS_IFD = 0x8825
ORIENTATION = 0x0112
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="34,45.0N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
RED, BLUE = (255, 0, 0), (0, 0, 255)


def encode(im: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def picture(size=(64, 48), mode="RGB", color=BLUE) -> Image.Image:
    """A picture whose top rows are red, to see where the top ended up."""
    im = Image.new(mode, size, color)
    if mode in ("RGB", "RGBA"):
        im.paste(RED, (0, 0, size[0], max(1, size[1] // 4)))
    return im


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x0132] = "2026:05:01 09:30:00"  # DateTime
    if orientation != 1:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (34.0, 45.0, 12.5)
    gps[3] = "E"
    gps[4] = (113.0, 37.0, 48.25)
    return exif


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def private_jpeg(size=(64, 48), orientation: int = 1) -> bytes:
    """A JPEG as a phone makes it: GPS EXIF, XMP, a comment and an ICC profile."""
    return encode(
        picture(size),
        "JPEG",
        exif=gps_exif(orientation),
        xmp=XMP,
        comment=b"taken at home",
        icc_profile=srgb_icc(),
        quality=95,
    )


def read_back(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def assert_no_metadata(data: bytes) -> None:
    im = read_back(data)
    assert dict(im.getexif()) == {}
    assert im.getexif().get_ifd(GPS_IFD) == {}
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "Comment"):
        assert key not in im.info
    assert b"Exif\x00\x00" not in data
    assert b"ns.adobe.com" not in data
    assert b"taken at home" not in data
    assert b"PhoneMaker" not in data


def close(a, b, tolerance=40):
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


# --- accepted ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension", "mode"),
    [
        ("JPEG", "image/jpeg", "jpg", "RGB"),
        ("JPEG", "image/jpeg", "jpg", "L"),
        ("JPEG", "image/jpeg", "jpg", "CMYK"),
        ("PNG", "image/png", "png", "RGB"),
        ("PNG", "image/png", "png", "RGBA"),
        ("PNG", "image/png", "png", "P"),
        ("PNG", "image/png", "png", "I;16"),
        ("WEBP", "image/webp", "webp", "RGB"),
        ("WEBP", "image/webp", "webp", "RGBA"),
    ],
)
def test_accepted_formats(fmt, content_type, extension, mode):
    data = encode(Image.new(mode, (64, 48)), fmt)
    checked = check_image(data)
    assert checked == CheckedImage(
        format=fmt,
        content_type=content_type,
        extension=extension,
        width=64,
        height=48,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    assert read_back(public_copy(checked)).size == (64, 48)
    assert read_back(thumbnail(checked)).format == "JPEG"


def test_sha256_and_size_are_those_of_the_original_bytes():
    data = private_jpeg()
    checked = check_image(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert len(checked.sha256) == 64
    assert checked.size == len(data)
    assert checked.data == data
    assert "data" not in repr(checked)


def test_decided_by_content_not_by_name_or_claimed_type():
    data = encode(picture(), "PNG")
    upload = SimpleUploadedFile("photo.gif", data, content_type="text/plain")
    upload.read(10)  # a file-like object is read from its start ...
    checked = check_image(upload)
    assert (checked.format, checked.content_type, checked.extension) == ("PNG", "image/png", "png")
    assert checked.data == data
    assert upload.tell() == 10  # ... and left where it was


def test_a_plain_stream_is_accepted():
    data = encode(picture(), "WEBP")
    assert check_image(io.BytesIO(data)).format == "WEBP"


def test_a_multi_picture_jpeg_is_a_jpeg():
    """Many phone cameras write MPO files (a JPEG plus more pictures)."""
    data = encode(picture(), "MPO", save_all=True, append_images=[picture(color=RED)])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    checked = check_image(data)
    assert (checked.format, checked.content_type, checked.extension) == (
        "JPEG",
        "image/jpeg",
        "jpg",
    )
    copy = read_back(public_copy(checked))
    assert copy.format == "JPEG"
    assert copy.size == (64, 48)
    assert close(copy.getpixel((32, 40)), BLUE)  # the first picture, not the second
    assert read_back(thumbnail(checked, px=32)).size == (32, 24)


# --- refused -----------------------------------------------------------------------


def rejection(data, **kwargs) -> str:
    with pytest.raises(ImageRejected) as caught:
        check_image(data, **kwargs)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == caught.value.message
    return caught.value.message


NOT_A_PHOTO = "The file is not a photo: only JPEG, PNG and WebP images are accepted."


@pytest.mark.parametrize(
    "data",
    [
        b"Minutes of the street committee, not a photo.\n" * 20,
        bytes(range(256)) * 8,
    ],
    ids=["text", "binary"],
)
def test_not_an_image(data):
    assert rejection(data) == NOT_A_PHOTO


def test_a_text_file_renamed_jpg():
    upload = SimpleUploadedFile("photo.jpg", b"hello, world\n" * 50, content_type="image/jpeg")
    assert rejection(upload) == NOT_A_PHOTO


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (encode(picture(), "GIF"), "GIF"),
        (encode(picture(), "BMP"), "BMP"),
        (encode(picture(), "TIFF"), "TIFF"),
        (encode(picture(), "PDF"), "PDF"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\0" * 64, "HEIC"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1" + b"\0" * 64, "AVIF"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_other_formats_are_named(data, name):
    assert rejection(data) == (
        f"{name} files are not accepted: only JPEG, PNG and WebP images are."
    )


def test_gif_renamed_jpg_with_an_image_content_type():
    upload = SimpleUploadedFile("photo.jpg", encode(picture(), "GIF"), content_type="image/jpeg")
    assert rejection(upload).startswith("GIF files are not accepted")


DAMAGED = "The image is damaged or incomplete."


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated(fmt):
    noise = Image.effect_noise((256, 256), 60).convert("RGB")
    data = encode(noise, fmt)
    assert rejection(data[: len(data) // 2]) == DAMAGED


def test_corrupt_png_checksum():
    data = bytearray(encode(picture(), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 8] ^= 0xFF  # a byte of the compressed pixels: the CRC no longer matches
    assert rejection(bytes(data)) == DAMAGED


def test_a_bare_header():
    assert rejection(encode(picture(), "JPEG")[:200]) == DAMAGED


def test_jpeg_signature_then_garbage():
    assert rejection(b"\xff\xd8\xff\xe0 and then nothing a decoder understands" * 10) == DAMAGED


def test_empty():
    assert rejection(b"") == "The photo is empty."
    assert rejection(io.BytesIO()) == "The photo is empty."
    assert rejection(SimpleUploadedFile("empty.jpg", b"")) == "The photo is empty."


def test_too_large_with_a_small_limit():
    data = private_jpeg()
    assert check_image(data, max_bytes=len(data)).size == len(data)
    message = "The photo is larger than 0.0001 MB."
    assert rejection(data, max_bytes=100) == message
    assert rejection(io.BytesIO(data), max_bytes=100) == message
    assert rejection(SimpleUploadedFile("a.jpg", data), max_bytes=100) == message


def test_too_large_by_default_says_the_setting_in_megabytes(settings):
    data = b"\xff\xd8" + b"\0" * (10 * 1024 * 1024)
    assert rejection(data) == "The photo is larger than 10 MB."
    settings.CASES_MAX_UPLOAD_BYTES = 2_621_440
    assert rejection(data) == "The photo is larger than 2.5 MB."


def test_a_large_stream_is_not_read_to_its_end():
    class Endless(io.RawIOBase):
        read_so_far = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"\0" * len(buffer)
            self.read_so_far += len(buffer)
            return len(buffer)

    stream = Endless()
    assert rejection(stream, max_bytes=1_000_000) == "The photo is larger than 0.9537 MB."
    assert stream.read_so_far <= 1_000_001


def test_too_many_pixels(monkeypatch):
    data = encode(picture((40, 30)), "PNG")
    monkeypatch.setattr(images, "MAX_PIXELS", 40 * 30 - 1)
    assert rejection(data) == "The image has too many pixels (at most 1 megapixels)."
    monkeypatch.setattr(images, "MAX_PIXELS", 40 * 30)
    assert check_image(data).width == 40


def test_the_default_pixel_limit_is_stated():
    # A 10 000 × 10 000 PNG of one colour is tiny on disk (a decompression bomb).
    data = encode(Image.new("1", (10_000, 10_000)), "PNG", optimize=True)
    assert len(data) < 100_000
    assert rejection(data) == "The image has too many pixels (at most 67 megapixels)."


@pytest.mark.parametrize("size", [(12, 12), (40, 40)], ids=["warning", "error"])
def test_pillow_decompression_bomb_checks_are_refusals(monkeypatch, size):
    """Pillow warns above MAX_IMAGE_PIXELS and raises above twice that."""
    data = encode(picture(size), "JPEG")
    monkeypatch.setattr(images, "MAX_PIXELS", 10**9)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    assert rejection(data).startswith("The image has too many pixels")


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_animations_are_refused(fmt):
    data = encode(picture(), fmt, save_all=True, append_images=[picture(color=RED)])
    assert rejection(data) == "Animated images are not accepted."


def test_messages_are_translated():
    with translation.override("zh-hans"):
        assert rejection(b"") == "照片为空。"
        assert rejection(b"\0" * 101, max_bytes=100) == "照片超过 0.0001 MB。"
        assert rejection(encode(picture(), "GIF")).startswith("不接受 GIF 文件")


# --- public copy -------------------------------------------------------------------


def test_the_source_really_carries_gps():
    im = read_back(private_jpeg())
    assert im.getexif().get_ifd(GPS_IFD)[1] == "N"
    assert "xmp" in im.info and "comment" in im.info and "icc_profile" in im.info


def test_public_jpeg_has_no_metadata_and_keeps_its_size():
    checked = check_image(private_jpeg((64, 48)))
    data = public_copy(checked)
    assert_no_metadata(data)
    im = read_back(data)
    assert (im.format, im.size, im.mode) == ("JPEG", (64, 48), "RGB")
    assert close(im.getpixel((32, 2)), RED)
    assert close(im.getpixel((32, 40)), BLUE)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_public_png_and_webp_have_no_metadata(fmt):
    options = {"exif": gps_exif(), "xmp": XMP, "icc_profile": srgb_icc()}
    if fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        text = PngInfo()
        text.add_text("Comment", "taken at home")
        options["pnginfo"] = text
        del options["xmp"]  # Pillow writes PNG XMP only through pnginfo
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    data = encode(picture(), fmt, **options)
    assert read_back(data).getexif().get_ifd(GPS_IFD)
    copy = public_copy(check_image(data))
    assert_no_metadata(copy)
    im = read_back(copy)
    assert (im.format, im.size) == (fmt, (64, 48))
    assert close(im.getpixel((32, 2))[:3], RED)


def test_png_keeps_its_transparency():
    rgba = picture(mode="RGBA", color=(0, 0, 255, 0))
    im = read_back(public_copy(check_image(encode(rgba, "PNG"))))
    assert im.mode == "RGBA"
    assert im.getpixel((32, 40)) == (0, 0, 255, 0)
    assert im.getpixel((32, 2)) == (255, 0, 0, 255)

    palette = Image.new("P", (8, 8), 1)
    palette.putpalette([0, 0, 0, 255, 255, 255])
    im = read_back(public_copy(check_image(encode(palette, "PNG", transparency=1))))
    assert im.info["transparency"] == 1
    assert im.convert("RGBA").getpixel((0, 0))[3] == 0


def test_webp_keeps_alpha_and_losslessness():
    rgba = picture(mode="RGBA", color=(0, 0, 255, 0))
    lossless = encode(rgba, "WEBP", lossless=True)
    copy = public_copy(check_image(lossless))
    assert b"VP8L" in copy[:64]
    im = read_back(copy)
    assert im.getpixel((32, 40))[3] == 0
    assert im.getpixel((32, 2)) == (255, 0, 0, 255)
    lossy = public_copy(check_image(encode(picture(), "WEBP", quality=90)))
    assert b"VP8 " in lossy[:64]


def test_colours_of_other_profiles_are_converted_to_srgb(monkeypatch):
    """Pillow cannot make a Display P3 profile; pretend the sRGB one is not sRGB."""
    converted = []
    convert = ImageCms.profileToProfile

    def spy(im, *args, **kwargs):
        converted.append(im.mode)
        return convert(im, *args, **kwargs)

    monkeypatch.setattr(ImageCms, "getProfileDescription", lambda profile: "Display P3")
    monkeypatch.setattr(ImageCms, "profileToProfile", spy)
    rgba = picture(mode="RGBA", color=(0, 0, 255, 0))
    data = public_copy(check_image(encode(rgba, "PNG", icc_profile=srgb_icc())))
    assert converted == ["RGBA"]
    im = read_back(data)
    assert "icc_profile" not in im.info
    assert im.getpixel((32, 40))[3] == 0
    assert close(im.getpixel((32, 2)), (255, 0, 0, 255), 2)


def test_an_unusable_profile_is_dropped():
    data = encode(picture(), "JPEG", icc_profile=b"not an ICC profile" * 10)
    im = read_back(public_copy(check_image(data)))
    assert "icc_profile" not in im.info
    assert close(im.getpixel((32, 2)), RED)


def test_cmyk_jpeg_becomes_rgb():
    data = encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG")
    im = read_back(public_copy(check_image(data)))
    assert im.mode == "RGB"
    assert close(im.getpixel((8, 8)), RED, 60)


@pytest.mark.parametrize("orientation", [6, 8, 5, 7])
def test_orientation_swapping_width_and_height(orientation):
    checked = check_image(private_jpeg((60, 40), orientation))
    assert (checked.width, checked.height) == (40, 60)
    im = read_back(public_copy(checked))
    assert im.size == (40, 60)
    assert ORIENTATION not in im.getexif()


def test_orientation_is_applied_to_the_pixels():
    # 6: the stored picture must be turned 90° clockwise, so its top goes right.
    im = read_back(public_copy(check_image(private_jpeg((60, 40), 6))))
    assert close(im.getpixel((37, 30)), RED)
    assert close(im.getpixel((5, 30)), BLUE)
    # 3: upside down, its top goes to the bottom; the size is unchanged.
    checked = check_image(private_jpeg((60, 40), 3))
    assert (checked.width, checked.height) == (60, 40)
    im = read_back(public_copy(checked))
    assert close(im.getpixel((30, 37)), RED)
    assert close(im.getpixel((30, 5)), BLUE)


def test_orientation_in_a_png():
    exif = Image.Exif()
    exif[ORIENTATION] = 8  # turned 90° counter-clockwise: the top goes left
    data = encode(picture((60, 40)), "PNG", exif=exif)
    checked = check_image(data)
    assert (checked.width, checked.height) == (40, 60)
    im = read_back(public_copy(checked))
    assert im.size == (40, 60)
    assert im.getpixel((2, 30)) == RED
    assert im.getpixel((37, 30)) == BLUE


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_broken_exif_is_ignored():
    data = encode(picture(), "JPEG", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff")
    checked = check_image(data)
    assert (checked.width, checked.height) == (64, 48)
    assert read_back(public_copy(checked)).size == (64, 48)


# --- thumbnail ---------------------------------------------------------------------


def test_thumbnail_size_and_format(settings):
    checked = check_image(encode(picture((1600, 1200)), "JPEG"))
    im = read_back(thumbnail(checked))
    assert (im.format, im.size, im.mode) == ("JPEG", (320, 240), "RGB")
    assert close(im.getpixel((160, 10)), RED)
    assert read_back(thumbnail(checked, px=100)).size == (100, 75)
    settings.CASES_THUMBNAIL_PX = 200
    assert read_back(thumbnail(checked)).size == (200, 150)


def test_thumbnail_of_a_tall_photo_with_orientation_and_gps():
    checked = check_image(private_jpeg((1200, 900), 6))
    data = thumbnail(checked)
    assert_no_metadata(data)
    im = read_back(data)
    assert im.size == (240, 320)
    assert close(im.getpixel((230, 160)), RED)
    assert close(im.getpixel((10, 160)), BLUE)


def test_thumbnail_uses_reduced_jpeg_decoding(monkeypatch):
    calls = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = draft(self, mode, size)
        if result is not None:  # None: too late, the image is already decoded
            calls.append((size, self.size))
        return result

    checked = check_image(encode(picture((3200, 2400)), "JPEG"))
    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    assert read_back(thumbnail(checked)).size == (320, 240)
    assert calls == [((640, 480), (800, 600))]  # decoded at 1/4 scale


def test_small_images_are_not_enlarged():
    assert read_back(thumbnail(check_image(encode(picture((50, 20)), "PNG")))).size == (50, 20)


def test_extreme_aspect_ratio():
    checked = check_image(encode(picture((4000, 3)), "PNG"))
    assert read_back(thumbnail(checked)).size == (320, 1)


def test_transparent_thumbnail_is_on_white():
    rgba = picture(mode="RGBA", color=(0, 0, 255, 0))
    im = read_back(thumbnail(check_image(encode(rgba, "WEBP", lossless=True))))
    assert im.format == "JPEG"
    assert close(im.getpixel((32, 40)), (255, 255, 255), 8)
    assert close(im.getpixel((32, 2)), RED)


def test_palette_thumbnail_is_smoothly_resized():
    stripes = Image.new("P", (400, 400), 0)
    stripes.putpalette([0, 0, 0, 255, 255, 255])
    for x in range(0, 400, 2):
        stripes.paste(1, (x, 0, x + 1, 400))
    im = read_back(thumbnail(check_image(encode(stripes, "PNG")), px=100))
    assert abs(im.convert("L").getpixel((50, 50)) - 128) <= 16  # grey, not black or white


def test_sixteen_bit_png_thumbnail_keeps_its_tones():
    data = encode(Image.new("I;16", (32, 32), 32768), "PNG")
    im = read_back(thumbnail(check_image(data)))
    assert im.mode == "L"
    assert abs(im.getpixel((16, 16)) - 128) <= 2


def test_thumbnail_rejects_a_silly_size():
    with pytest.raises(ValueError):
        thumbnail(check_image(encode(picture(), "PNG")), px=0)


def test_truncated_images_are_refused_even_after_weasyprint_is_imported():
    import weasyprint  # noqa: F401 - it sets ImageFile.LOAD_TRUNCATED_IMAGES = True
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), (1, 2, 3)).save(buffer, "JPEG")
    with pytest.raises(ImageRejected):
        check_image(buffer.getvalue()[:-400])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored for WeasyPrint
