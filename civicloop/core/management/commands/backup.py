"""``manage.py backup FILE``: a consistent copy of the whole database (see core.backup)."""

from django.core.management.base import BaseCommand, CommandError

from civicloop.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database to FILE (SQLite backup API, or pg_dump --format=custom)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--digest", action="store_true", help="Also print row counts and hashes."
        )

    def handle(self, *args, file, database, digest: bool = False, **options):
        try:
            path = backup(file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"backup written: {path} ({path.stat().st_size} bytes)")
        if digest:
            _print_digest(self, database)


def _print_digest(command, database):
    from civicloop.core.backup import digest as compute

    for table, (rows, sha) in sorted(compute(database).items()):
        command.stdout.write(f"{table}\t{rows}\t{sha}")
