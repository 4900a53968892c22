"""Benchmark of the registers: list pages at 1,000 vs 100,000 applicants, and the xlsx export.

    .venv/bin/python bench/registers.py            # full run (100,000 applicants, a few minutes)
    .venv/bin/python bench/registers.py --smoke    # small run used by the test suite

Seeds a fresh temporary SQLite database with bulk_create (applicants with their applications, and for
the applications past verification their interviews, enrolments in one class per program and capital
awards for some graduates), then prints:
- the median time and query count of a filtered register page (Django test client, superuser)
  at the small and the large size (goal: large <= 2x small, same query count);
- the time and peak memory (ru_maxrss of a separate process) of exporting every application row
  with the production code (`manage.py export_register applicants`), and, in the same run, the time
  openpyxl's write-only mode needs to write the same values from a Python list (the floor).
  Goals: export <= 2x floor, peak memory < 250 MB.
"""

import argparse
import datetime
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["SIGAP_VAR_DIR"] = str(db_path.parent)
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


FIRST_NAMES = ["Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Ani", "Eko", "Sri", "Hendra", "Yuni", "Wati",
               "Rudi", "Nur", "Ahmad", "Lestari", "Fitri", "Dedi", "Ratna", "Bambang"]
LAST_NAMES = ["Rahayu", "Saputra", "Wijaya", "Hidayat", "Lestari", "Kurniawan", "Susanti", "Pratama",
              "Nugroho", "Handayani", "Setiawan", "Permata", "=HYPERLINK(\"http://x\",\"klik\")"]


