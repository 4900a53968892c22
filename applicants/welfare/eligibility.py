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
anything else -> not_eligible, unless an editor overrode the check (then verified) or a person recorded a
not-eligible decision with a reason (it stands). Later statuses are never touched, and neither are
applicants in a kelurahan no current batch covers. Each status change is a workflow transition in
Wagtail's audit log (the workflow's action, the register's reason code; written in bulk, one uuid per run).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus, Eligibility
from applicants.models import Application, WelfareImportBatch, WelfareRecord
from applicants.workflow import ELIGIBILITY_REASONS, LOG_ACTIONS
from programs.models import Kelurahan
from programs.progress import PROGRESS

logger = logging.getLogger(__name__)

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


def status_after_check(status: str, result: str, overridden: bool, decided: str = "") -> str:
    """The status a check leaves; a person's recorded decision (`decided`: its reason code) stands."""
    if status not in OPEN_STATUSES or (status == ApplicationStatus.NOT_ELIGIBLE and decided):
        return status
    if overridden or result == Eligibility.VERIFIED:
        return ApplicationStatus.VERIFIED
    return ApplicationStatus.NOT_ELIGIBLE


def covered_kelurahan(batch_ids: list[int]) -> set[int] | None:
    """Kelurahan the given batches cover together; None when one of them covers the whole city."""
    covered: set[int] = set()
    for coverage in WelfareImportBatch.objects.filter(pk__in=batch_ids).values_list("coverage", flat=True):
        if coverage is None:
            return None
        covered.update(coverage)
    return covered


def _open_applications(queryset: QuerySet | None, batch_ids: list[int], kelurahan_ids) -> QuerySet:
    # Restricted (UU PDP) and anonymised people are not processed: their records stay as they are.
    applications = (queryset if queryset is not None else Application.objects.all()).filter(
        status__in=OPEN_STATUSES, applicant__processing_restricted=False, applicant__anonymised_at__isnull=True
    )
    # Nobody is judged "not found" by a register that does not cover their kelurahan.
    covered = covered_kelurahan(batch_ids)
    if covered is not None:
        applications = applications.filter(applicant__kelurahan_id__in=covered)
    if kelurahan_ids is not None:
        applications = applications.filter(applicant__kelurahan_id__in=kelurahan_ids)
    return applications


_FIELDS = ("pk", "reference", "applicant__nik", "applicant__kk_number", "intake__max_desil", "status",
           "status_changed_at", "eligibility_override", "applicant__kelurahan__kecamatan__name", "decision_reason")


def _planned(applications: QuerySet, batch_ids: list[int], chunk_size: int):
    """Chunks of (row, result, evidence record id, new status) for the applications, keyset on pk."""
    last_pk = 0
    while True:
        rows = list(applications.filter(pk__gt=last_pk).order_by("pk").values_list(*_FIELDS)[:chunk_size])
        if not rows:
            return
        last_pk = rows[-1][0]
        found = _records_by_nik({row[2] for row in rows}, batch_ids)
        chunk = []
        for row in rows:
            result, record_id = evaluate(found.get(row[2], []), row[3], row[4])
            chunk.append((row, result, record_id, status_after_check(row[5], result, row[7], row[9])))
        yield chunk


def check_open_applications(
    queryset: QuerySet | None = None, *, user=None, chunk_size: int = CHUNK_SIZE, kelurahan_ids=None, batch=None,
) -> dict:
    """Check every undecided application (of `queryset`, default all) against the current register.

    Only applicants whose kelurahan a current batch covers are judged; `kelurahan_ids` narrows the check
    further (a confirmed partial extract re-checks its own kelurahan only). Every status change is a
    logged workflow transition with the register's reason (and the batch, when an import caused it).
    Returns counts per result and how many statuses changed. Each chunk is one short transaction.
    """
    batch_ids = current_batch_ids()
    if not batch_ids:
        # No register imported yet: nobody can be judged "not found"; applications stay pending.
        return {"checked": 0, "status_changed": 0}
    applications = _open_applications(queryset, batch_ids, kelurahan_ids)
    content_type = ContentType.objects.get_for_model(Application)
    run_id = uuid.uuid4()
    user_id = user.pk if getattr(user, "pk", None) else None
    counts: dict[str, int] = defaultdict(int)
    for chunk in _planned(applications, batch_ids, chunk_size):
        now = timezone.now()
        updates, log_entries = [], []
        for row, result, record_id, new_status in chunk:
            pk, reference, _nik, _kk, _max_desil, status, changed_at, overridden, _kecamatan, _decided = row
            counts[result] += 1
            if new_status != status:
                counts["status_changed"] += 1
                changed_at = now
                log_entries.append(ModelLogEntry(
                    content_type=content_type, object_id=str(pk), label=reference or f"#{pk}",
                    action=LOG_ACTIONS[new_status][0], timestamp=now, uuid=run_id, user_id=user_id,
                    data={
                        "from": status, "to": new_status, "reason": ELIGIBILITY_REASONS.get(result, ""),
                        "eligibility": result, "record": record_id, "override": overridden,
                        "register_batch": batch.pk if batch else None,
                        "note": str(_("Automatic check against the welfare register")),
                    },
                ))
            updates.append(Application(
                pk=pk, eligibility=result, eligibility_record_id=record_id, eligibility_checked_at=now,
                status=new_status, status_changed_at=changed_at,
            ))
        with transaction.atomic():
            Application.objects.bulk_update(updates, _UPDATE_FIELDS, batch_size=500)
            ModelLogEntry.objects.bulk_create(log_entries, batch_size=500)
        logger.log(PROGRESS, "eligibility: %d applications checked, %d changed status",
                   sum(counts[result] for result in Eligibility.values), counts["status_changed"])
    counts["checked"] = sum(counts[result] for result in Eligibility.values)
    return dict(counts)


