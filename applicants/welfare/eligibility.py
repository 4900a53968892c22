"""Eligibility: is an applicant in the current welfare register (DTSEN/DTKS), and with which evidence?

Matching runs in SQL by chunks of applications (`nik__in`), never one query per application, so a check
of every open application after a million-row import stays a few queries per 2,000 applications.

Results (applicants.enums.Eligibility):
- verified: the NIK is in a current batch with the same KK (and desil within the intake's max_desil);
  `eligibility_record` points at that register row (register, desil and as-of date are the evidence);
- kk_mismatch: the NIK is there but under another KK (the record is kept as evidence);
- desil_too_high: found with a matching KK, but the desil is above Intake.max_desil;
- not_found: no current batch has the NIK.
A record without a desil (DTKS extracts have none) is not judged on desil.

Only undecided applications (submitted, verified, not_eligible) change status: verified -> verified,
anything else -> not_eligible, unless an editor overrode the check (then verified). Later statuses are
never touched. Status changes are written to Wagtail's audit log in bulk (one shared uuid per run).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus, Eligibility
from applicants.models import Application, WelfareImportBatch, WelfareRecord

OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.VERIFIED, ApplicationStatus.NOT_ELIGIBLE)
CHUNK_SIZE = 2000
_UPDATE_FIELDS = ["eligibility", "eligibility_record", "eligibility_checked_at", "status", "status_changed_at"]


@dataclass(frozen=True)
class _Record:
    pk: int
    kk_number: str
    desil: int | None


def current_batch_ids() -> list[int]:
    """The current batch of each register, most recent data first (DTSEN before an older DTKS)."""
    return list(
        WelfareImportBatch.objects.filter(state=WelfareImportBatch.State.CURRENT)
        .order_by("-as_of", "-pk")
        .values_list("pk", flat=True)
    )


def _records_by_nik(niks: set[str], batch_ids: list[int]) -> dict[str, list[_Record]]:
    found: dict[str, list[_Record]] = defaultdict(list)
    if not niks or not batch_ids:
        return found
    rank = {pk: position for position, pk in enumerate(batch_ids)}
    rows = WelfareRecord.objects.filter(batch_id__in=batch_ids, nik__in=niks).values_list(
        "pk", "nik", "kk_number", "desil", "batch_id"
    )
    for pk, nik, kk_number, desil, _batch_id in sorted(rows, key=lambda row: rank[row[4]]):
        found[nik].append(_Record(pk, kk_number, desil))
    return found


def evaluate(records: list[_Record], kk_number: str, max_desil: int | None) -> tuple[str, int | None]:
    """(eligibility result, evidence record id) from the NIK's rows in the current batches."""
    match = next((record for record in records if record.kk_number == kk_number), None)
    if match is None:
        return (Eligibility.KK_MISMATCH, records[0].pk) if records else (Eligibility.NOT_FOUND, None)
    if max_desil is not None and match.desil is not None and match.desil > max_desil:
        return Eligibility.DESIL_TOO_HIGH, match.pk
    return Eligibility.VERIFIED, match.pk


def status_after_check(status: str, result: str, overridden: bool) -> str:
    if status not in OPEN_STATUSES:
        return status
    if overridden or result == Eligibility.VERIFIED:
        return ApplicationStatus.VERIFIED
    return ApplicationStatus.NOT_ELIGIBLE


def check_open_applications(queryset: QuerySet | None = None, *, user=None, chunk_size: int = CHUNK_SIZE) -> dict:
    """Check every undecided application (of `queryset`, default all) against the current register.

    Returns counts per result and how many statuses changed. Each chunk is one short transaction.
    """
    # Restricted (UU PDP) and anonymised people are not processed: their records stay as they are.
    applications = (queryset if queryset is not None else Application.objects.all()).filter(
        status__in=OPEN_STATUSES, applicant__processing_restricted=False, applicant__anonymised_at__isnull=True
    )
    batch_ids = current_batch_ids()
    if not batch_ids:
        # No register imported yet: nobody can be judged "not found"; applications stay pending.
        return {"checked": 0, "status_changed": 0}
    content_type = ContentType.objects.get_for_model(Application)
    run_id = uuid.uuid4()
    user_id = user.pk if getattr(user, "pk", None) else None
    counts: dict[str, int] = defaultdict(int)
    last_pk = 0
    while True:
        rows = list(
            applications.filter(pk__gt=last_pk).order_by("pk").values_list(
                "pk", "reference", "applicant__nik", "applicant__kk_number", "intake__max_desil", "status",
                "status_changed_at", "eligibility_override",
            )[:chunk_size]
        )
        if not rows:
            break
        last_pk = rows[-1][0]
        found = _records_by_nik({row[2] for row in rows}, batch_ids)
        now = timezone.now()
        updates, log_entries = [], []
        for pk, reference, nik, kk_number, max_desil, status, changed_at, overridden in rows:
            result, record_id = evaluate(found.get(nik, []), kk_number, max_desil)
            new_status = status_after_check(status, result, overridden)
            counts[result] += 1
            if new_status != status:
                counts["status_changed"] += 1
                changed_at = now
                log_entries.append(ModelLogEntry(
                    content_type=content_type, object_id=str(pk), label=reference or f"#{pk}",
                    action="sigap.eligibility_checked", timestamp=now, uuid=run_id, user_id=user_id,
                    data={"eligibility": result, "record": record_id, "from": status, "to": new_status},
                ))
            updates.append(Application(
                pk=pk, eligibility=result, eligibility_record_id=record_id, eligibility_checked_at=now,
                status=new_status, status_changed_at=changed_at,
            ))
        with transaction.atomic():
            Application.objects.bulk_update(updates, _UPDATE_FIELDS, batch_size=500)
            ModelLogEntry.objects.bulk_create(log_entries, batch_size=500)
    counts["checked"] = sum(counts[result] for result in Eligibility.values)
    return dict(counts)


def check_application(application: Application, *, user=None) -> str:
    """Check one application (the intake form calls this right after saving a new one).

    Returns the eligibility result and refreshes the instance's eligibility and status fields.
    Applications past the undecided statuses are left as they are.
    """
    check_open_applications(Application.objects.filter(pk=application.pk), user=user)
    application.refresh_from_db(fields=_UPDATE_FIELDS)
    return application.eligibility
