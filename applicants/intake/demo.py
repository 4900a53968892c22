"""Synthetic applicants for demos and load tests (`seed_demo --applicants N`).

Every record is internally consistent: the NIK's region, birth date and sex agree with the stored
fields, KK numbers have a known region, phones are Indonesian mobiles in E.164, kelurahan are Kota
Tangerang's. The generator is deterministic, so a rerun with the same N recreates the same NIKs and
skips them (nothing added, nothing crashes); a larger N adds the difference. Rows go in with
bulk_create in short transactions, so residents' submissions are not blocked for long on SQLite.
"""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from applicants.enums import ApplicationStatus, DtksSelfReport, Source
from applicants.intake.services import current_consent_version
from applicants.models import Applicant, Application
from programs.models import Intake, Kelurahan, Program

CHUNK = 2000
SEED = 20260101

MALE_NAMES = (
    "Budi Agus Andi Ahmad Rudi Dedi Eko Hendra Joko Slamet Wahyu Yusuf Rizky Fajar Dimas Irfan Taufik Bambang "
    "Heru Arief Sutrisno Supriyadi Agung Bayu Dani Fikri Hadi Ilham Imam Kurniawan Muhammad Nur Rahmat Ridwan "
    "Sandi Teguh Tri Wawan Yogi Zainal Asep Ujang Dadang Cecep"
).split()
FEMALE_NAMES = (
    "Siti Sri Dewi Ani Rina Nur Wati Yuni Lestari Fitri Indah Ratna Sari Dian Eka Ayu Ika Lina Maya Nining "
    "Nurhayati Puji Rahmawati Rini Santi Suryani Tuti Umi Wulan Yanti Yuliana Evi Heni Iis Euis Neneng Kokom "
    "Aisyah Fatimah Nabila Putri Anisa Mega"
).split()
FAMILY_NAMES = (
    "Santoso Wijaya Saputra Hidayat Kusuma Pratama Setiawan Gunawan Nugroho Susanto Hakim Rahman Hasan Siregar "
    "Nasution Simanjuntak Lubis Harahap Sitompul Suhendra Permana Firmansyah Maulana Syahputra Wibowo Purnomo "
    "Rohmah Hartati Handayani Wulandari Rahayu Kartika Anggraini Fauzi Iskandar Ramadhan Sulaeman Sopandi"
).split()
OCCUPATIONS = (
    "Ibu rumah tangga", "Buruh harian lepas", "Pedagang kecil", "Belum bekerja", "Ojek daring", "Buruh pabrik",
    "Asisten rumah tangga", "Tukang bangunan", "Penjahit rumahan", "",
)
STREETS = ("Jl. Merdeka", "Jl. Daan Mogot", "Jl. Imam Bonjol", "Jl. KH Hasyim Ashari", "Jl. Gatot Subroto",
           "Jl. Perintis Kemerdekaan", "Jl. MH Thamrin", "Jl. Veteran", "Gg. Masjid", "Gg. Mawar", "Gg. Melati")
# Where residents' NIKs were first issued when not in Kota Tangerang (Kab. Tangerang, Bogor, Serang,
# Jakarta Barat, Brebes, Lampung Selatan, Pandeglang): moving to the city is normal.
OTHER_REGIONS = ("360301", "360305", "320101", "360401", "317301", "332901", "180101", "360101")
MOBILE_PREFIXES = ("811", "812", "813", "821", "822", "823", "851", "852", "853", "855", "856", "857",
                   "858", "877", "878", "895", "896", "897", "898", "899", "881", "882", "838", "831")
DEMO_PROGRAMS = (("Tata Boga", "tata-boga"), ("Barbershop", "barbershop"), ("Kue Kering", "kue-kering"))

OPEN_STATUSES = (
    (ApplicationStatus.SUBMITTED, 50), (ApplicationStatus.VERIFIED, 25), (ApplicationStatus.NOT_ELIGIBLE, 10),
    (ApplicationStatus.INTERVIEW_SCHEDULED, 15),
)
CLOSED_STATUSES = (
    (ApplicationStatus.NOT_ELIGIBLE, 15), (ApplicationStatus.INTERVIEWED, 5), (ApplicationStatus.ACCEPTED, 10),
    (ApplicationStatus.WAITLISTED, 10), (ApplicationStatus.REJECTED, 20), (ApplicationStatus.ENROLLED, 35),
    (ApplicationStatus.WITHDRAWN, 5),
)
SOURCES = ((Source.ONLINE, 80), (Source.WALK_IN, 15), (Source.STAFF, 5))


