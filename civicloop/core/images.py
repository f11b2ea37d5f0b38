"""Photo checks for every upload of the case loop (inspectors, handlers, residents).

``check_image`` decides by content, with Pillow, whether an upload is a JPEG, PNG
or WebP photo that can be decoded, and refuses anything else with
``ImageRejected`` (a translated message for the person who sent it). The file
name and the content type the client claims are never looked at.

``public_copy`` makes the copy the public sees: orientation applied, every piece
of metadata removed (EXIF with GPS, XMP, comments, text chunks, ICC profiles:
colours are converted to sRGB first), same format. ``thumbnail`` makes a small
JPEG for lists and maps.

Memory: an upload is at most ``settings.CASES_MAX_UPLOAD_BYTES`` and at most
``MAX_PIXELS`` pixels, so a full decode needs at most about 4 × ``MAX_PIXELS``
bytes. JPEGs are checked and thumbnailed with ``Image.draft`` (decoded at 1/2 to
1/8 scale by libjpeg), which is both fast and small.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import threading
import warnings
from dataclasses import dataclass, field
from functools import cache
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

__all__ = [
    "ACCEPTED_FORMATS",
    "MAX_PIXELS",
    "CheckedImage",
    "ImageRejected",
    "check_image",
    "public_copy",
    "thumbnail",
]

# Largest image accepted, in pixels (width × height): 8192 × 8192 ≈ 67 megapixels,
# enough for the 48–64 MP modes of phone cameras, small enough that a decoded
# RGBA copy stays under 270 MB. Read at call time, so tests can monkeypatch it.
MAX_PIXELS = 8192 * 8192
# PNG and WebP have no reduced-scale decoding: checking, thumbnailing and the
# public copy each decode every pixel. Measured on this project's 2-core
# machine, an 8192 × 8192 PNG cost 3.5 s of CPU in all and a WebP 6.5 s; at
# this budget (12.6 megapixels, a 4096 × 3072 screenshot or photo) a PNG costs
# about 0.5 s and a WebP about 1 s, so no upload holds a worker for seconds.
MAX_PIXELS_FULL_DECODE = 4096 * 3072

# Pillow format name -> (content type, file extension without the dot).
ACCEPTED_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
# Multi-picture JPEGs (many phone cameras) are JPEGs whose first picture is the photo.
_ALIASES = {"MPO": "JPEG"}
_OPEN_FORMATS = ["JPEG", "PNG", "WEBP"]  # the only Pillow plugins that ever see an upload

JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80
WEBP_QUALITY = 85
# Encoder effort: about twice as fast as Pillow's defaults (PNG level 6, WebP
# method 4) for files 0–6 % larger on 12-megapixel photos.
PNG_COMPRESS_LEVEL = 3
WEBP_METHOD = 2

# Orientations (EXIF 0x0112) that swap width and height.
_ORIENTATION = 0x0112
_SWAPPING = {5, 6, 7, 8}


class ImageRejected(ValueError):
    """The upload is not an acceptable photo; ``message`` says why (translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedImage:
    """An upload that passed ``check_image``.

    ``format`` is the Pillow name ("JPEG", "PNG", "WEBP"), ``extension`` has no
    dot ("jpg", "png", "webp"); ``width`` and ``height`` are as displayed, i.e.
    after the EXIF orientation; ``size`` is the length of ``data`` in bytes and
    ``sha256`` its hex digest. ``data`` is the original upload up to the end of
    the image (its last JPEG EOI marker, PNG IEND chunk or WebP RIFF length):
    anything a client appended after it (an HTML or script "polyglot" trailer,
    a ZIP) is dropped and never stored.
    """

    format: str
    content_type: str
    extension: str
    width: int
    height: int
    size: int
    sha256: str
    data: bytes = field(repr=False)


def check_image(data: bytes | IO[bytes], *, max_bytes: int | None = None) -> CheckedImage:
    """Check an upload (bytes or a file-like object such as an ``UploadedFile``).

    Raises ``ImageRejected`` when it is empty, larger than ``max_bytes`` (default
    ``settings.CASES_MAX_UPLOAD_BYTES``), not a JPEG/PNG/WebP image, animated,
    damaged or truncated, or larger than ``MAX_PIXELS``.
    """
    if max_bytes is None:
        max_bytes = settings.CASES_MAX_UPLOAD_BYTES
    data = _read(data, max_bytes)
    if not data:
        raise ImageRejected(_("The photo is empty."))

    try:
        with _strict_decoding(), _open(data) as im:
            im.verify()  # PNG: chunk checksums up to IEND; the other formats: little
        with _strict_decoding(), _open(data) as im:
            fmt = _ALIASES.get(im.format, im.format)
            if fmt not in ACCEPTED_FORMATS:  # pragma: no cover - _OPEN_FORMATS already
                raise ImageRejected(_not_accepted(data))
            _check_pixels(im.size, fmt)
            width, height = im.size
            if fmt != "JPEG" and getattr(im, "n_frames", 1) > 1:
                raise ImageRejected(_("Animated images are not accepted."))
            if fmt == "JPEG":
                # Decoding at 1/8 scale still reads every byte of the compressed
                # data, so truncation and corruption show up, at a fraction of the
                # time and memory of a full decode.
                im.draft(None, (1, 1))
            im.load()
            orientation = _orientation(im)
            # Multi-picture JPEGs: where each picture starts (the last one ends the file).
            frame_offsets = list(getattr(im, "_MpoImageFile__mpoffsets", None) or [0])
    except ImageRejected:
        raise
    except UnidentifiedImageError:
        raise ImageRejected(_not_accepted(data)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_too_many_pixels()) from None
    except Exception:  # Pillow raises many types on bad input
        # OSError ("image file is truncated"), SyntaxError (broken PNG chunks),
        # EOFError, ValueError, struct.error, zlib.error...
        raise ImageRejected(_("The image is damaged or incomplete.")) from None

    if orientation in _SWAPPING:
        width, height = height, width
    end = _image_end(data, fmt, frame_offsets)
    if end is None:
        raise ImageRejected(_("The image is damaged or incomplete."))
    data = data[:end]
    content_type, extension = ACCEPTED_FORMATS[fmt]
    return CheckedImage(
        format=fmt,
        content_type=content_type,
        extension=extension,
        width=width,
        height=height,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )


def public_copy(checked: CheckedImage) -> bytes:
    """The copy shown to the public, in the same format and at the same size.

    The EXIF orientation is applied to the pixels; nothing else of the file is
    kept: no EXIF (so no GPS position, camera or time), no XMP, no comments or
    PNG text, no ICC profile (colours are converted to sRGB first, which is
    what an untagged image means). JPEG at quality 85, WebP at quality 85 (or
    lossless when the original was lossless), PNG losslessly with its
    transparency.
    """
    with _open(checked.data) as im:
        im.load()
        _transpose(im)
        fmt = checked.format
        keep = {}
        if fmt == "PNG" and "transparency" in im.info:
            keep["transparency"] = im.info["transparency"]
        im = _to_srgb(im)
        if fmt == "JPEG":
            if im.mode not in ("L", "RGB"):
                im = im.convert("RGB")
            options = {"quality": JPEG_QUALITY}
        elif fmt == "WEBP":
            if im.mode not in ("RGB", "RGBA"):
                im = im.convert("RGBA" if _has_alpha(im) else "RGB")
            options = {"method": WEBP_METHOD}
            if _webp_is_lossless(checked.data):
                options["lossless"] = True
            else:
                options["quality"] = WEBP_QUALITY
        else:
            options = {"compress_level": PNG_COMPRESS_LEVEL}
        return _save(im, fmt, keep, **options)


def thumbnail(checked: CheckedImage, px: int | None = None) -> bytes:
    """A JPEG whose longest edge is ``px`` (default ``settings.CASES_THUMBNAIL_PX``).

    Always JPEG, whatever the original format (every browser, mail client and
    the PDF bulletins show it); transparent parts are put on white. Orientation
    applied, no metadata, sRGB. Images already smaller are not enlarged.
    """
    if px is None:
        px = settings.CASES_THUMBNAIL_PX
    if px < 1:
        raise ValueError("px must be positive")
    with _open(checked.data) as im:
        target = _fit(im.size, px)
        if checked.format == "JPEG" and target != im.size:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale, keeping at least twice
            # the target size for a good final resampling (as Image.thumbnail does).
            im.draft(None, (target[0] * 2, target[1] * 2))
        im.load()
        _transpose(im)
        if im.mode in ("1", "P"):  # these would be resized with NEAREST
            im = im.convert("RGBA" if _has_alpha(im) else "RGB" if im.mode == "P" else "L")
        im.thumbnail((px, px), Image.Resampling.LANCZOS)
        im = _to_srgb(im)
        im = _flatten(im)
        return _save(im, "JPEG", {}, quality=THUMBNAIL_QUALITY, optimize=True)


# --- helpers -----------------------------------------------------------------------


def _read(data: bytes | IO[bytes], max_bytes: int) -> bytes:
    """The upload's bytes; refused as soon as it is known to exceed ``max_bytes``.

    A file-like object is read from its start, at most one byte more than
    allowed, and left at the position it had.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        if len(data) > max_bytes:
            raise ImageRejected(_too_big(max_bytes))
        return bytes(data)
    size = getattr(data, "size", None)  # Django's File and UploadedFile
    if isinstance(size, int) and size > max_bytes:
        raise ImageRejected(_too_big(max_bytes))
    start = None
    try:
        if data.seekable():
            start = data.tell()
            data.seek(0)
    except (AttributeError, OSError, ValueError):
        start = None
    chunks = []
    remaining = max_bytes + 1
    while remaining > 0:
        chunk = data.read(min(remaining, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    if start is not None:
        data.seek(start)
    if remaining <= 0:
        raise ImageRejected(_too_big(max_bytes))
    return b"".join(chunks)


_strict_lock = threading.Lock()


@contextlib.contextmanager
def _strict_decoding():
    """Refuse truncated images even if a library switched Pillow to tolerate them.

    WeasyPrint sets ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` when imported
    (for the bulletins); a check of uploads must not inherit that.
    """
    with _strict_lock:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _open(data: bytes) -> Image.Image:
    """Open with the three accepted plugins only; bomb warnings become errors.

    ``catch_warnings`` is process-wide; should two threads race here, the worst
    case is a warning instead of an error, and ``_check_pixels`` still refuses.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)


def _pixel_budget(fmt: str) -> int:
    return MAX_PIXELS if fmt == "JPEG" else min(MAX_PIXELS, MAX_PIXELS_FULL_DECODE)


def _check_pixels(size: tuple[int, int], fmt: str = "JPEG") -> None:
    if size[0] * size[1] > _pixel_budget(fmt):
        raise ImageRejected(_too_many_pixels(fmt))


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(_ORIENTATION, 1)
    except Exception:  # broken EXIF: show the pixels as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _transpose(im: Image.Image) -> None:
    """Apply the EXIF orientation in place (nothing when the EXIF is unreadable)."""
    if _orientation(im) == 1:
        return
    ImageOps.exif_transpose(im, in_place=True)


def _fit(size: tuple[int, int], px: int) -> tuple[int, int]:
    """``size`` scaled so that its longest edge is at most ``px``."""
    width, height = size
    longest = max(width, height)
    if longest <= px:
        return size
    return (
        max(1, round(width * px / longest)),
        max(1, round(height * px / longest)),
    )


@cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(im: Image.Image) -> Image.Image:
    """Convert pixels tagged with a non-sRGB ICC profile (Display P3, Adobe RGB,
    CMYK...) to sRGB. The profile itself is never written out."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK"):
        return im
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(profile).lower():
            return im
        return ImageCms.profileToProfile(
            im,
            profile,
            _srgb_profile(),
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            outputMode="RGBA" if im.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return im  # an unusable profile: keep the values as they are


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info


def _flatten(im: Image.Image) -> Image.Image:
    """RGB or L for JPEG: transparency onto white, 16-bit scaled down to 8 bits."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if im.mode in ("1", "L") and "transparency" not in im.info:
        return im.convert("L")
    if _has_alpha(im):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return im if im.mode == "RGB" else im.convert("RGB")


def _save(im: Image.Image, fmt: str, keep: dict, **options) -> bytes:
    """Encode ``im`` with nothing from the original file but ``keep``.

    Pillow's encoders fall back to ``im.info`` for some metadata (JPEG
    comments, PNG ICC profiles, transparency), so the info is replaced.
    """
    im.info = dict(keep)
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def _image_end(data: bytes, fmt: str, frame_offsets: list[int]) -> int | None:
    """The length of the image proper, without anything appended after it."""
    if fmt == "PNG":
        return _png_end(data)
    if fmt == "WEBP":
        size = int.from_bytes(data[4:8], "little")
        end = 8 + size + (size & 1)
        return min(end, len(data)) if end >= 12 else None
    return _jpeg_end(data, max(frame_offsets))


def _png_end(data: bytes) -> int | None:
    """Just after the IEND chunk (chunks: length, type, data, CRC)."""
    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos if pos <= len(data) else None
    return None


def _jpeg_end(data: bytes, start: int = 0) -> int | None:
    """Just after the EOI marker of the JPEG starting at ``start``.

    Walks the marker segments; after each start-of-scan the entropy-coded data
    runs to the next marker that is not a stuffed 0xFF00, a restart marker or
    fill, so progressive JPEGs (many scans) are walked whole.
    """
    n = len(data)
    if data[start : start + 2] != b"\xff\xd8":
        return None
    i = start + 2
    while i < n:
        if data[i] != 0xFF:
            return None
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            return None
        marker = data[i]
        i += 1
        if marker == 0xD9:  # end of image
            return i
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # standalone markers
            continue
        if i + 2 > n:
            return None
        i += int.from_bytes(data[i : i + 2], "big")
        if marker != 0xDA:  # not a scan: the next marker follows the segment
            continue
        while True:  # entropy-coded data up to the next real marker
            k = data.find(b"\xff", i)
            if k < 0 or k + 1 >= n:
                return None
            following = data[k + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                i = k + 1 if following == 0xFF else k + 2
                continue
            i = k
            break
    return None


def _webp_is_lossless(data: bytes) -> bool:
    """Whether the WebP's image chunk is VP8L (lossless) rather than VP8 (lossy)."""
    pos = 12  # after "RIFF", the length and "WEBP"
    while pos + 8 <= len(data):
        fourcc = data[pos : pos + 4]
        if fourcc == b"VP8L":
            return True
        if fourcc == b"VP8 ":
            return False
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        pos += 8 + length + (length & 1)
    return False


def _too_big(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    if megabytes >= 1:
        limit = f"{megabytes:.1f}".removesuffix(".0")  # 10 MB, 2.5 MB
    else:
        limit = f"{megabytes:.4f}".rstrip("0").rstrip(".")  # 0.5 MB, 0.001 MB
        if limit == "0":
            limit = f"{megabytes:.1e}"
    return _("The photo is larger than %(limit)s MB.") % {"limit": limit}


def _too_many_pixels(fmt: str = "JPEG") -> str:
    return _("The image has too many pixels (at most %(limit)d megapixels).") % {
        "limit": max(1, math.floor(_pixel_budget(fmt) / 1_000_000)),
    }


# Leading bytes of formats people send instead of a photo, to say what they sent.
_SIGNATURES = [
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\0", "TIFF"),
    (b"MM\0*", "TIFF"),
    (b"%PDF", "PDF"),
    (b"\0\0\1\0", "ICO"),
    (b"8BPS", "PSD"),
]
_FTYP_BRANDS = {
    b"heic": "HEIC",
    b"heix": "HEIC",
    b"heim": "HEIC",
    b"heis": "HEIC",
    b"hevc": "HEIC",
    b"mif1": "HEIF",
    b"msf1": "HEIF",
    b"avif": "AVIF",
    b"avis": "AVIF",
}


def _sniff(data: bytes) -> str | None:
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    if data[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(data[8:12])
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in head:
        return "SVG"
    return None


def _not_accepted(data: bytes) -> str:
    name = _sniff(data)
    if name is None:
        return _("The file is not a photo: only JPEG, PNG and WebP images are accepted.")
    return _("%(format)s files are not accepted: only JPEG, PNG and WebP images are.") % {
        "format": name
    }