# Preview keys: (from, to) moves an import would cause, as a person reads them.
PREVIEW_MOVES = {
    "demoted": (ApplicationStatus.VERIFIED, ApplicationStatus.NOT_ELIGIBLE),
    "promoted": (ApplicationStatus.NOT_ELIGIBLE, ApplicationStatus.VERIFIED),
    "new_verified": (ApplicationStatus.SUBMITTED, ApplicationStatus.VERIFIED),
    "new_not_eligible": (ApplicationStatus.SUBMITTED, ApplicationStatus.NOT_ELIGIBLE),
}
_MOVE_KEYS = {moves: key for key, moves in PREVIEW_MOVES.items()}


def preview_changes(batch: WelfareImportBatch, chunk_size: int = CHUNK_SIZE) -> dict:
    """What confirming `batch` would change, per kecamatan, without writing anything.

    The batch is evaluated as if it replaced its register's current batch (other registers stay), for
    the applications in the kelurahan the file covers, exactly as `check_open_applications` would.
    """
    others = [pk for pk in current_batch_ids() if pk != batch.base_batch_id]
    as_of = dict(WelfareImportBatch.objects.filter(pk__in=[*others, batch.pk]).values_list("pk", "as_of"))
    batch_ids = sorted(as_of, key=lambda pk: (as_of[pk], pk), reverse=True)  # as current_batch_ids() orders
    applications = Application.objects.filter(
        status__in=OPEN_STATUSES, applicant__processing_restricted=False, applicant__anonymised_at__isnull=True,
        applicant__kelurahan_id__in=batch.kelurahan_ids or [],
    )
    per_kecamatan: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys([*PREVIEW_MOVES, "unchanged"], 0))
    for chunk in _planned(applications, batch_ids, chunk_size):
        for row, _result, _record_id, new_status in chunk:
            key = _MOVE_KEYS.get((row[5], new_status), "unchanged")
            per_kecamatan[row[8] or "-"][key] += 1
    totals = dict.fromkeys([*PREVIEW_MOVES, "unchanged"], 0)
    for counts in per_kecamatan.values():
        for key, value in counts.items():
            totals[key] += value
    kelurahan = Kelurahan.objects.filter(pk__in=batch.kelurahan_ids or [])
    outside = Application.objects.filter(status__in=OPEN_STATUSES).exclude(
        applicant__kelurahan_id__in=batch.kelurahan_ids or []
    ).count()
    return {
        "per_kecamatan": [{"kecamatan": name, **counts} for name, counts in sorted(per_kecamatan.items())],
        "totals": totals,
        "kelurahan_count": kelurahan.count(),
        "kecamatan": sorted(set(kelurahan.values_list("kecamatan__name", flat=True))),
        "all_kelurahan": Kelurahan.objects.count(),
        "outside_unchanged": outside,
        "carried_rows": WelfareRecord.objects.filter(batch=batch).count() - batch.rows_accepted,
        "made_at": timezone.now().isoformat(),
    }


def check_application(application: Application, *, user=None) -> str:
    """Check one application (the intake form calls this right after saving a new one).

    Returns the eligibility result and refreshes the instance's eligibility and status fields.
    Applications past the undecided statuses are left as they are.
    """
    check_open_applications(Application.objects.filter(pk=application.pk), user=user)
    application.refresh_from_db(fields=_UPDATE_FIELDS)
    return application.eligibility
