"""``manage.py restore FILE``: replace the database with a backup (see core.backup)."""

from django.core.management.base import BaseCommand, CommandError

from civicloop.core.backup import BackupError, restore

from .backup import _print_digest


class Command(BaseCommand):
    help = "Replace the whole database with the backup in FILE. Stop the server and worker first."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--digest", action="store_true", help="Print row counts and hashes after."
        )

    def handle(self, *args, file, database, yes, digest: bool = False, **options):
        if not yes and options.get("interactive", True):
            answer = input(f"Replace every row of database '{database}' with {file}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Not restored.")
        try:
            restore(file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored from {file}")
        if digest:
            _print_digest(self, database)
