"""Shared factory_boy factories. Each engineer adds their own; keep them small and valid by default."""

import datetime

import factory
from django.utils import timezone

from programs.models import Intake, Program


def make_nik(birth_date: datetime.date, sex: str = "L", region: str = "367101", serial: int = 1) -> str:
    """A valid NIK: region, birth date (day + 40 for women) and a non-zero serial."""
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Program Uji {n}")
    slug = factory.Sequence(lambda n: f"program-uji-{n}")


class IntakeFactory(factory.django.DjangoModelFactory):
    """An intake whose registration window is open today (Asia/Jakarta)."""

    class Meta:
        model = Intake
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pelatihan Keterampilan Uji Gelombang {n}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    registration_opens = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    registration_closes = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21))

    @factory.post_generation
    def programs(self, create, extracted, **kwargs):
        if create and extracted:
            self.programs.set(extracted)