@dataclass
class _IntakeInfo:
    intake: Intake
    program_ids: list[int]
    statuses: tuple
    weights: tuple


def seed_applicants(count: int, stdout=None, status: str | None = None) -> int:
    """Add up to `count` synthetic applicants (one application each, some two). Returns how many were new.

    By default the applications get a realistic mix of statuses at creation (load tests). With
    `status="submitted"` every new application starts at the beginning of the funnel, so the demo can move
    it through the workflow (`applicants.selection.demo`). The people drawn are the same either way.
    """
    if count <= 0:
        return 0
    started = timezone.now()
    intakes = _intakes()
    kelurahan = list(Kelurahan.objects.values_list("pk", "code"))
    consent = current_consent_version()
    rng = random.Random(SEED)
    today = timezone.localdate()
    created = 0
    batch: list[Applicant] = []
    # Ages that every intake accepts, so no seeded application breaks its intake's age rule.
    min_age = max([info.intake.min_age for info in intakes] + [18])
    max_age = max(min([info.intake.max_age for info in intakes] + [59]), min_age)
    for person in _people(rng, count, kelurahan, today, (min_age, max_age)):
        batch.append(person)
        if len(batch) >= CHUNK:
            created += _store(batch, rng, intakes, consent, today, status)
            batch = []
    if batch:
        created += _store(batch, rng, intakes, consent, today, status)
    if stdout is not None:
        seconds = (timezone.now() - started).total_seconds()
        stdout.write(f"seed_applicants: {created} baru dari {count} diminta dalam {seconds:.1f} detik.")
    return created


def _intakes() -> list[_IntakeInfo]:
    infos = [_info(intake) for intake in Intake.objects.prefetch_related("programs")]
    infos = [info for info in infos if info.program_ids]
    return infos or [_info(_minimal_demo_intake())]


def _info(intake: Intake) -> _IntakeInfo:
    statuses = OPEN_STATUSES if intake.registration_state() != "closed" else CLOSED_STATUSES
    return _IntakeInfo(
        intake=intake,
        program_ids=sorted(program.pk for program in intake.programs.all()),
        statuses=tuple(status for status, _weight in statuses),
        weights=tuple(weight for _status, weight in statuses),
    )


def _minimal_demo_intake() -> Intake:
    """Used only when the demo has no intake yet (programs.demo normally creates them)."""
    today = timezone.localdate()
    programs = [Program.objects.get_or_create(slug=slug, defaults={"name": name})[0] for name, slug in DEMO_PROGRAMS]
    intake, _created = Intake.objects.get_or_create(
        name=f"Pelatihan Keterampilan {today.year} Gelombang Demo",
        defaults={"year": today.year, "registration_opens": today - datetime.timedelta(days=14),
                  "registration_closes": today + datetime.timedelta(days=30)},
    )
    intake.programs.add(*programs)
    return intake


def _people(rng: random.Random, count: int, kelurahan, today: datetime.date, ages: tuple[int, int]
            ) -> Iterator[Applicant]:
    serials: dict[str, int] = {}
    for _i in range(count):
        kel_pk, kel_code = rng.choice(kelurahan)
        city_region = kel_code.replace(".", "")[:6]
        sex = "P" if rng.random() < 0.62 else "L"  # most trainees of these programs are women
        years = rng.randint(*ages)
        leap_day = (today.month, today.day) == (2, 29)
        anniversary = today.replace(year=today.year - years, day=28 if leap_day else today.day)
        birth = anniversary - datetime.timedelta(days=rng.randint(1, 360))  # still `years` old today
        region = city_region if rng.random() < 0.85 else rng.choice(OTHER_REGIONS)
        day = birth.day + (40 if sex == "P" else 0)
        stem = f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        serial = serials.get(stem, 0) + 1
        serials[stem] = serial
        first = rng.choice(FEMALE_NAMES if sex == "P" else MALE_NAMES)
        yield Applicant(
            nik=f"{stem}{serial:04d}",
            kk_number=f"{city_region}{rng.randint(1, 9_999_999_999):010d}",
            full_name=f"{first} {rng.choice(FAMILY_NAMES)}",
            birth_date=birth,
            sex=sex,
            phone=f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randint(1_000_000, 99_999_999)}",
            address=f"{rng.choice(STREETS)} No. {rng.randint(1, 150)}",
            rt=f"{rng.randint(1, 15):03d}",
            rw=f"{rng.randint(1, 12):03d}",
            kelurahan_id=kel_pk,
            household_size=rng.randint(1, 8),
            occupation=rng.choice(OCCUPATIONS),
        )


