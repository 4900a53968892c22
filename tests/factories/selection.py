"""Interviews."""

import datetime

import factory
from django.utils import timezone

from applicants.enums import ApplicationStatus
from applicants.models import Interview

from .people import ApplicationFactory
from .staff import UserFactory


class InterviewFactory(factory.django.DjangoModelFactory):
    """An interview in two days for a scheduled application. `held=True`: it took place today (came), so
    an application may have several; `decided=True`: held, accepted, middle scores."""

    class Meta:
        model = Interview

    class Params:
        held = factory.Trait(
            scheduled_at=factory.LazyFunction(timezone.now),
            place="Kantor Dinsos",
            attendance=Interview.Attendance.CAME,
        )
        decided = factory.Trait(
            held=True,
            application=factory.SubFactory(ApplicationFactory, accepted=True),
            decision=Interview.Decision.ACCEPT,
            recorded_at=factory.LazyFunction(timezone.now),
            score_motivation=3,
            score_readiness=3,
            score_business_potential=3,
            score_household_need=3,
        )

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.INTERVIEW_SCHEDULED)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
    place = "Aula Kelurahan"
    interviewer = factory.SubFactory(UserFactory, interviewer=True)
