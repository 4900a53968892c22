"""Production server: /healthz, structured logs, and `scripts/serve.sh` (what `make serve` runs)."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection
from portal.jsonlog import JsonFormatter

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_search_backend_uses_the_full_text_search_of_the_database_in_use():
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    expected = {"postgresql": "PostgresSearchBackend", "sqlite": "SQLiteSearchBackend"}[connection.vendor]
    assert type(backend).__name__ == expected
    if connection.vendor == "postgresql":
        assert backend.config == "indonesian"


@pytest.mark.django_db
def test_postgresql_knows_the_indonesian_text_search_configuration():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('indonesian', 'pelatihan')::text")
        assert "latih" in cursor.fetchone()[0]


def test_json_log_lines_carry_level_logger_message_extras_and_traceback():
    logger = logging.getLogger("sigap.test")
    try:
        raise ValueError("rusak")
    except ValueError:
        record = logger.makeRecord("sigap.test", logging.ERROR, __file__, 1, "impor %s gagal", ("batch-7",),
                                   sys.exc_info(), extra={"batch_id": 7})
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "sigap.test"
    assert entry["message"] == "impor batch-7 gagal"
    assert entry["batch_id"] == 7
    assert "ValueError: rusak" in entry["exc"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _serve_env(tmp_path, port: int, **extra) -> dict[str, str]:
    """The environment `make serve` runs with, on a throw-away database (the PostgreSQL run's when set)."""
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_ENV": "production",
        "SECRET_KEY": "serve-test-" + "x" * 60,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "VENV": str(Path(sys.executable).parent.parent),
        **extra,
    }


def _wait_for_healthz(proc, port: int, log: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    status = None
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            status, _, body = _get(f"http://127.0.0.1:{port}/healthz")
            break
        except OSError:
            time.sleep(0.5)
    assert status == 200, log.read_text()[-3000:]
    assert json.loads(body) == {"status": "ok", "database": "ok"}


def _descendants(pid: int) -> dict[int, str]:
    """{pid: command line} of every process below `pid` (read from /proc)."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
        commands[int(entry.name)] = command
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = commands.get(child, "")
            todo.append(child)
    return found


def _workers(proc) -> list[int]:
    return [pid for pid, cmd in _descendants(proc.pid).items() if "db_worker" in cmd and "manage.py" in cmd]


def _wait_until(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


_ENQUEUE_EXPORT = """
from django.contrib.auth import get_user_model
from programs.registers.jobs import run_export_job
from programs.registers.models import ExportJob
user, _ = get_user_model().objects.get_or_create(username="serve-test", defaults={"is_superuser": True})
job = ExportJob.objects.create(user=user, register_key="applicants", params={}, file_name="serve-test.xlsx")
run_export_job.enqueue(job.pk)
print(job.pk)
"""


def _manage(env, *args) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


def _job_status(env, job_id: int) -> str:
    return _manage(env, "shell", "--no-imports", "-v", "0", "-c",
                   f"from programs.registers.models import ExportJob; print(ExportJob.objects.get(pk={job_id}).status)")


def _export_is_processed(env) -> None:
    job_id = int(_manage(env, "shell", "--no-imports", "-v", "0", "-c", _ENQUEUE_EXPORT).splitlines()[-1])
    _wait_until(lambda: _job_status(env, job_id) == "done", 90, f"export job {job_id} to be done")


@pytest.mark.slow
def test_serve_starts_gunicorn_with_production_settings_static_files_and_json_logs(tmp_path):
    """On the PostgreSQL run this migrates and serves the throw-away cluster's database."""
    port = _free_port()
    env = _serve_env(tmp_path, port)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(["scripts/serve.sh"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        _wait_for_healthz(proc, port, log)

        # Plain HTTP is redirected to HTTPS (behind the proxy), except the load balancer's /healthz.
        status, headers, _ = _get(f"http://127.0.0.1:{port}/")
        assert status == 301 and headers["Location"].startswith("https://")

        # whitenoise serves collected, hashed static files with a far-future cache header.
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["wagtailadmin/css/core.css"]
        status, headers, _ = _get(f"http://127.0.0.1:{port}/static/{hashed}", {"X-Forwarded-Proto": "https"})
        assert status == 200
        assert "immutable" in headers["Cache-Control"]
    finally:
        proc.terminate()
        proc.wait(timeout=60)

    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    booted = [e for e in entries if e["logger"] == "gunicorn.error" and e["message"].startswith("Booting worker")]
    assert len(booted) == 2  # WEB_CONCURRENCY
    assert any(e["logger"] == "gunicorn.access" and "/healthz" in e["message"] for e in entries)


@pytest.mark.slow
def test_serve_keeps_running_processes_queued_exports_and_restarts_a_dead_worker(tmp_path):
    """The worker of every database task backend stays up beside gunicorn; one that dies is restarted;
    one that keeps dying takes the whole service down with a non-zero exit."""
    port = _free_port()
    env = _serve_env(tmp_path, port, TASK_WORKER_MAX_RESTARTS="2", TASK_WORKER_STABLE_SECONDS="600")
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(["scripts/serve.sh"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        _wait_for_healthz(proc, port, log)
        first = _wait_until(lambda: _workers(proc), 60, "the task worker to start")
        assert len(first) == 1, _descendants(proc.pid)  # the "exports" backend; the immediate one needs none
        time.sleep(5)  # the worker has finished starting: it (and so gunicorn) must still be running
        assert proc.poll() is None, log.read_text()[-3000:]
        assert _workers(proc) == first
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200

        _export_is_processed(env)

        # A worker that dies is restarted, and the restarted one processes the queue.
        os.kill(first[0], signal.SIGKILL)
        second = _wait_until(lambda: [p for p in _workers(proc) if p not in first], 60, "a new worker")
        assert proc.poll() is None
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        _export_is_processed(env)

        # Killed again and again (over TASK_WORKER_MAX_RESTARTS quickly): the service stops, visibly.
        os.kill(second[0], signal.SIGKILL)
        third = _wait_until(lambda: [p for p in _workers(proc) if p not in first + second], 60, "a third worker")
        os.kill(third[0], signal.SIGKILL)
        assert proc.wait(timeout=90) != 0
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=60)
    text = log.read_text()
    assert "task worker 'exports' exited" in text and "stopping the service" in text
    with pytest.raises(OSError):  # gunicorn went down with the script
        _get(f"http://127.0.0.1:{port}/healthz")


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_soak_smoke_serves_residents_editors_and_an_import_and_survives_killed_workers():
    """bench/soak.py --smoke: everything at once on serve.sh, the task worker and a web worker killed."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "bench/soak.py", "--smoke"], cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    out = result.stdout
    assert result.returncode == 0, out[-4000:] + result.stderr[-3000:]
    assert "records lost 0" in out and "server still up: yes" in out
    assert "task worker back: pid" in out and "web worker back: pid" in out
    assert "imports finished: 0" not in out
