"""URLs of the resident portal (the site root)."""

from django.urls import path

from . import places, renovation, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("report/nearby.json", views.nearby, name="nearby"),
    path("report/places.json", places.search, name="places"),
    path("report/map-point.json", places.map_point, name="map_point"),
    path("report/follow/", views.follow, name="follow"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/rate/", views.rate, name="rate"),
    path("privacy/", views.privacy, name="privacy"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("photos/<int:pk>/<str:variant>/", views.photo, name="photo"),
    path("boundaries.geojson", views.boundaries, name="boundaries"),
    *renovation.urlpatterns,  # compound pages: orders, votes, ratings (老旧小区改造)
]
