"""Multi-step operations on applicants: one submission is one transaction, all or nothing."""

import uuid
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus, Source
from applicants.models import Applicant, Application, ConsentVersion, WelfareImportBatch
from applicants.models.people import CONTACT_FIELDS
from applicants.welfare import eligibility
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

    The register check (eligibility.py's rules) is read before the write transaction and written with the
    application itself, and the reference is derived from an id taken before the insert: one INSERT per
    row, which keeps the one SQLite write lock short when many residents submit at once.
    """
    nik = cleaned_data["nik"]
    consent_version = consent_version or current_consent_version()
    check = _register_check(nik)
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
            # Restricted (UU PDP) and anonymised people are not processed (as eligibility.py does), and
            # nobody is judged by a register that does not cover their kelurahan.
            processed = not (applicant.processing_restricted or applicant.anonymised_at)
            if check is not None and processed and check.covers(applicant.kelurahan_id):
                _apply_register_check(application, check.evaluate(applicant.kk_number, intake.max_desil), now)
            application.pk = _next_application_id()
            if application.pk is not None:
                application.reference = _reference(intake, application.pk)
                application.save(force_insert=True)
            else:
                application.save(force_insert=True)
                application.assign_reference()
            if application.status != ApplicationStatus.SUBMITTED:
                _log_register_check(application, now)
    except IntegrityError:
        # A concurrent request for the same NIK won the race (unique NIK or one-per-intake constraint).
        existing = Application.objects.filter(applicant__nik=nik, intake=intake).first()
        if existing is None:
            raise
        return existing, False
    return application, True


class _RegisterRow(NamedTuple):
    pk: int
    kk_number: str
    desil: int | None


class _RegisterCheck(NamedTuple):
    records: list[_RegisterRow]
    covered: set[int] | None  # kelurahan the current batches cover; None: the whole city

    def covers(self, kelurahan_id: int | None) -> bool:
        return self.covered is None or kelurahan_id in self.covered

    def evaluate(self, kk_number: str, max_desil: int | None) -> tuple[str, int | None]:
        return eligibility.evaluate(self.records, kk_number, max_desil)


def _register_check(nik: str) -> _RegisterCheck | None:
    """The NIK's rows in the current register batches and what they cover, in one query; None when no
    register is current (nobody can be judged then: the application stays pending)."""
    rows = list(
        WelfareImportBatch.objects.filter(state=WelfareImportBatch.State.CURRENT)
        .annotate(match=FilteredRelation("records", condition=Q(records__nik=nik)))
        .order_by("-as_of", "-pk")
        .values_list("match__pk", "match__kk_number", "match__desil", "coverage")
    )
    if not rows:
        return None
    covered: set[int] | None = set()
    for *_record, coverage in rows:
        if coverage is None:
            covered = None
            break
        covered.update(coverage)
    records = [_RegisterRow(pk, kk, desil) for pk, kk, desil, _coverage in rows if pk is not None]
    return _RegisterCheck(records, covered)


def _apply_register_check(application: Application, check: tuple[str, int | None], now) -> None:
    result, record_id = check
    application.eligibility = result
    application.eligibility_record_id = record_id
    application.eligibility_checked_at = now
    application.status = eligibility.status_after_check(application.status, result, False)


def _log_register_check(application: Application, now) -> None:
    """The same audit entry as eligibility.check_open_applications writes for a status it changes."""
    ModelLogEntry.objects.bulk_create([ModelLogEntry(
        content_type=ContentType.objects.get_for_model(Application), object_id=str(application.pk),
        label=application.reference or f"#{application.pk}", action="sigap.eligibility_checked",
        timestamp=now, uuid=uuid.uuid4(), data={
            "eligibility": application.eligibility, "record": application.eligibility_record_id,
            "from": ApplicationStatus.SUBMITTED, "to": application.status,
        },
    )])


def _reference(intake: Intake, pk: int) -> str:
    return f"SK-{intake.year}-{pk:06d}"


def _next_application_id() -> int | None:
    """The id the next application will get, read inside the write transaction (the INSERT then names
    it, so the reference needs no second write). None on a database where that cannot be read safely."""
    table = Application._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Django's SQLite ids are AUTOINCREMENT (never reused) and the IMMEDIATE transaction holds the
            # write lock, so nobody else can take this id before the INSERT.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            return (row[0] if row else 0) + 1
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            return cursor.fetchone()[0]
    return None


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
            {"kk_number": _("The applicant quota for one family card (KK) in this intake is full.")}
        )
