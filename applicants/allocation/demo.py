"""Demo data for fair allocation (seed_demo): a graduate who received a capital package in an earlier
round applies again in the latest round, and an imported PENA 2025 list names one applicant of the
latest round. Both show as evidence on the eligibility, interview and award screens. Idempotent."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext

from applicants.allocation.importer import import_list
from applicants.enums import ApplicationStatus, DtksSelfReport, Source
from applicants.models import Applicant, Application, CapitalAward, ConsentVersion, RecipientListBatch
from applicants.welfare.eligibility import check_application
from programs.models import Intake

DEMO_LIST = "pena-2025-contoh.csv"


def seed(stdout=None) -> dict[str, int]:
    summary = {"returning": 0, "listed": 0}
    latest = Intake.objects.order_by("-registration_opens", "-pk").first()
    if latest is None:
        return summary
    summary["returning"] = _returning_awardee(latest)
    summary["listed"] = _pena_list(latest)
    if stdout:
        stdout.write(gettext("Fair allocation demo: ") + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return summary


def _returning_awardee(latest: Intake) -> int:
    """An earlier round's package recipient applies again in the latest round (first choice: a program
    the round offers, their own when it does)."""
    award = (
        CapitalAward.objects.filter(enrolment__isnull=False, state__in=[CapitalAward.State.APPROVED,
                                                                         CapitalAward.State.HANDED_OVER])
        .exclude(intake=latest).select_related("enrolment__application__applicant", "enrolment__cohort")
        .order_by("intake__registration_opens", "pk").first()
    )
    if award is None:
        return 0
    applicant = award.enrolment.application.applicant
    if Application.objects.filter(applicant=applicant, intake=latest).exists():
        return 0
    program = (latest.programs.filter(pk=award.enrolment.cohort.program_id).first()
               or latest.programs.order_by("pk").first())
    application = Application(
        applicant=applicant, intake=latest, program=program, status=ApplicationStatus.SUBMITTED,
        source=Source.STAFF, dtks_self_report=DtksSelfReport.REGISTERED, consent_version=ConsentVersion.current(),
        motivation="Ingin mengembangkan usaha yang sudah berjalan.",
    )
    application.save()
    application.assign_reference()
    check_application(application)
    return 1


def _pena_list(latest: Intake) -> int:
    """A small PENA 2025 list read by the real importer: one applicant of the latest round (interview
    scheduled, so the interviewer sees it), one outsider and one row the importer rejects."""
    if RecipientListBatch.objects.filter(file_name=DEMO_LIST).exists():
        return 0
    application = (
        Application.objects.filter(intake=latest).filter(
            Q(status=ApplicationStatus.INTERVIEW_SCHEDULED) | Q(status=ApplicationStatus.VERIFIED)
        ).select_related("applicant").order_by("-status", "pk").first()
    )
    if application is None:
        return 0
    person = application.applicant
    candidates = [f"{person.nik[:12]}{serial:04d}" for serial in range(9999, 9900, -1)]
    taken = set(Applicant.objects.filter(nik__in=candidates).values_list("nik", flat=True))
    outsider = next(nik for nik in candidates if nik not in taken)  # a valid NIK of nobody in the demo
    lines = [
        "DAFTAR PENERIMA PENA KEMENSOS 2025 - KOTA TANGERANG", "",
        "NIK;No KK;Nama;Program;Tahun",
        f"{person.nik};{person.kk_number};{person.full_name.upper()};PENA;2025",
        f"{outsider};;PENERIMA LAIN;PENA;2025",
        "3.67101E+15;;NIK RUSAK OLEH EXCEL;PENA;2025",
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / DEMO_LIST
        path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
        editor = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        batch = import_list(path, program="PENA", year=2025, user=editor)
    return batch.rows_accepted and 1
