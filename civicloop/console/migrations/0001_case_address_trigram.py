"""A trigram index on case addresses for the console's place search (PostgreSQL only).

The console owns the search of earlier cases' addresses (``console.places``),
so the index that makes it fast at a million cases is created here. SQLite
has no trigram index: there the search is limited to recent cases.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS console_case_address_trgm "
            "ON cases_case USING gin (address gin_trgm_ops)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS console_case_address_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_drop_indexes_covered_by_composites"), ("geo", "0002_place")]

    operations = [migrations.RunPython(forward, backward)]
