"""The production server for benchmarks: scripts/serve.sh (gunicorn + task workers, production settings,
database cache) on a throw-away SQLite file holding seed_demo, plus a small HTTP load generator.

Used by bench/pages.py and bench/soak.py. Every request goes to 127.0.0.1 only, with
`X-Forwarded-Proto: https` as the proxy in front would send (production redirects plain HTTP).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTTPS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env.update(
        SECRET_KEY="bench-only-not-secret-" + "x" * 40,
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        SIGAP_VAR_DIR=str(workdir),
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        PRIVATE_MEDIA_ROOT=str(workdir / "private"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        INTAKE_RATE_LIMIT="off",  # every bench client shares 127.0.0.1, like a kelurahan office
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare_demo(workdir: Path, *extra: str) -> None:
    """Migrate a fresh SQLite file and load seed_demo (development settings: seed_demo refuses production)."""
    env = {**base_env(workdir), "DJANGO_ENV": "development", "DEBUG": "1"}
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "seed_demo", *extra], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


class ProductionServer:
    """`scripts/serve.sh` with DJANGO_ENV=production; use as a context manager."""

    def __init__(self, workdir: Path, workers: int = 2, **env):
        self.workdir = workdir
        self.port = free_port()
        self.env = {**base_env(workdir), "DJANGO_ENV": "production", "BIND": f"127.0.0.1:{self.port}",
                    "WEB_CONCURRENCY": str(workers), "LOG_FORMAT": "text",
                    "VENV": str(Path(sys.executable).parent.parent), **env}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> ProductionServer:
        self.log = open(self.workdir / "serve.log", "wb")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(["scripts/serve.sh"], cwd=ROOT, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("serve.sh exited:\n" + self.log_text()[-3000:])
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("the server did not answer /healthz within 180 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def log_text(self) -> str:
        return (self.workdir / "serve.log").read_text(errors="replace")

    def processes(self) -> dict[int, str]:
        """{pid: command line} of every process below serve.sh."""
        children: dict[int, list[int]] = {}
        commands: dict[int, str] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
        found, todo = {}, [self.process.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found[child] = commands.get(child, "")
                todo.append(child)
        return found

    def task_workers(self) -> list[int]:
        return [pid for pid, cmd in self.processes().items() if "db_worker" in cmd and "manage.py" in cmd]

    def web_workers(self) -> list[int]:
        """gunicorn's worker processes (the children of its master)."""
        procs = self.processes()
        masters = [pid for pid, cmd in procs.items() if "gunicorn" in cmd and _ppid(pid) == self.process.pid]
        return [pid for pid in procs if masters and _ppid(pid) == masters[0]]


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 60):
    """(status, body, headers as a list) over a new connection (gunicorn's sync workers close each one)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={**HTTPS, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read(), response.getheaders()
    finally:
        conn.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


@dataclass
class Load:
    """Requests served, errors and latencies of one kind of request."""

    served: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, ok: bool, elapsed: float) -> None:
        with self.lock:
            if ok:
                self.served += 1
                self.latencies.append(elapsed)
            else:
                self.errors += 1

    @property
    def rate(self) -> float:
        return self.served / self.seconds if self.seconds else 0.0


def hammer(port: int, make_path: Callable[[int], str], seconds: float, clients: int) -> Load:
    """`clients` threads GET make_path(n) back to back for `seconds`; 200 counts as served."""
    load = Load()
    stop = time.monotonic() + seconds
    counter = iter(range(10**9))
    counter_lock = threading.Lock()

    def client() -> None:
        while time.monotonic() < stop:
            with counter_lock:
                n = next(counter)
            started = time.perf_counter()
            try:
                status = request(port, "GET", make_path(n), timeout=30)[0]
            except OSError:
                status = 0
            load.record(status == 200, time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - started
    return load
