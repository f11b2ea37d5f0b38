"""Sections that upper apps add to the bulletin and the ledger (registration hook).

Evaluation sits below supervision (and renovation), so it cannot import them.
An upper app registers a section in its ``AppConfig.ready``::

    sections.register("supervision", bulletin=fn, ledger=fn)

``bulletin(period)`` returns an HTML fragment (already escaped) added to the
bulletin PDF; ``ledger(workbook, period)`` adds its own sheet(s) to the xlsx
ledger. Either may be None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    name: str
    bulletin: Callable | None = None
    ledger: Callable | None = None


_sections: dict[str, Section] = {}


def register(name: str, bulletin: Callable | None = None, ledger: Callable | None = None) -> None:
    _sections[name] = Section(name, bulletin, ledger)


def registered() -> list[Section]:
    return list(_sections.values())


def bulletin_html(period) -> str:
    """The HTML of every registered bulletin section, in registration order."""
    return "".join(s.bulletin(period) for s in _sections.values() if s.bulletin)


def add_ledger_sheets(workbook, period) -> None:
    for section in _sections.values():
        if section.ledger:
            section.ledger(workbook, period)
