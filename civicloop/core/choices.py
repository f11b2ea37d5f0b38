"""Labels of model choices."""

from __future__ import annotations

from django.utils import translation

#: (choices class, language) → {value: label}: labels are fixed once a process runs.
_LABELS: dict = {}


def label(choices, value) -> str:
    """The translated label of ``value`` in a ``TextChoices`` class, in the active
    language (``get_FOO_display`` without building the field's whole choice list,
    and without a catalogue lookup per row); an unknown value is shown as itself."""
    key = (choices, translation.get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {member.value: str(member.label) for member in choices}
    return labels.get(value, value)
