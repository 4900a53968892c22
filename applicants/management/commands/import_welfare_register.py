"""`manage.py import_welfare_register FILE [--register dtsen|dtks] [--as-of YYYY-MM-DD] [--dry-run]`."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from applicants.enums import Register
from applicants.welfare.importer import RegisterFileError, import_register


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of must be YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = "Import a DTSEN/DTKS extract (.xlsx or .csv) as the current welfare register, then re-check eligibility."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--register", choices=Register.values, default=Register.DTSEN)
        parser.add_argument("--as-of", type=_date, help="date of the data in the extract (default: today)")
        parser.add_argument("--dry-run", action="store_true",
                            help="validate and report only; the current register is left as it is")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        try:
            batch = import_register(
                path, register=options["register"], as_of=options["as_of"], dry_run=options["dry_run"]
            )
        except RegisterFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Batch {batch.pk} ({batch.get_state_display()}): {batch.file_name}, {batch.get_register_display()} "
            f"per {batch.as_of:%d-%m-%Y}, SHA-256 {batch.file_sha256}\n"
            f"  rows read {batch.rows_read}, accepted {batch.rows_accepted}, rejected {batch.rows_rejected}, "
            f"duplicate NIK {batch.rows_duplicate}"
        )
        for rejection in batch.rejections.order_by("row_number")[:20]:
            self.stdout.write(f"  row {rejection.row_number}: {rejection.reason}")
        if batch.rows_rejected + batch.rows_duplicate > 20:
            self.stdout.write("  ... (all rejected rows: admin > Impor DTSEN/DTKS > report > .xlsx)")
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING("Dry run: the current register was not changed."))
        else:
            self.stdout.write(self.style.SUCCESS("Imported; this batch is now the current register."))
