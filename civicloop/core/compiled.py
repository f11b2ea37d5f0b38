"""Querysets compiled once per process: the SQL Django builds, kept and run again.

Building a query costs Django more than running it: the case detail's join of
eleven tables took 8.6 ms of CPU to build and compile and 0.3 ms to execute
(issue #16, ``docs/performance.md``). A :class:`Compiled` keeps, per database
alias and *shape*, the SQL text and parameter list of a queryset built once
with stand-in values, with what turns its rows into results (the select list,
the converters, the populators of ``select_related`` objects). A later call
puts its own values in place of the stand-ins and executes the same SQL text,
which PostgreSQL then keeps prepared (``DATABASE_PREPARE_THRESHOLD``)::

    DETAIL = Compiled(Case, int)  # the kinds of the values

    def detail(case_id, actor):
        return DETAIL.first(
            visibility_shape(actor),  # the shape: all but the values that shapes the SQL
            lambda pk: Case.objects.filter(pk=pk).visible_to(actor).select_related("unit"),
            case_id,
        )

The rules, checked on the first build of each shape (a breach raises
:class:`ValueError`, so a test of the caller finds it):

* ``build(*values)`` (called only when the shape is new) returns a QuerySet of ``model`` (model instances,
  ``values()``, ``values_list()`` or ``values_list(flat=True)``; no
  ``prefetch_related``, no objects known from a related manager);
* each value is an ``int``, a ``float`` or a ``str`` that reaches SQL as exactly one
  parameter, unchanged (``pk=v``, ``field=v``, ``fk_id=v``): not inside a
  ``LIKE`` pattern, a list or an expression that changes it; or an aware
  ``datetime`` compared with a ``DateTimeField`` (``reported_at__gte=v``),
  which reaches SQL as the backend adapts it (a string on SQLite);
* everything else that changes the SQL (the actor's scope, which filters are
  present, a list's length, the page), and everything ``build`` reads besides
  its values, is part of ``shape``, a hashable key.

Prepared statements are for these queries only: on PostgreSQL with server-side
binding, a statement run ``DATABASE_PREPARE_THRESHOLD`` times through a
Compiled (or :func:`insert`) on a connection is prepared, and other ORM queries
never are. A prepared statement's plan becomes generic after five runs when
PostgreSQL's estimate allows, made without the values: right for these lookups
by key and for the SQL whose values are the shape's own, wrong for the console's
skewed filters (a street office's open cases on the map: 2 ms planned with its
values, 0.9–1.5 s generic at 1M cases; ``docs/indexes.md``), which are planned
with their values every time.

The results are what the ORM gives for the same queryset (tested against it
on SQLite and PostgreSQL, ``core/tests/test_compiled.py``), except that a
related manager's known object (``case.events.all()`` setting ``event.case``)
is not set: callers set it. Each Compiled remembers at most ``max_shapes``
shapes per alias (least recently used first out).
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)

#: Stand-ins: values no caller passes and that SQL parameters keep unchanged.
_INT_STAND_IN = -1_987_654_000
_STR_STAND_IN = "\x1fcompiled-stand-in-{}\x1f"
_FLOAT_STAND_IN = -1987.654321
_DATETIME_STAND_IN = datetime.datetime(2999, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def _stand_in(kind: type, i: int):
    if kind is int:
        return _INT_STAND_IN - i
    if kind is str:
        return _STR_STAND_IN.format(i)
    if kind is float:
        return _FLOAT_STAND_IN - i
    if kind is datetime.datetime:
        return _DATETIME_STAND_IN.replace(microsecond=i)
    raise ValueError(f"Compiled values are int, float, str or datetime, not {kind.__name__}")


def _as_parameter(kind: type, value, connection):
    """``value`` as the backend's parameter (what Django's lookups pass)."""
    if kind is datetime.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    return value


@dataclass
class _Plan:
    sql: str
    params: list
    slots: tuple[int, ...]
    kind: str
    col_count: int
    converters: dict
    compiler: object
    names: list = field(default_factory=list)
    model: type | None = None
    init_list: list = field(default_factory=list)
    start: int = 0
    end: int = 0
    populators: list = field(default_factory=list)
    annotation_col_map: dict = field(default_factory=dict)


class Compiled:
    """A queryset whose SQL is built once per alias and shape (see the module text)."""

    def __init__(self, model, *kinds: type, max_shapes: int = 512, name: str = ""):
        self.model = model
        self.kinds = kinds
        self.max_shapes = max_shapes
        self.name = name or f"Compiled({model.__name__})"
        self._plans: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    # --- public ----------------------------------------------------------------------

    def all(self, shape: Hashable, build: Callable, *values, using: str | None = None) -> list:
        """Every row: model instances, dicts, tuples or single values (as the queryset)."""
        alias = using or router.db_for_read(self.model)
        plan = self._plan(alias, ("rows", shape), build, values)
        return self._run(alias, plan, values)

    def first(self, shape: Hashable, build: Callable, *values, using: str | None = None):
        """The first row, or None (the queryset should be sliced or unique)."""
        rows = self.all(shape, build, *values, using=using)
        return rows[0] if rows else None

    def count(
        self, shape: Hashable, build: Callable, *values, limit: int | None = None,
        using: str | None = None,
    ) -> int:  # fmt: skip
        """``COUNT(*)`` of the queryset's rows (at most ``limit`` when given)."""
        alias = using or router.db_for_read(self.model)
        plan = self._plan(alias, ("count", limit, shape), build, values)
        if plan.kind == "empty":
            return 0
        connection = connections[alias]
        with connection.cursor() as cursor:
            execute_prepared(connection, cursor, plan.sql, self._params(plan, values, connection))
            return cursor.fetchone()[0]

    def forget(self) -> None:
        """Drop every remembered plan (tests; a schema change in a running process)."""
        with self._lock:
            self._plans.clear()

    # --- plans -----------------------------------------------------------------------

    def _plan(self, alias: str, key: tuple, build: Callable, values: tuple) -> _Plan:
        if len(values) != len(self.kinds):
            raise TypeError(f"{self.name}: {len(self.kinds)} values expected, got {len(values)}")
        full_key = (alias, key)
        with self._lock:
            plan = self._plans.get(full_key)
            if plan is not None:
                self._plans.move_to_end(full_key, last=True)
                return plan
        plan = self._compile(alias, key, build)
        with self._lock:
            self._plans[full_key] = plan
            while len(self._plans) > self.max_shapes:
                self._plans.popitem(last=False)
        return plan

    def _compile(self, alias: str, key: tuple, build: Callable) -> _Plan:
        stand_ins = [_stand_in(kind, i) for i, kind in enumerate(self.kinds)]
        queryset = build(*stand_ins)
        if queryset.model is not self.model:
            raise ValueError(f"{self.name}: a queryset of {queryset.model.__name__}, "
                             f"not {self.model.__name__}")  # fmt: skip
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ValueError(f"{self.name}: prefetch_related and related managers "
                             "cannot be compiled")  # fmt: skip
        counting = key[0] == "count"
        try:
            return self._compile_sql(alias, queryset, counting, key, stand_ins)
        except EmptyResultSet:  # e.g. a filter on an empty list: no rows, no query
            return _Plan(sql="", params=[], slots=(), kind="empty", col_count=0,
                         converters={}, compiler=None)  # fmt: skip

    def _compile_sql(self, alias, queryset, counting, key, stand_ins) -> _Plan:
        if counting:
            limit = key[1]
            inner = queryset.order_by().values_list("pk")
            if limit is not None:
                inner = inner[:limit]
            compiler = inner.query.get_compiler(using=alias)
            inner_sql, params = compiler.as_sql()
            sql = f"SELECT COUNT(*) FROM ({inner_sql}) compiled_count"
            kind = "count"
        else:
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            kind = {
                ModelIterable: "models", ValuesIterable: "dicts",
                ValuesListIterable: "tuples", FlatValuesListIterable: "flat",
            }.get(queryset._iterable_class)  # fmt: skip
            if kind is None:
                raise ValueError(f"{self.name}: {queryset._iterable_class.__name__} "
                                 "cannot be compiled")  # fmt: skip
        params = list(params)
        slots = []
        connection = connections[alias]
        for value_kind, stand_in in zip(self.kinds, stand_ins, strict=True):
            stand_in = _as_parameter(value_kind, stand_in, connection)
            found = [i for i, p in enumerate(params) if p == stand_in and type(p) is type(stand_in)]
            if len(found) != 1:
                raise ValueError(
                    f"{self.name}: a value must reach SQL as exactly one unchanged "
                    f"parameter ({len(found)} found)"
                )
            slots.append(found[0])
        plan = _Plan(sql=sql, params=params, slots=tuple(slots), kind=kind,
                     col_count=0, converters={}, compiler=compiler)  # fmt: skip
        if counting:
            return plan
        plan.col_count = compiler.col_count
        plan.converters = compiler.get_converters(
            [s[0] for s in compiler.select[: compiler.col_count]]
        )
        if kind == "models":
            select, klass_info = compiler.select, compiler.klass_info
            select_fields = klass_info["select_fields"]
            plan.model = klass_info["model"]
            plan.start, plan.end = select_fields[0], select_fields[-1] + 1
            plan.init_list = [f[0].target.attname for f in select[plan.start : plan.end]]
            plan.populators = get_related_populators(klass_info, select, alias)
            plan.annotation_col_map = compiler.annotation_col_map or {}
        elif kind == "dicts":
            query = queryset.query
            plan.names = (
                list(query.selected)
                if query.selected
                else [*query.extra_select, *query.values_select, *query.annotation_select]
            )
        return plan

    # --- running ---------------------------------------------------------------------

    def _params(self, plan: _Plan, values: tuple, connection) -> list:
        params = list(plan.params)
        for slot, kind, value in zip(plan.slots, self.kinds, values, strict=True):
            if type(value) is not kind and not isinstance(value, kind):
                raise TypeError(f"{self.name}: {kind.__name__} expected, not {value!r}")
            params[slot] = _as_parameter(kind, value, connection)
        return params

    def _run(self, alias: str, plan: _Plan, values: tuple) -> list:
        if plan.kind == "empty":
            return []
        connection = connections[alias]
        with connection.cursor() as cursor:
            execute_prepared(connection, cursor, plan.sql, self._params(plan, values, connection))
            rows = cursor.fetchall()
        if not rows:
            return []
        if plan.converters:
            rows = list(plan.compiler.apply_converters(rows, plan.converters))
        if plan.kind == "flat":
            return [row[0] for row in rows]
        if plan.kind == "tuples":
            return [tuple(row[: plan.col_count]) for row in rows]
        if plan.kind == "dicts":
            names = plan.names
            return [dict(zip(names, row, strict=False)) for row in rows]
        out = []
        model, start, end, init_list = plan.model, plan.start, plan.end, plan.init_list
        for row in rows:
            obj = model.from_db(alias, init_list, row[start:end])
            for populator in plan.populators:
                populator.populate(row, obj)
            for attr, position in plan.annotation_col_map.items():
                setattr(obj, attr, row[position])
            out.append(obj)
        return out


