"""Benchmark: import a generated welfare-register extract (csv and xlsx) into a throw-away SQLite DB.

    python bench/register_import.py              # 1,000,000 rows (goal: csv < 60 s, xlsx < 180 s, < 400 MB)
    python bench/register_import.py --smoke      # 2,000 rows, for the test suite
    python bench/register_import.py --rows 200000 --formats csv --keep /tmp/bench

Each import runs in a child process (after a separate child migrated the database), so the peak
memory printed is that child's ru_maxrss: the import itself, not the generator or the migrations.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"csv": 60.0, "xlsx": 180.0}
MEMORY_GOAL_MB = 400

HEADER = ["No", "No KK", "NIK", "Nama", "Tgl Lahir", "Jenis Kelamin", "Hubungan Keluarga", "Alamat", "RT",
          "RW", "Kode Kelurahan", "Kelurahan", "Kecamatan", "Desil", "Bansos"]
# A few real kelurahan of Kota Tangerang (code, name, kecamatan) from programs/data.
KELURAHAN = [
    ("36.71.07.1004", "NUSA JAYA", "KARAWACI"),
    ("36.71.05.1001", "CIPONDOH", "CIPONDOH"),
    ("36.71.03.1006", "BATU SARI", "BATUCEPER"),
    ("36.71.11.1008", "PAKOJAN", "PINANG"),
    ("36.71.01.1002", "SUKAASIH", "TANGERANG"),
    ("36.71.08.1001", "PERIUK", "PERIUK"),
]
NAMES = ["WAHYU", "DEWI", "BUDI", "SITI", "RIZKY", "ENDANG", "HENDRA", "YULI", "AGUS", "NURHAYATI"]
FAMILIES = ["NUGROHO", "HIDAYAT", "WIJAYA", "SAPUTRA", "RAHAYU", "LESTARI", "SANTOSO", "HASANAH"]
BASE_DATE = datetime.date(1950, 1, 1)


def person(i: int) -> list:
    """Row i of the extract: unique valid NIK; one in 1,000 rows carries a fault real extracts have."""
    kecamatan = f"{i % 13 + 1:02d}"
    born = BASE_DATE + datetime.timedelta(days=(i // 9000) % 20000)
    female = i % 2
    day = born.day + (40 if female else 0)
    nik = f"3671{kecamatan}{day:02d}{born.month:02d}{born.year % 100:02d}{i % 9000 + 1:04d}"
    kk = f"3671{kecamatan}{(i // 4) % 28 + 1:02d}{(i // 4) % 12 + 1:02d}{(i // 4) % 100:02d}{(i // 4) % 9000 + 1:04d}"
    code, kel, kec = KELURAHAN[i % len(KELURAHAN)]
    if i % 1000 == 7:
        nik = nik[:-1]  # too short
    elif i % 1000 == 77:
        nik = nik[:10] + "ABCDEF"  # letters
    elif i % 1000 == 177:
        nik = f"'{nik}"  # harmless: Excel's text marker
    return [str(i + 1), kk, nik, f"{NAMES[i % 10]} {FAMILIES[i % 8]}", born.strftime("%d-%m-%Y"),
            "P" if female else "L", "ANAK", f"Jl. Mawar No. {i % 200}", f"{i % 20 + 1:03d}",
            f"{i % 12 + 1:03d}", code, kel, kec, str(i % 10 + 1), "PKH" if i % 3 else "-"]


def generate_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow(person(i))


def generate_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(["DATA TUNGGAL SOSIAL EKONOMI NASIONAL (DTSEN) - KOTA TANGERANG"])
    sheet.append(["Kondisi data: Oktober 2026"])
    sheet.append([])
    sheet.append(HEADER)
    for i in range(rows):
        row = person(i)
        row[0] = i + 1  # numbers where Excel has numbers; identity numbers stay text
        row[13] = int(row[13])
        if i % 1000 == 500:
            row[2] = float(row[2][:15] + "0")  # Excel's 15 significant digits: must be rejected
        sheet.append(row)
    sheet.append(["JUMLAH", rows])
    workbook.save(path)


def child_env(db_path: Path) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": f"sqlite:///{db_path}", "PYTHONPATH": str(ROOT)}


def run_import(path: Path, db_path: Path) -> None:
    """Child process: import one file and print timing and peak memory as JSON."""
    import django

    django.setup()
    from applicants.welfare.importer import import_register

    started = time.perf_counter()
    batch = import_register(path, register="dtsen", check_eligibility=False)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "state": batch.state,
        "read": batch.rows_read, "accepted": batch.rows_accepted,
        "rejected": batch.rows_rejected, "duplicates": batch.rows_duplicate,
        "maxrss_mb": usage.ru_maxrss / 1024,
    }))


def bench(rows: int, formats: list[str], workdir: Path) -> list[dict]:
    results = []
    for kind in formats:
        path = workdir / f"register-{rows}.{kind}"
        if not path.exists():
            started = time.perf_counter()
            (generate_csv if kind == "csv" else generate_xlsx)(path, rows)
            print(f"generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
        db_path = workdir / f"bench-{kind}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        env = child_env(db_path)
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
        out = subprocess.run([sys.executable, __file__, "--child", str(path), str(db_path)], env=env,
                             capture_output=True, text=True)
        if out.returncode:
            sys.exit(f"import of {path.name} failed:\n{out.stderr}")
        result = json.loads(out.stdout.strip().splitlines()[-1]) | {"format": kind, "rows": rows}
        result["rows_per_s"] = result["read"] / result["seconds"]
        print(f"{kind}: {result['read']:,} rows in {result['seconds']:.1f} s = {result['rows_per_s']:,.0f} rows/s "
              f"(process CPU {result['cpu_seconds']:.1f} s, incl. Django start-up; the machine is shared); "
              f"accepted {result['accepted']:,}, rejected {result['rejected']:,}, duplicates "
              f"{result['duplicates']:,}; peak memory {result['maxrss_mb']:.0f} MB "
              f"(goal < {GOALS[kind]:.0f} s at 10^6 rows, < {MEMORY_GOAL_MB} MB)", flush=True)
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--smoke", action="store_true", help="2,000 rows: checks the bench still runs")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--keep", type=Path, help="folder for the generated files (reused when present)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_import(Path(args.child[0]), Path(args.child[1]))
        return
    rows = 2000 if args.smoke else args.rows
    formats = [kind for kind in args.formats.split(",") if kind]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        bench(rows, formats, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="sigap-bench-") as workdir:
            bench(rows, formats, Path(workdir))


if __name__ == "__main__":
    main()
