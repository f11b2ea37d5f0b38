"""Admin pages of the catalogue render without N+1 queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civicloop.cases.catalogue_loader import load_catalogue
from civicloop.cases.models import FilingStandard, SmallClass

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_with_catalogue(admin_client):
    load_catalogue()
    return admin_client


@pytest.mark.parametrize("model", ["categoryclass", "smallclass", "filingstandard"])
def test_changelists_render_in_few_queries(
    client_with_catalogue, model, django_assert_max_num_queries
):
    url = reverse(f"admin:cases_{model}_changelist")
    with django_assert_max_num_queries(15):
        response = client_with_catalogue.get(url)
    assert response.status_code == 200


def test_change_pages_render(client_with_catalogue):
    small = SmallClass.by_code("E0101")
    response = client_with_catalogue.get(reverse("admin:cases_smallclass_change", args=[small.pk]))
    assert response.status_code == 200
    assert "E010103" in response.content.decode()
    standard = FilingStandard.objects.get(code="E010101")
    response = client_with_catalogue.get(
        reverse("admin:cases_filingstandard_change", args=[standard.pk])
    )
    assert response.status_code == 200


def test_search_by_keyword(client_with_catalogue):
    response = client_with_catalogue.get(
        reverse("admin:cases_smallclass_changelist"), {"q": "窨井"}
    )
    assert "C0101" in response.content.decode()
