"""Extra work for each worker pass, registered by the apps that need it.

The worker command (``manage.py worker``) lives in ``cases`` and runs the case
clock; apps above ``cases`` (supervision's colour sheets and chasing) must not
be imported by it, so they register a function here in their
``AppConfig.ready`` and the worker calls :func:`run_all` once per pass, before
the outbox is delivered (their messages go out in the same pass).

A registered function is called as ``fn(now=..., should_stop=...)`` and
returns something printable (its report), or None.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger("civicloop.worker")

_passes: dict[str, Callable] = {}


def register(name: str, fn: Callable) -> None:
    """Run ``fn`` in each worker pass (registering a name again replaces it)."""
    _passes[name] = fn


def registered() -> dict[str, Callable]:
    return dict(_passes)


def run_all(now=None, should_stop: Callable[[], bool] | None = None) -> list[tuple[str, object]]:
    """Call every registered pass; one failing pass is logged and does not stop the others."""
    reports = []
    for name, fn in _passes.items():
        if should_stop is not None and should_stop():
            break
        try:
            reports.append((name, fn(now=now, should_stop=should_stop)))
        except Exception:
            logger.exception("worker: the %s pass failed", name)
    return reports
