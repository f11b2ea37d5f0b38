"""Whether a category code names something in the catalogue, as org asks it.

The catalogue (大类/小类 of GB/T 30428) belongs to the cases app, which sits
above org: org may not import it. Cases fills in this hook in its
``AppConfig.ready`` (registration, not import), and a responsibility rule's
``category_code`` is checked through it. Without a registered check (org used
without cases) every code is accepted: there is then no catalogue to check
against.
"""

from __future__ import annotations

from collections.abc import Callable

_check: Callable[[str], bool] | None = None


def register_category_check(check: Callable[[str], bool]) -> None:
    """Install ``check(code) -> bool``: True when a 5-digit code or a prefix names a category."""
    global _check
    _check = check


def category_check() -> Callable[[str], bool] | None:
    """The registered check, or None."""
    return _check


def category_exists(code: str) -> bool:
    """True when the registered catalogue knows ``code`` (always True without a catalogue)."""
    return _check is None or _check(code)
