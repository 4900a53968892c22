"""Factories for the welfare-register import and eligibility tests (kept apart: their defaults differ)."""

import datetime

import factory

from applicants.enums import ApplicationStatus, DtksSelfReport, Register
from applicants.models import Applicant, Application, WelfareImportBatch, WelfareRecord
from programs.models import Intake, Kelurahan, Program


def make_nik(n: int, birth: datetime.date = datetime.date(1990, 8, 27), female: bool = False) -> str:
    """A valid NIK from Kota Tangerang (kecamatan 01-13) with serial n (1-9999 per birth date)."""
    day = birth.day + (40 if female else 0)
    return f"3671{n % 13 + 1:02d}{day:02d}{birth.month:02d}{birth.year % 100:02d}{n % 9999 + 1:04d}"


def make_kk(n: int) -> str:
    return f"3671{n % 13 + 1:02d}1303110{n % 999 + 1:03d}"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tata Boga {n}")
    slug = factory.Sequence(lambda n: f"tata-boga-{n}")


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intake

    name = factory.Sequence(lambda n: f"Pelatihan 2026 Gelombang {n}")
    year = 2026
    registration_opens = datetime.date(2026, 1, 1)
    registration_closes = datetime.date(2026, 12, 31)


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    nik = factory.Sequence(make_nik)
    kk_number = factory.Sequence(make_kk)
    full_name = factory.Sequence(lambda n: f"WARGA {n}")
    birth_date = datetime.date(1990, 8, 27)
    sex = "L"
    phone = "+6281234567890"
    address = "Jl. Mawar No. 1"
    rt = "001"
    rw = "002"
    kelurahan = factory.LazyFunction(lambda: Kelurahan.objects.order_by("code").first())
    household_size = 4


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    applicant = factory.SubFactory(ApplicantFactory)
    intake = factory.SubFactory(IntakeFactory)
    program = factory.SubFactory(ProgramFactory)
    status = ApplicationStatus.SUBMITTED
    dtks_self_report = DtksSelfReport.REGISTERED


class WelfareImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WelfareImportBatch

    register = Register.DTSEN
    as_of = datetime.date(2026, 10, 1)
    file_name = "dtsen.csv"
    file_sha256 = "0" * 64
    state = WelfareImportBatch.State.CURRENT


class WelfareRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WelfareRecord

    batch = factory.SubFactory(WelfareImportBatchFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    nik = factory.Sequence(make_nik)
    kk_number = factory.Sequence(make_kk)
    full_name = factory.Sequence(lambda n: f"WARGA {n}")
    desil = 1
