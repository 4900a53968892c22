"""Soak test: residents, editors and a register import at once on `make serve`'s configuration, with the
task worker and one web worker killed part-way through.

Starts scripts/serve.sh (production settings, gunicorn 2 workers, database cache, task worker) on a fresh
embedded SQLite file with the home page, /daftar/ and an open intake, then for `--minutes`:
- residents (`--residents` at once): GET the form, POST it, GET the home page; the rows must all be stored;
- editors (`--editors`, signed in): list the applicant register, open its second page, and export it
  (REGISTER_EXPORT_ASYNC_THRESHOLD is lowered so the exports are background jobs for the worker);
- a welfare-register import (`manage.py import_welfare_register`, `--import-rows` rows) after another;
- /healthz, as a load balancer would.
At two thirds of the time the task worker and one gunicorn worker are killed (SIGKILL): serve.sh must
restart the first, gunicorn the second. At the end it waits for the queued exports, then prints requests
served and errors per kind with p50/p95 latency, and records lost: submissions answered with success but
not stored, exports queued but never finished, imports that did not finish. Goal: 0 errors, 0 lost.

    .venv/bin/python bench/soak.py                 # 10 minutes (docs/deploying.md has the figures)
    .venv/bin/python bench/soak.py --smoke         # about 30 s of load; run by tests/foundation/test_deploy.py

Only 127.0.0.1 is ever contacted; every loop stops at the deadline.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.intake import resident_data  # noqa: E402
from bench.register_import import generate_csv  # noqa: E402
from bench.server import ROOT, Load, ProductionServer, base_env, percentile, request  # noqa: E402

EDITOR, PASSWORD = "soak-editor", "soak-password-123"  # noqa: S105 - a throw-away database
REGISTER = "/admin/applicants/application/"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_JOB = re.compile(r"/admin/registers/exports/(\d+)/")


def prepare(workdir: Path) -> None:
    """Migrate, create the pages, an open intake and a superuser (development settings for the set-up)."""
    env = {**base_env(workdir), "DJANGO_ENV": "development", "DEBUG": "1",
           "DJANGO_SETTINGS_MODULE": "portal.settings.development"}
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    code = ("import django; django.setup(); import bench.intake as b; b.setup_site(); "
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_superuser({EDITOR!r}, 'soak@example.org', {PASSWORD!r})")
    subprocess.run([python, "-c", code], cwd=ROOT, env=env, check=True)


def cookies_of(headers) -> dict[str, str]:
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key.strip()] = rest.split(";", 1)[0]
    return jar


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


class Soak:
    def __init__(self, server: ProductionServer, args):
        self.server, self.args = server, args
        self.port = server.port
        self.origin = f"https://127.0.0.1:{self.port}"
        self.deadline = 0.0
        self.loads = {kind: Load() for kind in ("form GET", "form POST", "page view", "register list",
                                                "register page 2", "export", "export job page", "healthz")}
        self.submitted = 0
        self.submitted_lock = threading.Lock()
        self.jobs: set[int] = set()
        self.imports = {"finished": 0, "failed": 0, "rows": 0}
        self.events: list[str] = []
        self.errors: list[str] = []
        self.dropped_by_kill: list[str] = []
        self.killed_at = 0.0
        self.counter = iter(range(10**9))
        self.counter_lock = threading.Lock()

    # --- helpers ----------------------------------------------------------------------------------
    def timed(self, kind: str, method: str, path: str, ok=(200,), **kwargs):
        started = time.perf_counter()
        try:
            status, body, headers = request(self.port, method, path, timeout=120, **kwargs)
        except OSError as exc:
            now = time.monotonic()
            if self.killed_at and abs(now - self.killed_at) < 3 and isinstance(exc, ConnectionError):
                # In flight on the web worker that was killed: the client sees the connection drop.
                self.loads[kind].record(False, 0)
                self.dropped_by_kill.append(f"{kind}: {type(exc).__name__} at {now - self.started:.0f} s")
                return None
            self.loads[kind].record(False, 0)
            self.errors.append(f"{kind}: {type(exc).__name__} at {now - self.started:.0f} s")
            return None
        elapsed = time.perf_counter() - started
        good = status in ok
        self.loads[kind].record(good, elapsed)
        if not good:
            self.errors.append(f"{kind}: HTTP {status} at {time.monotonic() - self.started:.0f} s")
        return status, body, headers

    def next_n(self) -> int:
        with self.counter_lock:
            return next(self.counter)

    # --- actors -----------------------------------------------------------------------------------
    def resident(self) -> None:
        while time.monotonic() < self.deadline:
            got = self.timed("form GET", "GET", "/daftar/")
            if not got or got[0] != 200:
                continue
            token = _CSRF_INPUT.search(got[1].decode())
            jar = cookies_of(got[2])
            if not token or "csrftoken" not in jar:
                self.errors.append("form GET: no CSRF token")
                continue
            data = {**resident_data(100_000 + self.next_n()), "csrfmiddlewaretoken": token.group(1)}
            posted = self.timed("form POST", "POST", "/daftar/", ok=(302,),
                                body=urllib.parse.urlencode(data).encode(), headers={
                                    "Content-Type": "application/x-www-form-urlencoded",
                                    "Cookie": cookie_header(jar), "Origin": self.origin,
                                    "Referer": self.origin + "/daftar/"})
            if posted and posted[0] == 302:
                with self.submitted_lock:
                    self.submitted += 1
            self.timed("page view", "GET", "/")

    def login(self) -> dict[str, str] | None:
        status, body, headers = request(self.port, "GET", "/admin/login/")
        jar = cookies_of(headers)
        token = _CSRF_INPUT.search(body.decode())
        if status != 200 or not token:
            return None
        status, _body, headers = request(self.port, "POST", "/admin/login/", body=urllib.parse.urlencode({
            "csrfmiddlewaretoken": token.group(1), "username": EDITOR, "password": PASSWORD, "next": "/admin/",
        }).encode(), headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie_header(jar),
                              "Origin": self.origin, "Referer": self.origin + "/admin/login/"})
        jar.update(cookies_of(headers))
        return jar if status == 302 and "sessionid" in jar else None

    def editor(self) -> None:
        jar = self.login()
        if jar is None:
            self.errors.append("editor: login failed")
            return
        rounds = 0
        while time.monotonic() < self.deadline:
            cookie = {"Cookie": cookie_header(jar)}
            self.timed("register list", "GET", REGISTER, headers=cookie)
            self.timed("register page 2", "GET", REGISTER + "?p=2", headers=cookie)
            rounds += 1
            if rounds % 5 == 0:
                got = self.timed("export", "GET", REGISTER + "export/", ok=(302, 200), headers=cookie)
                if got and got[0] == 302:
                    location = dict((k.lower(), v) for k, v in got[2]).get("location", "")
                    match = _JOB.search(location)
                    if match:
                        self.jobs.add(int(match.group(1)))
                        self.timed("export job page", "GET", urllib.parse.urlparse(location).path, headers=cookie)
            time.sleep(0.5)

    def importer(self, csv_path: Path) -> None:
        env = {k: v for k, v in self.server.env.items()}
        while time.monotonic() < self.deadline - 5:
            result = subprocess.run(  # noqa: S603
                [sys.executable, "manage.py", "import_welfare_register", str(csv_path), "--as-of",
                 time.strftime("%Y-%m-%d")], cwd=ROOT, env=env, capture_output=True, text=True,
            )
            if result.returncode == 0:
                self.imports["finished"] += 1
                self.imports["rows"] += self.args.import_rows
            else:
                self.imports["failed"] += 1
                self.errors.append("import: " + (result.stderr.strip().splitlines() or ["?"])[-1][:200])

    def load_balancer(self) -> None:
        while time.monotonic() < self.deadline:
            self.timed("healthz", "GET", "/healthz")
            time.sleep(0.2)

    def chaos(self, at: float) -> None:
        while time.monotonic() < self.started + at:
            time.sleep(0.2)
        workers, web = self.server.task_workers(), self.server.web_workers()
        if not workers or not web:
            self.errors.append(f"chaos: no process to kill (task workers {workers}, web workers {web})")
            return
        self.killed_at = killed_at = time.monotonic()
        os.kill(workers[0], signal.SIGKILL)
        os.kill(web[0], signal.SIGKILL)
        self.events.append(f"{killed_at - self.started:.0f} s: killed task worker {workers[0]} and web worker "
                           f"{web[0]}")
        new_task = new_web = None
        while time.monotonic() < killed_at + 60 and not (new_task and new_web):
            time.sleep(0.2)
            new_task = new_task or next((p for p in self.server.task_workers() if p not in workers), None)
            new_web = new_web or next((p for p in self.server.web_workers() if p not in web), None)
        back = time.monotonic() - killed_at
        self.events.append(f"task worker back: {f'pid {new_task}' if new_task else 'NO'}; web worker back: "
                           f"{f'pid {new_web}' if new_web else 'NO'} ({back:.1f} s after the kill)")
        if not (new_task and new_web):
            self.errors.append("chaos: a killed process was not restarted within 60 s")

    # --- run --------------------------------------------------------------------------------------
    def run(self, seconds: float, csv_path: Path) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + seconds
        threads = [threading.Thread(target=self.resident) for _ in range(self.args.residents)]
        threads += [threading.Thread(target=self.editor) for _ in range(self.args.editors)]
        threads += [threading.Thread(target=self.importer, args=(csv_path,)),
                    threading.Thread(target=self.load_balancer),
                    threading.Thread(target=self.chaos, args=(seconds * 2 / 3,))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.seconds = time.monotonic() - self.started

    def lost(self, db: Path) -> dict[str, int]:
        """Records the clients were told were saved but are not, and jobs that never finished."""
        deadline = time.monotonic() + 180
        while True:
            with sqlite3.connect(db, timeout=60) as conn:
                stored = conn.execute("SELECT COUNT(*) FROM applicants_application").fetchone()[0]
                states = dict(conn.execute(
                    "SELECT status, COUNT(*) FROM programs_exportjob GROUP BY status").fetchall())
                known = {row[0] for row in conn.execute("SELECT id FROM programs_exportjob")}
            pending = states.get("queued", 0) + states.get("running", 0)
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(2)
        self.stored_without_answer = max(0, stored - self.submitted)  # committed, then the answer was lost
        return {"submissions": max(0, self.submitted - stored), "exports not finished": pending,
                "exports failed": states.get("failed", 0), "exports unknown": len(self.jobs - known),
                "imports failed": self.imports["failed"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="about 30 s, for the test suite")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--residents", type=int, default=16, help="residents at once")
    parser.add_argument("--editors", type=int, default=2, help="editors at once")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of each register import")
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    if args.smoke:
        seconds, args.residents, args.editors, args.import_rows = 30, 4, 1, 2000

    workdir = Path(tempfile.mkdtemp(prefix="sigap-soak-"))
    try:
        t0 = time.perf_counter()
        prepare(workdir)
        csv_path = workdir / "dtsen.csv"
        generate_csv(csv_path, args.import_rows)
        print(f"prepared in {time.perf_counter() - t0:.1f} s ({workdir})", flush=True)
        with ProductionServer(workdir, REGISTER_EXPORT_ASYNC_THRESHOLD="50") as server:
            soak = Soak(server, args)
            soak.run(seconds, csv_path)
            lost = soak.lost(workdir / "db.sqlite3")
            alive = server.process.poll() is None and request(server.port, "GET", "/healthz")[0] == 200
        print(f"{soak.seconds:.0f} s: {args.residents} residents, {args.editors} editors, imports of "
              f"{args.import_rows} rows; serve.sh (production settings, database cache), gunicorn 2 workers")
        for event in soak.events:
            print("  " + event)
        print(f"{'kind':<18} {'served':>8} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8}")
        for kind, load in soak.loads.items():
            print(f"{kind:<18} {load.served:>8} {load.errors:>7} {percentile(load.latencies, 0.5):>8.1f} "
                  f"{percentile(load.latencies, 0.95):>8.1f}")
        served = sum(load.served for load in soak.loads.values())
        dropped = len(soak.dropped_by_kill)
        errors = sum(load.errors for load in soak.loads.values()) - dropped + sum(
            1 for e in soak.errors if e.startswith(("chaos", "editor", "import", "form GET: no")))
        lost_total = sum(lost.values())
        print(f"imports finished: {soak.imports['finished']} ({soak.imports['rows']} rows); "
              f"export jobs: {len(soak.jobs)}; residents stored: {soak.submitted}")
        print(f"lost: {lost}")
        print(f"requests served {served}, errors {errors}, records lost {lost_total}; "
              f"server still up: {'yes' if alive else 'NO'}")
        print(f"requests in flight on the killed web worker (connection dropped): {dropped}; submissions stored "
              f"whose answer was lost that way: {soak.stored_without_answer}")
        for error in soak.dropped_by_kill + soak.errors[:20]:
            print("  " + error)
        return 0 if (errors == 0 and lost_total == 0 and alive) else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
