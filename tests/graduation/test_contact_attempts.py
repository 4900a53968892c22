"""Every try to reach a person is kept (WhatsApp, call, visit; reached, no answer, wrong number, moved),
for interview invitations and follow-ups, and the follow-up due list shows the tries so far."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applicants.graduation.contacts import record_attempt
from applicants.models import ContactAttempt
from applicants.privacy.retention import _anonymise_ids
from applicants.privacy.subject_rights import restrict_processing
from programs.models import Cohort
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    InterviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory(editor=True)


def test_attempts_for_a_follow_up_and_an_invitation_are_kept_in_order(editor):
    graduate, interview = EnrolmentFactory(graduate=True), InterviewFactory()
    record_attempt(editor, enrolment=graduate, milestone=3, channel="call", result="no_answer")
    record_attempt(editor, enrolment=graduate, milestone=3, channel="whatsapp", result="reached", note="Sore")
    record_attempt(editor, interview=interview, channel="visit", result="moved")
    attempts = list(graduate.contact_attempts.values_list("channel", "result", "purpose"))
    assert attempts == [("call", "no_answer", "followup"), ("whatsapp", "reached", "followup")]
    assert interview.contact_attempts.get().purpose == ContactAttempt.Purpose.INTERVIEW


@pytest.mark.parametrize("kwargs", [
    {"channel": "sms", "result": "reached"},
    {"channel": "call", "result": "maybe"},
    {"channel": "call", "result": "reached", "milestone": 4},
    {"channel": "call", "result": "reached", "milestone": None},
])
def test_bad_choices_are_refused_with_a_message_and_nothing_is_saved(editor, kwargs):
    with pytest.raises(ValidationError):
        record_attempt(editor, enrolment=EnrolmentFactory(graduate=True), **{"milestone": 3, **kwargs})
    assert not ContactAttempt.objects.exists()


def test_a_follow_up_attempt_is_for_graduates_only_and_the_database_holds_the_target_rule(editor):
    with pytest.raises(ValidationError):
        record_attempt(editor, enrolment=EnrolmentFactory(graduate=True, failed=True), milestone=3, channel="call",
                       result="reached")
    graduate = EnrolmentFactory(graduate=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactAttempt.objects.create(application=graduate.application, purpose="interview", enrolment=graduate,
                                      milestone=3, channel="call", result="reached")


def test_restricted_processing_refuses_the_attempt(editor):
    graduate = EnrolmentFactory(graduate=True)
    restrict_processing(graduate.application.applicant, editor, "Permintaan warga")
    with pytest.raises(ValidationError):
        record_attempt(editor, enrolment=graduate, milestone=3, channel="call", result="reached")
    assert not ContactAttempt.objects.exists()


def _due_graduate():
    cohort = CohortFactory(status=Cohort.Status.COMPLETED, start_date=datetime.date(2026, 3, 2),
                           end_date=datetime.date(2026, 3, 31))
    return EnrolmentFactory(graduate=True, cohort=cohort)


def test_the_due_list_shows_attempts_and_a_whatsapp_link_and_records_a_new_one(client, editor):
    graduate = _due_graduate()
    record_attempt(editor, enrolment=graduate, milestone=3, channel="call", result="wrong_number")
    client.force_login(editor)
    due_url = reverse("delivery:followup_due") + "?month=2026-06"
    html = client.get(due_url).content.decode()
    assert "Nomor salah" in html and "https://wa.me/62" in html
    response = client.post(reverse("graduation:followup_attempt", args=[graduate.pk, 3]),
                           {"channel": "visit", "result": "moved", "next": due_url})
    assert response.status_code == 302 and response["Location"] == due_url
    assert "Pindah alamat" in client.get(due_url).content.decode()


def test_the_form_never_redirects_off_site_and_bad_input_is_a_message(client, editor):
    graduate = _due_graduate()
    client.force_login(editor)
    response = client.post(reverse("graduation:followup_attempt", args=[graduate.pk, 3]),
                           {"channel": "pigeon", "result": "reached", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert not ContactAttempt.objects.exists()
    assert client.post(reverse("graduation:followup_attempt", args=[graduate.pk, 7]),
                       {"channel": "call", "result": "reached"}).status_code == 302
    assert not ContactAttempt.objects.exists()


def test_interviewer_records_for_their_own_interview_only(client):
    own = InterviewFactory()
    other = InterviewFactory()
    client.force_login(own.interviewer)
    client.post(reverse("graduation:interview_attempt", args=[own.pk]), {"channel": "whatsapp", "result": "reached"})
    assert own.contact_attempts.count() == 1
    assert client.post(reverse("graduation:interview_attempt", args=[other.pk]),
                       {"channel": "call", "result": "reached"}).status_code == 403
    assert not other.contact_attempts.exists()


@pytest.mark.parametrize("make_user", [lambda: UserFactory(interviewer=True), lambda: UserFactory(groups=["Auditor"])])
def test_follow_up_attempts_are_refused_without_delivery_writes(client, make_user):
    graduate = _due_graduate()
    client.force_login(make_user())
    assert client.post(reverse("graduation:followup_attempt", args=[graduate.pk, 3]),
                       {"channel": "call", "result": "reached"}).status_code == 403
    assert not ContactAttempt.objects.exists()


def test_anonymising_a_person_clears_the_notes_of_their_contact_attempts(editor):
    graduate = EnrolmentFactory(graduate=True)
    record_attempt(editor, enrolment=graduate, milestone=3, channel="visit", result="moved",
                   note="Pindah ke rumah mertua di Jl. Kenanga 3")
    _anonymise_ids([graduate.application.applicant_id], timezone.now())
    attempt = ContactAttempt.objects.get()
    assert attempt.note == "" and attempt.result == "moved"


def test_the_interviewer_schedule_shows_invitation_attempts(client):
    interview = InterviewFactory()
    record_attempt(interview.interviewer, interview=interview, channel="call", result="no_answer")
    client.force_login(interview.interviewer)
    html = client.get(reverse("sigap_interviews:mine")).content.decode()
    assert "Tidak menjawab" in html and reverse("graduation:interview_attempt", args=[interview.pk]) in html