def _store(batch: list[Applicant], rng: random.Random, intakes: list[_IntakeInfo], consent, today,
           status: str | None = None) -> int:
    existing = set(Applicant.objects.filter(nik__in=[a.nik for a in batch]).values_list("nik", flat=True))
    fresh = [a for a in batch if a.nik not in existing]
    # Draw the applications for the whole batch, so the random stream does not depend on what exists.
    plans = [_plan(rng, intakes, today) for _a in batch]
    if not fresh:
        return 0
    with transaction.atomic():
        Applicant.objects.bulk_create(fresh, batch_size=500)
        if any(a.pk is None for a in fresh):  # databases that do not return ids from bulk inserts
            ids = dict(Applicant.objects.filter(nik__in=[a.nik for a in fresh]).values_list("nik", "pk"))
            for a in fresh:
                a.pk = ids[a.nik]
        applications = []
        for applicant, plan in zip(batch, plans, strict=True):
            if applicant.nik in existing:
                continue
            for info, fields in plan:
                if status is not None:
                    fields = {**fields, "status": status, "decision_reason": ""}
                application = Application(applicant_id=applicant.pk, intake=info.intake,
                                          consent_version=consent, **fields)
                application.snapshot_contact(applicant)  # bulk_create skips save(), which would do it
                applications.append(application)
        Application.objects.bulk_create(applications, batch_size=500)
        _assign_references(applications)
    return len(fresh)


def _plan(rng: random.Random, intakes: list[_IntakeInfo], today) -> list[tuple[_IntakeInfo, dict]]:
    chosen = [rng.choice(intakes)]
    if len(intakes) > 1 and rng.random() < 0.15:
        chosen.append(rng.choice([i for i in intakes if i is not chosen[0]]))
    plan = []
    for info in chosen:
        intake = info.intake
        program = rng.choice(info.program_ids)
        alternatives = [p for p in info.program_ids if p != program]
        program_alt = rng.choice(alternatives) if alternatives and rng.random() < 0.5 else None
        status = rng.choices(info.statuses, weights=info.weights)[0]
        last_day = min(intake.registration_closes, today)
        span = max((last_day - intake.registration_opens).days, 0)
        day = intake.registration_opens + datetime.timedelta(days=rng.randint(0, span))
        submitted = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(rng.randint(6, 22), rng.randint(0, 59)))
        )
        source = rng.choices([s for s, _w in SOURCES], weights=[w for _s, w in SOURCES])[0]
        plan.append((info, {
            "program_id": program,
            "program_alt_id": program_alt,
            "status": status,
            "source": source,
            "dtks_self_report": rng.choice(DtksSelfReport.values),
            "motivation": "",
            "consent_at": submitted,
            "submitted_at": submitted,
            "status_changed_at": submitted,
            "decision_reason": "quota_full" if status == ApplicationStatus.REJECTED else "",
        }))
    return plan


def _assign_references(applications: list[Application]) -> None:
    """Same format as Application.assign_reference(), in one UPDATE per intake year instead of per row."""
    ids = [a.pk for a in applications if a.pk is not None]
    if not ids:
        ids = list(Application.objects.filter(reference__isnull=True).values_list("pk", flat=True))
    if not ids:
        return
    low, high = min(ids), max(ids)
    years = {a.intake.year for a in applications}
    for year in years:
        rows = Application.objects.filter(pk__gte=low, pk__lte=high, intake__year=year, reference__isnull=True)
        # LPad cuts longer strings, so ids of seven digits or more get no padding (as %06d does).
        rows.filter(pk__lt=1_000_000).update(
            reference=Concat(Value(f"SK-{year}-"), LPad(Cast("pk", CharField()), 6, Value("0")))
        )
        rows.filter(pk__gte=1_000_000).update(reference=Concat(Value(f"SK-{year}-"), Cast("pk", CharField())))
