"""Every domain model (geo, org, worktime, cases) is manageable in the admin, in Chinese, without N+1 queries.

It lives in org, not core: its fixture builds units and people, and core sits below org.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from civicloop.org.models import Person, ResponsibilityRule, Role, Unit

CIVICLOOP_MODELS = [
    m for m in admin.site._registry if m._meta.app_label in {"geo", "org", "worktime", "cases"}
]


@pytest.fixture
def staff_client(client, district):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests")
    client.force_login(user)
    person = Person.objects.create(name="赵六", user=user)
    person.memberships.create(unit=district["offices"]["west"], role=Role.HANDLER)
    ResponsibilityRule.objects.create(category_code="E0505", unit=district["offices"]["east"])
    return client


def test_every_domain_model_is_registered():
    names = {m.__name__ for m in CIVICLOOP_MODELS}
    expected = {"Region", "GridCell", "PatrolArea", "Road", "RoadSection", "Compound", "Unit",
                "Person", "Membership", "ResponsibilityRule", "Calendar", "DayOverride",
                "CategoryClass", "SmallClass", "FilingStandard"}  # fmt: skip
    assert expected <= names


@pytest.mark.parametrize("model", CIVICLOOP_MODELS, ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_open(staff_client, model):
    base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    response = staff_client.get(reverse(f"{base}_changelist"), {"q": "测"})
    assert response.status_code == 200
    response = staff_client.get(reverse(f"{base}_changelist"))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    if admin.site._registry[model].has_add_permission(response.wsgi_request):
        assert staff_client.get(reverse(f"{base}_add")).status_code == 200
    obj = model.objects.first()
    if obj is not None:
        assert staff_client.get(reverse(f"{base}_change", args=[obj.pk])).status_code == 200


def test_admin_is_in_chinese(staff_client):
    page = staff_client.get(reverse("admin:geo_gridcell_changelist")).content.decode()
    assert "单元网格" in page and "区域类别" in page


def test_unit_changelist_queries_do_not_grow_with_rows(staff_client, django_assert_max_num_queries):
    url = reverse("admin:org_person_changelist")
    staff_client.get(url)
    with django_assert_max_num_queries(12) as few:
        staff_client.get(url)
    for n in range(30):
        p = Person.objects.create(name=f"人{n}")
        p.memberships.create(unit=Unit.objects.first(), role=Role.HANDLER)
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(url)


def test_geojson_is_edited_and_validated_in_the_admin(staff_client, district):
    cell = district["cells"]["41010300200101"]
    url = reverse("admin:geo_gridcell_change", args=[cell.pk])
    data = {"code": cell.code, "community": cell.community_id, "area_class": "A",
            "patrol_area": "", "geojson": '{"type": "Point", "coordinates": [113.6, 34.7]}'}  # fmt: skip
    response = staff_client.post(url, data)
    assert response.status_code == 200 and "Point" in response.content.decode()
    data["geojson"] = (
        '{"type":"Polygon","coordinates":[[[113.61,34.70],[113.62,34.70],[113.62,34.71],[113.61,34.70]]]}'
    )
    assert staff_client.post(url, data).status_code == 302
    cell.refresh_from_db()
    assert cell.area_class == "A" and cell.max_lon == pytest.approx(113.62)
