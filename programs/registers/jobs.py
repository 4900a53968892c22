"""Large exports as background tasks (django-tasks; the "exports" backend is django-tasks-db).

The request only creates an ExportJob and enqueues `run_export_job`; `manage.py db_worker --backend
exports` runs it, updating `rows_done` every few thousand rows so the admin page can show progress.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from .export import log_export, write_export
from .models import ExportJob
from .query import RegisterQuery, get_register

PROGRESS_EVERY = 5000


def exports_dir() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_export_job(request, register, query: RegisterQuery):
    """Create the job, enqueue it after commit, and send the user to its progress page."""
    params = {key: query.params.getlist(key) for key in query.params}
    job = ExportJob.objects.create(
        user=request.user,
        register_key=register.register_key,
        params=params,
        file_name=query.filename(timezone.localdate()),
        rows_total=query.queryset.count(),
    )
    transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
    return redirect(reverse("register_export_job", args=[job.pk]))


class _Progress:
    """Wraps the row iterator; writes the running count to the job every PROGRESS_EVERY rows."""

    def __init__(self, rows, job: ExportJob):
        self.rows, self.job, self.count = rows, job, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            if self.count % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=self.job.pk).update(rows_done=self.count)
            yield row


@task(backend="exports")
def run_export_job(job_id: int) -> int:
    job = ExportJob.objects.get(pk=job_id)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    user = get_user_model().objects.get(pk=job.user_id)
    register = get_register(job.register_key)
    params = QueryDict(mutable=True)
    for key, values in job.params.items():
        params.setlist(key, values)
    query = register.query(params, user=user)
    path = exports_dir() / f"{job.pk}_{job.file_name}"
    try:
        with open(path, "wb") as fileobj:
            rows = write_export(query, fileobj, user=user, progress=lambda it: _Progress(it, job))
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        path.unlink(missing_ok=True)
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, rows_done=rows, rows_total=rows,
        file_path=str(path.relative_to(settings.PRIVATE_MEDIA_ROOT)), finished_at=timezone.now(),
    )
    log_export(query, user, rows, job.file_name, channel="background")
    return rows


def recover_exports(backend: str, worker_id: str) -> int:
    """Queue again the exports a dead worker had claimed: those still running under `worker_id`.

    A worker killed mid-export (kill -9, out of memory, a deploy) leaves its task "running" for ever
    and the editor's job page "being generated". `scripts/serve.sh` gives each worker it supervises a
    stable id and calls this before starting it again, when the previous process with that id is known
    to be dead; a worker with another id (another app server) is never touched. Only exports are
    queued again: an export rewrites its whole file, so running it twice is harmless, while a register
    import has its own cleanup (`cleanup_imports`). Returns how many were queued again.
    """
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    claimed = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, backend_name=backend, task_path=run_export_job.module_path,
    )
    stale = [result.pk for result in claimed.only("pk", "worker_ids") if result.worker_ids[-1:] == [worker_id]]
    return DBTaskResult.objects.filter(pk__in=stale, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None,
    )
