"""Request parsing: form endpoints also accept a JSON body.

Endpoints that take photos are declared with form fields (multipart). A client
without photos may send the same fields as ``application/json`` instead; this
parser feeds the JSON object to the form model in that case.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.parser import Parser


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
        return super().parse_querydict(data, list_fields, request)
