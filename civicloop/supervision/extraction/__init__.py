"""Draft supervision items from the text of a report or minutes (pure functions).

:func:`extract` reads running Chinese text and proposes items (requirement,
deadline, quantity, scope, units) with the offsets of the characters each
field came from; nothing is written anywhere. See docs/extraction.md.
"""

from .extractor import Item, UnitRef, extract
from .registry import Registry, Target, register_scope_provider
from .text import MAX_CHARS, TextError, check_text

__all__ = [
    "MAX_CHARS",
    "Item",
    "Registry",
    "Target",
    "TextError",
    "UnitRef",
    "check_text",
    "extract",
    "register_scope_provider",
]
