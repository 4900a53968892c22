"""Follow-ups at 3, 6 and 12 months, listed per month from class end dates; success-story consent."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applicants.delivery import services
from applicants.models import Enrolment, FollowUp
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory(username="editor", is_superuser=True, is_staff=True)


def graduate(end_date, status=Enrolment.Status.COMPLETED):
    cohort = CohortFactory(start_date=end_date - datetime.timedelta(days=30), end_date=end_date)
    return EnrolmentFactory(cohort=cohort, status=status)


def test_due_list_of_a_month_holds_each_milestone_from_the_class_end_date():
    three = graduate(datetime.date(2026, 3, 31))
    six = graduate(datetime.date(2025, 12, 15))
    twelve = graduate(datetime.date(2025, 6, 1))
    graduate(datetime.date(2026, 4, 1))  # ends in April: due in July, not June
    graduate(datetime.date(2026, 3, 10), status=Enrolment.Status.NOT_COMPLETED)  # not a graduate
    due = services.due_followups(2026, 6)
    assert {(d.enrolment, d.milestone) for d in due} == {(three, 3), (six, 6), (twelve, 12)}
    assert next(d for d in due if d.enrolment == three).due_on == datetime.date(2026, 6, 30)
    assert [d.due_on for d in due] == sorted(d.due_on for d in due)


def test_month_end_dates_are_clamped_when_adding_months():
    assert services.add_months(datetime.date(2025, 11, 30), 3) == datetime.date(2026, 2, 28)
    assert services.add_months(datetime.date(2026, 1, 31), -1) == datetime.date(2025, 12, 31)


def test_recorded_follow_up_shows_in_the_due_list_and_is_unique_per_milestone(editor):
    e = graduate(datetime.date(2026, 3, 31))
    services.record_followup(e, 3, editor, working_status=FollowUp.Working.OWN_BUSINESS, business_running=True,
                             income_band=FollowUp.IncomeBand.FROM_1M, receiving_bansos=False)
    services.record_followup(e, 3, editor, working_status=FollowUp.Working.EMPLOYED, business_running=False,
                             income_band=FollowUp.IncomeBand.FROM_2M, receiving_bansos=False)
    assert FollowUp.objects.filter(enrolment=e).count() == 1
    (due,) = services.due_followups(2026, 6)
    assert due.record.working_status == FollowUp.Working.EMPLOYED
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(enrolment=e, milestone=3, working_status="employed", income_band="none")


def test_due_list_is_two_queries_whatever_the_number_of_graduates(django_assert_max_num_queries):
    for day in range(1, 6):
        graduate(datetime.date(2026, 3, day))
    with django_assert_max_num_queries(2):
        assert len(services.due_followups(2026, 6)) == 5


def test_follow_up_screens_list_and_record(client, editor):
    e = graduate(datetime.date(2026, 3, 31))
    client.force_login(editor)
    html = client.get(reverse("delivery:followup_due"), {"month": "2026-06"}).content.decode()
    assert e.application.applicant.full_name in html
    response = client.post(reverse("delivery:followup_record", args=[e.pk, 3]), {
        "working_status": "own_business", "business_running": "yes", "receiving_bansos": "no",
        "income_band": "1m_2m"})
    assert response.status_code == 302 and response["Location"].endswith("month=2026-06")
    record = FollowUp.objects.get(enrolment=e, milestone=3)
    assert record.business_running and not record.receiving_bansos and record.recorded_by == editor


def test_success_story_links_only_to_a_graduate_who_consented_to_publication():
    e = graduate(datetime.date(2026, 3, 31))
    assert not e.can_publish_story()
    with pytest.raises(ValidationError):
        e.validate_story_link()
    e.publication_consent_at = timezone.now()
    e.publication_consent_note = "Formulir persetujuan no. 12"
    assert e.can_publish_story()
    e.validate_story_link()
    e.application.applicant.processing_restricted = True
    assert not e.can_publish_story()
