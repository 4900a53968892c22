"""Register imports as background tasks (django-tasks, the database-backed "exports" backend).

The admin upload only checks the file quickly (`importer.check_file`), stores it in private storage and
enqueues `run_welfare_import`; `manage.py db_worker --backend exports` runs it. The batch row carries the
progress (rows, bytes, heartbeat) that the admin page polls. A worker killed mid-import leaves a
processing batch whose heartbeat stops: `cleanup_imports()` (run before every import and by
`manage.py cleanup_imports`) marks it failed and removes its rows, so the previous register stays current.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from applicants.models import WelfareImportBatch, WelfareRecord
from applicants.privacy.storage import private_storage
from applicants.welfare import importer, staging
from programs.progress import PROGRESS

logger = logging.getLogger(__name__)

UPLOAD_DIR = "welfare-imports"
State = WelfareImportBatch.State


def store_upload(upload) -> str:
    """Save an uploaded extract under PRIVATE_MEDIA_ROOT with a random name; returns the storage name."""
    suffix = Path(upload.name).suffix.lower()
    return private_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}{suffix}", upload)


def stored_path(name: str) -> Path:
    return Path(private_storage.path(name))


def discard_file(name: str) -> None:
    if name:
        try:
            private_storage.delete(name)
        except OSError:
            logger.warning("could not delete stored register file %s", name, exc_info=True)


def start_import(upload, *, register: str, as_of: datetime.date | None, user, dry_run: bool) -> WelfareImportBatch:
    """Store the file, create the batch (processing) and enqueue its import once the batch is committed.

    The caller has run `importer.check_file` on the upload; a refused file is never stored.
    """
    name = store_upload(upload)
    try:
        batch = importer.create_batch(
            file_name=upload.name, register=register, as_of=as_of, user=user, dry_run=dry_run, stored_file=name
        )
    except Exception:
        discard_file(name)
        raise
    transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def _enqueue(batch_id: int) -> None:
    result = run_welfare_import.enqueue(batch_id)
    WelfareImportBatch.objects.filter(pk=batch_id).update(task_id=str(result.id)[:64])


@task(backend="exports")
def run_welfare_import(batch_id: int) -> str:
    """Read the stored file into its batch; the batch then waits for confirmation (or is a dry run)."""
    cleanup_imports()
    batch = WelfareImportBatch.objects.filter(pk=batch_id, state=State.PROCESSING, started_at__isnull=True).first()
    if batch is None:  # already run, cancelled, or ended by the cleanup
        return "skipped"
    try:
        importer.stage_import(batch, stored_path(batch.stored_file))
    except importer.RegisterFileError:
        pass  # the batch is failed with the message; the report page shows it
    except Exception:
        logger.exception("welfare import %s failed", batch_id)
    finally:
        discard_file(batch.stored_file)
        WelfareImportBatch.objects.filter(pk=batch_id).update(stored_file="")
    return batch.state


def _stale_message() -> str:
    return _("The import stopped before it finished (the background process was stopped). Rows already "
             "stored have been removed; the current register is unchanged. Upload the file again.")


def cleanup_imports(now: datetime.datetime | None = None, *, stale_minutes: int | None = None,
                    unconfirmed_days: int | None = None) -> dict[str, int]:
    """End imports that can no longer finish, and remove what they left behind.

    - processing, started, and no progress written for WELFARE_IMPORT_STALE_MINUTES: its worker died
      (kill -9, server restart). Failed, rows deleted, stored file deleted.
    - processing, never started, queued longer than WELFARE_IMPORT_UNCONFIRMED_DAYS: no worker ran it.
    - ready (read, never confirmed) for WELFARE_IMPORT_UNCONFIRMED_DAYS: cancelled, records deleted.
    - files in the upload folder that no processing batch refers to.
    """
    now = now or timezone.now()
    stale_minutes = settings.WELFARE_IMPORT_STALE_MINUTES if stale_minutes is None else stale_minutes
    unconfirmed_days = settings.WELFARE_IMPORT_UNCONFIRMED_DAYS if unconfirmed_days is None else unconfirmed_days
    stale_before = now - datetime.timedelta(minutes=stale_minutes)
    old_before = now - datetime.timedelta(days=unconfirmed_days)
    counts = {"stale": 0, "never_started": 0, "unconfirmed": 0, "files": 0}

    stale = list(WelfareImportBatch.objects.filter(
        state=State.PROCESSING, started_at__isnull=False, heartbeat_at__lt=stale_before
    ))
    never_started = list(WelfareImportBatch.objects.filter(
        state=State.PROCESSING, started_at__isnull=True, created_at__lt=old_before
    ))
    logger.log(PROGRESS, "cleanup: %d stale and %d never-started imports found", len(stale), len(never_started))
    for batch, key in [*((b, "stale") for b in stale), *((b, "never_started") for b in never_started)]:
        # Compare-and-set on the heartbeat: a job that wrote progress meanwhile is alive and left alone.
        claimed = WelfareImportBatch.objects.filter(
            pk=batch.pk, state=State.PROCESSING, heartbeat_at=batch.heartbeat_at
        ).update(state=State.FAILED, error=_stale_message(), finished_at=now)
        if not claimed:
            continue
        staging.delete_batch_rows(batch)
        discard_file(batch.stored_file)
        WelfareImportBatch.objects.filter(pk=batch.pk).update(stored_file="")
        counts[key] += 1
        logger.warning("welfare import %s ended by cleanup (%s)", batch.pk, key)

    for batch in WelfareImportBatch.objects.filter(state=State.READY, finished_at__lt=old_before):
        try:
            importer.cancel_import(batch)
        except importer.ImportStateError:
            continue
        counts["unconfirmed"] += 1
    logger.log(PROGRESS, "cleanup: %d unconfirmed imports cancelled", counts["unconfirmed"])

    # Records of batches that never became a register, left by a crash in the middle of a cleanup.
    unused = WelfareRecord.objects.filter(batch__state__in=[State.FAILED, State.CANCELLED, State.DRY_RUN])
    for batch in WelfareImportBatch.objects.filter(pk__in=unused.values("batch_id")):
        staging.delete_batch_rows(batch, models=(WelfareRecord,))
    in_use = set(WelfareImportBatch.objects.filter(state=State.PROCESSING).values_list("stored_file", flat=True))
    try:
        _dirs, files = private_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        files = []
    logger.log(PROGRESS, "cleanup: %d stored upload files to look at", len(files))
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        if path in in_use:
            continue
        modified = private_storage.get_modified_time(path)
        if modified < stale_before:
            discard_file(path)
            counts["files"] += 1
    if any(counts.values()):
        logger.info("welfare import cleanup: %s", counts)
    return counts

