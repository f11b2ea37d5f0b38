"""The demo history: what the fast executor writes is what the actions write.

One demo (places, units, people; no history) is built for the module; each
test generates scripts over it and rolls its writes back.
"""

import collections
import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicloop.cases.models import (
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseRequest,
    DailySequence,
    Rating,
    Source,
    State,
    SupervisionOrder,
)
from civicloop.cases.rules import RULES
from civicloop.core.errors import Forbidden
from civicloop.demo import history as H
from civicloop.demo.history import Plan
from civicloop.org.models import Role

from .conftest import build_demo, flush

# A Friday afternoon in an ordinary working fortnight (no holiday), so the
# forced outcomes all finish inside the history.
FRIDAY = timezone.make_aware(datetime.datetime(2025, 3, 28, 16, 0))

FORCED = [
    Plan(source=Source.INSPECTOR, category="E0102", self_handle=True),
    Plan(source=Source.PUBLIC, category="E0504", false_report=True),
    Plan(source=Source.INSPECTOR, category="E0504", not_accepted=True),
    Plan(source=Source.ROAD_CHIEF, category="E0505", not_filed=True),
    Plan(source=Source.LEADER, category="E0102", void=True),
    Plan(source=Source.INSPECTOR, category="E0504", returned=True),
    Plan(source=Source.SUPERVISION, category="E0102", returned=True, return_late=True),
    Plan(source=Source.INSPECTOR, category="E0102", extension=True),
    Plan(source=Source.CAMERA, category="E0506", extension=True, extension_rejected=True),
    Plan(source=Source.INSPECTOR, category="E0102", suspension=True, suspended_days=2),
    Plan(source=Source.VOLUNTEER, category="E0102", overdue=True, supervision=True),
    Plan(source=Source.INSPECTOR, category="C0101", overdue=True, urgency="urgent"),
    Plan(source=Source.INSPECTOR, category="E0504", reworks=1),
    Plan(source=Source.PUBLIC, category="E0102", rating=5),
    Plan(source=Source.HOTLINE, category="E0102", rating=1, reopen_approved=True),
    Plan(source=Source.HOTLINE, category="E0102", rating=2, reopen_approved=False),
    Plan(source=Source.HOTLINE, category="E0507"),
    Plan(source=Source.HOTLINE, category="E0507", duplicate=True),
    Plan(source=Source.PUBLIC, category="E0507", duplicate=True),
]


@pytest.fixture(scope="module")
def erqi(django_db_setup, django_db_blocker):
    build_demo(django_db_blocker, "--days", "0")
    yield
    flush(django_db_blocker)


