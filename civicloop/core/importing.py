"""What every importer shares: collecting problems, then one atomic write."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


class ImportRejected(Exception):
    """The file has problems; nothing was written. ``problems`` names each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return _("%(kind)s: %(created)d created, %(updated)d updated.") % {
            "kind": self.kind,
            "created": self.created,
            "updated": self.updated,
        }


TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "f", ""}


def parse_bool(value: object) -> bool:
    """A yes/no cell or property; raises ValueError for anything else."""
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("'%(value)s' is not yes or no.") % {"value": value})
