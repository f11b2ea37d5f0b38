"""The evaluation's old addresses (/evaluation/…), now in the console: permanent
redirects that keep the query string, so bookmarks and shared links still work."""

from django.urls import path
from django.views.generic import RedirectView


def _moved(name: str):
    return RedirectView.as_view(pattern_name=name, permanent=True, query_string=True)


urlpatterns = [
    path("", _moved("console:evaluation")),
    path("cases/", _moved("console:evaluation_cases")),
    path("ledger.xlsx", _moved("console:evaluation_ledger")),
    path("bulletin.pdf", _moved("console:evaluation_bulletin")),
]
