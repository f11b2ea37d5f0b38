"""Settings are declared once: read from the environment in settings.py and listed in
docs/settings.md; code reads ``settings.X`` and keeps no defaults of its own."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = ROOT / "civicloop" / "settings.py"
DOC = ROOT / "docs" / "settings.md"

#: os.environ.get("X"), os.environ["X"], env_bool("X"), env_int("X"), env_list("X") …
READ = re.compile(r"""(?:os\.environ\.get|os\.environ\[|env_\w+)\(?\s*["']([A-Z][A-Z0-9_]*)["']""")
ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", re.M)

#: Files still reading a setting with a default of their own (none left).
NOT_YET: set[str] = set()


def read_in_settings() -> set[str]:
    return set(READ.findall(SETTINGS.read_text()))


def documented() -> set[str]:
    return set(ROW.findall(DOC.read_text()))


def test_the_patterns_see_the_settings():
    names = read_in_settings()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CIVICLOOP_BASE_URL", "GEO_CELL_SEQUENCE_DIGITS",
            "ALLOWED_HOSTS", "DEMO_OPEN311_KEY", "OPEN311_DEMO_KEY"} <= names  # fmt: skip
    assert {"DEBUG", "NOTIFY_MAX_ATTEMPTS"} <= documented()


def test_every_environment_variable_is_documented_once():
    rows = ROW.findall(DOC.read_text())
    assert sorted(read_in_settings() - set(rows)) == []
    assert sorted(name for name in set(rows) if rows.count(name) > 1) == []


def test_the_documentation_names_no_variable_settings_py_does_not_read():
    assert sorted(documented() - read_in_settings()) == []


def test_no_code_keeps_a_default_of_its_own():
    offenders = []
    for path in sorted((ROOT / "civicloop").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or relative in NOT_YET or relative == "civicloop/settings.py":
            continue
        text = path.read_text()
        if re.search(r"getattr\(\s*settings\s*,", text) or re.search(
            r"os\.environ(\.get|\[)", text
        ):
            offenders.append(relative)
    assert offenders == []


def test_declared_defaults(settings):
    # The values the code used to carry as getattr defaults, now declared in settings.py.
    assert settings.NOTIFY_MAX_ATTEMPTS == 8
    assert settings.API_TOKEN_RATE_LIMIT == "10/m"
    assert settings.API_TOKEN_TOUCH_SECONDS == 60
    assert settings.PORTAL_TRACK_RATE_LIMIT == "20/m"
    assert settings.OPEN311_CHANGESET == "2025-01-01 00:00"
    assert settings.OPEN311_JURISDICTION_ID == settings.OPEN311_CONTACT == ""
    assert settings.WORKTIME_CACHE_SECONDS == 60
    assert settings.CASES_CONFIG_CACHE_SECONDS == 5
    assert settings.DEMO_HISTORY_DAYS == 365 and settings.DEMO_HISTORY_PER_DAY == 250
