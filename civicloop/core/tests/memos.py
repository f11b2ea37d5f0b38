"""A helper for tests of the memos: a change made by another process."""

from django.db.models import F

from civicloop.core.models import MemoVersion


def elsewhere(name: str) -> None:
    """Move the counter of ``name`` as another process's bump would (no local clearing)."""
    MemoVersion.objects.get_or_create(name=name)
    MemoVersion.objects.filter(name=name).update(version=F("version") + 1)
