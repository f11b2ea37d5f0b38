"""Compiled querysets (civicloop.core.compiled) give what the ORM gives, and say when
a queryset cannot be compiled."""

import pytest
from django.db import connection
from django.db.models import Q

from civicloop.cases.models import Case, CaseEvent, State
from civicloop.core.compiled import Compiled

from .loop_helpers import advance, report

pytestmark = pytest.mark.django_db


def fields(obj, model):
    return {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}


@pytest.fixture
def cases(loop):
    first = advance(loop, report(loop), State.IN_PROGRESS)
    second = report(loop, where="east_point")
    return first, second


def test_instances_with_select_related_match_the_orm(cases):
    compiled = Compiled(Case, int)

    def build(pk):
        return Case.objects.filter(pk=pk).select_related(
            "small_class", "unit", "street", "assigned_inspector__person", "standard"
        )

    for case in cases:
        got = compiled.first("detail", build, case.pk)
        want = build(case.pk).get()
        assert fields(got, Case) == fields(want, Case)
        assert got._state.adding is False and got._state.db == "default"
        # related objects came with the row (None where the key is empty)
        for name in ("small_class", "unit", "street", "standard"):
            assert Case._meta.get_field(name).is_cached(got)
            assert getattr(got, name) == getattr(want, name)
    assert compiled.first("detail", build, 10**12) is None


def test_values_lists_flat_and_counts_match_the_orm(cases):
    def build(pk):
        return CaseEvent.objects.filter(case_id=pk).order_by("at", "id")

    case = cases[0]
    dicts = Compiled(CaseEvent, int).all(
        "d", lambda pk: build(pk).values("id", "action", "at", "data", "case__number"), case.pk
    )
    assert dicts == list(build(case.pk).values("id", "action", "at", "data", "case__number"))
    assert isinstance(dicts[0]["data"], dict)  # JSON decoded, as the ORM does
    tuples = Compiled(CaseEvent, int).all(
        "t", lambda pk: build(pk).values_list("action", "to_state"), case.pk
    )
    assert tuples == list(build(case.pk).values_list("action", "to_state"))
    flat = Compiled(CaseEvent, int).all(
        "f", lambda pk: build(pk).values_list("at", flat=True), case.pk
    )
    assert flat == list(build(case.pk).values_list("at", flat=True))
    counter = Compiled(CaseEvent, int)
    assert counter.count("c", build, case.pk) == build(case.pk).count() == 5
    assert counter.count("c", build, case.pk, limit=3) == 3


def test_strings_and_several_values(cases):
    compiled = Compiled(Case, str, int)

    def build(state, pk):
        return Case.objects.filter(state=state, pk__gte=pk).values_list("pk", flat=True)

    low = min(c.pk for c in cases)
    assert sorted(compiled.all("s", build, State.REPORTED, low)) == [cases[1].pk]
    assert sorted(compiled.all("s", build, State.IN_PROGRESS, low)) == [cases[0].pk]
    assert compiled.all("s", build, State.CLOSED, low) == []


def test_an_empty_filter_runs_no_query(cases, django_assert_num_queries):
    compiled = Compiled(Case)
    with django_assert_num_queries(0):
        assert compiled.all("none", lambda: Case.objects.filter(pk__in=[])) == []
        assert compiled.count("none", lambda: Case.objects.none()) == 0


def test_the_sql_is_built_once_per_shape(cases, django_assert_num_queries):
    compiled = Compiled(Case, int, max_shapes=2)
    built = []

    def build(pk, scope):
        built.append(scope)
        return Case.objects.filter(scope, pk=pk)

    everything = Q(pk__gte=0)
    for case in cases:
        assert compiled.first(("all",), lambda pk: build(pk, everything), case.pk) == case
    assert len(built) == 1
    nothing = Q(pk__lt=0)
    assert compiled.first(("none",), lambda pk: build(pk, nothing), cases[0].pk) is None
    assert compiled.first(("x",), lambda pk: build(pk, everything), cases[0].pk) == cases[0]
    # at most two shapes are kept: the oldest ("all") was built again
    assert compiled.first(("all",), lambda pk: build(pk, everything), cases[1].pk) == cases[1]
    assert len(built) == 4
    with django_assert_num_queries(1):
        compiled.first(("all",), lambda pk: build(pk, everything), cases[1].pk)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda code: Case.objects.filter(number__startswith=code), "exactly one unchanged"),
        (lambda code: Case.objects.filter(Q(number=code) | Q(address=code)), "(2 found)"),
        (lambda code: Case.objects.prefetch_related("events"), "prefetch_related"),
        (lambda code: CaseEvent.objects.all(), "not Case"),
    ],
)
def test_what_cannot_be_compiled_is_refused(db, build, message):
    with pytest.raises(ValueError, match=message):
        Compiled(Case, str).all("shape", build, "E0102")


