"""On-site inspection: problems become a dispatched case or an assigned item; bad input writes nothing."""

import datetime

import pytest
from django.utils import timezone

from civicloop.cases.models import Case
from civicloop.core.errors import Forbidden, Invalid
from civicloop.supervision.actions.inspections import record_inspection
from civicloop.supervision.models import Inspection, InspectionProblem, Item, State

from .conftest import T0

pytestmark = pytest.mark.django_db


def _problems(sup, photo):
    return [
        {"text": "桥下节点垃圾堆积", "lon": 113.602, "lat": 34.703, "unit": sup["west"].code,
         "deadline": "2025-03-12", "outcome": "case", "category": "E0102", "photo": photo()},
        {"text": "街角游园绿化缺失", "lon": 113.612, "lat": 34.703, "unit": sup["east"].code,
         "deadline": "2025-03-31", "outcome": "item"},
    ]  # fmt: skip


def test_problems_become_a_dispatched_case_and_an_item(sup, photo):
    inspection = record_inspection(sup["actors"]["district_leader"], title="陇海路沿线督查",
                                   on="2025-03-10", problems=_problems(sup, photo), at=T0)  # fmt: skip
    first, second = inspection.problems.order_by("seq")
    case = Case.objects.get(pk=first.case_id)
    assert case.state == "dispatched" and case.unit_id == sup["west"].pk
    # the deadline named on the spot, not the filing standard's limit
    assert timezone.localtime(case.handling_deadline).isoformat().startswith("2025-03-12T18:00")
    assert case.events.get(action="dispatch").data["deadline_set"] is True
    assert case.source == "supervision" and case.evidence.count() == 1
    assert case.events.filter(action="dispatch").get().actor_name.startswith("区领导甲")
    assert first.photo.name and first.item is None
    item = second.item
    assert item.state == State.ASSIGNED and item.lead_unit == sup["east"]
    assert item.source == "inspection" and item.deadline == datetime.date(2025, 3, 31)
    assert item.source_title == "陇海路沿线督查"
    assert (
        item.person.name == "handler_east"
    )  # the east office has no unit leader: its first member


def test_a_bad_problem_leaves_nothing_behind(sup, photo):
    problems = _problems(sup, photo)
    problems[1]["unit"] = "NOPE"
    with pytest.raises(Invalid, match="Problem 2") as refused:
        record_inspection(sup["actors"]["district_leader"], title="x", on="2025-03-10",
                          problems=problems, at=T0)  # fmt: skip
    assert refused.value.field == "problems[2].unit"
    problems[1]["unit"] = sup["east"].code
    problems[1]["deadline"] = "2025-03-01"
    with pytest.raises(Invalid, match="before the inspection day"):
        record_inspection(sup["actors"]["district_leader"], title="x", on="2025-03-10",
                          problems=problems, at=T0)  # fmt: skip
    problems[1]["deadline"] = "2025-03-31"
    problems[0]["lon"] = 120.0  # outside the district: refused by the loop's intake
    with pytest.raises(Invalid):
        record_inspection(sup["actors"]["district_leader"], title="x", on="2025-03-10",
                          problems=problems, at=T0)  # fmt: skip
    assert not Inspection.objects.exists() and not InspectionProblem.objects.exists()
    assert not Case.objects.exists() and not Item.objects.exists()


def test_only_leaders_and_the_office_inspect(sup, photo):
    with pytest.raises(Forbidden):
        record_inspection(sup["actors"]["handler_west"], title="x", problems=_problems(sup, photo))