def execute_prepared(connection, cursor, sql: str, params) -> None:
    """Run a compiled statement (or any statement whose text repeats and whose plan
    does not depend on its values, such as intake's daily-number upsert), prepared
    on PostgreSQL (see the module text).

    psycopg prepares by the connection's ``prepare_threshold``, which is None
    (never) for the rest of the ORM: it is set for the time of this one call.
    """
    raw = connection.connection
    threshold = settings.DATABASE_PREPARE_THRESHOLD
    if connection.vendor != "postgresql" or threshold is None or raw is None:
        cursor.execute(sql, params)
        return
    raw.prepare_threshold = threshold
    try:
        cursor.execute(sql, params)
    finally:
        raw.prepare_threshold = None


# --- inserts -------------------------------------------------------------------------

#: (model, alias) → the fields an INSERT writes, or None when the ORM must insert.
_INSERT_FIELDS: dict = {}
#: (model, alias, the positions of NULL values) → the INSERT's SQL.
_INSERT_SQL: dict = {}
_MAX_INSERT_SHAPES = 1024


def _insert_fields(model, alias: str) -> tuple | None:
    """The columns of an INSERT of ``model`` (every concrete column but the automatic
    key), or None when the ORM must do it (inheritance, placeholders of their own)."""
    key = (model, alias)
    if key not in _INSERT_FIELDS:
        meta = model._meta
        connection = connections[alias]
        fields = tuple(
            f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated
        )
        usable = not (
            meta.parents
            or meta.auto_field is None
            or any(hasattr(f, "get_placeholder") for f in fields)
            or not connection.features.can_return_columns_from_insert
        )
        _INSERT_FIELDS[key] = fields if usable else None
    return _INSERT_FIELDS[key]


