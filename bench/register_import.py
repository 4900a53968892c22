"""Benchmark: register imports against the machine's floor, on one generated extract, in one run.

    .venv/bin/python bench/register_import.py                 # 1,000,000 rows (several minutes)
    .venv/bin/python bench/register_import.py --smoke         # 2,000 rows, for the test suite
    .venv/bin/python bench/register_import.py --rows 200000 --only floor,csv --keep /tmp/bench

One file of generated rows is written as csv and as xlsx (the same rows), then each of these runs in
its own child process:

- floor: the plainest loop that stores the csv: the csv module, one regex per NIK/KK, an int check of
  the date, sqlite3 `executemany` in 50,000-row transactions into a table with the same columns and one
  unique index, with the product's PRAGMAs (WAL, synchronous=NORMAL);
- floor-table: the same loop into the product's own table of a migrated database (all its indexes and
  constraints), which tells the schema's cost from the importer's;
- csv: `import_register` on a migrated database, the code path of the admin upload and the command
  (staging, carry-over, preview, confirmation with the eligibility re-check);
- xlsx: the same for the xlsx file;
- calamine: python-calamine reading the xlsx into rows (if installed: the `bench` extra);
- reader: our streaming xlsx reader alone on the same file.

Each prints rows/s, seconds and peak RSS. The peak is the child's own `ru_maxrss`: Linux carries the
parent's peak into a child across fork and exec, so the parent only orchestrates (the generation runs
in a child too) and stays smaller than any run it measures. Then the ratios: csv / floor (goal <= 2),
xlsx / csv (goal <= 1.5), reader / calamine, and memory (goal < 200 MB for each import).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = ("floor", "floor-table", "csv", "xlsx", "calamine", "reader")
CSV_GOAL = 2.0  # csv import seconds / floor seconds
XLSX_GOAL = 1.5  # xlsx import seconds / csv import seconds
MEMORY_GOAL_MB = 200
FLOOR_CHUNK = 50_000

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
    """The same rows as the csv, with numbers where Excel has numbers and one NIK in 1,000 damaged."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(["DATA TUNGGAL SOSIAL EKONOMI NASIONAL (DTSEN) - KOTA TANGERANG"])
    sheet.append(["Kondisi data: Oktober 2026"])
    sheet.append([])
    sheet.append(HEADER)
    for i in range(rows):
        row = person(i)
        row[0] = i + 1
        row[13] = int(row[13])
        if i % 1000 == 500:
            row[2] = float(row[2][:15] + "0")  # Excel's 15 significant digits: must be rejected
        sheet.append(row)
    sheet.append(["JUMLAH", rows])
    workbook.save(path)


# --- The runs, each in a child process -------------------------------------------------------------


_DIGITS16 = re.compile(r"[0-9]{16}")


COLUMNS = ("row_number", "nik", "kk_number", "full_name", "birth_date", "sex", "address", "rt", "rw",
           "kelurahan_id", "desil", "bansos")


def run_floor(path: Path, db_path: Path) -> dict:
    """The plain loop of the issue: into a table of the same columns with one unique index."""
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE record (id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL, row_number INTEGER NOT NULL, "
        "nik VARCHAR(16) NOT NULL, kk_number VARCHAR(16) NOT NULL, full_name VARCHAR(150) NOT NULL, "
        "birth_date DATE NULL, sex VARCHAR(1) NOT NULL, address VARCHAR(255) NOT NULL, rt VARCHAR(3) NOT NULL, "
        "rw VARCHAR(3) NOT NULL, kelurahan_id INTEGER NULL, desil SMALLINT NULL, bansos VARCHAR(120) NOT NULL)"
    )
    db.execute("CREATE UNIQUE INDEX record_batch_nik ON record (batch_id, nik)")
    codes = {code.replace(".", ""): pk for pk, (code, _n, _k) in enumerate(KELURAHAN, start=1)}
    sql = f"INSERT INTO record (batch_id, {', '.join(COLUMNS)}) VALUES (1, {', '.join('?' * 12)})"
    return _floor_loop(path, db, sql, codes)


