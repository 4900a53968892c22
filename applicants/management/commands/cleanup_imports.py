"""`manage.py cleanup_imports [--stale-minutes N] [--unconfirmed-days N]`: end dead or abandoned imports."""

from django.core.management.base import BaseCommand

from applicants.welfare.jobs import cleanup_imports


class Command(BaseCommand):
    help = ("Mark welfare imports whose worker died as failed (rows removed), cancel imports never confirmed, "
            "and delete stored upload files nobody needs. Safe to run from cron at any time.")

    def add_arguments(self, parser):
        parser.add_argument("--stale-minutes", type=int, help="default: WELFARE_IMPORT_STALE_MINUTES")
        parser.add_argument("--unconfirmed-days", type=int, help="default: WELFARE_IMPORT_UNCONFIRMED_DAYS")

    def handle(self, *args, **options):
        counts = cleanup_imports(stale_minutes=options["stale_minutes"], unconfirmed_days=options["unconfirmed_days"])
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Stale imports ended {counts['stale']}, never started {counts['never_started']}, "
                f"unconfirmed cancelled {counts['unconfirmed']}, files deleted {counts['files']}"
            )
