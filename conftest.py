"""Shared pytest fixtures: a tiny district to locate and route in, the case loop,
and one headless Chromium for the browser tests."""

import os

import pytest
import shapely
from django.utils import translation

from civicloop.core import memo
from civicloop.geo import locator, places
from civicloop.geo.models import GridCell, PatrolArea, Region, Road, RoadSection
from civicloop.org.models import Unit
from civicloop.worktime.services import clear_cache


def pytest_configure(config):
    """Under pytest-xdist each worker gets a Redis database of its own.

    The tests clear the cache between tests (``cache.clear()`` is FLUSHDB on
    Redis), so two workers sharing one database would wipe each other's rate
    limit counters mid-test. Worker ``gwN`` uses database N + 1 of the Redis
    server ``CACHE_URL`` names; the database test names already differ per
    worker (pytest-django appends the worker id).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    from django.conf import settings

    cache = settings.CACHES["default"]
    if cache["BACKEND"].endswith("RedisCache"):
        base = (
            cache["LOCATION"].rsplit("/", 1)[0]
            if cache["LOCATION"].count("/") > 2
            else cache["LOCATION"]
        )
        cache["LOCATION"] = f"{base}/{int(worker.removeprefix('gw')) + 1}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database starts with the shipped catalogue (tests roll back to it).

    Loading it costs about half a second, so it is loaded once per session;
    a test that needs an empty catalogue deletes it inside its transaction,
    and the ``loop`` fixture loads it again after a transactional test
    flushed the database.
    """
    from civicloop.cases.catalogue_loader import load_catalogue

    with django_db_blocker.unblock():
        load_catalogue()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """Tests speak plain HTTP to 127.0.0.1 (production's HTTPS settings have their own tests)."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _no_replica_reads(request, settings):
    """Reads stay on the primary except in the replica tests (marked ``replica``)."""
    from civicloop.core.db import forget_replica_state

    settings.REPLICA_READS = request.node.get_closest_marker("replica") is not None
    forget_replica_state()


@pytest.fixture(autouse=True)
def _memo_counters_on_demand(settings):
    """The memo counters are not re-read as time passes (query counts stay exact)."""
    settings.MEMO_CHECK_SECONDS = 3600


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Each test starts with no locator index, calendar, settings or cache entries from another."""
    from django.core.cache import cache

    from civicloop.cases.models import LoopConfig

    def reset():
        locator.invalidate()
        places.invalidate()
        clear_cache()
        LoopConfig.clear_cache()
        # Catalogue, rules, tokens and clients kept in memory; the counters are
        # read only when a test says another process moved them (memo.forget()).
        memo.clear_all(read_counters=False)
        cache.clear()  # rate-limit counters and cached map shapes

    reset()
    yield
    reset()


@pytest.fixture(autouse=True)
def _english_messages():
    """Tests read messages in English; tests of the Chinese UI say so explicitly."""
    with translation.override("en"):
        yield


def _region(code, name, level, kind, parent, geometry=None):
    region = Region(code=code, name=name, level=level, kind=kind, parent=parent)
    region.geometry = geometry
    region.full_clean()
    region.save()
    return region


@pytest.fixture
def district(db):
    """A 2 km × 1 km district at 113.60–113.62 E, 34.70–34.71 N.

    Two streets side by side (west W, east E), each one community. Cells of
    0.005° squares: W has cells 01 (113.600–113.605) and 02 (113.605–113.610)
    sharing an edge at 113.605; cell 02 has a square hole in its middle.
    E has one cell 01 covering 113.610–113.615; the rest of E has no cells.
    A road runs east–west at latitude 34.705 in two sections (west, east).
    """
    d = _region("410103", "测试区", 1, "district", None, shapely.box(113.60, 34.70, 113.62, 34.71))
    west = _region(
        "410103001", "西街道", 2, "subdistrict", d, shapely.box(113.60, 34.70, 113.61, 34.71)
    )
    east = _region(
        "410103002", "东街道", 2, "subdistrict", d, shapely.box(113.61, 34.70, 113.62, 34.71)
    )
    west_c = _region(
        "410103001001", "西社区", 3, "community", west, shapely.box(113.60, 34.70, 113.61, 34.71)
    )
    east_c = _region(
        "410103002001", "东社区", 3, "community", east, shapely.box(113.61, 34.70, 113.62, 34.71)
    )
    area = PatrolArea.objects.create(code="PA1", name="西责任网格", street=west)
    cells = {}
    hole = shapely.box(113.606, 34.702, 113.609, 34.708)
    for code, community, geometry, area_class in [
        ("41010300100101", west_c, shapely.box(113.600, 34.70, 113.605, 34.71), "A"),
        (
            "41010300100102",
            west_c,
            shapely.box(113.605, 34.70, 113.610, 34.71).difference(hole),
            "B",
        ),
        ("41010300200101", east_c, shapely.box(113.610, 34.70, 113.615, 34.71), "C"),
    ]:
        cell = GridCell(code=code, community=community, area_class=area_class,
                        patrol_area=area if community == west_c else None)  # fmt: skip
        cell.geometry = geometry
        cell.full_clean()
        cell.save()
        cells[code] = cell
    road = Road(code="R1", name="测试路", grade=Road.Grade.ARTERIAL)
    road.save()
    sections = []
    for seq, (a, b) in enumerate([(113.60, 113.61), (113.61, 113.62)], start=1):
        section = RoadSection(
            road=road, seq=seq, name=f"测试路{seq}段", street=[west, east][seq - 1]
        )
        section.geometry = shapely.LineString([(a, 34.705), (b, 34.705)])
        section.save()
        sections.append(section)
    offices = {
        "west": Unit.objects.create(
            code="SW", name="西街道办事处", kind=Unit.Kind.STREET_OFFICE, region=west
        ),
        "east": Unit.objects.create(
            code="SE", name="东街道办事处", kind=Unit.Kind.STREET_OFFICE, region=east
        ),
    }
    return {
        "district": d, "west": west, "east": east, "west_c": west_c, "east_c": east_c,
        "cells": cells, "road": road, "sections": sections, "offices": offices, "area": area,
    }  # fmt: skip


