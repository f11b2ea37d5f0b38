"""manage.py case_rules: print the case rule table as Markdown, or write docs/case-rules.md."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from civicloop.cases.rules import markdown

DOCS_FILE = Path(settings.BASE_DIR) / "docs" / "case-rules.md"


def rules_document() -> str:
    """The document, always in Chinese labels (the interface's first language)."""
    with translation.override("zh-hans"):
        return markdown()


class Command(BaseCommand):
    help = "Print the case loop's rule table as Markdown (--write: update docs/case-rules.md)."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Write docs/case-rules.md.")

    def handle(self, *args, write=False, **options):
        text = rules_document()
        if write:
            DOCS_FILE.parent.mkdir(exist_ok=True)
            DOCS_FILE.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {DOCS_FILE}")
        else:
            self.stdout.write(text, ending="")