def run_floor_table(path: Path, db_path: Path) -> dict:
    """The same loop into the product's own table (its indexes and constraints) of a migrated database:
    what is left between `floor` and this is the schema's cost, not the importer's."""
    import django

    django.setup()
    from django.db import connection

    from applicants.models import WelfareImportBatch
    from programs.models import Kelurahan

    batch = WelfareImportBatch.objects.create(register="dtsen", as_of=datetime.date.today(), file_name="floor.csv")
    codes = {code.replace(".", ""): pk for pk, code in Kelurahan.objects.values_list("pk", "code")}
    connection.close()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    sql = (f"INSERT INTO applicants_welfarerecord (batch_id, {', '.join(COLUMNS)}) "  # noqa: S608
           f"VALUES ({batch.pk}, {', '.join('?' * 12)})")
    return _floor_loop(path, db, sql, codes)


def _floor_loop(path: Path, db: sqlite3.Connection, sql: str, codes: dict) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    read = accepted = 0
    params = []
    match = _DIGITS16.fullmatch
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for number, row in enumerate(reader, start=2):
            read += 1
            nik, kk = row[2].lstrip("'"), row[1]
            if not (match(nik) and match(kk)):
                continue
            day, month, year = row[4].split("-")
            if not (day.isdigit() and month.isdigit() and year.isdigit()):
                continue
            params.append((number, nik, kk, row[3], f"{year}-{month}-{day}", row[5], row[7], row[8], row[9],
                           codes.get(row[10].replace(".", "")), int(row[13]), row[14]))
            if len(params) >= FLOOR_CHUNK:
                accepted += _floor_write(db, sql, params)
                params = []
        accepted += _floor_write(db, sql, params)
    db.close()
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "read": read,
            "accepted": accepted}


def _floor_write(db: sqlite3.Connection, sql: str, params: list) -> int:
    db.execute("BEGIN IMMEDIATE")
    db.executemany(sql, params)
    db.execute("COMMIT")
    return len(params)


def run_import(path: Path, db_path: Path) -> dict:
    """The product's import: the admin upload's and the command's code path, confirmed."""
    import django

    django.setup()
    from applicants.welfare.importer import import_register

    started, cpu = time.perf_counter(), time.process_time()
    batch = import_register(path, register="dtsen")
    return {
        "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "state": batch.state,
        "read": batch.rows_read, "accepted": batch.rows_accepted, "rejected": batch.rows_rejected,
        "duplicates": batch.rows_duplicate,
    }


def run_calamine(path: Path, _db_path: Path) -> dict:
    from python_calamine import CalamineWorkbook

    started, cpu = time.perf_counter(), time.process_time()
    read = 0
    for _row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
        read += 1
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "read": read}


def run_reader(path: Path, _db_path: Path) -> dict:
    from applicants.welfare.reader import Limits, iter_first_sheet

    started, cpu = time.perf_counter(), time.process_time()
    read = 0
    for _row in iter_first_sheet(path, Limits()):
        read += 1
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "read": read}


def run_generate(path: Path, rows: str) -> dict:
    (generate_csv if path.suffix == ".csv" else generate_xlsx)(path, int(rows))
    return {}


CHILD_RUNS = {"floor": run_floor, "floor-table": run_floor_table, "csv": run_import, "xlsx": run_import,
              "calamine": run_calamine, "reader": run_reader, "generate": run_generate}


def child(name: str, path: str, extra: str) -> None:
    result = CHILD_RUNS[name](Path(path), Path(extra) if name != "generate" else extra)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result |= {"cpu_seconds": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024}
    print(json.dumps(result))


# --- The orchestrating parent (small on purpose: see the module docstring) -------------------------


def child_env(db_path: Path | None = None) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "PYTHONPATH": str(ROOT)}
    if db_path is not None:
        env["DATABASE_URL"] = f"sqlite:///{db_path}"
    return env


