"""Numbers written in Arabic or Chinese numerals, through cn2an.

``NUMBER`` is a regular-expression fragment for one number ("120", "1.5万",
"两", "一百二十"); :func:`to_number` turns its text into an int (or a float
when it has a fraction).
"""

from __future__ import annotations

CHINESE_DIGITS = "零〇一二两三四五六七八九十百千万亿"
NUMBER = rf"(?:\d+(?:\.\d+)?[万千百亿]?|[{CHINESE_DIGITS}]+)"


def to_number(text: str) -> int | float | None:
    """The value of a numeral, or None when it is not one ("十百" is not)."""
    import cn2an  # here, not at import: cn2an takes ~0.3 s to import (every start of Django)

    text = text.replace("〇", "零")
    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