@pytest.fixture
def world(erqi, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return H.World(seed=7, now=FRIDAY)


def _snapshot(pks) -> dict:
    """Everything written for these cases, with database ids replaced by case numbers."""
    cases = {c.pk: c for c in Case.objects.filter(pk__in=pks)}
    number = {pk: c.number for pk, c in cases.items()}
    skip = {"id", "tracking_code", "is_synthetic"}
    rows = {}
    for case in cases.values():
        row = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
        row["duplicate_of_id"] = number.get(case.duplicate_of_id)
        rows[case.number] = {k: v for k, v in row.items() if k not in skip}
    requests = {r.pk: r for r in CaseRequest.objects.filter(case_id__in=pks)}
    orders = {o.pk: o for o in SupervisionOrder.objects.filter(case_id__in=pks)}
    ratings = {r.pk: r for r in Rating.objects.filter(case_id__in=pks)}

    def ref(kind, pk):
        obj = {"request": requests, "order": orders, "rating": ratings}[kind][pk]
        when = getattr(obj, "requested_at", None) or getattr(obj, "issued_at", None)
        return (number[obj.case_id], when or obj.rated_at, getattr(obj, "kind", kind))

    def data(value):
        value = dict(value)
        for kind in ("request", "order", "rating"):
            if kind in value:
                value[kind] = ref(kind, value[kind])
        for key in ("into", "duplicate"):
            if key in value:
                value[key] = number[value[key]]
        if "possible_duplicates" in value:
            value["possible_duplicates"] = [number[pk] for pk in value["possible_duplicates"]]
        return value

    history = collections.defaultdict(list)
    for e in CaseEvent.objects.filter(case_id__in=pks).order_by("at", "id"):
        history[number[e.case_id]].append(
            (e.at, e.actor_id, e.actor_name, e.role, e.unit_id, e.action, e.from_state,
             e.to_state, e.note, e.on_time, e.is_public, data(e.data))
        )  # fmt: skip

    def plain(objects, *fields):
        return sorted(
            (number[o.case_id], *[getattr(o, f) for f in fields]) for o in objects.values()
        )

    return {
        "cases": rows,
        "history": dict(history),
        "requests": plain(
            requests,
            "kind",
            "status",
            "unit_id",
            "reason",
            "hours",
            "granted_hours",
            "after_deadline",
            "requested_by_id",
            "requested_at",
            "decided_by_id",
            "decided_at",
            "decision_note",
        ),  # fmt: skip
        "orders": plain(
            orders,
            "unit_id",
            "issued_by_id",
            "issued_at",
            "opinion",
            "reply_due",
            "status",
            "reply",
            "replied_by_id",
            "replied_at",
        ),  # fmt: skip
        "ratings": plain(ratings, "level", "reason", "rated_at"),
        "sequences": dict(DailySequence.objects.values_list("key", "value")),
    }


def _outcomes(snapshot) -> set[str]:
    found = set()
    for number, events in snapshot["history"].items():
        case = snapshot["cases"][number]
        actions = [e[5] for e in events]
        found.update(actions)
        found.add(case["state"])
        if case["cancel_reason"]:
            found.add(case["cancel_reason"])
        if case["handled_on_time"] is False:
            found.add("overdue")
        if any(e[5] == "approve_return" and e[11].get("after_deadline") for e in events):
            found.add("late_return")
    return found


#: Rows of the rule table the history does not simulate: it writes no photos and
#: no followers (see the module docstring of civicloop.demo.history).
NOT_SIMULATED = {"add_evidence", "follow", *RULES.names("see")}  # "see": no action


def _the_rest_of_the_table(gen, start):
    """Script, through the fast executor, the transitions the generator's policy never
    takes (rejected returns, suspensions and voids, an assigned inspector, a refusal
    after verification), so the comparison covers every row of the rule table."""
    w = gen.w
    one = gen.one
    acceptor, leader, dispatcher = one(Role.ACCEPTOR), one(Role.SHIFT_LEADER), one(Role.DISPATCHER)
    minutes = iter(range(0, 10_000, 9))

    def at():
        return start + datetime.timedelta(minutes=next(minutes))

    def new(source, reporter):
        sim = H.CaseSim(w, len(gen.sims))
        lon, lat = gen.place(Plan(source=source, category="E0102"))
        sim.report(at(), reporter, source=source, category="E0102", lon=lon, lat=lat,
                   urgency="normal", description="规则表覆盖（合成数据）", address="")  # fmt: skip
        gen.sims.append(sim)
        return sim

    # 1. a handled case with every rejection, an assigned inspector and a resumed suspension
    sim = new(Source.HOTLINE, acceptor)
    inspector = next(iter(w.inspector.values()))
    sim.assign_inspector(at(), leader, inspector=inspector, note="指定核实人员")
    sim.accept(at(), acceptor)
    sim.file(at(), leader)
    case = sim.case
    unit = case.proposed_unit_id if case.proposed_unit_id in w.handler else None
    unit = unit or w.street_office.get(case.street_id)
    sim.dispatch(at(), dispatcher, unit=unit)
    handler = w.handler[unit]
    sim.sign(at(), handler)
    sim.request_return(at(), handler, reason="非本单位职责")
    sim.reject_return(at(), dispatcher, "属于本单位职责")
    sim.request_void(at(), acceptor, reason="疑似测试案件")
    sim.reject_void(at(), leader, "不是测试案件")
    sim.request_suspension(at(), handler, reason="需结合工程处置")
    sim.reject_suspension(at(), dispatcher, "可以按期处置")
    sim.request_extension(at(), handler, hours=4, reason="需要更多时间")
    sim.submit(at(), handler, "已处置")  # the pending extension lapses
    sim.check(at(), inspector, passed=True)
    sim.close(at(), leader)
    # 2. verified true, then not filed by the shift leader
    sim = new(Source.HOTLINE, acceptor)
    sim.assign_inspector(at(), leader, inspector=inspector)
    sim.send_for_verification(at(), acceptor)
    sim.verify(at(), inspector, true_report=True)
    sim.refuse(at(), leader, reason="不符合立案条件")
    # 3. a void asked for while a unit's requests wait: approving it lapses them
    sim = new(Source.HOTLINE, acceptor)
    sim.accept(at(), acceptor)
    sim.file(at(), leader)
    unit = sim.case.proposed_unit_id if sim.case.proposed_unit_id in w.handler else None
    unit = unit or w.street_office.get(sim.case.street_id)
    sim.dispatch(at(), dispatcher, unit=unit)
    sim.request_extension(at(), w.handler[unit], hours=8, reason="需要更多时间")
    sim.request_void(at(), dispatcher, reason="重复录入")
    sim.approve_void(at(), leader)


def test_a_dispatcher_may_not_decide_a_void_in_the_demo_either(world):
    gen = H.Generator(world)
    sim = H.CaseSim(world, 0)
    lon, lat = gen.place(Plan())
    sim.report(FRIDAY - datetime.timedelta(days=1), gen.one(Role.ACCEPTOR), source=Source.HOTLINE,
               category="E0102", lon=lon, lat=lat, urgency="normal", description="", address="")  # fmt: skip
    sim.request_void(FRIDAY - datetime.timedelta(hours=20), gen.one(Role.ACCEPTOR), reason="测试")
    with pytest.raises(Forbidden):
        sim.approve_void(FRIDAY - datetime.timedelta(hours=19), gen.one(Role.DISPATCHER))


def test_the_fast_executor_writes_exactly_what_the_actions_write(world, photo):
    gen = H.generate(world, days=10, per_day=8, plans=list(FORCED))
    assert len(gen.sims) > 60
    _the_rest_of_the_table(gen, FRIDAY - datetime.timedelta(days=4, hours=2))
    assert set(RULES.names()) - NOT_SIMULATED <= world.covered, (
        set(RULES.names()) - NOT_SIMULATED - world.covered
    )
    with transaction.atomic():
        H.write(gen)
        fast = _snapshot([s.case.pk for s in gen.sims])
        transaction.set_rollback(True)
    with transaction.atomic():
        replayed = H.replay(gen, photo())
        slow = _snapshot([c.pk for c in replayed.values()])
        transaction.set_rollback(True)
    assert set(fast["cases"]) == set(slow["cases"])
    for number, row in fast["cases"].items():
        assert row == slow["cases"][number], number
        assert fast["history"][number] == slow["history"][number], number
    for key in ("requests", "orders", "ratings", "sequences"):
        assert fast[key] == slow[key], key
    # every kind of outcome took part in the comparison
    expected = {
        "self_handle", "not_accepted", "not_filed", "void", "merged", "approve_return",
        "late_return", "approve_extension", "reject_extension", "approve_suspension", "resume",
        "supervise", "reply_supervision", "overdue", "rate", "reopen", "reject_reopen",
        "closed", "absorb", "light", State.IN_PROGRESS, State.REPORTED,
    }  # fmt: skip
    assert expected <= _outcomes(fast), expected - _outcomes(fast)
    assert any(
        e[5] == "check" and e[11]["passed"] is False and e[11]["rework"] == 1
        for events in fast["history"].values()
        for e in events
    )


def _indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"
                       " ORDER BY name")  # fmt: skip
        return cursor.fetchall()


