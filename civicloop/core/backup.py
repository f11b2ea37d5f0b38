"""Backups of the whole database, and a digest to prove a restore is identical.

* SQLite: Python's ``sqlite3`` online backup API (a consistent copy while the
  server and the worker keep writing; the file is a plain SQLite database).
* PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean
  --if-exists --no-owner`` (the client tools of the server's major version).

:func:`digest` reads every table of the project's models in primary-key order
and returns the row count and a SHA-256 of the rows of each, so two databases
can be compared table by table after a restore.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.db import connections


class BackupError(RuntimeError):
    pass


def _pg_env(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} failed ({result.returncode}).")


def backup(path: str | Path, using: str = "default") -> Path:
    """Write a backup of database ``using`` to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_env(settings_dict)
        _run(["pg_dump", "--format=custom", "--no-owner", *args, "--file", str(path),
              settings_dict["NAME"]], env)  # fmt: skip
    else:  # pragma: no cover - only the two supported engines
        raise BackupError(f"No backup for {connection.vendor}.")
    return path


def restore(path: str | Path, using: str = "default") -> None:
    """Replace the contents of database ``using`` with the backup at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    connection = connections[using]
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        with path.open("rb") as file:
            if file.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{path} is not an SQLite database.")
        source = sqlite3.connect(path)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_env(settings_dict)
        connection.close()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              *args, "--dbname", settings_dict["NAME"], str(path)], env)  # fmt: skip
    else:  # pragma: no cover
        raise BackupError(f"No restore for {connection.vendor}.")


def digest(using: str = "default") -> dict[str, tuple[int, str]]:
    """``{table: (rows, sha256)}`` for every table of the installed models."""
    result = {}
    connection = connections[using]
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table not in existing or model._meta.proxy or not model._meta.managed:
                continue
            columns = [f.column for f in model._meta.local_concrete_fields]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)} ORDER BY {pk}")
            sha = hashlib.sha256()
            rows = 0
            for row in cursor.fetchall():
                rows += 1
                sha.update(repr(tuple(_plain(v) for v in row)).encode())
            result[table] = (rows, sha.hexdigest())
    return result


def _plain(value):
    """Values as both engines return them (memoryview and bytes alike, datetimes as text)."""
    if isinstance(value, memoryview):
        return bytes(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
