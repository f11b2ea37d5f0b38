"""A small programme on the tiny district: two compounds, one per community, and people.

``reno`` gives: programme, batches (first, second), projects ``west`` (in the
west community) and ``east``, staff actors ``worker`` (community worker of
the west community), ``worker_east``, ``officer`` (renovation office),
``adopter`` (a civilized unit), ``adopter2``, ``admin``, ``nobody`` (an
inspector), and three west households with their plain codes.
"""

import datetime

import pytest
import shapely
from django.contrib.auth import get_user_model

from civicloop.geo.models import Compound
from civicloop.org.actors import actor_for
from civicloop.org.models import Membership, Person, Role, Unit
from civicloop.renovation.actions import ensure_stages, issue_codes, resident_for
from civicloop.renovation.menu import seed as seed_menu
from civicloop.renovation.models import Batch, Programme, Project


def _user(username, unit, role):
    user = get_user_model().objects.create_user(username, password="pw")
    person = Person.objects.create(name=username, user=user, is_synthetic=True)
    Membership.objects.create(person=person, unit=unit, role=role)
    return user


def _compound(code, name, community, box):
    compound = Compound(code=code, name=name, community=community, households=3)
    compound.geometry = shapely.box(*box)
    compound.save()
    return compound


@pytest.fixture
def reno(district, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The menu comes with a data migration; a transactional test's flush removes it.
    seed_menu()
    today = datetime.date.today()
    programme = Programme.objects.create(code="P1", name="测试改造")
    first = Batch.objects.create(programme=programme, seq=1, name="第一批",
                                 starts_on=today - datetime.timedelta(days=100),
                                 deadline=today + datetime.timedelta(days=100))  # fmt: skip
    second = Batch.objects.create(programme=programme, seq=2, name="第二批",
                                  starts_on=today - datetime.timedelta(days=100),
                                  deadline=today + datetime.timedelta(days=300))  # fmt: skip
    cw = _compound("XQ1", "西小区", district["west_c"], (113.601, 34.701, 113.603, 34.703))
    ce = _compound("XQ2", "东小区", district["east_c"], (113.611, 34.701, 113.613, 34.703))
    west = Project.objects.create(programme=programme, batch=first, compound=cw,
                                  project_class="quality", level="complete", approach="area",
                                  bid_section="一标段", contractor="施工公司")  # fmt: skip
    east = Project.objects.create(programme=programme, batch=second, compound=ce,
                                  project_class="improvement", level="basic")  # fmt: skip
    for project in (west, east):
        ensure_stages(project)
    west_committee = Unit.objects.create(code="JW1", name="西社区居委会", kind=Unit.Kind.OTHER,
                                         region=district["west_c"])  # fmt: skip
    east_committee = Unit.objects.create(code="JW2", name="东社区居委会", kind=Unit.Kind.OTHER,
                                         region=district["east_c"])  # fmt: skip
    office = Unit.objects.create(code="ZFBZ", name="区住房保障中心", kind=Unit.Kind.DEPARTMENT)
    civilized = Unit.objects.create(code="WM1", name="文明单位一", kind=Unit.Kind.OTHER)
    company = Unit.objects.create(code="QY1", name="企业一", kind=Unit.Kind.CONTRACTOR)
    users = {
        "worker": _user("worker", west_committee, Role.COMMUNITY_WORKER),
        "worker_east": _user("worker_east", east_committee, Role.COMMUNITY_WORKER),
        "officer": _user("officer", office, Role.RENOVATION_OFFICER),
        "adopter": _user("adopter", civilized, Role.ADOPTER),
        "adopter2": _user("adopter2", company, Role.ADOPTER),
        "admin": _user("reno_admin", office, Role.ADMINISTRATOR),
        "nobody": _user("nobody", district["offices"]["west"], Role.INSPECTOR),
    }
    actors = {name: actor_for(user) for name, user in users.items()}
    issued = issue_codes(actors["worker"], west, ["1-101", "1-102", "1-201"])
    codes = [code for _h, code in issued]
    (east_issued,) = issue_codes(actors["worker_east"], east, ["9-901"])
    return {
        "programme": programme, "first": first, "second": second, "west": west, "east": east,
        "users": users, "actors": actors, "codes": codes, "east_code": east_issued[1],
        "residents": [resident_for(c) for c in codes], "civilized": civilized,
        "company": company, "district": district,
    }  # fmt: skip
