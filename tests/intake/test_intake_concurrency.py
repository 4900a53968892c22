"""Nothing lost: many residents submitting at the same moment against a real server on a SQLite file.

The server is gunicorn (2 workers x 4 threads, so several requests write at once) on a temporary
migrated SQLite database, started by bench/intake.py's helpers; the test talks HTTP like a browser.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import intake as bench

pytestmark = [pytest.mark.slow, pytest.mark.own_sqlite]

RESIDENTS = 16


@pytest.fixture(scope="module")
def prepared_db(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("intake-live")
    bench.prepare_database(workdir)
    return workdir


def test_sixteen_residents_submitting_at_once_are_all_stored_without_server_errors(prepared_db):
    barrier = threading.Barrier(RESIDENTS, timeout=120)

    with bench.Server(prepared_db, workers=2, threads=4) as server:
        before = server.stored_applications()

        def resident(n: int) -> int:
            cookie, token = bench.fetch_form(server.port)  # GET first, for the CSRF token
            barrier.wait()  # then everybody presses "Kirim" at the same moment
            return bench.post_form(server.port, cookie, token, bench.resident_data(n))

        with ThreadPoolExecutor(max_workers=RESIDENTS) as pool:
            statuses = list(pool.map(resident, range(RESIDENTS)))
        stored = server.stored_applications() - before

    assert [s for s in statuses if s >= 500] == []
    assert statuses == [302] * RESIDENTS
    assert stored == RESIDENTS


def test_same_nik_submitted_concurrently_is_stored_once(prepared_db):
    barrier = threading.Barrier(8, timeout=120)
    data = bench.resident_data(50_000)

    with bench.Server(prepared_db, workers=2, threads=4) as server:
        before = server.stored_applications()

        def resident(_i: int) -> int:
            cookie, token = bench.fetch_form(server.port)
            barrier.wait()
            return bench.post_form(server.port, cookie, token, data)

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(resident, range(8)))
        stored = server.stored_applications() - before

    assert stored == 1
    assert statuses.count(302) == 1  # the others see the "already registered" form (200), no 5xx
    assert sorted(statuses) == [200] * 7 + [302]


def test_benchmark_smoke_run_reports_no_errors_nothing_lost_and_the_ratio_to_healthz(capsys):
    assert bench.main(["--smoke"]) == 0
    out = capsys.readouterr().out
    assert "submits/s" in out and "lost" in out and "residents:healthz" in out
    levels = [line.split() for line in out.splitlines() if line.split()[:1] in (["1"], ["4"])]
    assert len(levels) == 2 and all(level[-1].startswith("1/") for level in levels), out
