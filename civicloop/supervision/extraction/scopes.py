"""Scopes that make one row per unit: 每个街道, 各镇办, 全区各学校, 淮河路街道各社区."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .registry import KIND_WORDS


@dataclass(frozen=True, slots=True)
class ScopeMatch:
    """A distributive scope at ``text[start:end]``: ``per`` is the kind of row."""

    start: int
    end: int
    per: str
    word: str


_compiled: dict[tuple[str, ...], re.Pattern] = {}


def _pattern() -> re.Pattern:
    key = tuple(sorted(KIND_WORDS))
    pattern = _compiled.get(key)
    if pattern is None:
        pattern = _compiled[key] = _build(key)
    return pattern


def _build(kind_words: tuple[str, ...]) -> re.Pattern:
    words = "|".join(re.escape(w) for w in sorted(kind_words, key=len, reverse=True))
    return re.compile(
        r"(?P<all>全区|全县|全市|辖区|区直)?(?P<each>每一个|每个|各个|各|所有|每)(?P<word>"
        + words
        + ")"
    )


def find_scopes(text: str, start: int, end: int) -> list[ScopeMatch]:
    """Scopes in ``text[start:end]``, in order (the pattern follows registered kinds)."""
    out = []
    for m in _pattern().finditer(text, start, end):
        word = m.group("word")
        out.append(ScopeMatch(m.start(), m.end(), KIND_WORDS[word], word))
    return out
