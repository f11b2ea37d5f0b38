"""Sentences and clauses with their offsets in the text.

A sentence ends at 。！？；!?; or a line break; an enumerated point of a
minute (一是…；二是…) is a sentence of its own. A clause is a piece of a
sentence between commas or colons (，,：:). Quotation marks and brackets are
kept inside their clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"[。！？；!?;\n]+")
_CLAUSE_END = re.compile(r"[，,：:]+")


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of the text: ``text[start:end] == value``."""

    start: int
    end: int
    value: str


def _pieces(text: str, start: int, end: int, pattern: re.Pattern) -> list[Span]:
    out = []
    pos = start
    for m in pattern.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    spans = []
    for a, b in out:
        # Trim white space, keep offsets exact.
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append(Span(a, b, text[a:b]))
    return spans


def sentences(text: str) -> list[Span]:
    """The sentences of ``text``, in order, without their final punctuation."""
    return _pieces(text, 0, len(text), _SENTENCE_END)


def clauses(text: str, sentence: Span) -> list[Span]:
    """The clauses of one sentence of ``text``."""
    return _pieces(text, sentence.start, sentence.end, _CLAUSE_END)
