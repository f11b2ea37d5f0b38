"""URLs of the Open311 GeoReport v2 endpoint (``/open311/v2/``)."""

from django.urls import path, re_path

from . import views

app_name = "open311"

FMT = r"(?P<fmt>json|xml)"

urlpatterns = [
    path("v2/", views.discovery, {"fmt": "xml"}, name="root"),
    path("v2/discovery", views.discovery, {"fmt": "xml"}),
    re_path(rf"^v2/discovery\.{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^v2/services\.{FMT}$", views.services, name="services"),
    re_path(rf"^v2/services/(?P<code>[^/]+)\.{FMT}$", views.service_definition, name="service"),
    re_path(rf"^v2/requests\.{FMT}$", views.service_requests, name="requests"),
    re_path(rf"^v2/requests/(?P<request_id>[^/]+)\.{FMT}$", views.service_request, name="request"),
    re_path(rf"^v2/tokens/(?P<token>[^/]+)\.{FMT}$", views.token, name="token"),
    re_path(r"^v2/(?P<rest>.*)\.json$", views.not_found, {"fmt": "json"}),
    re_path(r"^v2/(?P<rest>.*)$", views.not_found, {"fmt": "xml"}),
]
