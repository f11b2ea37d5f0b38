"""The field API: one NinjaAPI, token authentication, one error format."""

from __future__ import annotations

import copy

from ninja import NinjaAPI

from . import errors
from .auth import TokenAuth
from .docs import OfflineSwagger
from .endpoints import actions, auth, cases
from .endpoints import supervision as supervision_endpoints
from .endpoints.renovation import router as renovation_router
from .parser import FormOrJsonParser

DESCRIPTION = """JSON API of Civicloop for the field apps of inspectors, handling units
and the command centre.

Authenticate with `POST /api/auth/token` (username and password) and send the
token as `Authorization: Bearer <token>`. Errors are
`{"code": ..., "message": ..., "field": ...}`; messages follow Accept-Language
(Chinese by default). Form bodies may also be sent as a JSON object.
"""


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: Text with a NUL character is refused: by the input Schemas (schemas.In) for body
#: fields, by the parser for query strings.
NO_NUL = "^[^\\x00]*$"


def _resolve(schema: dict, document: dict) -> dict:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def _without_null(schema: dict) -> dict:
    """``X | None`` as a form field: a form has no null, only the field or its absence."""
    options = schema.get("anyOf")
    if options and any(o.get("type") == "null" for o in options):
        rest = [o for o in options if o.get("type") != "null"]
        schema = {k: v for k, v in schema.items() if k != "anyOf"}
        schema.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
    return schema


def _or_null(schema: dict) -> dict:
    """An optional form field sent as JSON: null means absent (ninja drops it)."""
    if schema.get("type") == "null" or any(
        o.get("type") == "null" for o in schema.get("anyOf", [])
    ):
        return schema
    meta = {k: schema[k] for k in ("title", "description", "default") if k in schema}
    inner = {k: v for k, v in schema.items() if k not in meta}
    return {**meta, "anyOf": [inner, {"type": "null"}]}


def _no_nul(schema: dict, document: dict, seen: set) -> None:
    """Every request string (not a file) refuses NUL, as the parser does."""
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            _no_nul(_resolve(schema, document), document, seen)
        return
    if schema.get("type") == "string" and "format" not in schema and "enum" not in schema:
        # The Schemas' own patterns are anchored and leave NUL out already.
        pattern = schema.get("pattern", "")
        if not (pattern.startswith("^") and pattern.endswith("$")):
            assert not pattern, f"unanchored pattern {pattern!r}: anchor it and leave NUL out"
            schema["pattern"] = NO_NUL
    for key in ("anyOf", "allOf", "oneOf"):
        for item in schema.get(key, []):
            _no_nul(item, document, seen)
    for item in schema.get("properties", {}).values():
        _no_nul(item, document, seen)
    if isinstance(schema.get("items"), dict):
        _no_nul(schema["items"], document, seen)
    if isinstance(schema.get("additionalProperties"), dict):
        _no_nul(schema["additionalProperties"], document, seen)


class CivicloopAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """The document ninja builds from the Schemas, plus what the parser adds:

        * form fields carry no null (``X | None`` is X, or the field left out);
        * form endpoints also take the same fields as a JSON object, where an
          optional field may also be null (= left out; see parser.py);
        * a body without required fields may be left out altogether;
        * no text anywhere may hold a NUL character.
        """
        schema = super().get_openapi_schema(*args, **kwargs)
        request_schemas: set = set()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    _no_nul(parameter.get("schema", {}), schema, request_schemas)
                body = operation.get("requestBody")
                if not body:
                    continue
                content = body.get("content", {})
                for kind in FORM_TYPES:
                    if kind in content:
                        form = content[kind]["schema"]
                        form["properties"] = {name: _without_null(field)
                                              for name, field in form.get("properties", {}).items()}  # fmt: skip
                form = content.get("application/x-www-form-urlencoded")
                if form and "application/json" not in content:
                    as_json = copy.deepcopy(form["schema"])
                    required = set(as_json.get("required", []))
                    as_json["properties"] = {
                        name: field if name in required else _or_null(field)
                        for name, field in as_json.get("properties", {}).items()
                    }
                    content["application/json"] = {"schema": as_json}
                for item in content.values():
                    _no_nul(item.get("schema", {}), schema, request_schemas)
                # Form fields may all be left out (no body at all); a JSON body
                # Schema must be sent, if only as {}.
                if (any(kind in content for kind in FORM_TYPES)
                        and not any(_resolve(item.get("schema", {}), schema).get("required")
                                    for item in content.values())):  # fmt: skip
                    body["required"] = False
        return schema


api = CivicloopAPI(
    title="Civicloop field API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    docs=OfflineSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=FormOrJsonParser(),
)
errors.install(api)
api.add_router("", auth.router)
api.add_router("", cases.router)
api.add_router("", actions.router)
api.add_router("", actions.requests_router)
api.add_router("", supervision_endpoints.router)
api.add_router("", renovation_router)
