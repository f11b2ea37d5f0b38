"""URLs of the evaluation app (mounted at /evaluation/)."""

from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("cases/", views.cases, name="cases"),
    path("ledger.xlsx", views.ledger, name="ledger"),
    path("bulletin.pdf", views.bulletin, name="bulletin"),
]
