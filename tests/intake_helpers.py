"""Helpers for the interest-form tests: the page tree and a valid resident's form data."""

import datetime

from django.utils import timezone
from wagtail.models import Page, Site

from public_pages.models import HomePage, InterestFormPage
from tests.factories import IntakeFactory, ProgramFactory

KELURAHAN_CODE = "36.71.01.1001"  # Sukarasa, Kecamatan Tangerang


def make_nik(birth_date: datetime.date, sex: str = "L", region: str = "367101", serial: int = 1) -> str:
    """A valid NIK: region, birth date (day + 40 for women) and a non-zero serial."""
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def build_site() -> InterestFormPage:
    """Home page as the default site's root, with the interest form page at /daftar/."""
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Sigap Kerja", slug="beranda"))
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    page = home.add_child(instance=InterestFormPage(title="Daftar pelatihan", slug="daftar"))
    return page


def open_intake(**kwargs):
    programs = [
        ProgramFactory(name="Tata Boga", slug="tata-boga"),
        ProgramFactory(name="Barbershop", slug="barbershop"),
    ]
    return IntakeFactory(programs=programs, **kwargs)


def valid_data(serial: int = 1, sex: str = "L", birth_date: datetime.date | None = None, **overrides) -> dict:
    """POST data of a valid 30-ish-year-old resident of Sukarasa."""
    birth_date = birth_date or datetime.date(timezone.localdate().year - 30, 5, 17)
    data = {
        "nik": make_nik(birth_date, sex=sex, serial=serial),
        "kk_number": f"367101{serial:010d}",
        "full_name": "Siti Rahmawati" if sex == "P" else "Budi Santoso",
        "birth_date": birth_date.isoformat(),
        "phone": "0812 3456 7890",
        "address": "Jl. Merdeka Gg. Melati No. 5",
        "rt": "3",
        "rw": "004",
        "kelurahan": KELURAHAN_CODE,
        "program": "tata-boga",
        "program_alt": "",
        "household_size": "4",
        "occupation": "Ibu rumah tangga",
        "dtks_status": "registered",
        "motivation": "Ingin membuka usaha katering.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data
