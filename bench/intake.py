"""Benchmark the interest form under concurrent residents, the way production runs it.

Starts gunicorn (2 workers) on a temporary SQLite file database (migrated first), creates the home page,
the /daftar/ page and an open intake, then drives concurrent residents: each fetches the form (and its
CSRF token, as a browser does) and POSTs valid, unique data. At 1, 8 and 32 concurrent clients it prints
submissions/s, p50/p95 POST latency (ms), errors, lost records (successful submissions minus stored rows),
the p50 of a plain page view (GET /, each resident views one after submitting, so page views and POSTs
share the same load), the ratio POST p50 / page p50, and the p50 of the form GET. Then, in the same run
and with the same number of clients, /healthz alone: its requests/s, and the ratio of whole residents/s
(form GET + POST + page view, the submits/s column) to /healthz requests/s.

    .venv/bin/python bench/intake.py               # full run (a few minutes on 2 cores)
    .venv/bin/python bench/intake.py --smoke       # a few requests; run by tests/test_intake_concurrency.py

Goal: 0 errors and 0 lost at 32 clients; a form POST no slower than 3x a page view; at 32 clients whole
residents/s at least 1/8 of /healthz requests/s.
"""

import argparse
import datetime
import http.client
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from bench.server import hammer  # noqa: E402

FORM_PATH = "/daftar/"
PAGE_PATH = "/"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")


# --- server ---------------------------------------------------------------------------------------
def server_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="development",
        DJANGO_SETTINGS_MODULE="portal.settings.development",
        DEBUG="0",
        SECRET_KEY="bench-only-not-secret-" + "x" * 40,
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        CACHE_BACKEND="locmem",
        INTAKE_RATE_LIMIT="off",  # every bench client shares 127.0.0.1, like a kelurahan office
        SIGAP_VAR_DIR=str(workdir),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare_database(workdir: Path) -> None:
    """Migrate a fresh SQLite file and create the pages and an open intake."""
    env = server_env(workdir)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "-c", "import django; django.setup(); import bench.intake as b; b.setup_site()"],
                   cwd=ROOT, env=env, check=True)


