"""Certificates and register outcome checks of graduates, variants as traits."""

import factory
from django.utils import timezone

from applicants.models import Certificate, ContactAttempt, RegisterOutcomeCheck

from .delivery import EnrolmentFactory
from .selection import InterviewFactory


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


class ContactAttemptFactory(factory.django.DjangoModelFactory):
    """A follow-up call that reached the graduate; `interview=True`: a WhatsApp invitation to an interview."""

    class Meta:
        model = ContactAttempt

    enrolment = factory.SubFactory(EnrolmentFactory, graduate=True)
    application = factory.LazyAttribute(lambda o: o.enrolment.application)
    purpose = ContactAttempt.Purpose.FOLLOWUP
    milestone = 3
    channel = ContactAttempt.Channel.CALL
    result = ContactAttempt.Result.REACHED

    class Params:
        for_interview = factory.Trait(
            enrolment=None, milestone=None, purpose=ContactAttempt.Purpose.INTERVIEW,
            interview=factory.SubFactory(InterviewFactory),
            application=factory.LazyAttribute(lambda o: o.interview.application),
            channel=ContactAttempt.Channel.WHATSAPP,
        )
