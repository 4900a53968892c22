"""Keep personal data no longer than needed (UU PDP 27/2022), without falsifying the figures.

Anonymising keeps every Application row (intake, program, status, dates, eligibility result) and, on the
Applicant, the kelurahan, sex, household size and birth *year* (1 January of it): counts per intake,
kelurahan, sex and age group stay true. Identity and free text are replaced:
NIK/KK -> "X" + the id in 15 digits (unique, can never be a real number), name -> "Anonim",
phone/address/RT/RW/occupation/motivation/override reason/interview note/withdrawal reason/publication
consent note/follow-up note -> ""; their data-subject requests keep kind, dates and status, lose who asked
and the text; audit-log labels that hold the name (person, enrolments, awards) become "Anonim".

Categories (each applicant at most once, restricted applicants are skipped: a restriction is a legal hold):
- not enrolled: never placed in a class (no Enrolment row, whatever its status: graduates, dropouts and
  current trainees all count as enrolled) and no application in ENROLLED_STATUSES, latest activity older than
  RETENTION_NOT_ENROLLED_YEARS (default 2; activity = latest application's submitted_at, else created_at);
- archive: anyone whose latest activity is older than RETENTION_ARCHIVE_YEARS (default 10).
Register extracts: the rows (WelfareRecord, WelfareRejection) of batches superseded, failed or tried out
longer than RETENTION_REGISTER_YEARS ago (default 2) are deleted; the batch row and its counts stay.
Rejected register rows (the raw cells of a row that failed validation, often a NIK and a name) only serve
the import report: they go after RETENTION_REJECTED_ROWS_DAYS (default 90) whatever the batch.
A batch still "processing" after RETENTION_UNFINISHED_IMPORT_HOURS (default 24; an import of 10^6 rows
takes minutes) was abandoned by a crashed worker: it is marked failed and its rows are deleted.
Staff logins (django-axes): the login log after RETENTION_LOGIN_LOG_DAYS (default 180), failed attempts
once the lock-out window is over.
Complaints and objections: a ticket closed longer than RETENTION_COMPLAINT_YEARS ago (default 2) keeps its
number, kind, category, kecamatan, state, decision and dates (the figures), and loses the description, the
sender's name and number, the answer, the internal note and its link to the application; tickets of a person
anonymised above lose the same text at once.
Background register exports: the xlsx file under PRIVATE_MEDIA_ROOT/exports and the ExportJob row (its
`params` hold the filters, possibly a searched NIK) go after RETENTION_EXPORT_DAYS (default 7); stray
files in that folder older than that go too.

Everything runs as chunked bulk UPDATE/DELETE statements in short transactions (SQLite's one write lock).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from pathlib import Path

from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Exists, F, Max, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, LPad, TruncYear
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus
from applicants.models import (
    Applicant,
    Application,
    CapitalAward,
    ContactAttempt,
    DataSubjectRequest,
    Enrolment,
    FollowUp,
    Interview,
    RecipientListBatch,
    RecipientListRecord,
    RecipientListRejection,
    Ticket,
    WelfareImportBatch,
    WelfareRecord,
    WelfareRejection,
)
from applicants.models import WelfareImportBatch as Batch
from programs.progress import PROGRESS
from programs.registers.models import ExportJob

logger = logging.getLogger(__name__)

RETENTION_ACTION = "sigap.retention"
ERASURE_ACTION = "sigap.erasure"
ANONYMOUS_NAME = "Anonim"
ANONYMISED_TEXT = "(dianonimkan)"
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
    rejected_rows: int = 0
    unfinished_batches: int = 0
    export_jobs: int = 0
    export_files: int = 0
    login_records: int = 0
    closed_tickets: int = 0
    recipient_list_rows: int = 0
    recipient_list_rejections: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def anonymised(self) -> int:
        return self.not_enrolled + self.archived

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.anonymised or self.register_rows or self.register_rejections or self.rejected_rows
            or self.unfinished_batches or self.export_jobs or self.export_files or self.login_records
            or self.closed_tickets
            or self.recipient_list_rows or self.recipient_list_rejections
        )


def _candidates(now: datetime.datetime):
    """(not-enrolled queryset, archive queryset) of applicant ids still carrying personal data."""
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
    """One chunk: the person, the free text about them elsewhere, and the audit-log labels that hold
    their name (entries on the person, and on their enrolments and awards, labelled "name · class")."""
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
        Application.objects.filter(applicant_id__in=ids).update(
            motivation="", eligibility_override_reason="", contact_kk_number="", contact_phone="",
            contact_address="", contact_rt="", contact_rw="", contact_occupation="",
        )
        Interview.objects.filter(application__applicant_id__in=ids).update(note="")
        enrolments = Enrolment.objects.filter(application__applicant_id__in=ids)
        enrolments.update(withdrawal_reason="", publication_consent_note="")
        FollowUp.objects.filter(enrolment__in=enrolments).update(note="")
        # The request stays as proof that it was handled (kind, dates, status); who asked and the free text go.
        DataSubjectRequest.objects.filter(applicant_id__in=ids).update(
            requester_name=ANONYMOUS_NAME,
            details="",
            outcome=Case(When(status=DataSubjectRequest.Status.OPEN, then=Value("")), default=Value(ANONYMISED_TEXT)),
        )
        ContactAttempt.objects.filter(application__applicant_id__in=ids).update(note="")
        Ticket.objects.filter(application__applicant_id__in=ids, anonymised_at__isnull=True).update(
            **_TICKET_TEXT_GONE, anonymised_at=now
        )
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Applicant), object_id__in=[str(pk) for pk in ids]
        ).update(label=ANONYMOUS_NAME, data={})
        enrolment_ids = [str(pk) for pk in enrolments.values_list("pk", flat=True)]
        awards = CapitalAward.objects.filter(enrolment__in=enrolments)
        award_ids = [str(pk) for pk in awards.values_list("pk", flat=True)]
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Enrolment), object_id__in=enrolment_ids
        ).update(label=ANONYMOUS_NAME, data={})
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(CapitalAward), object_id__in=award_ids
        ).update(label=ANONYMOUS_NAME)


# What a ticket past retention loses; the rest (kind, category, kecamatan, state, decision, dates) stays.
_TICKET_TEXT_GONE = {"description": "", "contact_name": "", "contact_phone": "", "answer": "", "internal_note": ""}


def _closed_tickets(report: RetentionReport, now: datetime.datetime) -> None:
    """Closed complaints past RETENTION_COMPLAINT_YEARS: text, contact and the link to the person go."""
    cutoff = years_before(now, settings.RETENTION_COMPLAINT_YEARS)
    expired = Ticket.objects.filter(state=Ticket.State.CLOSED, closed_at__lt=cutoff, anonymised_at__isnull=True)
    if report.dry_run:
        report.closed_tickets = expired.count()
        return
    while True:
        pks = list(expired.values_list("pk", flat=True)[:CHUNK_SIZE])
        if not pks:
            return
        with transaction.atomic():
            report.closed_tickets += Ticket.objects.filter(pk__in=pks, anonymised_at__isnull=True).update(
                **_TICKET_TEXT_GONE, application=None, anonymised_at=now
            )


def erase_applicant(applicant, user) -> None:
    """An erasure request (UU PDP): anonymise this person now, exactly as retention would, and log it.

    Refused while processing is restricted (a legal hold) and once capital was approved or handed over
    (the award and its signed handover document must stay accountable)."""
    if applicant.anonymised_at:
        raise ValidationError(gettext("This person's data has already been anonymised."), code="anonymised")
    if applicant.processing_restricted:
        raise ValidationError(
            gettext("Processing of this person's data is restricted; lift the "
                    "restriction first if the data really must be erased."),
            code="processing_restricted",
        )
    live_awards = CapitalAward.objects.filter(
        enrolment__application__applicant=applicant,
        state__in=[CapitalAward.State.APPROVED, CapitalAward.State.HANDED_OVER],
    )
    if live_awards.exists():
        raise ValidationError(
            gettext(
                "This person received business capital: their data must be kept for "
                "accountability. Reject the request for this reason, or restrict its processing."
            ),
            code="award_kept",
        )
    now = timezone.now()
    with transaction.atomic():
        _anonymise_ids([applicant.pk], now)
        anonymised = Applicant.objects.get(pk=applicant.pk)
        log(anonymised, ERASURE_ACTION, user=user, data={})
    for name in ("nik", "kk_number", "full_name", "phone", "address", "rt", "rw", "occupation", "birth_date",
                 "anonymised_at"):
        setattr(applicant, name, getattr(anonymised, name))


def _expired_batches(now: datetime.datetime):
    """Batches whose rows are past retention: superseded by a batch that was in place before the cutoff,
    or failed / dry-run / cancelled batches created before it. Current batches are never touched."""
    cutoff = years_before(now, settings.RETENTION_REGISTER_YEARS)
    replaced_before_cutoff = Batch.objects.filter(
        register=OuterRef("register"),
        created_at__gt=OuterRef("created_at"),
        created_at__lt=cutoff,
        state__in=[Batch.State.CURRENT, Batch.State.SUPERSEDED],
    )
    return Batch.objects.filter(
        Q(state=Batch.State.SUPERSEDED, pk__in=Batch.objects.filter(Exists(replaced_before_cutoff)).values("pk"))
        | Q(state__in=[Batch.State.FAILED, Batch.State.DRY_RUN, Batch.State.CANCELLED], created_at__lt=cutoff)
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
        logger.log(PROGRESS, "retention: %s, %d applicants", name, len(ids))
        if not dry_run:
            for start in range(0, len(ids), CHUNK_SIZE):
                _anonymise_ids(ids[start : start + CHUNK_SIZE], now)
                logger.log(PROGRESS, "retention: %s, %d of %d anonymised", name,
                           min(start + CHUNK_SIZE, len(ids)), len(ids))

    batches = list(
        _expired_batches(now)
        .filter(
            Exists(WelfareRecord.objects.filter(batch_id=OuterRef("pk")))
            | Exists(WelfareRejection.objects.filter(batch_id=OuterRef("pk")))
        )
        .values_list("pk", flat=True)
    )
    report.register_batches = len(batches)
    logger.log(PROGRESS, "retention: %d register imports past retention", len(batches))
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

    for step in (_rejected_rows, _unfinished_batches, _recipient_lists, _export_jobs, _login_records,
                 _closed_tickets):
        logger.log(PROGRESS, "retention: %s", step.__name__.strip("_").replace("_", " "))
        step(report, now)

    if not dry_run and report.changed_anything:
        _log_run(report, now)
    return report


def _rejected_rows(report: RetentionReport, now: datetime.datetime) -> None:
    """Rejected rows of any batch, once the import report they feed is old."""
    cutoff = now - datetime.timedelta(days=settings.RETENTION_REJECTED_ROWS_DAYS)
    rows = WelfareRejection.objects.filter(batch__created_at__lt=cutoff)
    report.rejected_rows = rows.count() if report.dry_run else _delete_in_chunks(rows)


def _unfinished_batches(report: RetentionReport, now: datetime.datetime) -> None:
    """Imports left "processing" by a crashed worker: failed, and their partial rows deleted."""
    cutoff = now - datetime.timedelta(hours=settings.RETENTION_UNFINISHED_IMPORT_HOURS)
    stale = WelfareImportBatch.objects.filter(state=WelfareImportBatch.State.PROCESSING, created_at__lt=cutoff)
    ids = list(stale.values_list("pk", flat=True))
    report.unfinished_batches = len(ids)
    if report.dry_run or not ids:
        return
    # Marked failed first (a tiny transaction), so no check ever reads a half-deleted batch as in progress.
    WelfareImportBatch.objects.filter(pk__in=ids, state=WelfareImportBatch.State.PROCESSING).update(
        state=WelfareImportBatch.State.FAILED,
        finished_at=now,
        error=gettext(
            "The import did not finish (the process stopped); rows already stored were removed by retention."
        ),
    )
    Application.objects.filter(eligibility_record__batch_id__in=ids).update(eligibility_record=None)
    report.register_rows += _delete_in_chunks(WelfareRecord.objects.filter(batch_id__in=ids))
    report.rejected_rows += _delete_in_chunks(WelfareRejection.objects.filter(batch_id__in=ids))


def _recipient_lists(report: RetentionReport, now: datetime.datetime) -> None:
    """Earlier-recipient lists like the register extracts: rows of lists uploaded more than
    RETENTION_REGISTER_YEARS ago, rejected rows after RETENTION_REJECTED_ROWS_DAYS, and rows of a list
    a crashed worker left processing after RETENTION_UNFINISHED_IMPORT_HOURS (then marked failed). The
    list itself and its counts stay."""
    unfinished = RecipientListBatch.objects.filter(
        state=RecipientListBatch.State.PROCESSING,
        created_at__lt=now - datetime.timedelta(hours=settings.RETENTION_UNFINISHED_IMPORT_HOURS),
    )
    expired = Q(batch__created_at__lt=years_before(now, settings.RETENTION_REGISTER_YEARS))
    records = RecipientListRecord.objects.filter(expired | Q(batch__in=unfinished))
    rejections = RecipientListRejection.objects.filter(
        expired | Q(batch__in=unfinished)
        | Q(batch__created_at__lt=now - datetime.timedelta(days=settings.RETENTION_REJECTED_ROWS_DAYS))
    )
    if report.dry_run:
        report.recipient_list_rows, report.recipient_list_rejections = records.count(), rejections.count()
        return
    ids = list(unfinished.values_list("pk", flat=True))
    RecipientListBatch.objects.filter(pk__in=ids, state=RecipientListBatch.State.PROCESSING).update(
        state=RecipientListBatch.State.FAILED, finished_at=now,
        error=gettext("The import did not finish (the process stopped); retention deleted the rows it had saved."),
    )
    unfinished_q = Q(batch_id__in=ids)
    records = RecipientListRecord.objects.filter(expired | unfinished_q)
    rejections = RecipientListRejection.objects.filter(
        expired | unfinished_q
        | Q(batch__created_at__lt=now - datetime.timedelta(days=settings.RETENTION_REJECTED_ROWS_DAYS))
    )
    report.recipient_list_rows = _delete_in_chunks(records)
    report.recipient_list_rejections = _delete_in_chunks(rejections)


def _login_records(report: RetentionReport, now: datetime.datetime) -> None:
    """django-axes' records: the log of staff logins after RETENTION_LOGIN_LOG_DAYS, failed attempts once
    they no longer count towards a lock (they may hold a password typed into the username field)."""
    logs = AccessLog.objects.filter(attempt_time__lt=now - datetime.timedelta(days=settings.RETENTION_LOGIN_LOG_DAYS))
    attempts = AccessAttempt.objects.filter(
        attempt_time__lt=now - datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    )
    if report.dry_run:
        report.login_records = logs.count() + attempts.count()
    else:
        report.login_records = _delete_in_chunks(logs) + _delete_in_chunks(attempts)


def _export_jobs(report: RetentionReport, now: datetime.datetime) -> None:
    """Background export files and their jobs (whose params may hold a searched NIK)."""
    cutoff = now - datetime.timedelta(days=settings.RETENTION_EXPORT_DAYS)
    jobs = ExportJob.objects.filter(created_at__lt=cutoff)
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    folder = root / "exports"
    recent = ExportJob.objects.filter(created_at__gte=cutoff).exclude(file_path="")
    kept = {root / path for path in recent.values_list("file_path", flat=True)}
    old_files = []
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and path not in kept and path.stat().st_mtime < cutoff.timestamp():
                old_files.append(path)
    for file_path in jobs.exclude(file_path="").values_list("file_path", flat=True):
        path = root / file_path
        if path.is_file() and path not in old_files:
            old_files.append(path)
    report.export_files = len(old_files)
    if report.dry_run:
        report.export_jobs = jobs.count()
        return
    # Rows first: once the job is gone nobody can ask for the file, then the file goes.
    report.export_jobs = _delete_in_chunks(jobs)
    for path in old_files:
        path.unlink(missing_ok=True)


def _log_run(report: RetentionReport, now: datetime.datetime) -> None:
    ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Applicant),
        object_id="0",
        label=gettext("Data retention"),
        action=RETENTION_ACTION,
        timestamp=now,
        data={
            "not_enrolled": report.not_enrolled,
            "archived": report.archived,
            "register_rows": report.register_rows,
            "register_rejections": report.register_rejections,
            "rejected_rows": report.rejected_rows,
            "unfinished_batches": report.unfinished_batches,
            "export_jobs": report.export_jobs,
            "export_files": report.export_files,
            "login_records": report.login_records,
            "closed_tickets": report.closed_tickets,
            "recipient_list_rows": report.recipient_list_rows,
            "recipient_list_rejections": report.recipient_list_rejections,
        },
    )