def seed(start: int, stop: int, rng: random.Random) -> None:
    """Applicants [start, stop) with one application each, written with bulk_create in batches."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from applicants.enums import ApplicationStatus, DtksSelfReport, Eligibility, Source
    from applicants.models import Applicant, Application
    from programs.models import Intake, Kelurahan, Program

    if not get_user_model().objects.filter(username="bench").exists():
        get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-pass-123")
    programs = list(Program.objects.all()) or [
        Program.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        for name in ("Tata Boga", "Barbershop", "Kue Kering", "Payet", "Pijat Refleksi")
    ]
    intake = Intake.objects.first()
    if intake is None:
        today = timezone.localdate()
        intake = Intake.objects.create(name="Pelatihan Keterampilan 2026 Gelombang 1", year=2026,
                                       registration_opens=today - datetime.timedelta(days=60),
                                       registration_closes=today + datetime.timedelta(days=30))
        intake.programs.set(programs)
    kelurahan = list(Kelurahan.objects.values_list("pk", "code"))
    statuses = [s.value for s in ApplicationStatus]
    sources = [s.value for s in Source]
    dtks = [s.value for s in DtksSelfReport]
    elig = [s.value for s in Eligibility]
    now = timezone.now()
    batch = 5000
    for offset in range(start, stop, batch):
        end = min(offset + batch, stop)
        applicants = []
        for i in range(offset, end):
            female = rng.random() < 0.6
            birth = datetime.date(1967, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 40))
            kel_pk, kel_code = rng.choice(kelurahan)
            region = kel_code.replace(".", "")[:6]
            day = birth.day + (40 if female else 0)
            nik = f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{i % 9999 + 1:04d}"
            # Unique NIK: vary the region's kecamatan digits with the block number when serials repeat.
            nik = f"{nik[:4]}{(i // 9999) % 90 + 10:02d}{nik[6:]}"
            applicants.append(Applicant(
                nik=nik, kk_number=f"{nik[:6]}{i:010d}",
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                birth_date=birth, sex="P" if female else "L", phone=f"+62812{i:08d}",
                address=f"Jl. Mawar No. {i % 200 + 1}", rt=f"{i % 12 + 1:03d}", rw=f"{i % 8 + 1:03d}",
                kelurahan_id=kel_pk, household_size=rng.randint(1, 9), occupation="Buruh harian",
            ))
        Applicant.objects.bulk_create(applicants, batch_size=1000)
        first_pk = Applicant.objects.order_by("-pk").values_list("pk", flat=True)[end - offset - 1]
        apps = []
        for n, applicant_pk in enumerate(range(first_pk, first_pk + (end - offset))):
            program = rng.choice(programs)
            apps.append(Application(
                applicant_id=applicant_pk, intake=intake, program=program, status=rng.choice(statuses),
                source=rng.choice(sources), dtks_self_report=rng.choice(dtks), eligibility=rng.choice(elig),
                motivation="Ingin membuka usaha sendiri", reference=f"SK-2026-{offset + n + 1:06d}",
                submitted_at=now - datetime.timedelta(minutes=rng.randrange(0, 60 * 24 * 60)),
            ))
        Application.objects.bulk_create(apps, batch_size=1000)
        seed_delivery(apps, rng, now)


# Statuses that had an interview, and the ones that reached a class.
INTERVIEWED = {"interview_scheduled", "interviewed", "accepted", "waitlisted", "rejected", "enrolled"}


def seed_delivery(apps, rng: random.Random, now) -> None:
    """Interviews, enrolments and awards for one batch of applications (bulk_create, no model methods:
    this is volume for the registers, not a test of the workflow)."""
    from django.contrib.auth import get_user_model

    from applicants.models import Application, CapitalAward, Enrolment, Interview
    from programs.models import CapitalPackage, Cohort

    bench_user = get_user_model().objects.get(username="bench")
    if apps and apps[0].pk is None:  # databases without RETURNING: read the ids back
        ids = dict(Application.objects.filter(reference__in=[a.reference for a in apps]).values_list("reference", "pk"))
        for app in apps:
            app.pk = ids[app.reference]
    cohorts, packages = {}, {}
    interviews, enrolments = [], []
    for app in apps:
        if app.status not in INTERVIEWED:
            continue
        held = app.status != "interview_scheduled"
        decision = {"accepted": "accept", "enrolled": "accept", "waitlisted": "waitlist", "rejected": "reject"}
        interviews.append(Interview(
            application_id=app.pk, scheduled_at=app.submitted_at + datetime.timedelta(days=7), place="Aula Kecamatan",
            interviewer=bench_user, attendance="came" if held else "scheduled",
            score_motivation=rng.randint(1, 5) if held else None, score_readiness=rng.randint(1, 5) if held else None,
            score_business_potential=rng.randint(1, 5) if held else None,
            score_household_need=rng.randint(1, 5) if held else None,
            decision=decision.get(app.status, ""), recorded_at=now if held else None,
        ))
        if app.status == "enrolled":
            if app.program_id not in cohorts:
                cohorts[app.program_id] = Cohort.objects.get_or_create(
                    intake_id=app.intake_id, program_id=app.program_id, name=f"Kelas bench {app.program_id}",
                    defaults={"venue": "BLK", "start_date": datetime.date(2026, 3, 2),
                              "end_date": datetime.date(2026, 3, 31), "capacity": 30000},
                )[0]
            enrolments.append(Enrolment(
                application_id=app.pk, cohort=cohorts[app.program_id],
                status=rng.choice(["active", "completed", "completed", "not_completed"]),
                final_score=rng.randint(50, 100),
            ))
    Interview.objects.bulk_create(interviews, batch_size=1000)
    Enrolment.objects.bulk_create(enrolments, batch_size=1000)
    awards = []
    for enrolment in enrolments:
        if enrolment.status != "completed" or rng.random() > 0.1 or enrolment.pk is None:
            continue
        program_id = enrolment.cohort.program_id
        if program_id not in packages:
            packages[program_id] = CapitalPackage.objects.get_or_create(
                program_id=program_id, name=f"Paket bench {program_id}",
                defaults={"contents": "Peralatan usaha", "value_rupiah": 5_000_000},
            )[0]
        awards.append(CapitalAward(
            intake_id=enrolment.cohort.intake_id, enrolment_id=enrolment.pk, package=packages[program_id],
            value_rupiah=5_000_000, place=rng.randint(1, 3), proposed_by=bench_user,
        ))
    CapitalAward.objects.bulk_create(awards, batch_size=1000)


def delivery_counts() -> str:
    from applicants.models import CapitalAward, Enrolment, Interview

    return (f"{Interview.objects.count():,} interviews, {Enrolment.objects.count():,} enrolments, "
            f"{CapitalAward.objects.count():,} awards")


def time_page(params: dict, repeats: int, url: str = "/admin/applicants/application/") -> tuple[float, int, int]:
    """Median seconds, query count and matching rows of one register page for the bench superuser."""
    import re

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    client.get(url, params)  # warm up
    times = []
    queries = 0
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    count = int(re.search(rb'data-register-count="(\d+)"', response.content).group(1))
    return statistics.median(times), queries, count


def export_in_subprocess(db_path: Path, mode: str) -> dict:
    """Run the export (or the floor) in a fresh process so its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", str(db_path)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout
    return dict(line.split("=", 1) for line in out.strip().splitlines() if "=" in line)


