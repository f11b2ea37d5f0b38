"""The admin pages of calendars and overrides."""

import datetime

import pytest
from django.urls import reverse

from civicloop.worktime.models import Calendar, DayOverride

pytestmark = pytest.mark.django_db


def test_override_list_with_filters_and_search(admin_client, default_calendar):
    DayOverride.objects.create(date=datetime.date(2025, 3, 10), is_workday=False, note="flood")
    url = reverse("admin:worktime_dayoverride_changelist")
    response = admin_client.get(url, {"q": "flood", "is_workday__exact": "0"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert admin_client.get(url, {"date__year": "2025"}).status_code == 200


def test_calendar_pages(admin_client, default_calendar):
    assert admin_client.get(reverse("admin:worktime_calendar_changelist")).status_code == 200
    url = reverse("admin:worktime_calendar_change", args=[default_calendar.pk])
    assert admin_client.get(url).status_code == 200


def _calendar_form(periods):
    data = {
        "name": "shifts",
        "description": "",
        "periods-TOTAL_FORMS": str(len(periods)),
        "periods-INITIAL_FORMS": "0",
        "periods-MIN_NUM_FORMS": "1",
        "periods-MAX_NUM_FORMS": "1000",
    }
    for index, (start, end) in enumerate(periods):
        data[f"periods-{index}-start"] = start
        data[f"periods-{index}-end"] = end
    return data


def test_overlapping_periods_are_refused_by_the_inline(admin_client):
    url = reverse("admin:worktime_calendar_add")
    response = admin_client.post(url, _calendar_form([("08:00", "12:00"), ("11:00", "13:00")]))
    assert response.status_code == 200
    assert not Calendar.objects.filter(name="shifts").exists()


def test_a_calendar_with_periods_is_added(admin_client):
    url = reverse("admin:worktime_calendar_add")
    response = admin_client.post(url, _calendar_form([("14:00", "18:00"), ("08:00", "12:00")]))
    assert response.status_code == 302
    assert Calendar.objects.get(name="shifts").periods.count() == 2
