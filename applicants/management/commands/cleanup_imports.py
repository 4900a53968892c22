"""`manage.py cleanup_imports [--stale-minutes N] [--unconfirmed-days N]`: end dead or abandoned imports."""

import logging

from applicants.welfare.jobs import cleanup_imports
from programs.management.base import LoggingCommand

logger = logging.getLogger(__name__)


class Command(LoggingCommand):
    help = ("Mark welfare imports whose worker died as failed (rows removed), cancel imports never confirmed, "
            "and delete stored upload files nobody needs. Safe to run from cron at any time.")

    def add_arguments(self, parser):
        parser.add_argument("--stale-minutes", type=int, help="default: WELFARE_IMPORT_STALE_MINUTES")
        parser.add_argument("--unconfirmed-days", type=int, help="default: WELFARE_IMPORT_UNCONFIRMED_DAYS")

    def handle(self, *args, **options):
        counts = cleanup_imports(stale_minutes=options["stale_minutes"], unconfirmed_days=options["unconfirmed_days"])
        logger.info(
            "Stale imports ended %d, never started %d, unconfirmed cancelled %d, files deleted %d",
            counts["stale"], counts["never_started"], counts["unconfirmed"], counts["files"],
        )