def _insert_sql(model, alias: str, fields: tuple, nulls: tuple[int, ...]) -> str:
    """The INSERT with NULL written in the SQL where the row has none (fewer parameters:
    psycopg converts a statement of more than 50 parameters again every time)."""
    key = (model, alias, nulls)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        q = connections[alias].ops.quote_name
        meta = model._meta
        null = set(nulls)
        columns = ", ".join(q(f.column) for f in fields)
        values = ", ".join("NULL" if i in null else "%s" for i in range(len(fields)))
        sql = (
            f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES ({values}) "
            f"RETURNING {q(meta.auto_field.column)}"
        )
        if len(_INSERT_SQL) >= _MAX_INSERT_SHAPES:
            _INSERT_SQL.clear()
        _INSERT_SQL[key] = sql
    return sql


def insert(obj, *, using: str | None = None) -> None:
    """Insert ``obj`` as a new row, as ``obj.save(force_insert=True)`` does, with the
    INSERT built once per model, alias and set of empty (NULL) columns (the ORM builds
    it again for every row: for a case of 66 columns that cost more than the insert).

    The values are prepared as the ORM prepares them (``pre_save`` with add, then
    ``get_db_prep_save``: automatic times, JSON, files), and the new key is set on
    ``obj``. Where the ORM's save would do more, it is used instead: a model with
    save signal receivers or parents, a key already set, or a value that is an
    expression.
    """
    from django.db.models import signals

    model = type(obj)
    meta = model._meta
    alias = using or router.db_for_write(model, instance=obj)
    fields = _insert_fields(model, alias)
    if (
        fields is None
        or obj.pk is not None
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
    ):
        obj.save(force_insert=True, using=alias)
        return
    obj._prepare_related_fields_for_save(operation_name="save")
    connection = connections[alias]
    values, nulls = [], []
    for i, f in enumerate(fields):
        value = f.pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            obj.save(force_insert=True, using=alias)
            return
        value = f.get_db_prep_save(value, connection)
        if value is None:
            nulls.append(i)
        else:
            values.append(value)
    with connection.cursor() as cursor:
        execute_prepared(
            connection, cursor, _insert_sql(model, alias, fields, tuple(nulls)), values
        )
        (pk,) = cursor.fetchone()
    for converter in meta.auto_field.get_db_converters(connection):
        pk = converter(pk, meta.auto_field, connection)
    setattr(obj, meta.auto_field.attname, pk)
    obj._state.adding = False
    obj._state.db = alias
