"""Restricted (UU PDP) and anonymised applicants: no workflow step may move their records."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.delivery.services import withdraw
from applicants.enums import ApplicationStatus as S
from applicants.models import Applicant, Application, Enrolment, Interview
from applicants.privacy.subject_rights import restrict_processing
from applicants.selection import services
from applicants.workflow import TransitionError, bulk_transition
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CohortFactory,
    EnrolmentFactory,
    InterviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LATER = timezone.now() + datetime.timedelta(days=3)


def _restricted(application):
    restrict_processing(application.applicant, UserFactory(editor=True), "Permintaan warga")
    return Application.objects.select_related("applicant").get(pk=application.pk)


def test_restricted_applicant_cannot_be_moved_and_gets_the_indonesian_reason():
    application = _restricted(ApplicationFactory(status=S.SUBMITTED))
    with pytest.raises(TransitionError) as refused:
        application.transition_to(S.VERIFIED, UserFactory(editor=True))
    assert refused.value.error_list[0].code == "processing_restricted"
    assert "dibatasi" in refused.value.messages[0]
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert not ModelLogEntry.objects.filter(action="sigap.application.verify").exists()
    assert application.can_transition_to(S.VERIFIED) is False


def test_anonymised_applicant_cannot_be_moved():
    application = ApplicationFactory(status=S.INTERVIEWED)
    Applicant.objects.filter(pk=application.applicant_id).update(anonymised_at=timezone.now())
    application = Application.objects.select_related("applicant").get(pk=application.pk)
    with pytest.raises(TransitionError) as refused:
        application.withdraw(UserFactory(editor=True))
    assert refused.value.error_list[0].code == "anonymised"
    assert Application.objects.get(pk=application.pk).status == S.INTERVIEWED


def test_restriction_set_after_the_application_was_read_still_stops_the_move():
    application = Application.objects.select_related("applicant").get(pk=ApplicationFactory(status=S.SUBMITTED).pk)
    Applicant.objects.filter(pk=application.applicant_id).update(processing_restricted=True)  # by someone else
    with pytest.raises(TransitionError):
        application.transition_to(S.VERIFIED)
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


def test_scheduling_a_restricted_applicant_creates_no_interview():
    application = _restricted(ApplicationFactory(status=S.VERIFIED))
    with pytest.raises(TransitionError):
        application.schedule_interview(LATER, "Aula", UserFactory(interviewer=True), UserFactory(editor=True))
    assert not Interview.objects.filter(application=application).exists()


def test_bulk_scheduling_skips_the_restricted_applicant_with_the_reason_and_schedules_the_rest():
    free = ApplicationFactory(status=S.VERIFIED)
    held = _restricted(ApplicationFactory(status=S.VERIFIED, intake=free.intake, program=free.program))
    result = services.schedule_bulk(
        services.bulk_candidates(free.intake), start=LATER, slot_minutes=15, place="Aula",
        interviewer=UserFactory(interviewer=True), user=UserFactory(editor=True),
    )
    assert [i.application_id for i in result.scheduled] == [free.pk]
    assert [(a.pk, "dibatasi" in reason) for a, reason in result.skipped] == [(held.pk, True)]


def test_processing_check_costs_no_query_when_the_applicant_is_selected_with_the_application(
        django_assert_num_queries):
    ApplicationFactory(status=S.VERIFIED)
    application = Application.objects.select_related("applicant").get()
    with django_assert_num_queries(0):
        assert application.processing_error() is None


def _bulk_queries(django_assert_max_num_queries, count):
    """Queries used by bulk_transition for `count` submitted applications (one restricted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Application.objects.all().delete()
    Applicant.objects.all().delete()
    apps = [ApplicationFactory(status=S.SUBMITTED) for _ in range(count)]
    Applicant.objects.filter(pk=apps[0].applicant_id).update(processing_restricted=True)
    with CaptureQueriesContext(connection) as ctx:
        moved = bulk_transition(Application.objects.all(), S.VERIFIED)
    assert moved == count - 1
    assert Application.objects.get(pk=apps[0].pk).status == S.SUBMITTED
    return len(ctx.captured_queries)


def test_bulk_transition_leaves_restricted_applicants_alone_without_a_query_per_row(django_assert_max_num_queries):
    assert _bulk_queries(django_assert_max_num_queries, 3) == _bulk_queries(django_assert_max_num_queries, 9)


def test_recording_an_outcome_for_a_restricted_applicant_changes_nothing():
    interview = InterviewFactory(
        decided=True, application=ApplicationFactory(status=S.INTERVIEW_SCHEDULED),
        attendance=Interview.Attendance.SCHEDULED, decision="", recorded_at=None,
    )
    _restricted(interview.application)
    interview = Interview.objects.select_related("application__applicant", "application__intake").get(pk=interview.pk)
    outcome = services.Outcome(
        attendance=Interview.Attendance.CAME, scores={n: 4 for n in Interview.SCORE_FIELDS}, decision="accept",
    )
    with pytest.raises(TransitionError):
        services.record_outcome(interview, outcome, UserFactory(editor=True, is_superuser=True))
    interview.refresh_from_db()
    assert interview.attendance == Interview.Attendance.SCHEDULED and interview.recorded_at is None


def test_a_freed_seat_is_not_offered_to_a_restricted_waitlisted_applicant():
    cohort = CohortFactory()
    leaving = EnrolmentFactory(cohort=cohort)
    first = ApplicationFactory(
        intake=cohort.intake, program=cohort.program, status=S.WAITLISTED,
        applicant=ApplicantFactory(full_name="Menunggu Lama"),
    )
    Application.objects.filter(pk=first.pk).update(status_changed_at=timezone.now() - datetime.timedelta(days=9))
    second = ApplicationFactory(intake=cohort.intake, program=cohort.program, status=S.WAITLISTED)
    Application.objects.filter(pk=second.pk).update(status_changed_at=timezone.now() - datetime.timedelta(days=1))
    for waiting in (first, second):
        InterviewFactory(decided=True, application=waiting, decision=Interview.Decision.WAITLIST)
    _restricted(first)
    offered = withdraw(leaving, UserFactory(editor=True), "pindah")
    assert offered.pk == second.pk
    assert Application.objects.get(pk=first.pk).status == S.WAITLISTED
    assert Enrolment.objects.get(pk=leaving.pk).status == Enrolment.Status.WITHDRAWN
