# ruff: noqa: E501 - demo content: long Indonesian sentences read better unbroken
"""Demo programs and intakes: the five skills, one intake open now, one closed earlier this year, and one
of the year before whose classes ended over a year ago (so follow-ups at 3, 6 and 12 months exist).

Idempotent: records are found by their natural keys (program slug, intake name, intake+kelurahan)
and updated in place, so running it again the same day changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from .models import Intake, Kelurahan, KelurahanQuota, Program

PROGRAMS = [
    ("tata-boga", "Tata Boga", "Memasak dan mengemas makanan siap jual: nasi kotak, lauk harian, dan katering rumahan."),
    ("barbershop", "Barbershop", "Potong rambut pria, cukur, dan pelayanan pelanggan untuk membuka usaha pangkas rambut."),
    ("kue-kering", "Kue Kering", "Membuat kue kering dan kue basah, menghitung harga pokok, dan menjual pesanan hari raya."),
    ("payet", "Payet", "Menjahit payet dan manik-manik pada busana muslim, kebaya, dan kerudung."),
    ("pijat-refleksi", "Pijat Refleksi", "Teknik pijat refleksi kaki dan tubuh yang aman, kebersihan, dan etika layanan."),
]
QUOTA_KELURAHAN = 16
QUOTA_PER_KELURAHAN = 50


@dataclass(frozen=True)
class DemoIntakes:
    open: Intake
    closed: Intake
    past: Intake


def seed(today: date | None = None) -> DemoIntakes:
    today = today or timezone.localdate()
    programs = {}
    for slug, name, description in PROGRAMS:
        programs[slug], _created = Program.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "is_active": True}
        )

    year = today.year
    open_intake, _created = Intake.objects.update_or_create(
        name=f"Pelatihan Keterampilan {year} Gelombang 2",
        defaults={
            "year": year,
            "registration_opens": today - timedelta(days=7),
            "registration_closes": today + timedelta(days=21),
            "min_age": 18,
            "max_age": 55,
            "default_quota": QUOTA_PER_KELURAHAN,
            "total_target": QUOTA_KELURAHAN * QUOTA_PER_KELURAHAN,
            "max_applications_per_kk": 1,
            "max_desil": 4,
        },
    )
    open_intake.programs.set([programs[s] for s in ("tata-boga", "barbershop", "kue-kering", "pijat-refleksi")])

    closed_intake, _created = Intake.objects.update_or_create(
        name=f"Pelatihan Keterampilan {year} Gelombang 1",
        defaults={
            "year": year,
            "registration_opens": today - timedelta(days=120),
            "registration_closes": today - timedelta(days=90),
            "min_age": 18,
            "max_age": 55,
            "default_quota": QUOTA_PER_KELURAHAN,
            "total_target": QUOTA_KELURAHAN * QUOTA_PER_KELURAHAN,
            "max_applications_per_kk": 1,
            "max_desil": 4,
        },
    )
    closed_intake.programs.set([programs[s] for s in ("payet", "tata-boga")])

    # Registration ~17 months ago: its classes (30 days after closing, 6 weeks long) ended over a year ago.
    past_intake, _created = Intake.objects.update_or_create(
        name=f"Pelatihan Keterampilan {year - 1} Gelombang 1",
        defaults={
            "year": year - 1,
            "registration_opens": today - timedelta(days=520),
            "registration_closes": today - timedelta(days=490),
            "min_age": 18,
            "max_age": 55,
            "default_quota": QUOTA_PER_KELURAHAN,
            "total_target": QUOTA_KELURAHAN * QUOTA_PER_KELURAHAN,
            "max_applications_per_kk": 1,
            "max_desil": 4,
        },
    )
    past_intake.programs.set([programs[s] for s in ("tata-boga", "barbershop")])

    kelurahan = list(Kelurahan.objects.order_by("code")[:QUOTA_KELURAHAN])
    for intake in (open_intake, closed_intake, past_intake):
        for kel in kelurahan:
            KelurahanQuota.objects.update_or_create(
                intake=intake, kelurahan=kel, defaults={"quota": QUOTA_PER_KELURAHAN}
            )
    return DemoIntakes(open=open_intake, closed=closed_intake, past=past_intake)
