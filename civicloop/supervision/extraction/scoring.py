"""Precision and recall of the extractor on the labelled set (``data/labelled.json``).

Matching: within a paragraph, a predicted item matches a labelled one when
their character spans overlap by at least half of the shorter span (the
labelled span is its ``anchor``); pairs are taken greedily by overlap, each
item at most once.

Items: precision = matched / predicted, recall = matched / labelled.

Fields, counted over all items: a field is *predicted* when a predicted item
has a value for it (deadline not null, quantity not null, per not null, units
not empty), *labelled* likewise, and *correct* when a matched pair has equal
values: the same date; the same number and the same at_least; the same per;
the same set of unit names. quantity_unit is scored on pairs whose quantity is
correct: the labelled word equals, contains or is contained in the predicted
counted noun or measure word.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .extractor import Item

LABELLED = Path(__file__).resolve().parent / "data" / "labelled.json"
FIELDS = ("deadline", "quantity", "quantity_unit", "scope", "units")


def load_labelled(path: Path = LABELLED) -> list[dict]:
    """The paragraphs of the labelled set, each with ``id``, ``date``, ``text``, ``items``."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)["paragraphs"]


@dataclass
class Counts:
    predicted: int = 0
    labelled: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.labelled if self.labelled else 1.0


@dataclass
class Score:
    items: Counts = field(default_factory=Counts)
    fields: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    misses: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        def one(c: Counts) -> dict:
            return {
                "predicted": c.predicted,
                "labelled": c.labelled,
                "correct": c.correct,
                "precision": round(c.precision, 3),
                "recall": round(c.recall, 3),
            }

        return {"items": one(self.items), **{k: one(v) for k, v in self.fields.items()}}


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _unit_ok(gold: str, item: Item) -> bool:
    if not gold:
        return True
    words = [w for w in (item.quantity_unit, item.quantity_measure) if w]
    return any(gold == w or gold in w or w in gold for w in words)


def _values(item: Item) -> dict:
    return {
        "deadline": item.deadline,
        "quantity": None if item.quantity is None else (float(item.quantity), item.at_least),
        "scope": item.per,
        "units": frozenset(u.name for u in item.units) or None,
    }


def _gold_values(gold: dict) -> dict:
    return {
        "deadline": datetime.date.fromisoformat(gold["deadline"]) if gold["deadline"] else None,
        "quantity": None
        if gold["quantity"] is None
        else (float(gold["quantity"]), bool(gold["at_least"])),
        "scope": gold["per"],
        "units": frozenset(gold["units"]) or None,
    }


def score(
    paragraphs: list[dict], extract_paragraph: Callable[[str, datetime.date], list[Item]]
) -> Score:
    """Run ``extract_paragraph(text, date)`` on each paragraph and count."""
    result = Score()
    for p in paragraphs:
        text = p["text"]
        predicted = extract_paragraph(text, datetime.date.fromisoformat(p["date"]))
        golds = p["items"]
        gold_spans = []
        for g in golds:
            a = text.index(g["anchor"])
            gold_spans.append((a, a + len(g["anchor"])))
        pairs = []
        for i, item in enumerate(predicted):
            for j, span in enumerate(gold_spans):
                shared = _overlap((item.start, item.end), span)
                shorter = min(item.end - item.start, span[1] - span[0])
                if shorter and shared * 2 >= shorter:
                    pairs.append((shared, i, j))
        pairs.sort(reverse=True)
        matched: dict[int, int] = {}
        used: set[int] = set()
        for _shared, i, j in pairs:
            if i not in matched and j not in used:
                matched[i] = j
                used.add(j)
        result.items.predicted += len(predicted)
        result.items.labelled += len(golds)
        result.items.correct += len(matched)
        for j, g in enumerate(golds):
            if j not in used:
                result.misses.append(f"{p['id']} missed: {g['anchor']}")
        for i, item in enumerate(predicted):
            if i not in matched:
                result.misses.append(f"{p['id']} extra: {item.requirement}")
        for item in predicted:
            for name, value in _values(item).items():
                if value is not None:
                    result.fields[name].predicted += 1
        for g in golds:
            for name, value in _gold_values(g).items():
                if value is not None:
                    result.fields[name].labelled += 1
        for i, j in matched.items():
            item, g = predicted[i], golds[j]
            mine, theirs = _values(item), _gold_values(g)
            for name in ("deadline", "quantity", "scope", "units"):
                if theirs[name] is not None and mine[name] == theirs[name]:
                    result.fields[name].correct += 1
                elif mine[name] != theirs[name]:
                    result.misses.append(
                        f"{p['id']} {name}: got {mine[name]!r}, labelled {theirs[name]!r}"
                        f" ({g['anchor']})"
                    )
            if theirs["quantity"] is not None and mine["quantity"] == theirs["quantity"]:
                unit = result.fields["quantity_unit"]
                unit.labelled += 1
                unit.predicted += 1
                if _unit_ok(g["quantity_unit"], item):
                    unit.correct += 1
                else:
                    result.misses.append(
                        f"{p['id']} quantity_unit: got {item.quantity_unit!r}, "
                        f"labelled {g['quantity_unit']!r}"
                    )
    return result
