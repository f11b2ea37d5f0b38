"""The API docs page (Swagger UI) served without any CDN.

django-ninja bundles Swagger UI but serves it through ``staticfiles`` only
when ``ninja`` is an installed app (otherwise it loads it from a CDN). The
project does not install it as an app, so this module renders the page itself
and serves the three bundled files from the ninja package.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.cache import cache_control
from ninja.openapi.docs import DocsBase

ASSETS_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {"swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css", "favicon.png"}

PAGE = """<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<title>{title}</title>
<link rel="icon" href="{assets}favicon.png">
<link rel="stylesheet" href="{assets}swagger-ui.css">
</head><body>
<script type="application/json" id="swagger-settings">{settings}</script>
<div id="swagger-ui"></div>
<script src="{assets}swagger-ui-bundle.js"></script>
<script src="{assets}swagger-ui-init.js"></script>
</body></html>"""


class OfflineSwagger(DocsBase):
    def render_page(self, request, api, **kwargs) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout",
                    "deepLinking": True}  # fmt: skip
        assets = reverse("api:docs-asset", kwargs={"name": "x"})[:-1]
        return HttpResponse(
            PAGE.format(
                title=escape(api.title),
                assets=assets,
                # JSON inside <script>: "</" must not end the element.
                settings=json.dumps(settings).replace("</", "<\\/"),
            )
        )


@cache_control(max_age=86400, public=True)
def asset(request, name: str):
    if name not in ASSETS:
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(open(ASSETS_DIR / name, "rb"), content_type=content_type)
