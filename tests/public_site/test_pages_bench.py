"""bench/pages.py in smoke mode: the production server answers every public page type, cached and not."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_pages_bench_smoke_serves_every_page_type_cached_and_uncached_without_errors():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "bench/pages.py", "--smoke"], cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    for url in ("/", "/pelatihan/", "/berita/", "/kisah-sukses/"):
        assert any(line.startswith(f"{url} ") and " cached " in line for line in lines), url
        assert any(line.startswith(f"{url} ") and " uncached " in line for line in lines), url
    assert "x healthz" in result.stdout and "goal >= 0.5" in result.stdout and "goal >= 0.25" in result.stdout
