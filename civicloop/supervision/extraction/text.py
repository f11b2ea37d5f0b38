"""Limits and checks on the text given to the extractor, and a width-preserving normalisation.

Offsets returned by the extractor index the text as given. Normalisation
therefore maps one character to one character (full-width digits, letters
and percent signs to their ASCII forms), so an offset in the normalised text
is the same offset in the original.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from civicloop.core.errors import Invalid

MAX_CHARS = 100_000
"""Longest text the extractor reads (about 60 pages of minutes)."""

_FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULL_WIDTH.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})
_FULL_WIDTH.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
_FULL_WIDTH.update({"％": "%", "．": ".", "\u3000": " "})
_TABLE = str.maketrans(_FULL_WIDTH)

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


class TextError(Invalid):
    """The text cannot be read (empty, too long, not Chinese, not a text file).

    ``reason`` names the cause for machines; ``message`` is translated.
    """

    def __init__(self, reason: str, message: str, field: str = "text") -> None:
        super().__init__(message, field)
        self.reason = reason


def normalise(text: str) -> str:
    """Same length as ``text``: full-width digits, letters and ``％`` become ASCII."""
    return text.translate(_TABLE)


def is_chinese(text: str) -> bool:
    """True when Chinese characters make up a real share of the letters of ``text``."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return cjk >= 2 and cjk * 2 >= latin


def check_text(text: str, max_chars: int = MAX_CHARS) -> None:
    """Raise :class:`TextError` for empty, oversized or non-Chinese text."""
    if not text or not text.strip():
        raise TextError("empty", _("The text is empty."))
    if len(text) > max_chars:
        raise TextError(
            "too_long",
            _("The text has %(n)s characters; the limit is %(limit)s.")
            % {"n": f"{len(text):,}", "limit": f"{max_chars:,}"},
        )
    if not is_chinese(text):
        raise TextError(
            "language", _("The text is not in Chinese; only Chinese reports can be read.")
        )
