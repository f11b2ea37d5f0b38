"""The errors every app's actions raise when they refuse something.

``code`` is for machines (API bodies, logs), ``message`` for people (already
translated), ``field`` names the input at fault when there is one, and
``status`` is the HTTP status a face answers with.
"""

from __future__ import annotations


class ActionError(Exception):
    """An action was refused."""

    code = "refused"
    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(ActionError):
    """The input is wrong; ``field`` says which."""

    code = "invalid"


class Forbidden(ActionError):
    """The actor's role or scope does not allow this."""

    code = "forbidden"
    status = 403


class InvalidState(ActionError):
    """The object is not in a state the action applies to."""

    code = "invalid_state"
    status = 409


class Conflict(ActionError):
    """Someone else changed the object first (compare-and-set lost)."""

    code = "conflict"
    status = 409