def child(mode: str, db_path: Path) -> None:
    setup_django(db_path)
    from django.core.management import call_command

    target = db_path.parent / f"{mode}.xlsx"
    if mode == "export":
        started = time.perf_counter()
        call_command("export_register", "applicants", "--output", str(target), stdout=open(os.devnull, "w"))  # noqa: SIM115
        seconds = time.perf_counter() - started
    else:  # the floor: the same values, already in a Python list, written by openpyxl write-only
        from openpyxl import Workbook

        from programs.registers.base import get_register
        from programs.registers.xlsx import DATE, DATETIME

        register = get_register("applicants")
        columns = register.bound_export_columns()
        query = register.query({})
        rows = list(query.queryset.values_list(*[c.path for c in columns]))
        dated = [i for i, c in enumerate(columns) if c.kind == DATETIME]
        rows = [tuple(v.replace(tzinfo=None) if i in dated and v else v for i, v in enumerate(r)) for r in rows]
        del DATE
        started = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Data")
        for row in rows:
            ws.append(row)
        wb.save(target)
        seconds = time.perf_counter() - started
    print(f"seconds={seconds:.2f}")
    print(f"maxrss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, for the test suite")
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--keep", help="keep the database in this folder (for EXPLAIN / profiling)")
    parser.add_argument("--child", choices=["export", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.db))
        return 0
    if args.smoke:
        args.small, args.large = 100, 400
    repeats = 3 if args.smoke else 7
    with tempfile.TemporaryDirectory(prefix="sigap-bench-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db_path = folder / "bench.sqlite3"
        setup_django(db_path)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        rng = random.Random(20261123)  # noqa: S311 - synthetic data
        from programs.models import Kelurahan

        kecamatan_pk = Kelurahan.objects.order_by("code").first().kecamatan_id
        # Both filters fill a whole page (50 rows) at both sizes, so the pages render the same work.
        applications = "/admin/applicants/application/"
        pages = {
            "status": (applications, {"status": "submitted", "sort": "-submitted_at"}),
            "kecamatan": (applications, {"kecamatan": kecamatan_pk, "sort": "-submitted_at"}),
            "kecamatan+status": (
                applications, {"kecamatan": kecamatan_pk, "status": "submitted", "sort": "-submitted_at"}
            ),
            "interviews attendance=came": ("/admin/applicants/interview/", {"attendance": "came"}),
            "participants status=completed": ("/admin/applicants/enrolment/", {"status": "completed"}),
            "awards state=proposed": ("/admin/applicants/capitalaward/", {"state": "proposed"}),
        }

        started = time.perf_counter()
        seed(0, args.small, rng)
        print(f"seeded {args.small:,} applicants in {time.perf_counter() - started:.1f}s ({delivery_counts()})")
        small = {name: time_page(params, repeats, url) for name, (url, params) in pages.items()}

        started = time.perf_counter()
        seed(args.small, args.large, rng)
        print(f"seeded up to {args.large:,} applicants in {time.perf_counter() - started:.1f}s "
              f"({delivery_counts()})")
        large = {name: time_page(params, repeats, url) for name, (url, params) in pages.items()}
        for name, (url, params) in pages.items():
            s_t, s_q, s_n = small[name]
            l_t, l_q, l_n = large[name]
            print(f"page [{name}] {url} {params}")
            print(f"  at {args.small:>7,}: {s_t * 1000:7.1f} ms, {s_q} queries, {s_n:,} matching")
            print(f"  at {args.large:>7,}: {l_t * 1000:7.1f} ms, {l_q} queries, {l_n:,} matching")
            print(f"  page ratio large/small: {l_t / s_t:.2f}x (goal <= 2x); queries {s_q} vs {l_q} "
                  f"({'same' if s_q == l_q else 'DIFFERENT'})")
        search = time_page({"q": "siti"}, repeats)
        print(f"name search 'siti' at {args.large:,}: {search[0] * 1000:.1f} ms, {search[1]} queries, "
              f"{search[2]:,} matching")

        export = export_in_subprocess(db_path, "export")
        floor = export_in_subprocess(db_path, "floor")
        e_s, f_s = float(export["seconds"]), float(floor["seconds"])
        print(f"export of {args.large:,} rows: {e_s:.2f}s, peak RSS {export['maxrss_mb']} MB (goal < 250 MB)")
        print(f"floor (openpyxl write-only from a list): {f_s:.2f}s (peak RSS {floor['maxrss_mb']} MB)")
        print(f"export/floor: {e_s / f_s:.2f}x (goal <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
