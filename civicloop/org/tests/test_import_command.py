"""``manage.py import KIND FILE`` lives in org (it left core, which sits below geo and org)."""

import importlib
import io

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from civicloop.org.models import Unit


def test_the_command_is_orgs_and_knows_every_kind():
    assert get_commands()["import"] == "civicloop.org"
    command = importlib.import_module("civicloop.org.management.commands.import")
    assert sorted(command.IMPORTERS) == ["cells", "compounds", "regions", "roads", "units"]


def test_units_through_the_command(district, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind\nCGJ,区城管局,department\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import", "units", str(path), stdout=out)
    assert Unit.objects.filter(code="CGJ", name="区城管局").exists()
    assert "1" in out.getvalue()


def test_bad_rows_and_missing_files_fail_with_nothing_written(district, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind\nX1,某单位,no-such-kind\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "units", str(path), stderr=err)
    assert "row" in err.getvalue() and not Unit.objects.filter(code="X1").exists()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "units", str(tmp_path / "missing.csv"), stderr=err)
    assert "missing.csv" in err.getvalue()
