"""docs/supervision.md shows the rule table as it is."""

from pathlib import Path

from django.conf import settings

from civicloop.supervision.rules import TABLE


def test_the_docs_hold_the_rule_table():
    text = (Path(settings.BASE_DIR) / "docs" / "supervision.md").read_text(encoding="utf-8")
    assert TABLE.markdown() in text
