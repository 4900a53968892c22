"""Applicants and applications, and the form data of a resident filling in the public interest form."""

import datetime

import factory
from django.utils import timezone

from applicants.enums import ApplicationStatus, DtksSelfReport, Sex
from applicants.models import Applicant, Application, ConsentVersion, DataSubjectRequest
from programs.models import Kelurahan

from .identity import BIRTH_DATE, make_kk, make_nik, nik_serial
from .programs import IntakeFactory, ProgramFactory

KELURAHAN_CODE = "36.71.01.1001"  # Sukarasa, Kecamatan Tangerang


class ConsentVersionFactory(factory.django.DjangoModelFactory):
    """A consent text in force since now."""

    class Meta:
        model = ConsentVersion
        django_get_or_create = ("version",)

    version = factory.Sequence(lambda n: f"uji-{n}")
    text = "Saya setuju data saya diolah untuk seleksi pelatihan."


class ApplicantFactory(factory.django.DjangoModelFactory):
    """A man of Kota Tangerang born 1 May 1990 whose NIK agrees with birth date and sex
    (`female=True` for a woman; `serial` picks the NIK's last four digits)."""

    class Meta:
        model = Applicant

    class Params:
        serial = factory.Sequence(nik_serial)
        female = factory.Trait(sex=Sex.FEMALE)

    nik = factory.LazyAttribute(lambda o: make_nik(o.birth_date, sex=o.sex, serial=o.serial))
    kk_number = factory.Sequence(make_kk)
    full_name = factory.Sequence(lambda n: f"Warga Uji {n}")
    birth_date = BIRTH_DATE
    sex = Sex.MALE
    phone = "+6281234567890"
    address = "Jl. Contoh 1"
    rt = "001"
    rw = "002"
    kelurahan = factory.LazyFunction(lambda: Kelurahan.objects.order_by("code").first())
    household_size = 4
    occupation = "Buruh harian"


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A verified application with its reference number; its program is added to the intake's offer.
    `submitted=True`: just arrived, not yet checked against the register; `accepted=True`: accepted after
    the interview, ready to enrol."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    class Params:
        submitted = factory.Trait(status=ApplicationStatus.SUBMITTED)
        accepted = factory.Trait(status=ApplicationStatus.ACCEPTED)

    applicant = factory.SubFactory(ApplicantFactory)
    intake = factory.SubFactory(IntakeFactory)
    program = factory.SubFactory(ProgramFactory)
    status = ApplicationStatus.VERIFIED
    dtks_self_report = DtksSelfReport.REGISTERED
    motivation = "Ingin membuka usaha katering."

    @factory.post_generation
    def reference(self, create, extracted, **kwargs):
        if create:
            self.intake.programs.add(self.program)
            self.assign_reference()


def open_intake(**kwargs):
    """An open intake offering Tata Boga and Barbershop, the programs `valid_data` names."""
    programs = [
        ProgramFactory(name="Tata Boga", slug="tata-boga"),
        ProgramFactory(name="Barbershop", slug="barbershop"),
    ]
    return IntakeFactory(programs=programs, **kwargs)


def valid_data(serial: int = 1, sex: str = "L", birth_date: datetime.date | None = None, **overrides) -> dict:
    """POST data of the interest form from a valid 30-ish-year-old resident of Sukarasa."""
    birth_date = birth_date or datetime.date(timezone.localdate().year - 30, 5, 17)
    data = {
        "nik": make_nik(birth_date, sex=sex, serial=serial),
        "kk_number": make_kk(serial),
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


class DataSubjectRequestFactory(factory.django.DjangoModelFactory):
    """An open access request received today, due in 3 x 24 hours (the UU PDP default)."""

    class Meta:
        model = DataSubjectRequest

    applicant = factory.SubFactory(ApplicantFactory)
    kind = DataSubjectRequest.Kind.ACCESS
    requester_name = factory.LazyAttribute(lambda o: o.applicant.full_name)
    channel = DataSubjectRequest.Channel.IN_PERSON
    details = "Meminta salinan data pribadi."
    requested_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: o.requested_at + datetime.timedelta(hours=72))
