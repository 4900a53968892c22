"""Keep personal data no longer than needed (UU PDP 27/2022), without falsifying the figures.

Anonymising keeps every Application row (intake, program, status, dates, eligibility result) and, on the
Applicant, the kelurahan, sex, household size and birth *year* (1 January of it): counts per intake,
kelurahan, sex and age group stay true. Identity and free text are replaced:
NIK/KK -> "X" + the id in 15 digits (unique, can never be a real number), name -> "Anonim",
phone/address/RT/RW/occupation/motivation/override reason/interview note -> "".

Categories (each applicant at most once, restricted applicants are skipped: a restriction is a legal hold):
- not enrolled: never placed in a class (no Enrolment row, whatever its status: graduates, dropouts and
  current trainees all count as enrolled) and no application in ENROLLED_STATUSES, latest activity older than
  RETENTION_NOT_ENROLLED_YEARS (default 2; activity = latest application's submitted_at, else created_at);
- archive: anyone whose latest activity is older than RETENTION_ARCHIVE_YEARS (default 10).
Register extracts: the rows (WelfareRecord, WelfareRejection) of batches superseded, failed or tried out
longer than RETENTION_REGISTER_YEARS ago (default 2) are deleted; the batch row and its counts stay.

Everything runs as chunked bulk UPDATE/DELETE statements in short transactions (SQLite's one write lock).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Exists, F, Max, OuterRef, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat, LPad, TruncYear
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus

RETENTION_ACTION = "sigap.retention"
ANONYMOUS_NAME = "Anonim"
# Application statuses that count as "enrolled" (took part in training). Graduates keep status `enrolled`
# (completion is recorded on the Enrolment), and `_candidates` also treats any Enrolment row as enrolled,
# so a graduate is never caught by the not-enrolled rule even if their application later moves on.
ENROLLED_STATUSES = [ApplicationStatus.ENROLLED]
CHUNK_SIZE = 1000


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def anonymised_identity(pk: int) -> str:
    """The placeholder NIK/KK of an anonymised applicant (what the bulk UPDATE computes in SQL)."""
    return f"X{pk:015d}"


@dataclass
class RetentionReport:
    dry_run: bool
    not_enrolled: int = 0
    archived: int = 0
    skipped_restricted: int = 0
    register_batches: int = 0
    register_rows: int = 0
    register_rejections: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def anonymised(self) -> int:
        return self.not_enrolled + self.archived


def _candidates(now: datetime.datetime):
    """(not-enrolled queryset, archive queryset) of applicant ids still carrying personal data."""
    from applicants.models import Applicant, Application, Enrolment

    not_enrolled_cutoff = years_before(now, settings.RETENTION_NOT_ENROLLED_YEARS)
    archive_cutoff = years_before(now, settings.RETENTION_ARCHIVE_YEARS)
    base = Applicant.objects.filter(anonymised_at__isnull=True).annotate(
        last_activity=Coalesce(Max("applications__submitted_at"), F("created_at"))
    )
    enrolled = Application.objects.filter(applicant_id=OuterRef("pk"), status__in=ENROLLED_STATUSES)
    archive = base.filter(last_activity__lt=archive_cutoff)
    placed_in_class = Enrolment.objects.filter(application__applicant_id=OuterRef("pk"))
    not_enrolled = base.filter(last_activity__lt=not_enrolled_cutoff, last_activity__gte=archive_cutoff).filter(
        ~Exists(enrolled), ~Exists(placed_in_class)
    )
    return not_enrolled, archive


def _anonymise_ids(ids: list[int], now: datetime.datetime) -> None:
    """One chunk: three UPDATEs and the audit-log labels (which hold the person's name)."""
    from applicants.models import Applicant, Application, ContactAttempt, Interview

    placeholder = Concat(Value("X"), LPad(Cast("id", CharField()), 15, Value("0")), output_field=CharField())
    with transaction.atomic():
        Applicant.objects.filter(pk__in=ids, anonymised_at__isnull=True).update(
            nik=placeholder,
            kk_number=placeholder,
            full_name=ANONYMOUS_NAME,
            phone="",
            address="",
            rt="",
            rw="",
            occupation="",
            birth_date=TruncYear("birth_date"),
            anonymised_at=now,
        )
        Application.objects.filter(applicant_id__in=ids).update(motivation="", eligibility_override_reason="")
        Interview.objects.filter(application__applicant_id__in=ids).update(note="")
        ContactAttempt.objects.filter(application__applicant_id__in=ids).update(note="")
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Applicant), object_id__in=[str(pk) for pk in ids]
        ).update(label=ANONYMOUS_NAME, data={})


