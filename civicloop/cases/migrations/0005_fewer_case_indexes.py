"""Fewer indexes on cases_case (31 → 21) and cases_caseevent (6 → 5): docs/indexes.md.

Dropped: indexes no query of the console, API, Open311, portal, worker or
evaluation uses at 1,000,000 cases (EXPLAIN ANALYZE), or that another index
serves as well: the single-column indexes of due_at, is_overdue and of the
foreign keys duplicate_of, proposed_unit, road_chief and standard;
(source, reported_at), (unit, reported_at), (street, reported_at) and
(light, state); the partial (due_at) WHERE light is green or yellow, merged
into the new (light, due_at); the ``varchar_pattern_ops`` copies PostgreSQL got
of the unique number and tracking code (their uniqueness is now a
UniqueConstraint, the same unique index). On history rows: (unit, action, at).

Added: (light, due_at), (filed_at) and (updated_at), each for a query named in
docs/indexes.md.

The field changes (db_index, unique → UniqueConstraint) only drop indexes, so
the database side drops them by name instead of letting AlterField rebuild
the table (SQLite) or drop and validate again four foreign keys and rebuild
two unique indexes (PostgreSQL) on a table of millions of rows.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import civicloop.cases.models.case

#: Columns whose single-column index goes (the field's db_index / the FK's own index).
UNINDEXED = ["due_at", "is_overdue", "duplicate_of_id", "proposed_unit_id", "road_chief_id",
             "standard_id"]  # fmt: skip
#: Columns whose unique=True becomes a UniqueConstraint of this name.
UNIQUE = {"number": "cases_case_number_uniq", "tracking_code": "cases_case_tracking_code_uniq"}


def _single_column_indexes(schema_editor, table, column, *, unique):
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, info in constraints.items()
        if info["columns"] == [column]
        and not info["primary_key"]
        and not info["foreign_key"]
        and bool(info["unique"]) == unique
        and (unique or info["index"])  # a unique constraint is not listed as an index
        and not name.startswith("sqlite_autoindex")
    ]


def forward(apps, schema_editor):
    table = "cases_case"
    for column in UNINDEXED:
        for name in _single_column_indexes(schema_editor, table, column, unique=False):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")
    if schema_editor.connection.vendor != "postgresql":
        # SQLite keeps a unique column's index in the table's own definition, which is
        # also where it puts a UniqueConstraint of plain fields: nothing to change.
        return
    for column, new_name in UNIQUE.items():
        for name in _single_column_indexes(schema_editor, table, column, unique=False):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")  # the _like copy
        unique = _single_column_indexes(schema_editor, table, column, unique=True)
        if new_name not in unique:  # the unique=True constraint, e.g. cases_case_number_key
            (old_name,) = unique
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(table)} RENAME CONSTRAINT "
                f"{schema_editor.quote_name(old_name)} TO {schema_editor.quote_name(new_name)}"
            )


def backward(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for column in UNINDEXED:
        field = next(f for f in Case._meta.local_fields if f.column == column)
        schema_editor.execute(schema_editor._create_index_sql(Case, fields=[field], suffix=""))
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, new_name in UNIQUE.items():
        field = Case._meta.get_field(column)
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name('cases_case')} RENAME CONSTRAINT "
            f"{schema_editor.quote_name(new_name)} TO "
            f"{schema_editor.quote_name(f'cases_case_{column}_key')}"
        )
        like = schema_editor._create_like_index_sql(Case, field)
        if like is not None:
            schema_editor.execute(like)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_drop_indexes_covered_by_composites'),
        ('geo', '0002_place'),
        ('org', '0002_more_roles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_source_rep',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_light_state',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_unit_rep',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_street_rep',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_turn_red',
        ),
        migrations.RemoveIndex(
            model_name='caseevent',
            name='cases_event_unit',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='due_at',
                    field=models.DateTimeField(blank=True, null=True, verbose_name='stage deadline'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='duplicate_of',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='duplicates', to='cases.case', verbose_name='merged into'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='is_overdue',
                    field=models.BooleanField(default=False, verbose_name='overdue'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='number',
                    field=models.CharField(max_length=24, verbose_name='case number'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='proposed_unit',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='proposed_cases', to='org.unit', verbose_name='proposed unit'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='road_chief',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='road_cases', to='org.person', verbose_name='road chief'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='standard',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='cases.filingstandard', verbose_name='filing standard'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='tracking_code',
                    field=models.CharField(default=civicloop.cases.models.case.new_tracking_code, max_length=16, verbose_name='tracking code'),
                ),
                migrations.AddConstraint(
                    model_name='case',
                    constraint=models.UniqueConstraint(fields=('number',), name='cases_case_number_uniq'),
                ),
                migrations.AddConstraint(
                    model_name='case',
                    constraint=models.UniqueConstraint(fields=('tracking_code',), name='cases_case_tracking_code_uniq'),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['light', 'due_at'], name='cases_case_light_due'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['filed_at'], name='cases_case_filed'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['updated_at'], name='cases_case_updated'),
        ),
    ]