def spawn(name: str, path: Path, extra: str, env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", name, str(path), extra], env=env,
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"{name} run on {path.name} failed:\n{out.stderr[-5000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_db(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def migrated_db(workdir: Path) -> Path:
    """One migrated database, copied for each import (migrating takes longer than a smoke import)."""
    template = workdir / "migrated.sqlite3"
    if not template.exists():
        env = child_env(template)
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
        db = sqlite3.connect(template)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, so a copy is whole
        db.close()
    return template


def measure(name: str, files: dict[str, Path], workdir: Path) -> dict:
    if name in ("calamine", "reader"):
        return spawn(name, files["xlsx"], "-", child_env())
    db_path = workdir / f"bench-{name}.sqlite3"
    fresh_db(db_path)
    if name != "floor":
        shutil.copyfile(migrated_db(workdir), db_path)
    result = spawn(name, files["xlsx" if name == "xlsx" else "csv"], str(db_path), child_env(db_path))
    fresh_db(db_path)
    return result


def calamine_installed() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import python_calamine"], capture_output=True)
    return probe.returncode == 0


def ratio(results: dict, top: str, bottom: str) -> float | None:
    if top in results and bottom in results:
        return results[top]["seconds"] / results[bottom]["seconds"]
    return None


def bench(rows: int, runs: list[str], workdir: Path) -> dict[str, dict]:
    files = {kind: workdir / f"register-{rows}.{kind}" for kind in ("csv", "xlsx")}
    needed = {"csv"} if set(runs) <= {"floor", "floor-table", "csv"} else {"csv", "xlsx"}
    for kind in sorted(needed):
        if not files[kind].exists():
            started = time.perf_counter()
            spawn("generate", files[kind], str(rows), child_env())
            print(f"generated {files[kind].name} ({files[kind].stat().st_size / 1e6:.0f} MB) in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
    load = os.getloadavg()
    print(f"{rows:,} rows, {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          "(the machine is shared: compare the ratios, not the seconds)", flush=True)
    fresh_db(workdir / "migrated.sqlite3")  # migrated anew each run: the migrations may have changed
    results: dict[str, dict] = {}
    for name in runs:
        if name == "calamine" and not calamine_installed():
            print("calamine: python-calamine is not installed (pip install -e '.[bench]'); skipped", flush=True)
            continue
        result = measure(name, files, workdir)
        result["rows_per_s"] = result["read"] / result["seconds"] if result["seconds"] else 0.0
        results[name] = result
        counts = ""
        if "accepted" in result:
            counts = f", accepted {result['accepted']:,}"
        if "rejected" in result:
            counts += f", rejected {result['rejected']:,}, duplicates {result['duplicates']:,} ({result['state']})"
        print(f"{name:<11} {result['read']:>10,} rows in {result['seconds']:7.1f} s = {result['rows_per_s']:>9,.0f} "
              f"rows/s, CPU {result['cpu']:.1f} s, peak RSS {result['maxrss_mb']:.0f} MB{counts}", flush=True)
    print("ratios, same file, same run: wall time (CPU time of the work, steadier on a shared machine):")
    for label, top, bottom, goal in (
        ("csv import / floor", "csv", "floor", f"goal <= {CSV_GOAL}"),
        ("csv import / floor on the product's table", "csv", "floor-table", "the importer's own cost"),
        ("floor on the product's table / floor", "floor-table", "floor", "the cost of the table's indexes"),
        ("xlsx import / csv import", "xlsx", "csv", f"goal <= {XLSX_GOAL}"),
        ("reader / calamine", "reader", "calamine", "calamine holds the whole sheet; the reader streams"),
    ):
        value = ratio(results, top, bottom)
        if value is not None:
            cpu = results[top]["cpu"] / results[bottom]["cpu"] if results[bottom]["cpu"] else float("nan")
            print(f"  {label}: {value:.2f}x (CPU {cpu:.2f}x; {goal})", flush=True)
    memory = [f"{name} {results[name]['maxrss_mb']:.0f} MB" for name in RUNS if name in results]
    print(f"  memory: {', '.join(memory)} (goal < {MEMORY_GOAL_MB} MB for each import)", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--smoke", action="store_true", help="2,000 rows: checks the bench still runs")
    parser.add_argument("--only", default=",".join(RUNS), help=f"comma-separated runs among {', '.join(RUNS)}")
    parser.add_argument("--keep", type=Path, help="folder for the generated files (reused when present)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    rows = 2000 if args.smoke else args.rows
    runs = [name for name in args.only.split(",") if name]
    unknown = set(runs) - set(RUNS)
    if unknown:
        parser.error(f"unknown runs: {', '.join(sorted(unknown))}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        bench(rows, runs, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="sigap-bench-") as workdir:
            bench(rows, runs, Path(workdir))


if __name__ == "__main__":
    main()
