"""Factories for the register tests (kept apart from tests/factories.py, whose names they would clash with)."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from applicants.enums import DtksSelfReport, Source
from applicants.models import Applicant, Application
from programs.models import Intake, Kelurahan, Program

# --- registers (applicant register, exports) ------------------------------------------------------

_serial = itertools.count(1)


def make_nik(birth_date: datetime.date, female: bool = False, serial: int | None = None) -> str:
    """A valid Kota Tangerang NIK (kecamatan 36.71.01) whose digits 7-12 encode birth date and sex."""
    day = birth_date.day + (40 if female else 0)
    serial = serial if serial is not None else next(_serial)
    return f"367101{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial % 9999 + 1:04d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("sigap-test-pass")


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intake
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pelatihan Keterampilan 2026 Gelombang {n}")
    year = 2026
    registration_opens = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    registration_closes = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=20))

    @factory.post_generation
    def programs(self, create, extracted, **kwargs):
        if create:
            self.programs.set(extracted if extracted is not None else [ProgramFactory()])


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    class Params:
        female = False

    full_name = factory.Sequence(lambda n: f"Warga Contoh {n}")
    birth_date = datetime.date(1990, 5, 17)
    nik = factory.LazyAttribute(lambda o: make_nik(o.birth_date, o.female))
    sex = factory.LazyAttribute(lambda o: "P" if o.female else "L")
    kk_number = factory.Sequence(lambda n: f"3671010101{n % 999999:06d}")
    phone = factory.Sequence(lambda n: f"+62812{n % 100000000:08d}")
    address = "Jl. Contoh No. 1"
    rt = "001"
    rw = "002"
    kelurahan = factory.LazyFunction(lambda: Kelurahan.objects.order_by("code").first())
    household_size = 4


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    applicant = factory.SubFactory(ApplicantFactory)
    intake = factory.SubFactory(IntakeFactory)
    program = factory.LazyAttribute(lambda o: o.intake.programs.first())
    source = Source.ONLINE
    dtks_self_report = DtksSelfReport.REGISTERED

    @factory.post_generation
    def reference(self, create, extracted, **kwargs):
        if create and not self.reference:
            self.assign_reference()
