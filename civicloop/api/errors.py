"""One error format for the whole API: ``{"code", "message", "field"}``.

* :class:`~civicloop.cases.actions.ActionError` keeps its status (400 invalid,
  403 forbidden, 409 invalid_state / conflict);
* schema validation (pydantic) is 400 ``invalid`` naming the first bad field;
* no or a bad token is 401 ``unauthenticated``;
* anything the user may not see is 404 ``not_found`` — the same answer as
  for something that does not exist;
* a body that cannot be parsed (broken multipart, too many fields or files)
  is 400 ``invalid``, never a 500.

Messages follow the request's language (Accept-Language; Chinese by default).
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from civicloop.cases.actions import ActionError

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An error raised by an endpoint itself (not by an action)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 retry_after: int | None = None):  # fmt: skip
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.retry_after = retry_after


def not_found(what: str = "") -> ApiError:
    return ApiError(404, "not_found", what or _("Not found."))


def error_response(status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    response = JsonResponse({"code": code, "message": str(message), "field": field}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="civicloop"'
    return response


def _field(loc) -> str | None:
    # loc is (source, [param name,] field, ...); report the innermost named field.
    names = [str(part) for part in loc[1:] if not isinstance(part, int)]
    return names[-1] if names else None


#: Messages for the bounds the Schemas declare (the document's minimum, maximum…).
BOUNDS = {
    "greater_than_equal": lambda: _("%(field)s must be at least %(limit)s."),
    "greater_than": lambda: _("%(field)s must be more than %(limit)s."),
    "less_than_equal": lambda: _("%(field)s may be at most %(limit)s."),
    "less_than": lambda: _("%(field)s must be less than %(limit)s."),
    "string_too_long": lambda: _("%(field)s: at most %(limit)s characters, please."),
}


def install(api) -> None:
    @api.exception_handler(ActionError)
    def action_error(request, exc: ActionError):
        return error_response(exc.status, exc.code, exc.message, exc.field)

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        response = error_response(exc.status, exc.code, exc.message, exc.field)
        if exc.retry_after is not None:
            response["Retry-After"] = str(max(1, int(exc.retry_after)))
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        first = exc.errors[0] if exc.errors else {}
        field = _field(first.get("loc", ()))
        kind = first.get("type", "")
        if kind == "nul":  # schemas.In: a declared text field holds a NUL character
            field = (first.get("ctx") or {}).get("field", field)
            message = _("The text contains a NUL character.")
        elif (
            kind == "missing"
            or (kind == "string_too_short" and field)
            or (kind == "string_pattern_mismatch" and first.get("input", "x").strip() == "")
        ):
            message = _("This field is required: %(field)s.") % {"field": field}
        elif kind in BOUNDS and field:
            limit = next(iter((first.get("ctx") or {}).values()), "?")
            message = BOUNDS[kind]() % {"field": field, "limit": limit}
        elif kind == "literal_error" and field:
            expected = (first.get("ctx") or {}).get("expected", "")
            message = _("%(field)s must be one of %(expected)s.") % {"field": field,
                                                                   "expected": expected}  # fmt: skip
        elif first.get("loc", ("",))[0] == "body" and field is None:
            message = _("The request body is not valid JSON.")
        else:
            message = _("This value is not valid: %(field)s.") % {"field": field or "?"}
        return error_response(400, "invalid", message, field)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(
            401, "unauthenticated", _("Sign in: send a valid token as 'Authorization: Bearer …'.")
        )

    @api.exception_handler(Http404)
    def http404(request, exc):
        return error_response(404, "not_found", _("Not found."))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        codes = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 413: "too_large",
                 429: "rate_limited"}  # fmt: skip
        return error_response(exc.status_code, codes.get(exc.status_code, "error"), exc.message)

    @api.exception_handler(MultiPartParserError)
    def unparsable_body(request, exc):
        return error_response(
            400, "invalid", _("The request body cannot be read: it is not valid multipart data.")
        )

    @api.exception_handler(TooManyFieldsSent)
    @api.exception_handler(TooManyFilesSent)
    def too_many_parts(request, exc):
        return error_response(400, "invalid", _("The request has too many fields or files."))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return error_response(413, "too_large", _("The request body is too large."))

    @api.exception_handler(Exception)
    def server_error(request, exc: Exception):
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(500, "server_error", _("Something went wrong on our side."))
