"""URL map of Civicloop."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from civicloop.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("civicloop.api.urls")),
    path("console/", include("civicloop.console.urls")),
    path("open311/", include("civicloop.open311.urls")),
    # The evaluation moved into the console: old addresses redirect (301).
    path("evaluation/", include("civicloop.console.legacy_urls")),
    # The resident portal owns the site root (home, report, track, privacy).
    path("", include("civicloop.portal.urls")),
]

if settings.DEBUG:  # pragma: no cover - development convenience
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
