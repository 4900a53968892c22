"""Certificates and register outcome checks of graduates, variants as traits."""

import factory
from django.utils import timezone

from applicants.models import Certificate, RegisterOutcomeCheck

from .delivery import EnrolmentFactory


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    enrolment = factory.SubFactory(EnrolmentFactory, graduate=True)
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

    enrolment = factory.SubFactory(EnrolmentFactory, graduate=True)
    as_of = factory.LazyFunction(timezone.localdate)
    nik_found = True
    kk_found = True
