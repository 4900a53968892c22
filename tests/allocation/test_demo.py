"""The demo shows both kinds of evidence: a returning package recipient and a match in a PENA list."""

import pytest

from applicants.allocation import demo
from applicants.allocation.services import AWARD, LISTED, earlier_for
from applicants.enums import ApplicationStatus
from applicants.models import Application, CapitalAward, RecipientListBatch
from programs.models import Intake
from tests.factories import ApplicationFactory, CapitalAwardFactory, IntakeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_returning_awardee_and_a_pena_match_once():
    UserFactory(superuser=True)
    earlier = CapitalAwardFactory(state=CapitalAward.State.HANDED_OVER)
    opens, closes = earlier.intake.registration_opens, earlier.intake.registration_closes
    latest = IntakeFactory(registration_opens=opens.replace(year=opens.year + 1),
                           registration_closes=closes.replace(year=closes.year + 1))
    scheduled = ApplicationFactory(intake=latest, status=ApplicationStatus.INTERVIEW_SCHEDULED)
    assert Intake.objects.order_by("-registration_opens").first() == latest

    assert demo.seed() == {"returning": 1, "listed": 1}
    returning = Application.objects.get(intake=latest, applicant=earlier.enrolment.application.applicant)
    assert returning.reference and any(e.kind == AWARD and e.same_person for e in earlier_for(returning))
    listed = [e for e in earlier_for(scheduled) if e.kind == LISTED]
    assert [e.what for e in listed] == ["tercatat penerima PENA 2025"]
    batch = RecipientListBatch.objects.get()
    assert (batch.rows_accepted, batch.rows_rejected) == (2, 1)

    assert demo.seed() == {"returning": 0, "listed": 0}
