"""Earlier-recipient list imports as background tasks, on the welfare imports' backend and storage.

The upload request checks the file quickly (`importer.check_file`), stores it under
PRIVATE_MEDIA_ROOT/recipient-lists/ and enqueues `run_recipient_list_import`; the worker
(`manage.py db_worker --backend exports`) reads it and deletes the stored file whatever the outcome.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.db import transaction
from django_tasks import task

from applicants.allocation import importer
from applicants.models import RecipientListBatch
from applicants.privacy.storage import private_storage
from applicants.welfare.jobs import discard_file, stored_path

logger = logging.getLogger(__name__)

UPLOAD_DIR = "recipient-lists"


def start_import(upload, *, program: str, year: int, user) -> RecipientListBatch:
    """Store the checked upload, create the list (processing) and enqueue its import after commit."""
    name = private_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}", upload)
    try:
        batch = importer.create_batch(file_name=upload.name, program=program, year=year, user=user, stored_file=name)
    except Exception:
        discard_file(name)
        raise
    transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def _enqueue(batch_id: int) -> None:
    result = run_recipient_list_import.enqueue(batch_id)
    RecipientListBatch.objects.filter(pk=batch_id).update(task_id=str(result.id)[:64])


@task(backend="exports")
def run_recipient_list_import(batch_id: int) -> str:
    batch = RecipientListBatch.objects.filter(pk=batch_id, state=RecipientListBatch.State.PROCESSING).first()
    if batch is None or not batch.stored_file:
        return "skipped"
    try:
        importer.read_into(batch, stored_path(batch.stored_file))
    except Exception:
        logger.exception("recipient list import %s failed", batch_id)
    finally:
        discard_file(batch.stored_file)
        RecipientListBatch.objects.filter(pk=batch_id).update(stored_file="")
    return batch.state
