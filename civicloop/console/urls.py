"""URLs of the staff console (mounted at /console/)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import (
    batch,
    desks,
    evaluation_views,
    exports,
    map_views,
    places,
    renovation,
    supervision_views,
    views,
)
from .extract_views import urlpatterns as extract_urlpatterns

app_name = "console"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="console/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("map/cases.json", views.map_cases, name="map_cases"),
    path("map/streets.json", views.map_streets, name="map_streets"),
    path("map/cells.json", views.map_cells, name="map_cells"),
    path("map/layers/<slug:name>.json", map_views.layer, name="map_layer"),
    path("map/wgs84.json", map_views.to_wgs84, name="map_wgs84"),
    path("places/search", places.search, name="places_search"),
    path("cases/", views.case_list, name="cases"),
    path("cases/batch/", batch.case_batch, name="case_batch"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/act/<slug:name>/", views.case_act, name="case_act"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/<slug:decision>/", views.decide_request, name="decide_request"),
    path("supervision/", views.supervision_list, name="supervision"),
    path("supervision/<int:pk>/reply/", views.supervision_reply, name="supervision_reply"),
    path("report/", views.report, name="report"),
    path("hotline/", views.report, {"source": "hotline"}, name="hotline"),
    # What the desks show before an action is confirmed (console/desks.py).
    path("hotline/duplicates.json", desks.hotline_duplicates, name="hotline_duplicates"),
    path("hotline/follow/<int:pk>/", desks.hotline_follow, name="hotline_follow"),
    path("desk/standards.json", desks.standards, name="desk_standards"),
    path("evidence/<int:pk>/<slug:variant>/", views.evidence_file, name="evidence"),
    *renovation.urlpatterns,  # the renovation desks (老旧小区改造)
    # Exports and print (console/exports.py).
    path("cases/export.xlsx", exports.case_export, name="case_export"),
    path("cases/<int:pk>/sheet.pdf", exports.case_sheet, name="case_sheet"),
    # The evaluation (console/evaluation_views.py; figures in civicloop.evaluation).
    path("evaluation/", evaluation_views.ranking, name="evaluation"),
    path("evaluation/cases/", evaluation_views.cases, name="evaluation_cases"),
    path("evaluation/ledger.xlsx", evaluation_views.ledger, name="evaluation_ledger"),
    path("evaluation/bulletin.pdf", evaluation_views.bulletin, name="evaluation_bulletin"),
]
urlpatterns += supervision_views.urlpatterns  # the supervision desk (督查督办)
urlpatterns += extract_urlpatterns  # items from a meeting report
