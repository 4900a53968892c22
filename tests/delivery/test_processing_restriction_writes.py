"""A restriction of processing (UU PDP) stops every write about the person in delivery: enrolment,
withdrawal, attendance, scores, completion, awards (propose, approve, hand over, cancel), KUB
membership and follow-ups, with an Indonesian refusal and nothing half-saved."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from applicants.delivery import services
from applicants.enums import ApplicationStatus
from applicants.models import Applicant, Attendance, BusinessGroup, CapitalAward, Enrolment, FollowUp, GroupMembership
from applicants.privacy.subject_rights import restrict_processing
from programs.models import Cohort, Kelurahan
from tests.factories import (
    ApplicationFactory,
    CapitalPackageFactory,
    CohortFactory,
    CohortSessionFactory,
    EnrolmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _restrict(enrolment_or_application):
    application = getattr(enrolment_or_application, "application", enrolment_or_application)
    restrict_processing(application.applicant, UserFactory(editor=True), "Permintaan warga")


def _refused(exc_info):
    assert "dibatasi" in " ".join(exc_info.value.messages)


@pytest.fixture
def editor():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def _graduate(cohort, score=80):
    return EnrolmentFactory(cohort=cohort, status=Enrolment.Status.COMPLETED, final_score=score,
                            attendance_pct=Decimal("95"))


def test_a_restricted_applicant_cannot_be_enrolled(editor):
    cohort = CohortFactory()
    application = ApplicationFactory(accepted=True, intake=cohort.intake, program=cohort.program)
    _restrict(application)
    with pytest.raises(ValidationError) as refused:
        services.enrol(application, cohort, editor)
    _refused(refused)
    assert not Enrolment.objects.exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED


def test_a_restricted_participant_cannot_be_withdrawn(editor):
    enrolment = EnrolmentFactory()
    _restrict(enrolment)
    with pytest.raises(ValidationError) as refused:
        services.withdraw(enrolment, editor, "pindah kota")
    _refused(refused)
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.ACTIVE


def test_attendance_of_a_restricted_participant_is_refused_and_nothing_of_the_grid_is_saved(editor):
    session = CohortSessionFactory()
    free, frozen = EnrolmentFactory(cohort=session.cohort), EnrolmentFactory(cohort=session.cohort)
    _restrict(frozen)
    with pytest.raises(ValidationError) as refused:
        services.save_attendance(session, {free.pk: "present", frozen.pk: "absent"}, editor)
    _refused(refused)
    assert not Attendance.objects.exists()  # not even the free participant's mark: all or nothing
    # Without a mark for the restricted person the grid saves.
    assert services.save_attendance(session, {free.pk: "present", frozen.pk: ""}, editor) == 1


def test_an_unchanged_mark_of_a_restricted_participant_is_no_write(editor):
    session = CohortSessionFactory()
    frozen = EnrolmentFactory(cohort=session.cohort)
    services.save_attendance(session, {frozen.pk: "present"}, editor)
    _restrict(frozen)
    assert services.save_attendance(session, {frozen.pk: "present"}, editor) == 0
    with pytest.raises(ValidationError):
        services.save_attendance(session, {frozen.pk: "absent"}, editor)
    assert Attendance.objects.get().mark == "present"


def test_final_score_of_a_restricted_participant_is_refused(editor):
    cohort = CohortFactory()
    free, frozen = EnrolmentFactory(cohort=cohort), EnrolmentFactory(cohort=cohort)
    _restrict(frozen)
    with pytest.raises(ValidationError) as refused:
        services.save_scores(cohort, {free.pk: 70, frozen.pk: 90}, editor)
    _refused(refused)
    assert set(Enrolment.objects.values_list("final_score", flat=True)) == {None}
    services.save_scores(cohort, {free.pk: 70, frozen.pk: None}, editor)  # unchanged: allowed
    assert Enrolment.objects.get(pk=free.pk).final_score == 70


def test_completing_a_class_leaves_a_restricted_participant_untouched_and_reports_it(editor):
    cohort = CohortFactory()
    free, frozen = EnrolmentFactory(cohort=cohort, final_score=90), EnrolmentFactory(cohort=cohort, final_score=90)
    _restrict(frozen)
    counts = services.complete_cohort(cohort, editor)
    assert counts["restricted"] == 1 and counts["completed"] + counts["not_completed"] == 1
    assert Enrolment.objects.get(pk=frozen.pk).status == Enrolment.Status.ACTIVE
    assert Enrolment.objects.get(pk=free.pk).status != Enrolment.Status.ACTIVE


def test_top3_proposal_with_a_restricted_graduate_proposes_nobody(editor):
    cohort = CohortFactory(status=Cohort.Status.COMPLETED)
    graduates = [_graduate(cohort, score) for score in (90, 80, 70)]
    _restrict(graduates[1])
    with pytest.raises(ValidationError) as refused:
        services.propose_top3(cohort, editor, CapitalPackageFactory(program=cohort.program))
    _refused(refused)
    assert not CapitalAward.objects.exists()  # not place 1 either: nothing half-saved


@pytest.mark.parametrize("step", ["propose", "approve", "hand_over", "cancel"])
def test_every_award_step_for_a_restricted_person_is_refused(editor, step):
    cohort = CohortFactory(status=Cohort.Status.COMPLETED)
    graduate = _graduate(cohort)
    package = CapitalPackageFactory(program=cohort.program)
    proposer = UserFactory(username="p", is_superuser=True)
    award = None if step == "propose" else CapitalAward.propose(user=proposer, package=package, enrolment=graduate)
    if step == "hand_over":
        award.approve(editor)
    _restrict(graduate)
    with pytest.raises(ValidationError) as refused:
        if step == "propose":
            CapitalAward.propose(user=proposer, package=package, enrolment=graduate)
        elif step == "approve":
            award.approve(editor)
        elif step == "hand_over":
            award.hand_over(editor, on=datetime.date(2026, 5, 1), number="BA-1")
        else:
            award.cancel(editor, "salah input")
    _refused(refused)
    if award is None:
        assert not CapitalAward.objects.exists()
    else:
        assert CapitalAward.objects.get(pk=award.pk).state == award.state


def test_a_restricted_graduate_cannot_join_a_kub_and_no_group_is_created(editor, settings):
    settings.KUB_MIN_MEMBERS, settings.KUB_MAX_MEMBERS = 2, 5
    cohort = CohortFactory()
    members = [_graduate(cohort) for _ in range(3)]
    _restrict(members[2])
    with pytest.raises(ValidationError) as refused:
        services.form_group(intake=cohort.intake, name="KUB Payet", business_type="Payet",
                            kelurahan=Kelurahan.objects.first(), enrolments=members, chair=members[0], user=editor)
    _refused(refused)
    assert not BusinessGroup.objects.exists() and not GroupMembership.objects.exists()


def test_a_restricted_member_cannot_leave_a_kub(editor, settings):
    settings.KUB_MIN_MEMBERS, settings.KUB_MAX_MEMBERS = 2, 5
    cohort = CohortFactory()
    members = [_graduate(cohort) for _ in range(2)]
    group = services.form_group(intake=cohort.intake, name="KUB Batik", business_type="Batik",
                                kelurahan=Kelurahan.objects.first(), enrolments=members, chair=members[0], user=editor)
    _restrict(members[1])
    membership = group.memberships.get(enrolment=members[1])
    with pytest.raises(ValidationError):
        services.leave_group(membership, editor)
    assert GroupMembership.objects.get(pk=membership.pk).active


def test_follow_up_of_a_restricted_graduate_is_refused_on_the_screen_too(client, editor):
    graduate = _graduate(CohortFactory())
    _restrict(graduate)
    with pytest.raises(ValidationError):
        services.record_followup(graduate, 3, editor, working_status="employed", business_running=False,
                                 income_band="", receiving_bansos=False, note="")
    client.force_login(editor)
    url = reverse("delivery:followup_record", args=[graduate.pk, 3])
    response = client.post(url, {"working_status": "employed", "business_running": "no", "income_band": "lt_1m",
                                 "receiving_bansos": "not_asked", "note": "x"}, follow=True)
    assert response.status_code == 200
    assert not FollowUp.objects.exists()
    assert "dibatasi" in response.content.decode()


def test_publication_consent_of_a_restricted_graduate_is_refused(editor):
    graduate = _graduate(CohortFactory())
    _restrict(graduate)
    with pytest.raises(ValidationError):
        graduate.record_publication_consent(editor, "Formulir 12")
    assert Enrolment.objects.get(pk=graduate.pk).publication_consent_at is None


def test_restriction_set_by_someone_else_after_loading_still_stops_the_write(editor):
    graduate = Enrolment.objects.select_related("application__applicant").get(pk=_graduate(CohortFactory()).pk)
    Applicant.objects.filter(pk=graduate.application.applicant_id).update(processing_restricted=True)
    assert graduate.application.applicant.processing_restricted is False  # the stale copy
    with pytest.raises(ValidationError):
        services.record_followup(graduate, 6, editor, working_status="employed", business_running=False,
                                 income_band="", receiving_bansos=False, note="")
