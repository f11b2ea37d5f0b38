"""Request parsing: form endpoints also accept a JSON body.

Endpoints that take photos are declared with form fields (multipart). A client
without photos may send the same fields as ``application/json`` instead; this
parser feeds the JSON object to the form model in that case.

Text containing a NUL character is refused (400 ``invalid``): PostgreSQL cannot
store or compare it. Query strings are refused here as a whole; bodies by the
input Schemas (``schemas.In``), for the fields they declare only, so that the
OpenAPI document (which allows further fields) says exactly what is accepted.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.parser import Parser


def _refuse_nul(value) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise HttpError(400, _("The text contains a NUL character."))
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item)


class FormOrJsonParser(Parser):
    def parse_querydict(self, data, list_fields, request):
        if data is getattr(request, "_post", None) and request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                raise HttpError(400, _("The request body is not valid JSON.")) from None
            if not isinstance(body, dict):
                raise HttpError(400, _("The request body must be a JSON object."))
            return body
        parsed = super().parse_querydict(data, list_fields, request)
        if data is request.GET:
            _refuse_nul(parsed)
        return parsed