def _expired_batches(now: datetime.datetime):
    """Batches whose rows are past retention: superseded by a batch that was in place before the cutoff,
    or failed / dry-run batches created before it. Current batches are never touched."""
    from applicants.models import WelfareImportBatch as Batch

    cutoff = years_before(now, settings.RETENTION_REGISTER_YEARS)
    replaced_before_cutoff = Batch.objects.filter(
        register=OuterRef("register"),
        created_at__gt=OuterRef("created_at"),
        created_at__lt=cutoff,
        state__in=[Batch.State.CURRENT, Batch.State.SUPERSEDED],
    )
    return Batch.objects.filter(
        Q(state=Batch.State.SUPERSEDED, pk__in=Batch.objects.filter(Exists(replaced_before_cutoff)).values("pk"))
        | Q(state__in=[Batch.State.FAILED, Batch.State.DRY_RUN], created_at__lt=cutoff)
    )


def _delete_in_chunks(queryset) -> int:
    """Delete by primary-key chunks so no statement holds the write lock for long."""
    deleted = 0
    while True:
        pks = list(queryset.values_list("pk", flat=True)[:CHUNK_SIZE])
        if not pks:
            return deleted
        with transaction.atomic():
            deleted += queryset.model.objects.filter(pk__in=pks).delete()[0]


def apply_retention(dry_run: bool = False, now: datetime.datetime | None = None) -> RetentionReport:
    """Anonymise and delete what is past retention; with dry_run, only count. Idempotent."""
    from applicants.models import Application, WelfareRecord, WelfareRejection

    now = now or timezone.now()
    report = RetentionReport(dry_run=dry_run)
    not_enrolled, archive = _candidates(now)
    report.skipped_restricted = (
        not_enrolled.filter(processing_restricted=True).count() + archive.filter(processing_restricted=True).count()
    )
    for name, queryset in (("not_enrolled", not_enrolled), ("archived", archive)):
        queryset = queryset.filter(processing_restricted=False)
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        setattr(report, name, len(ids))
        if not dry_run:
            for start in range(0, len(ids), CHUNK_SIZE):
                _anonymise_ids(ids[start : start + CHUNK_SIZE], now)

    batches = list(
        _expired_batches(now)
        .filter(
            Exists(WelfareRecord.objects.filter(batch_id=OuterRef("pk")))
            | Exists(WelfareRejection.objects.filter(batch_id=OuterRef("pk")))
        )
        .values_list("pk", flat=True)
    )
    report.register_batches = len(batches)
    records = WelfareRecord.objects.filter(batch_id__in=batches)
    rejections = WelfareRejection.objects.filter(batch_id__in=batches)
    if dry_run:
        report.register_rows = records.count()
        report.register_rejections = rejections.count()
    else:
        # Applications keep their eligibility result; only the pointer to the deleted row goes.
        Application.objects.filter(eligibility_record__batch_id__in=batches).update(eligibility_record=None)
        report.register_rows = _delete_in_chunks(records)
        report.register_rejections = _delete_in_chunks(rejections)

    if not dry_run and (report.anonymised or report.register_rows or report.register_rejections):
        _log_run(report, now)
    return report


def _log_run(report: RetentionReport, now: datetime.datetime) -> None:
    from applicants.models import Applicant

    ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Applicant),
        object_id="0",
        label="Retensi data",
        action=RETENTION_ACTION,
        timestamp=now,
        data={
            "not_enrolled": report.not_enrolled,
            "archived": report.archived,
            "register_rows": report.register_rows,
            "register_rejections": report.register_rejections,
        },
    )
