"""`manage.py recover_exports --backend exports --worker-id ID`: queue again what a dead worker was exporting."""

import logging

from programs.management.base import LoggingCommand
from programs.progress import PROGRESS
from programs.registers.jobs import recover_exports

logger = logging.getLogger(__name__)


class Command(LoggingCommand):
    help = ("Queue again the register exports that the worker with this id had started and not finished. "
            "Run it only when that worker is not running (scripts/serve.sh does, before restarting it).")

    def add_arguments(self, parser):
        parser.add_argument("--backend", default="exports", help="the django-tasks backend (default: exports)")
        parser.add_argument("--worker-id", required=True, help="the id the dead worker ran with")

    def handle(self, *args, **options):
        logger.log(PROGRESS, "Looking for exports of backend %s left running by worker %s",
                   options["backend"], options["worker_id"])
        count = recover_exports(options["backend"], options["worker_id"])
        logger.info("Exports queued again: %d", count)
