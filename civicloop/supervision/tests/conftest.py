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
    loop["users"]["district_leader"] = user  # shared with the API and console fixtures
    actors = dict(loop["actors"])
    actors["district_leader"] = actor_for(user)
    west, east = loop["offices"]["west"], loop["offices"]["east"]
    responsible = Person.objects.get(name="leader_west")
    return {**loop, "actors": actors, "west": west, "east": east, "responsible": responsible,
            "settings": config, "west_street": loop["west"], "east_street": loop["east"]}  # fmt: skip


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


def make_campaign(sup, rows=4):
    from civicloop.supervision.actions.campaigns import create_campaign
    from civicloop.supervision.models import CampaignRow

    campaign = create_campaign(
        sup["actors"]["supervisor"], code="access-2019", name="无物业小区智能门禁",
        deadline="2019-07-30", row_noun="compound", done_field="installed",
        fields=[{"key": "installed", "label": "已安装", "kind": "bool"},
                {"key": "enrolled", "label": "已录入居民", "kind": "int"},
                {"key": "rate", "label": "录入率", "kind": "percent"},
                {"key": "note", "label": "备注", "kind": "text"}],
    )  # fmt: skip
    for n in range(rows):
        west = n % 2 == 0
        CampaignRow.objects.create(
            campaign=campaign, key=f"C{n + 1:03d}", name=f"测试小区{n + 1}号院（合成）",
            street=sup["west_street"] if west else sup["east_street"],
            unit=sup["west"] if west else sup["east"], deadline="2019-07-30",
            values={"installed": n == 0, "enrolled": 10 * n}, done=n == 0, updated_at=T0,
        )  # fmt: skip
    return campaign
