"""`manage.py check_eligibility [--intake ID]`: re-check undecided applications against the current register."""

from django.core.management.base import BaseCommand

from applicants.models import Application
from applicants.welfare.eligibility import check_open_applications


class Command(BaseCommand):
    help = "Check every undecided application (submitted/verified/not eligible) against the current register."

    def add_arguments(self, parser):
        parser.add_argument("--intake", type=int, help="only applications of this intake (id)")

    def handle(self, *args, **options):
        queryset = Application.objects.all()
        if options["intake"]:
            queryset = queryset.filter(intake_id=options["intake"])
        counts = check_open_applications(queryset)
        summary = ", ".join(f"{key} {value}" for key, value in sorted(counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Checked: {summary or 'nothing to check'}"))