def test_the_fast_path_only_inserts(world):
    gen = H.generate(world, days=3, per_day=20)
    before = _indexes() if connection.vendor == "sqlite" else None
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        H.write(gen)
        if before is not None:  # dropped for the insert, built again from the same SQL
            assert _indexes() == before
        transaction.set_rollback(True)
    touching = [
        q["sql"] for q in queries.captured_queries
        if re.search(r"cases_case(event)?\b", q["sql"])
        and not re.match(r"(\d+ times: )?(INSERT|SELECT|DROP INDEX|CREATE INDEX)\b",
                         q["sql"].lstrip(), re.IGNORECASE)
    ]  # fmt: skip
    assert touching == []


def test_numbers_are_unique_and_follow_the_daily_sequences(world):
    gen = H.generate(world, days=3, per_day=60)
    existing = Case.objects.count()  # the demo's inspection cases (督查督办)
    with transaction.atomic():
        count = H.write(gen)
        numbers = list(Case.objects.values_list("number", flat=True))
        assert len(numbers) == count + existing == len(set(numbers))
        assert all(re.fullmatch(r"[CE]\d{4}\d{8}\d{4}", n) for n in numbers)
        last = collections.Counter()
        for n in numbers:
            last[n[:13]] = max(last[n[:13]], int(n[13:]))
        assert dict(DailySequence.objects.values_list("key", "value")) == dict(last)
        for case in Case.objects.all()[:50]:
            assert case.number[1:5] == case.small_class.full_code[1:]
            assert case.number[5:13] == f"{timezone.localtime(case.reported_at):%Y%m%d}"
        transaction.set_rollback(True)


