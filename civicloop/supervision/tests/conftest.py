"""Fixtures of the supervision tests: the loop's tiny district plus the office and a leader.

On top of the root ``loop`` fixture: ``district_leader`` (role ``leader``), the
office (区督查局, where ``supervisor`` works) set as the supervision office, and
a person ``leader_west`` in the west street office to be named responsible.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from civicloop.org.actors import actor_for
from civicloop.org.models import Membership, Person, Role
from civicloop.supervision.actions import register_item
from civicloop.supervision.models import SupervisionSettings

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
#: A Monday in an ordinary week (2025-03-10), 09:00.
T0 = datetime.datetime(2025, 3, 10, 9, 0, tzinfo=ZONE)


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


@pytest.fixture
def sup(loop, django_user_model):
    user = django_user_model.objects.create_user("district_leader", password="pw")
    person = Person.objects.create(name="区领导甲", user=user)
    Membership.objects.create(person=person, unit=loop["supervision"], role=Role.LEADER)
    config = SupervisionSettings.get()
    config.office = loop["supervision"]
    config.save()
    actors = dict(loop["actors"])
    actors["district_leader"] = actor_for(user)
    west, east = loop["offices"]["west"], loop["offices"]["east"]
    responsible = Person.objects.get(name="leader_west")
    return {**loop, "actors": actors, "west": west, "east": east, "responsible": responsible,
            "settings": config}  # fmt: skip


def new_item(sup, **overrides):
    data = {
        "title": "背街小巷环境整治", "requirement": "清理垃圾占道，规范停车秩序",
        "lead_unit": sup["west"].pk, "person": sup["responsible"].pk, "post": "街道办事处主任",
        "responsibility": "牵头整治并每周报送进展", "cooperating_units": [sup["east"].pk],
        "start": datetime.date(2025, 3, 10), "deadline": datetime.date(2025, 3, 28),
        "source_title": "区城市管理工作推进会", "source_date": datetime.date(2025, 3, 7),
    }  # fmt: skip
    data.update(overrides)
    return register_item(sup["actors"]["supervisor"], at=T0, **data)


from civicloop.notify.tests.conftest import robot  # noqa: E402,F401  (the local webhook)
