"""Shared factory_boy factories. Each section belongs to the work that added it."""

from datetime import timedelta

import factory
from django.utils import timezone

from programs.models import Intake, Program

# --- programs (public site) ----------------------------------------------------------------------


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Keterampilan {n}")
    slug = factory.Sequence(lambda n: f"keterampilan-{n}")


class IntakeFactory(factory.django.DjangoModelFactory):
    """An intake whose registration window contains today (Asia/Jakarta) unless dates are given."""

    class Meta:
        model = Intake
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pelatihan Keterampilan Gelombang {n}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    registration_opens = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
    registration_closes = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))

    @factory.post_generation
    def programs(self, create, extracted, **kwargs):
        if create and extracted:
            self.programs.set(extracted)