def _between(value, low, high, what):
    assert low <= value <= high, f"{what}: {value:.3f} not in [{low}, {high}]"


def test_shares_fall_in_their_ranges(world):
    gen = H.generate(world, days=20, per_day=100, showcase=False)
    sims = gen.sims
    cases = [s.case for s in sims]
    n = len(cases)
    assert 20 * 100 * 0.8 < n < 20 * 100 * 1.2
    sources = collections.Counter(c.source for c in cases)
    assert set(sources) == set(Source.values)
    assert sources.most_common(1)[0][0] == Source.INSPECTOR
    _between(sources[Source.INSPECTOR] / n, 0.40, 0.52, "inspector share")
    closed = [c for c in cases if c.state == State.CLOSED and not c.self_handled]
    _between(sum(c.handled_on_time is False for c in closed) / len(closed), 0.07, 0.13, "overdue")
    dispatched = [c for c in cases if c.dispatched_at]
    _between(sum(c.rework_count > 0 for c in dispatched) / len(dispatched), 0.03, 0.075, "rework")
    _between(sum(c.return_count > 0 for c in dispatched) / len(dispatched), 0.015, 0.045, "returns")
    _between(sum(c.extension_count > 0 for c in dispatched) / len(dispatched), 0.02, 0.06, "ext.")
    _between(
        sum(c.suspension_count > 0 for c in dispatched) / len(dispatched), 0.005, 0.03, "susp."
    )
    _between(sum(c.supervision_count > 0 for c in dispatched) / len(dispatched), 0.02, 0.08, "sup.")
    _between(sum(c.self_handled for c in cases) / n, 0.03, 0.07, "self-handled")
    reasons = collections.Counter(c.cancel_reason for c in cases if c.cancel_reason)
    assert set(reasons) == {"not_accepted", "not_filed", "void", "merged"}
    _between(reasons["merged"] / n, 0.003, 0.03, "merged")
    public = [c for c in cases if c.source == Source.PUBLIC]
    false = sum(c.cancel_reason == "not_accepted" for c in public) / len(public)
    _between(false, 0.10, 0.28, "public reports found false")
    ratings = [r.level for s in sims for r in s.ratings]
    _between(sum(level <= 2 for level in ratings) / len(ratings), 0.07, 0.20, "unsatisfied")
    assert any(c.reopen_count for c in cases)
    streets = {c.street_id for c in cases}
    assert len(streets) == 19
    assert {c.small_class.full_code for c in cases} == set(H.CATEGORY_WEIGHTS)
    late_returns = [r for s in sims for r in s.requests if r.kind == "return" and r.after_deadline]
    assert late_returns


