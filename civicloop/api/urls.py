"""URLs of the api app: the NinjaAPI and the offline docs assets."""

from django.urls import path

from .api import api
from .docs import asset

app_name = "api"
urlpatterns = [
    path("docs/assets/<str:name>", asset, name="docs-asset"),
    *api.urls[0],
]
