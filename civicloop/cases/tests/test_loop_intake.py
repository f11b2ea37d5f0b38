"""Intake from every source: locating, routing, numbering, and bad input refused whole."""

import datetime
import re

import pytest
from django.utils import timezone

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseEvent, Evidence, State
from civicloop.cases.permissions import public_actor

from .loop_helpers import report

pytestmark = pytest.mark.django_db

SOURCES = [
    ("inspector", "inspector"),
    ("hotline", "acceptor"),
    ("public", None),
    ("camera", "acceptor"),
    ("leader", "leader_west"),
    ("supervision", "supervisor"),
    ("road_chief", "road_chief"),
    ("volunteer", "acceptor"),
]


@pytest.mark.parametrize(("source", "by"), SOURCES)
def test_every_source_reports(loop, source, by):
    actor = public_actor() if by is None else loop["actors"][by]
    lon, lat = 113.603, 34.70502  # on road section 1, in the west street's cell 01
    case = actions.report_case(actor, source=source, category="E0101", lon=lon, lat=lat)
    assert case.state == State.REPORTED and case.source == source
    assert case.cell == loop["cells"]["41010300100101"] and case.area_class == "A"
    assert case.community == loop["west_c"] and case.street == loop["west"]
    assert case.patrol_area == loop["area"]
    assert case.road_section == loop["sections"][0]
    assert case.road_chief.user == loop["users"]["road_chief"]
    assert case.proposed_unit == loop["offices"]["west"]
    assert "territorial" in case.routing_reason
    assert re.fullmatch(r"E0101\d{8}0001", case.number)
    assert case.events.get().action == CaseEvent.Action.REPORT


@pytest.mark.parametrize(
    ("source", "by"),
    [("inspector", "acceptor"), ("hotline", "inspector"), ("supervision", "handler_west"),
     ("road_chief", "inspector"), ("camera", "handler_clean"), ("hotline", None)],
)  # fmt: skip
def test_sources_need_their_roles(loop, source, by):
    actor = public_actor() if by is None else loop["actors"][by]
    lon, lat = loop["west_point"]
    with pytest.raises(actions.Forbidden):
        actions.report_case(actor, source=source, category="E0101", lon=lon, lat=lat)
    assert not Case.objects.exists()


def test_routing_follows_the_rules(loop):
    assert report(loop, category="E0102").proposed_unit == loop["cleaning"]
    assert (
        report(loop, category="E0101", where="east_point").proposed_unit == loop["offices"]["east"]
    )


def test_numbers_count_per_category_and_day(loop):
    day = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(480))
    numbers = [report(loop, category="E0102", at=day).number for _ in range(3)]
    other = report(loop, category="E0101", at=day).number
    next_day = report(loop, category="E0102", at=day + datetime.timedelta(days=1)).number
    assert numbers == ["E0102202603020001", "E0102202603020002", "E0102202603020003"]
    assert other == "E0101202603020001" and next_day == "E0102202603030001"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"category": ""}, "category", "Choose a category"),
        ({"category": "E9999"}, "category", "not a category"),
        ({"lon": 113.70, "lat": 34.80}, "location", "outside the district"),
        ({"lon": "abc"}, "location", "numbers"),
        ({"lon": float("nan")}, "location", "not a valid"),
        ({"coord_system": "mars"}, "coord_system", "Unknown coordinate system"),
        ({"urgency": "whenever"}, "urgency", "Urgency"),
        ({"description": "x" * 4001}, "description", "At most 4000"),
        ({"standard": "E010101"}, "standard", "not a filing standard"),
        ({"source": "pigeon"}, "source", "Unknown source"),
        ({"reporter_email": "not-an-address"}, "reporter_email", "e-mail"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(loop, kwargs, field, message):
    lon, lat = loop["west_point"]
    args = {"source": "inspector", "category": "E0102", "lon": lon, "lat": lat, **kwargs}
    with pytest.raises(actions.Invalid, match=message) as error:
        actions.report_case(loop["actors"]["inspector"], **args)
    assert error.value.field == field
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_photos_are_checked_before_anything_is_written(loop, photo, settings, tmp_path):
    lon, lat = loop["west_point"]
    inspector = loop["actors"]["inspector"]
    for bad, message in [(b"not an image at all", "Photo 2"), (b"", "Photo 2")]:
        with pytest.raises(actions.Invalid, match=message):
            actions.report_case(inspector, source="inspector", category="E0102", lon=lon, lat=lat,
                                photos=[photo(), bad])  # fmt: skip
    settings.CASES_MAX_UPLOAD_BYTES = 100
    with pytest.raises(actions.Invalid, match="Photo 1"):
        actions.report_case(inspector, source="inspector", category="E0102", lon=lon, lat=lat,
                            photos=[photo(size=(400, 400))])  # fmt: skip
    assert not Case.objects.exists() and not Evidence.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_failed_transaction_leaves_no_files(loop, photo, settings, monkeypatch):
    lon, lat = loop["west_point"]

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions.intake, "nearby_open_cases", explode)
    with pytest.raises(RuntimeError):
        actions.report_case(loop["actors"]["inspector"], source="inspector", category="E0102",
                            lon=lon, lat=lat, photos=[photo()])  # fmt: skip
    assert not Case.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_gcj02_points_are_converted(loop):
    from civicloop.geo.coords import convert

    lon, lat = convert(*loop["west_point"], "wgs84", "gcj02")
    case = actions.report_case(loop["actors"]["inspector"], source="inspector", category="E0102",
                               lon=lon, lat=lat, coord_system="gcj02")  # fmt: skip
    assert case.lon == pytest.approx(loop["west_point"][0], abs=1e-6)
    assert case.lat == pytest.approx(loop["west_point"][1], abs=1e-6)


def test_self_handling_by_an_inspector(loop, photo):
    lon, lat = loop["west_point"]
    a = loop["actors"]
    with pytest.raises(actions.Invalid, match="before and a photo after"):
        actions.report_self_handled(a["inspector"], category="E0201", lon=lon, lat=lat,
                                    before_photos=[photo()], after_photos=[])  # fmt: skip
    with pytest.raises(actions.Forbidden):
        actions.report_self_handled(a["acceptor"], category="E0201", lon=lon, lat=lat,
                                    before_photos=[photo()], after_photos=[photo()])  # fmt: skip
    case = actions.report_self_handled(a["inspector"], category="E0201", lon=lon, lat=lat,
                                       before_photos=[photo()], after_photos=[photo((0, 200, 0))],
                                       description="小广告已清除")  # fmt: skip
    assert case.state == State.PENDING_CLOSURE and case.self_handled
    assert sorted(case.evidence.values_list("kind", flat=True)) == ["after", "before"]
    case = actions.close_case(a["shift_leader"], case)
    assert case.state == State.CLOSED
    assert case.events.get(action="close").data["result"] == "on_time"
