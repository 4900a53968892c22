"""Factories of the graduation area (certificates, register outcome checks), variants as traits."""

from decimal import Decimal

import factory
from django.utils import timezone

from applicants.models import Certificate, Enrolment, RegisterOutcomeCheck
from programs.models import Cohort
from tests.factories import CohortFactory, EnrolmentFactory


class GraduateFactory(EnrolmentFactory):
    """A participant who met the completion rule of a closed class."""

    cohort = factory.SubFactory(CohortFactory, status=Cohort.Status.COMPLETED)
    status = Enrolment.Status.COMPLETED
    final_score = 85
    attendance_pct = Decimal("95.00")

    class Params:
        failed = factory.Trait(status=Enrolment.Status.NOT_COMPLETED, final_score=40)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    enrolment = factory.SubFactory(GraduateFactory)
    year = 2026
    serial = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: Certificate.format_number(o.year, o.serial))

    class Params:
        withdrawn = factory.Trait(
            state=Certificate.State.WITHDRAWN, withdrawal_reason="Data kelulusan keliru",
            withdrawn_at=factory.LazyFunction(timezone.now),
        )


class RegisterOutcomeCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisterOutcomeCheck

    enrolment = factory.SubFactory(GraduateFactory)
    as_of = factory.LazyFunction(timezone.localdate)
    nik_found = True
    kk_found = True
