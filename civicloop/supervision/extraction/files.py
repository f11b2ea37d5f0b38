"""The text of an uploaded report: .txt, .md, .docx, or a PDF with a text layer.

:func:`text_from_upload` checks the bytes before it trusts the name: a .txt
that holds a PNG, a .docx that is not a Word package or a PDF without text
(a scan) is refused with a :class:`~.text.TextError` whose message says why.
Word files are read with python-docx, PDFs with pypdf; nothing is written to
disk and nothing leaves the process.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from django.utils.translation import gettext as _

from .text import TextError, is_chinese

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""Largest file read (10 MiB)."""
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
"""Largest total size of the parts of a .docx once unpacked (against zip bombs)."""
MAX_PDF_PAGES = 300

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
SUFFIXES = (*TEXT_SUFFIXES, ".docx", ".pdf")
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0")


def _refuse(reason: str, message: str) -> TextError:
    return TextError(reason, message, field="file")


def _decode_text(data: bytes) -> str:
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:4096]:
        raise _refuse("not_text", _("This file is not a text file."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
        if controls > max(2, len(text) // 100):
            break
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise _refuse("not_text", _("This file is not a text file (neither UTF-8 nor GB18030)."))


def _docx_text(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    not_word = _refuse("not_docx", _("This file is not a Word (.docx) document."))
    if not data.startswith(b"PK\x03\x04"):
        raise not_word
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if sum(info.file_size for info in package.infolist()) > MAX_UNPACKED_BYTES:
                raise _refuse("too_large", _("This Word document is too large once unpacked."))
            if "word/document.xml" not in package.namelist():
                raise not_word
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise not_word from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell.text not in cells:  # merged cells repeat
                    cells.append(cell.text)
            lines.append("；".join(c for c in cells if c))
    return "\n".join(lines)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    if not data.startswith(b"%PDF"):
        raise _refuse("not_pdf", _("This file is not a PDF."))
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise _refuse("encrypted", _("This PDF is encrypted; upload one without a password."))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise _refuse(
                "too_large",
                _("This PDF has more than %(n)s pages.") % {"n": MAX_PDF_PAGES},
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise _refuse("damaged", _("This PDF cannot be read (damaged?).")) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise _refuse(
            "no_text_layer",
            _("This PDF has no text layer (a scanned image?); upload a PDF with text or the text."),
        )
    return text


def text_from_upload(name: str, data: bytes) -> str:
    """The text of a file named ``name`` with content ``data``.

    Raises :class:`~.text.TextError` (field ``file``) for a file too large, of
    an unsupported type, whose content does not match its type, or that
    holds no readable Chinese text.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(
            "too_large",
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    if not data:
        raise _refuse("empty", _("The file is empty."))
    suffix = PurePath(name or "").suffix.lower()
    if suffix in TEXT_SUFFIXES or (not suffix and not data.startswith(_BINARY_MAGIC)):
        text = _decode_text(data)
    elif suffix == ".docx":
        text = _docx_text(data)
    elif suffix == ".pdf":
        text = _pdf_text(data)
    else:
        raise _refuse(
            "unsupported",
            _("Upload a .txt, .md, .docx or PDF file; %(suffix)s files cannot be read.")
            % {"suffix": suffix or _("unnamed")},
        )
    if not text.strip():
        raise _refuse("empty", _("The file holds no text."))
    if not is_chinese(text):
        raise _refuse(
            "language", _("The file's text is not in Chinese; only Chinese reports can be read.")
        )
    return text
