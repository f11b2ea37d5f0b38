"""backup and restore give back the same database, by row counts and content hashes."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from civicloop.core.backup import digest
from civicloop.core.models import Heartbeat


@pytest.mark.django_db(transaction=True)
def test_restore_gives_back_exactly_what_was_backed_up(tmp_path):
    User = get_user_model()
    for i in range(5):
        User.objects.create(username=f"u{i}", first_name=f"用户{i}")
    Heartbeat.beat("worker", note="before")
    before = digest()
    assert before["auth_user"][0] == 5

    out = io.StringIO()
    call_command("backup", str(tmp_path / "db.backup"), stdout=out)
    assert "backup written" in out.getvalue()

    User.objects.filter(username__in=["u1", "u3"]).delete()
    User.objects.filter(username="u0").update(first_name="改过的名字")
    Heartbeat.beat("worker", note="after")
    assert digest() != before

    call_command("restore", str(tmp_path / "db.backup"), "--yes", stdout=io.StringIO())
    assert digest() == before
    assert User.objects.get(username="u0").first_name == "用户0"


@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_backup(tmp_path):
    bogus = tmp_path / "not-a-backup"
    bogus.write_bytes(b"hello, this is not a database")
    with pytest.raises(CommandError):
        call_command("restore", str(bogus), "--yes")
    with pytest.raises(CommandError, match="No backup"):
        call_command("restore", str(tmp_path / "missing"), "--yes")