# --- the case loop ------------------------------------------------------------


def make_photo(color=(200, 80, 40), size=(64, 48), fmt="JPEG") -> bytes:
    """A small real image, made in memory."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def photo():
    return make_photo


@pytest.fixture
def loop(district, tmp_path, settings):
    """The tiny district with the catalogue, centre staff, units, people and rules.

    Users (password "pw"): inspector (patrol area of the west street),
    inspector2 (no patrol area), acceptor, shift_leader, dispatcher,
    supervisor, admin_role; handler_west / leader_west (west street office),
    handler_east (east street office), handler_clean (street-cleaning company),
    road_chief (section 1 of the test road).
    Rule: E0102 (exposed garbage) → cleaning company; everything else falls
    back to the street office.
    """
    from django.contrib.auth import get_user_model

    from civicloop.cases.catalogue_loader import load_catalogue
    from civicloop.cases.models import LoopConfig, SmallClass
    from civicloop.cases.permissions import actor_for
    from civicloop.org.models import Membership, Person, ResponsibilityRule, Role

    settings.MEDIA_ROOT = tmp_path / "media"
    if not SmallClass.objects.exists():  # preloaded once per session (see django_db_setup)
        load_catalogue()
    centre = Unit.objects.create(code="ZX", name="指挥中心", kind=Unit.Kind.DEPARTMENT)
    cleaning = Unit.objects.create(code="HW", name="环卫清扫公司", kind=Unit.Kind.CONTRACTOR)
    supervision = Unit.objects.create(code="DC", name="区督查局", kind=Unit.Kind.DEPARTMENT)
    ResponsibilityRule.objects.create(category_code="E0102", unit=cleaning)
    config = LoopConfig.get()
    config.supervision_office = supervision
    config.save()
    User = get_user_model()
    users, actors = {}, {}
    for username, unit, role, extra in [
        ("inspector", centre, Role.INSPECTOR, {"patrol_area": district["area"]}),
        ("inspector2", centre, Role.INSPECTOR, {}),
        ("acceptor", centre, Role.ACCEPTOR, {}),
        ("shift_leader", centre, Role.SHIFT_LEADER, {}),
        ("dispatcher", centre, Role.DISPATCHER, {}),
        ("supervisor", supervision, Role.SUPERVISOR, {}),
        ("admin_role", centre, Role.ADMINISTRATOR, {}),
        ("handler_west", district["offices"]["west"], Role.HANDLER, {}),
        ("leader_west", district["offices"]["west"], Role.UNIT_LEADER, {}),
        ("handler_east", district["offices"]["east"], Role.HANDLER, {}),
        ("handler_clean", cleaning, Role.HANDLER, {}),
        ("road_chief", district["offices"]["west"], Role.ROAD_CHIEF,
         {"road_section": district["sections"][0]}),
    ]:  # fmt: skip
        user = User.objects.create_user(username, password="pw")
        person = Person.objects.create(name=username, user=user)
        Membership.objects.create(person=person, unit=unit, role=role, **extra)
        users[username] = user
        actors[username] = actor_for(user)
    return {
        **district, "users": users, "actors": actors, "centre": centre,
        "cleaning": cleaning, "supervision": supervision, "config": config,
        # a point in the west street's cell 01 (area class A, patrol area PA1)
        "west_point": (113.602, 34.703),
        # a point in the east street's cell (area class C, no patrol area)
        "east_point": (113.612, 34.703),
    }  # fmt: skip


@pytest.fixture
def empty_catalogue(db):
    """Tests of the catalogue itself start from an empty one (inside their transaction)."""
    from civicloop.cases.models import CategoryClass, FilingStandard, SmallClass, TimeLimit

    TimeLimit.objects.all().delete()
    FilingStandard.objects.all().delete()
    SmallClass.objects.all().delete()
    CategoryClass.objects.all().delete()


# --- the browser ------------------------------------------------------------------

# Playwright's sync API runs an event loop in the test thread; Django refuses
# ORM calls from such a thread unless told it is fine (the tests are sync).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright: one per test session (never skipped)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
