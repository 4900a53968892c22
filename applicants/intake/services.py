"""Multi-step operations on applicants: one submission is one transaction, all or nothing."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.enums import Source
from applicants.models import Applicant, Application, ConsentVersion
from applicants.models.people import CONTACT_FIELDS
from applicants.welfare.eligibility import check_application
from programs.models import Intake

DEFAULT_CONSENT_VERSION = "2026-1"
DEFAULT_CONSENT_TEXT = (
    "Pemberitahuan privasi Sigap Kerja (Dinas Sosial Kota Tangerang).\n"
    "Data yang Anda isi (NIK, nomor KK, nama, tanggal lahir, alamat, nomor HP, jumlah anggota keluarga, "
    "pekerjaan, status DTKS/DTSEN dan motivasi) kami gunakan hanya untuk seleksi, pelatihan, bantuan modal "
    "usaha dan pendampingan program pelatihan keterampilan Dinas Sosial. Data dicocokkan dengan Data Tunggal "
    "Sosial Ekonomi Nasional (DTSEN/DTKS). Data hanya dapat dilihat petugas yang berwenang dan tidak "
    "dibagikan untuk keperluan lain. Anda berhak meminta akses, perbaikan, pembatasan atau penghapusan data "
    "sesuai UU Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi dengan menghubungi Dinas Sosial Kota "
    "Tangerang."
)



class KkLimitReached(ValidationError):
    """The intake's cap of applications per family card (KK) is reached."""


def current_consent_version() -> ConsentVersion:
    """The consent text in force; creates the default version on first use so a new site just works."""
    version = ConsentVersion.current()
    if version is not None:
        return version
    try:
        with transaction.atomic():
            version, _created = ConsentVersion.objects.get_or_create(
                version=DEFAULT_CONSENT_VERSION, defaults={"text": DEFAULT_CONSENT_TEXT}
            )
    except IntegrityError:  # another request created it at the same moment
        version = ConsentVersion.objects.get(version=DEFAULT_CONSENT_VERSION)
    return version


def submit_application(
    cleaned_data: dict[str, Any],
    intake: Intake,
    source: str = Source.ONLINE,
    consent_version: ConsentVersion | None = None,
) -> tuple[Application, bool]:
    """Store one registration. Returns (application, created).

    created is False when this NIK already has an application in the intake: nothing is written and the
    existing application is returned (callers must not show its data to the person submitting).
    Raises KkLimitReached when the intake caps applications per KK and the cap is reached.

    A known NIK registering for a new intake gets a new application that carries the contact details
    typed now; the person's record and earlier applications keep theirs. Anyone who knows a NIK can
    send the public form, so it must not rewrite where the person is reached; staff compare the details
    on the application's page and correct the person's record themselves.
    """
    nik = cleaned_data["nik"]
    consent_version = consent_version or current_consent_version()
    try:
        with transaction.atomic():
            applicant = Applicant.objects.filter(nik=nik).first()
            if applicant is not None:
                existing = Application.objects.filter(applicant=applicant, intake=intake).first()
                if existing is not None:
                    return existing, False
            _check_kk_cap(cleaned_data["kk_number"], intake)
            if applicant is None:
                applicant = Applicant.objects.create(
                    nik=nik,
                    full_name=cleaned_data["full_name"],
                    birth_date=cleaned_data["birth_date"],
                    sex=cleaned_data["sex"],
                    **{field: cleaned_data.get(field, "") for field in CONTACT_FIELDS},
                )
            now = timezone.now()
            application = Application(
                applicant=applicant,
                intake=intake,
                program=cleaned_data["program"],
                program_alt=cleaned_data.get("program_alt"),
                source=source,
                dtks_self_report=cleaned_data["dtks_status"],
                motivation=cleaned_data.get("motivation", ""),
                consent_version=consent_version,
                consent_at=now,
                submitted_at=now,
                status_changed_at=now,
            )
            application.snapshot_contact(cleaned_data)
            application.save(force_insert=True)
            application.assign_reference()
            # Checked against the current welfare register on arrival (one indexed NIK lookup).
            check_application(application)
    except IntegrityError:
        # A concurrent request for the same NIK won the race (unique NIK or one-per-intake constraint).
        existing = Application.objects.filter(applicant__nik=nik, intake=intake).first()
        if existing is None:
            raise
        return existing, False
    return application, True


def _check_kk_cap(kk_number: str, intake: Intake) -> None:
    cap = intake.max_applications_per_kk
    if not cap:
        return
    # A family card counts whether it is the person's or was given with an application (a re-registration).
    used = Application.objects.filter(intake=intake).filter(
        Q(contact_kk_number=kk_number) | Q(applicant__kk_number=kk_number)
    ).count()
    if used >= cap:
        raise KkLimitReached(
            {"kk_number": _("Kuota pendaftar untuk satu Kartu Keluarga pada gelombang ini sudah penuh.")}
        )
