"""`manage.py check_eligibility [--intake ID]`: re-check undecided applications against the current register."""

import logging

from applicants.models import Application
from applicants.welfare.eligibility import check_open_applications
from programs.management.base import LoggingCommand

logger = logging.getLogger(__name__)


class Command(LoggingCommand):
    help = "Check every undecided application (submitted/verified/not eligible) against the current register."

    def add_arguments(self, parser):
        parser.add_argument("--intake", type=int, help="only applications of this intake (id)")

    def handle(self, *args, **options):
        queryset = Application.objects.all()
        if options["intake"]:
            queryset = queryset.filter(intake_id=options["intake"])
        counts = check_open_applications(queryset)
        summary = ", ".join(f"{key} {value}" for key, value in sorted(counts.items()))
        logger.info("Checked: %s", summary or "nothing to check")