def setup_site() -> None:
    """Runs inside Django (called by prepare_database): home page, /daftar/ page, one open intake."""
    from django.utils import timezone
    from wagtail.models import Page, Site

    from programs.models import Intake, Program
    from public_pages.models import HomePage, InterestFormPage

    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Sigap Kerja", slug="beranda"))
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    home.add_child(instance=InterestFormPage(title="Daftar pelatihan", slug="daftar"))
    today = timezone.localdate()
    intake = Intake.objects.create(
        name="Bench", year=today.year, registration_opens=today - datetime.timedelta(days=1),
        registration_closes=today + datetime.timedelta(days=30),
    )
    intake.programs.add(Program.objects.create(name="Tata Boga", slug="tata-boga"),
                        Program.objects.create(name="Barbershop", slug="barbershop"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn on portal.wsgi against the prepared database; use as a context manager."""

    def __init__(self, workdir: Path, workers: int = 2, threads: int = 1):
        self.workdir, self.workers, self.threads = workdir, workers, threads
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        log = open(self.workdir / "gunicorn.log", "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--workers", str(self.workers),
             "--threads", str(self.threads), "--bind", f"127.0.0.1:{self.port}", "--backlog", "256",
             "--timeout", "60"],
            cwd=ROOT, env=server_env(self.workdir), stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + (self.workdir / "gunicorn.log").read_text())
            try:
                status, _body, _headers = request("GET", self.port, "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stored_applications(self) -> int:
        with sqlite3.connect(self.workdir / "db.sqlite3", timeout=30) as db:
            return db.execute("SELECT COUNT(*) FROM applicants_application").fetchone()[0]


# --- clients --------------------------------------------------------------------------------------
def request(method: str, port: int, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), response.getheaders()
    finally:
        conn.close()


def resident_data(n: int) -> dict[str, str]:
    """Valid, unique form data for resident number n (unique NIK and KK)."""
    birth = datetime.date(1990, 1, 1) + datetime.timedelta(days=n // 9999)
    woman = n % 2 == 1
    day = birth.day + (40 if woman else 0)
    nik = f"367101{day:02d}{birth.month:02d}{birth.year % 100:02d}{n % 9999 + 1:04d}"
    return {
        "nik": nik, "kk_number": f"3671{n + 10**11:012d}", "full_name": f"Warga Uji {n}",
        "birth_date": birth.isoformat(), "phone": f"0812{n % 10**8:08d}", "address": "Jl. Merdeka No. 1",
        "rt": "001", "rw": "002", "kelurahan": "36.71.01.1001", "program": "tata-boga", "program_alt": "",
        "household_size": "4", "occupation": "", "dtks_status": "registered", "motivation": "Ingin usaha.",
        "consent": "on", "website": "",
    }


def fetch_form(port: int) -> tuple[str, str]:
    """GET the form like a browser: returns (csrf cookie, csrf form token)."""
    status, body, headers = request("GET", port, FORM_PATH)
    if status != 200:
        raise RuntimeError(f"GET {FORM_PATH} -> {status}")
    cookie = next(_CSRF_COOKIE.search(v).group(1) for k, v in headers
                  if k.lower() == "set-cookie" and _CSRF_COOKIE.search(v))
    token = _CSRF_INPUT.search(body.decode()).group(1)
    return cookie, token


def post_form(port: int, cookie: str, token: str, data: dict[str, str]) -> int:
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
    status, _body, _headers = request("POST", port, FORM_PATH, body, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
    })
    return status


@dataclass
class LevelResult:
    clients: int
    submitted: int = 0
    errors: int = 0
    server_errors: int = 0
    lost: int = 0
    seconds: float = 0.0
    post_latencies: list[float] = field(default_factory=list)
    page_latencies: list[float] = field(default_factory=list)
    form_latencies: list[float] = field(default_factory=list)
    healthz_rate: float = 0.0

    @staticmethod
    def pct(values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000

    def line(self) -> str:
        p50, p95 = self.pct(self.post_latencies, 0.5), self.pct(self.post_latencies, 0.95)
        page, form = self.pct(self.page_latencies, 0.5), self.pct(self.form_latencies, 0.5)
        rate = self.submitted / self.seconds if self.seconds else 0.0
        share = f"1/{self.healthz_rate / rate:.1f}" if rate and self.healthz_rate else "-"
        return (f"{self.clients:>7} {rate:>10.1f} {p50:>9.1f} {p95:>9.1f} {self.errors:>6} {self.lost:>5} "
                f"{page:>11.1f} {p50 / page if page else float('nan'):>6.2f} {form:>11.1f} "
                f"{self.healthz_rate:>9.1f} {share:>8}")


def run_level(server: Server, clients: int, submissions: int, start_n: int) -> LevelResult:
    """`submissions` residents, `clients` at a time. Each resident GETs the form, POSTs it, then views a
    plain page: POSTs and page views are timed under the same load (same queue, same workers)."""
    result = LevelResult(clients)
    lock = threading.Lock()
    before = server.stored_applications()

    def resident(n: int) -> None:
        try:
            started = time.perf_counter()
            cookie, token = fetch_form(server.port)
            form_elapsed = time.perf_counter() - started
            started = time.perf_counter()
            status = post_form(server.port, cookie, token, resident_data(n))
            post_elapsed = time.perf_counter() - started
            started = time.perf_counter()
            page_status, _body, _headers = request("GET", server.port, PAGE_PATH)
            page_elapsed = time.perf_counter() - started
        except Exception:  # noqa: BLE001 - any failure counts as an error
            with lock:
                result.errors += 1
            return
        with lock:
            result.form_latencies.append(form_elapsed)
            if status == 302:
                result.submitted += 1
                result.post_latencies.append(post_elapsed)
            else:
                result.errors += 1
                result.server_errors += status >= 500
            if page_status == 200:
                result.page_latencies.append(page_elapsed)
            else:
                result.errors += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(resident, range(start_n, start_n + submissions)))
    result.seconds = time.perf_counter() - started
    result.lost = result.submitted - (server.stored_applications() - before)
    healthz = hammer(server.port, lambda n: "/healthz", max(1.0, min(result.seconds, 10.0)), clients)
    result.healthz_rate = healthz.rate
    result.errors += healthz.errors
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="few requests, for the test suite")
    parser.add_argument("--levels", default="1,8,32", help="concurrent clients per level")
    parser.add_argument("--submissions", type=int, default=320, help="submissions per level")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    submissions = args.submissions
    if args.smoke:
        levels, submissions = [1, 4], 8

    workdir = Path(tempfile.mkdtemp(prefix="sigap-bench-"))
    try:
        t0 = time.perf_counter()
        prepare_database(workdir)
        print(f"database migrated and prepared in {time.perf_counter() - t0:.1f} s ({workdir})")
        print(f"gunicorn --workers {args.workers} --threads {args.threads}, SQLite WAL, {submissions} "
              "submissions per level")
        print("clients  submits/s  POST p50  POST p95  errors  lost  page p50 ms  ratio  form GET p50  "
              "healthz/s  residents:healthz")
        failed = False
        with Server(workdir, workers=args.workers, threads=args.threads) as server:
            next_n = 0
            for clients in levels:
                result = run_level(server, clients, submissions, next_n)
                next_n += submissions
                print(result.line(), flush=True)
                failed |= bool(result.errors or result.lost)
        return 1 if failed else 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