def test_values_are_ints_or_strings_in_the_declared_number(db):
    with pytest.raises(ValueError, match="int, float, str or datetime"):
        Compiled(Case, bytes).all("shape", lambda x: Case.objects.filter(number=x), b"x")
    with pytest.raises(TypeError, match="1 values expected"):
        Compiled(Case, int).all("shape", lambda pk: Case.objects.filter(pk=pk))


def test_datetime_values(cases):
    import datetime

    compiled = Compiled(Case, datetime.datetime, datetime.datetime)

    def build(start, end):
        return Case.objects.filter(reported_at__gte=start, reported_at__lt=end).values_list(
            "pk", flat=True
        )

    first = min(c.reported_at for c in cases)
    last = max(c.reported_at for c in cases)
    second = datetime.timedelta(seconds=1)
    assert sorted(compiled.all("w", build, first, last + second)) == sorted(c.pk for c in cases)
    assert compiled.all("w", build, last + second, last + 2 * second) == []
    assert list(build(first, last + second)) == compiled.all("w", build, first, last + second)
    with pytest.raises(TypeError, match="datetime expected"):
        compiled.all("w", build, "2026-01-01", last)


def test_insert_writes_what_save_writes(loop):
    from django.db.models.signals import post_save

    from civicloop.core.compiled import insert

    case = report(loop)
    event = CaseEvent(case=case, at=case.reported_at, actor_name="x", role="inspector",
                      action=CaseEvent.Action.REPORT, to_state=State.REPORTED,
                      data={"k": [1, "二"]}, on_time=None)  # fmt: skip
    insert(event)
    assert event.pk and not event._state.adding and event._state.db == "default"
    twin = CaseEvent(case=case, at=case.reported_at, actor_name="x", role="inspector",
                     action=CaseEvent.Action.REPORT, to_state=State.REPORTED,
                     data={"k": [1, "二"]}, on_time=None)  # fmt: skip
    twin.save()
    stored, saved = CaseEvent.objects.get(pk=event.pk), CaseEvent.objects.get(pk=twin.pk)
    assert fields(stored, CaseEvent) | {"id": 0} == fields(saved, CaseEvent) | {"id": 0}
    # a copy of a whole case (NULLs, texts, JSON, times) reads back the same
    copy = Case.objects.get(pk=case.pk)
    copy.pk, copy.number, copy.tracking_code = None, "X" + case.number[1:], "T" * 12
    insert(copy)
    again = Case.objects.get(pk=copy.pk)
    assert fields(again, Case) | {"id": 0, "number": 0, "tracking_code": 0} == fields(
        case, Case
    ) | {"id": 0, "number": 0, "tracking_code": 0}
    # with a receiver of the save signals the ORM's save does it (the receiver runs)
    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(receiver, sender=CaseEvent)
    try:
        third = CaseEvent(case=case, at=case.reported_at, role="inspector",
                          action=CaseEvent.Action.REPORT, to_state=State.REPORTED)  # fmt: skip
        insert(third)
    finally:
        post_save.disconnect(receiver, sender=CaseEvent)
    assert heard == [(third.pk, True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_only_compiled_statements_are_prepared(cases, settings):
    settings.DATABASE_PREPARE_THRESHOLD = 2
    if not connection.settings_dict["OPTIONS"].get("server_side_binding"):
        pytest.skip("DATABASE_SERVER_SIDE_BINDING is off")
    compiled = Compiled(Case, int)
    for _ in range(3):
        compiled.first(
            "prepared", lambda pk: Case.objects.filter(pk=pk, number__gt=""), cases[0].pk
        )
        list(Case.objects.filter(pk=cases[1].pk, tracking_code__gt=""))  # a plain ORM query
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"number" >' in sql for sql in prepared)
    assert not any('"tracking_code" >' in sql for sql in prepared)
    assert connection.connection.prepare_threshold is None  # restored for the ORM