def test_the_last_days_hold_every_open_state_and_every_light(erqi, db):
    world = H.World(seed=3)  # now: whatever day and hour the test runs
    gen = H.generate(world, days=2, per_day=40)
    H._finish(gen)
    seen = {(s.case.state, s.case.light) for s in gen.sims}
    for state in OPEN_STATES:
        if state == State.SUSPENDED:
            assert (State.SUSPENDED, "") in seen
            continue
        for light in ("green", "yellow", "red"):
            assert (state, light) in seen, (state, light)
    assert {State.CLOSED, State.CANCELLED} <= {state for state, _light in seen}
    for sim in gen.sims:
        c = sim.case
        if c.state in OPEN_STATES and c.light:
            expected = "red" if world.end > c.due_at else (
                "yellow" if world.end > c.yellow_at else "green")  # fmt: skip
            assert c.light == expected, c.number


def test_the_actors_are_the_demo_people_in_their_scope(world):
    gen = H.generate(world, days=2, per_day=40)
    for sim in gen.sims:
        case = sim.case
        for event in sim.events:
            if event["action"] in ("verify", "check"):
                assert event["actor_id"] == world.inspector[case.patrol_area_id]
            if event["action"] in ("sign", "submit_result", "request_extension"):
                assert event["actor_id"] == world.handler[event["unit_id"]]
    assert all(Decimal(c.extension_hours) >= 0 for c in (s.case for s in gen.sims))


def test_the_history_writes_beside_cases_already_there(erqi, db, settings, tmp_path, photo):
    """Real (non-demo) cases and their history stay; ids and numbers do not clash, and
    the actions still work afterwards (the sequences are past the history's ids)."""
    from django.contrib.auth import get_user_model

    from civicloop.cases import actions
    from civicloop.cases.permissions import actor_for

    settings.MEDIA_ROOT = tmp_path / "media"
    existing = Case.objects.count()  # the demo's inspection cases (督查督办)
    inspector = actor_for(get_user_model().objects.get(username="inspector01"))
    acceptor = actor_for(get_user_model().objects.get(username="acceptor01"))
    world = H.World(seed=7, now=FRIDAY)
    lon, lat = H.Generator(world).place(Plan())
    before = [
        actions.report_case(inspector, source="inspector", category="E0102", lon=lon, lat=lat,
                            description="真实案件", at=FRIDAY - datetime.timedelta(hours=2))
        for _i in range(3)
    ]  # fmt: skip
    actions.accept_case(acceptor, before[0], at=FRIDAY - datetime.timedelta(hours=1))
    events_before = CaseEvent.objects.count()
    world = H.World(seed=7, now=FRIDAY)
    gen = H.generate(world, days=3, per_day=20)
    with transaction.atomic():
        count = H.write(gen)
    assert Case.objects.count() == count + 3 + existing
    assert CaseEvent.objects.filter(case__in=before).count() == 4
    assert CaseEvent.objects.count() == events_before + sum(len(s.events) for s in gen.sims)
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    later = actions.report_case(inspector, source="inspector", category="E0102", lon=lon, lat=lat,
                                photos=[photo()], at=FRIDAY + datetime.timedelta(minutes=5))  # fmt: skip
    actions.accept_case(acceptor, later, at=FRIDAY + datetime.timedelta(minutes=10))
    assert later.pk > max(s.case.pk for s in gen.sims)
    assert CaseEvent.objects.filter(case=later).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="identity columns are PostgreSQL's")
def test_the_history_does_not_need_the_id_columns_default(world):
    # A database restored without its identity defaults refused the history
    # rows with 'null value in column "id" of relation "cases_caseevent"'.
    gen = H.generate(world, days=2, per_day=20)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute('ALTER TABLE "cases_caseevent" ALTER COLUMN "id" DROP IDENTITY')
        count = H.write(gen)
        assert CaseEvent.objects.filter(case__is_synthetic=True).count() == sum(
            len(s.events) for s in gen.sims
        )
        assert count == len(gen.sims)
        transaction.set_rollback(True)
