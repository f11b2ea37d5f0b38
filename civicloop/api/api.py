"""The field API: one NinjaAPI, token authentication, one error format."""

from __future__ import annotations

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


class CivicloopAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        # Form endpoints also take the same fields as JSON (see parser.py).
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                content = operation.get("requestBody", {}).get("content", {})
                form = content.get("application/x-www-form-urlencoded")
                if form and "application/json" not in content:
                    content["application/json"] = form
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
