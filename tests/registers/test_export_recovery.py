"""An export whose worker died mid-way is queued again for the next worker with that id, and only it."""

import pytest
from django.core.management import call_command
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from programs.registers.jobs import recover_exports, run_export_job

pytestmark = pytest.mark.django_db

WORKER = "app1-exports"


def _task(status=TaskResultStatus.RUNNING, workers=(WORKER,), path=None, backend="exports"):
    return DBTaskResult.objects.create(
        status=status, worker_ids=list(workers), task_path=path or run_export_job.module_path,
        backend_name=backend, args_kwargs={"args": [1], "kwargs": {}}, run_after=get_date_max(),
        exception_class_path="", traceback="",
    )


def test_only_the_exports_the_dead_worker_was_running_are_queued_again():
    dead = _task()
    other_server = _task(workers=("app2-exports",))
    handed_on = _task(workers=(WORKER, "app2-exports"))  # claimed again since, by a live worker
    finished = _task(status=TaskResultStatus.SUCCESSFUL)
    not_an_export = _task(path="applicants.welfare.jobs.run_import_job")
    other_backend = _task(backend="default")

    assert recover_exports("exports", WORKER) == 1

    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.READY and dead.started_at is None
    assert list(DBTaskResult.objects.ready()) == [dead]  # the next worker picks it up
    for untouched, status in ((other_server, "RUNNING"), (handed_on, "RUNNING"), (finished, "SUCCESSFUL"),
                              (not_an_export, "RUNNING"), (other_backend, "RUNNING")):
        untouched.refresh_from_db()
        assert untouched.status == status
    assert recover_exports("exports", WORKER) == 0  # run again: nothing more


def test_the_command_serve_runs_before_each_worker_start_reports_the_count(capsys):
    _task()
    call_command("recover_exports", "--worker-id", WORKER)
    assert "Exports queued again: 1" in capsys.readouterr().out
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY
