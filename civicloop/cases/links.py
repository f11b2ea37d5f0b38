"""Where a case is shown: one resolver, filled by the face that shows cases.

Notifications and messages about a case carry a link. ``cases`` does not know
the faces above it (layers: faces import cases, never the reverse), so a face
registers how to link to a case in its ``AppConfig.ready``
(:func:`register_case_url`); until one does, links are ``/cases/<id>/``.
"""

from __future__ import annotations

from collections.abc import Callable

_resolver: Callable[[int], str] | None = None


def default_case_url(case_id: int) -> str:
    return f"/cases/{case_id}/"


def register_case_url(resolver: Callable[[int], str]) -> None:
    """Make ``resolver(case_id) -> path`` the link of every case (the last one registered wins)."""
    global _resolver
    _resolver = resolver


def case_url(case) -> str:
    """The link to ``case`` (a case or its id) in the face that registered, else the default."""
    case_id = getattr(case, "pk", case)
    return (_resolver or default_case_url)(case_id)
