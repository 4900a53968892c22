"""Class participants (enrolments)."""

import factory

from applicants.enums import ApplicationStatus
from applicants.models import Enrolment

from .people import ApplicationFactory
from .programs import CohortFactory


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A participant; the application is made in the cohort's intake and program."""

    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    application = factory.LazyAttribute(
        lambda o: ApplicationFactory(
            intake=o.cohort.intake, program=o.cohort.program, status=ApplicationStatus.ENROLLED
        )
    )
