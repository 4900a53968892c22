"""Earlier participation of a person or their KK: one computation, a constant number of queries per list,
shown on the eligibility, interview and award screens with a KK member masked, never deciding by itself."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applicants.allocation.services import AWARD, GROUP_AWARD, LISTED, TRAINED, earlier_participation
from applicants.enums import ApplicationStatus
from applicants.models import Application, CapitalAward, Enrolment
from programs.models import Cohort
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    BusinessGroupFactory,
    CapitalAwardFactory,
    CapitalPackageFactory,
    CohortFactory,
    EnrolmentFactory,
    GroupMembershipFactory,
    IntakeFactory,
    InterviewFactory,
    RecipientListBatchFactory,
    RecipientListRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def household_with_history():
    """Last year the sister trained and got a package, the brother was in a KUB with group capital, and the
    applicant's NIK is on the PENA 2025 list; this year the applicant applies."""
    earlier = IntakeFactory(year=2025)
    applicant = ApplicantFactory(full_name="Pelamar Baru")
    sister = ApplicantFactory(kk_number=applicant.kk_number, female=True, full_name="Kakak Rahasia")
    brother = ApplicantFactory(kk_number=applicant.kk_number, full_name="Adik Rahasia")
    cohort = CohortFactory(intake=earlier, status=Cohort.Status.COMPLETED)

    def graduate(person):
        application = ApplicationFactory(applicant=person, intake=earlier, program=cohort.program,
                                         status=ApplicationStatus.ENROLLED)
        return EnrolmentFactory(cohort=cohort, application=application, status=Enrolment.Status.COMPLETED,
                                final_score=80, attendance_pct=Decimal("90"))

    CapitalAwardFactory(enrolment=graduate(sister), state=CapitalAward.State.HANDED_OVER)
    group = BusinessGroupFactory(intake=earlier, name="KUB Mawar")
    GroupMembershipFactory(group=group, enrolment=graduate(brother), applicant=brother)
    CapitalAward.objects.create(intake=earlier, group=group, package=CapitalPackageFactory(for_groups=True),
                                value_rupiah=10_000_000, state=CapitalAward.State.APPROVED,
                                proposed_by=UserFactory())
    RecipientListRecordFactory(batch=RecipientListBatchFactory(program="PENA", year=2025), nik=applicant.nik)
    application = ApplicationFactory(applicant=applicant, status=ApplicationStatus.INTERVIEW_SCHEDULED)
    return application, sister, brother


def test_every_kind_of_earlier_participation_is_found_and_the_kk_members_are_not_named():
    application, sister, brother = household_with_history()
    found = earlier_participation([Application.objects.select_related("applicant").get(pk=application.pk)])
    evidence = found[application.pk]
    assert {e.kind for e in evidence} == {TRAINED, AWARD, GROUP_AWARD, LISTED}
    listed = next(e for e in evidence if e.kind == LISTED)
    assert listed.same_person and listed.what == "tercatat penerima PENA 2025"
    award = next(e for e in evidence if e.kind == AWARD)
    assert not award.same_person and award.round == award_intake_name(application) and "Diserahkan" in award.what
    for e in evidence:
        if not e.same_person:
            assert e.who.startswith("anggota KK lain (NIK ") and sister.nik not in e.who and brother.nik not in e.who
            assert "Rahasia" not in e.who + e.what


def award_intake_name(application) -> str:
    return CapitalAward.objects.get(enrolment__isnull=False, enrolment__application__applicant__kk_number=(
        application.applicant.kk_number)).intake.name


def test_a_cancelled_award_and_a_failed_list_are_not_evidence():
    applicant = ApplicantFactory()
    CapitalAwardFactory(enrolment=EnrolmentFactory(application=ApplicationFactory(
        applicant=ApplicantFactory(kk_number=applicant.kk_number))), state=CapitalAward.State.CANCELLED,
        cancelled_reason="Salah orang")
    RecipientListRecordFactory(batch=RecipientListBatchFactory(failed=True), nik=applicant.nik)
    application = ApplicationFactory(applicant=applicant)
    kinds = {e.kind for e in earlier_participation([application]).get(application.pk, [])}
    assert AWARD not in kinds and LISTED not in kinds


def test_the_query_count_does_not_grow_with_the_list():
    def queries_for(n):
        applications = [household_with_history()[0] for _ in range(n)]
        rows = list(Application.objects.select_related("applicant").filter(pk__in=[a.pk for a in applications]))
        with CaptureQueriesContext(connection) as captured:
            result = earlier_participation(rows)
        expected = sorted([TRAINED, TRAINED, AWARD, GROUP_AWARD, LISTED])
        assert [sorted(e.kind for e in result[a.pk]) for a in applications] == [expected] * n
        return len(captured)

    assert queries_for(1) == queries_for(4) == 4


def test_the_interviewer_sees_the_evidence_on_the_outcome_screen(client):
    application, sister, _brother = household_with_history()
    interviewer = UserFactory(interviewer=True)
    interview = InterviewFactory(application=application, interviewer=interviewer)
    client.force_login(interviewer)
    page = client.get(reverse("sigap_interviews:outcome", args=[interview.pk])).content.decode()
    assert "Keikutsertaan sebelumnya" in page and "tercatat penerima PENA 2025" in page
    assert "anggota KK lain" in page and sister.nik not in page and "Kakak Rahasia" not in page


def test_the_eligibility_screens_show_the_evidence(client):
    application, sister, _brother = household_with_history()
    client.force_login(UserFactory(editor=True))
    override = client.get(reverse("welfare:override", args=[application.pk])).content.decode()
    inspect = client.get(reverse("applicants_application_modeladmin_inspect", args=[application.pk])).content.decode()
    for page in (override, inspect):
        assert "tercatat penerima PENA 2025" in page and "anggota KK lain" in page and "Kakak Rahasia" not in page


def test_the_award_page_shows_the_household_award(client):
    application, _sister, _brother = household_with_history()
    cohort = CohortFactory(intake=application.intake, program=application.program, status=Cohort.Status.COMPLETED)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.ENROLLED)
    enrolment = EnrolmentFactory(cohort=cohort, application=application, status=Enrolment.Status.COMPLETED)
    award = CapitalAwardFactory(enrolment=enrolment)
    client.force_login(UserFactory(editor=True))
    page = client.get(reverse("delivery:award_detail", args=[award.pk])).content.decode()
    assert "paket modal usaha" in page and "anggota KK lain" in page and 'name="second_award_reason"' in page


def test_an_applicant_with_nothing_earlier_reads_so(client):
    application = ApplicationFactory()
    assert earlier_participation([application]) == {application.pk: []}
    client.force_login(UserFactory(editor=True))
    page = client.get(reverse("welfare:override", args=[application.pk])).content.decode()
    assert "Tidak ditemukan kelas, paket modal usaha atau program lain sebelumnya" in page
