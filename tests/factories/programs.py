"""Programs, intakes, instructors, classes (cohorts) and their sessions, capital packages."""

import datetime

import factory
from django.utils import timezone

from programs.models import (
    CapitalPackage,
    CapitalPackageItem,
    Cohort,
    CohortSession,
    Holiday,
    Instructor,
    Intake,
    Kelurahan,
    KelurahanQuota,
    Program,
)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Keterampilan {n}")
    slug = factory.Sequence(lambda n: f"keterampilan-{n}")


class IntakeFactory(factory.django.DjangoModelFactory):
    """An intake whose registration window contains today (Asia/Jakarta) unless dates are given.
    `programs=[...]` sets its offer; without it the intake offers nothing until an application adds one."""

    class Meta:
        model = Intake
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pelatihan Keterampilan Gelombang {n}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    registration_opens = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    registration_closes = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))

    @factory.post_generation
    def programs(self, create, extracted, **kwargs):
        if create and extracted:
            self.programs.set(extracted)


class KelurahanQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KelurahanQuota

    intake = factory.SubFactory(IntakeFactory)
    kelurahan = factory.LazyFunction(lambda: Kelurahan.objects.order_by("code").first())
    quota = 50


class InstructorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instructor

    name = factory.Sequence(lambda n: f"Instruktur {n}")
    skill = factory.SubFactory(ProgramFactory)


class CohortFactory(factory.django.DjangoModelFactory):
    """A class of March 2026; its program is added to the intake's offer, as the model requires."""

    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    intake = factory.SubFactory(IntakeFactory)
    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Kelas {n}")
    venue = "BLK Kota Tangerang"
    start_date = datetime.date(2026, 3, 2)
    end_date = datetime.date(2026, 3, 31)
    capacity = 20

    @factory.post_generation
    def offered(self, create, extracted, **kwargs):
        if create:
            self.intake.programs.add(self.program)


class CohortSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortSession

    cohort = factory.SubFactory(CohortFactory)
    number = factory.Sequence(lambda n: n + 1)
    date = datetime.date(2026, 3, 2)


class CapitalPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapitalPackage

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Paket usaha {n}")
    contents = "Kompor, wajan, bahan awal"
    value_rupiah = 5_000_000


class HolidayFactory(factory.django.DjangoModelFactory):
    """A public holiday editors list: no interview is planned on it, no session generated."""

    class Meta:
        model = Holiday
        django_get_or_create = ("date",)

    date = factory.Sequence(lambda n: datetime.date(2026, 12, 25) + datetime.timedelta(days=n))
    name = "Libur nasional"


class CapitalPackageItemFactory(factory.django.DjangoModelFactory):
    """One line of a capital package: what the money buys, from whom."""

    class Meta:
        model = CapitalPackageItem

    package = factory.SubFactory(CapitalPackageFactory)
    name = "Kompor gas dua tungku"
    quantity = 1
    unit = "unit"
    unit_value_rupiah = 750_000
    supplier = "Toko Sinar Jaya"
