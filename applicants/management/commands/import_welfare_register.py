"""`manage.py import_welfare_register FILE [--register dtsen|dtks] [--as-of YYYY-MM-DD] [--dry-run] [--yes]`,
or `manage.py import_welfare_register --confirm BATCH | --cancel BATCH` for a batch read earlier."""

import datetime
import logging
import sys
from pathlib import Path

from django.core.management.base import CommandError

from applicants.enums import Register
from applicants.models import WelfareImportBatch
from applicants.welfare.importer import (
    ImportStateError,
    RegisterFileError,
    cancel_import,
    confirm_import,
    import_register,
)
from programs.management.base import LoggingCommand
from programs.progress import PROGRESS

logger = logging.getLogger(__name__)


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of must be YYYY-MM-DD, got {value!r}") from None


class Command(LoggingCommand):
    help = ("Import a DTSEN/DTKS extract (.xlsx or .csv): read it, show what the re-check would change, and "
            "after confirmation make it the current welfare register.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--register", choices=Register.values, default=Register.DTSEN)
        parser.add_argument("--as-of", type=_date, help="date of the data in the extract (default: today)")
        parser.add_argument("--dry-run", action="store_true",
                            help="validate and report only; the current register is left as it is")
        parser.add_argument("--yes", action="store_true",
                            help="confirm without asking (otherwise asked on a terminal; left waiting if not)")
        parser.add_argument("--confirm", type=int, metavar="BATCH", help="confirm a batch waiting for confirmation")
        parser.add_argument("--cancel", type=int, metavar="BATCH", help="cancel a batch waiting for confirmation")

    def handle(self, *args, **options):
        path: Path | None = options["file"]
        self.verbosity = options["verbosity"]
        if options["confirm"] or options["cancel"]:
            return self.decide(options["confirm"], options["cancel"])
        if path is None:
            raise CommandError("Give the FILE to import, or --confirm/--cancel BATCH.")
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        logger.log(PROGRESS, "Reading %s", path)
        try:
            batch = import_register(
                path, register=options["register"], as_of=options["as_of"], dry_run=options["dry_run"],
                confirm=False, on_progress=self.progress if logger.isEnabledFor(PROGRESS) else None,
            )
        except RegisterFileError as exc:
            raise CommandError(str(exc)) from exc
        self.summary(batch)
        if batch.state != WelfareImportBatch.State.READY:
            logger.info("Dry run: the current register was not changed.")
            return
        self.preview(batch)
        if not (options["yes"] or self.ask()):
            logger.info(
                f"Not confirmed: batch {batch.pk} waits for confirmation (import_welfare_register --confirm "
                f"{batch.pk}, or --cancel {batch.pk}); the current register was not changed."
            )
            return
        self.confirm(batch)

    def decide(self, confirm_id: int | None, cancel_id: int | None):
        batch = WelfareImportBatch.objects.filter(pk=confirm_id or cancel_id).first()
        if batch is None:
            raise CommandError(f"No import batch {confirm_id or cancel_id}.")
        if cancel_id:
            try:
                cancel_import(batch)
            except ImportStateError as exc:
                raise CommandError(str(exc)) from exc
            logger.info(f"Batch {batch.pk} cancelled; the current register was not changed.")
            return
        self.confirm(batch)

    def confirm(self, batch):
        try:
            counts = confirm_import(batch)
        except ImportStateError as exc:
            raise CommandError(str(exc)) from exc
        logger.info(
            f"Imported; batch {batch.pk} is now the current register. Re-checked {counts.get('checked', 0)} "
            f"applications in its kelurahan, {counts.get('status_changed', 0)} changed status."
        )

    def progress(self, batch):
        percent = int(100 * batch.bytes_done / batch.bytes_total) if batch.bytes_total else 0
        logger.log(
            PROGRESS, f"  {percent:3d}%  rows read {batch.rows_read}, accepted {batch.rows_accepted}, "
            f"rejected {batch.rows_rejected + batch.rows_duplicate}"
        )

    def summary(self, batch):
        logger.info(
            f"Batch {batch.pk} ({batch.get_state_display()}): {batch.file_name}, {batch.get_register_display()} "
            f"per {batch.as_of:%d-%m-%Y}, SHA-256 {batch.file_sha256}\n"
            f"  rows read {batch.rows_read}, accepted {batch.rows_accepted}, rejected {batch.rows_rejected}, "
            f"duplicate NIK {batch.rows_duplicate}"
        )
        shown = 20 if self.verbosity < 2 else None
        rejections = batch.rejections.order_by("row_number")
        for rejection in rejections[:shown] if shown else rejections.iterator():
            logger.info(f"  row {rejection.row_number}: {rejection.reason}")
        if shown and batch.rows_rejected + batch.rows_duplicate > shown:
            logger.info("  ... (all rejected rows: --verbosity 2, or admin > Impor DTSEN/DTKS > report > .xlsx)")

    def preview(self, batch):
        preview = batch.preview or {}
        totals = preview.get("totals", {})
        logger.info(
            f"Covers {preview.get('kelurahan_count', 0)} of {preview.get('all_kelurahan', 0)} kelurahan; "
            f"applications elsewhere are not re-checked.\n"
            f"If confirmed: verified -> not eligible {totals.get('demoted', 0)}, not eligible -> verified "
            f"{totals.get('promoted', 0)}, new -> verified {totals.get('new_verified', 0)}, new -> not eligible "
            f"{totals.get('new_not_eligible', 0)}, unchanged {totals.get('unchanged', 0)}"
        )
        for row in preview.get("per_kecamatan", []):
            logger.info(
                f"  {row['kecamatan']}: -{row['demoted']} +{row['promoted']} "
                f"new +{row['new_verified']} / -{row['new_not_eligible']}"
            )

    def ask(self) -> bool:
        if not sys.stdin.isatty():
            return False
        answer = input("Make this batch the current register? [y/N] ")
        return answer.strip().lower() in {"y", "yes", "ya"}
