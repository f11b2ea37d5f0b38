"""Labels of model choices."""

from __future__ import annotations


def label(choices, value) -> str:
    """The translated label of ``value`` in a ``TextChoices`` class (``get_FOO_display``
    without building the field's whole choice list on every call, which cost a
    millisecond a row); an unknown value is shown as itself."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
