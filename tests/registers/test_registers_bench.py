"""The register benchmark's smoke mode runs end to end and reports every figure it promises."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_register_bench_smoke_mode_prints_page_and_export_figures():
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "bench/registers.py", "--smoke"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    expected_figures = ("page [status]", "queries", "page ratio", "export of 400 rows", "peak RSS", "floor",
                        "export/floor")
    for expected in expected_figures:
        assert expected in out, out
    assert "(same)" in out, out  # the query count does not grow with the table
