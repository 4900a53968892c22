"""Dashboard figures match the records, with a bounded number of queries; the panel is on the admin home."""


import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from applicants import dashboard
from applicants.enums import ApplicationStatus, Eligibility
from applicants.models import Application, CapitalAward, Enrolment, FollowUp
from applicants.privacy import roles
from programs.models import KelurahanQuota
from tests.factories import (
    ApplicationFactory,
    CapitalPackageFactory,
    CohortFactory,
    IntakeFactory,
    InterviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """One intake with a known funnel: 6 applied, 5 verified, 4 interviewed, 3 accepted, 3 enrolled,
    2 completed, 1 awarded (approved)."""
    intake = IntakeFactory()
    cohort = CohortFactory(intake=intake)
    apps = [ApplicationFactory(accepted=True, intake=intake, program=cohort.program, status=ApplicationStatus.SUBMITTED)
            for _ in range(6)]
    for a in apps[:5]:
        a.eligibility = Eligibility.VERIFIED
        a.save()
    for a in apps[:4]:
        InterviewFactory(decided=True, application=a)
    enrolments = []
    for i, a in enumerate(apps[:3]):
        Application.objects.filter(pk=a.pk).update(status=ApplicationStatus.ENROLLED)  # test set-up
        enrolments.append(Enrolment.objects.create(
            application=a, cohort=cohort, status=Enrolment.Status.COMPLETED if i < 2 else Enrolment.Status.ACTIVE))
    proposer, approver = UserFactory(username="p"), UserFactory(username="a")
    award = CapitalAward.propose(user=proposer, package=CapitalPackageFactory(program=cohort.program),
                                 enrolment=enrolments[0])
    award.approve(approver)
    CapitalAward.propose(user=proposer, package=CapitalPackageFactory(program=cohort.program),
                         enrolment=enrolments[1])  # only proposed: not counted as awarded
    return {"intake": intake, "cohort": cohort, "apps": apps, "enrolments": enrolments, "award": award}


def test_funnel_counts_match_the_records(world):
    (row,) = dashboard.funnel_by_intake([world["intake"]])
    assert [b.value for b in row["bars"]] == [6, 5, 4, 3, 3, 2, 1]
    assert row["bars"][1].pct == round(100 * 5 / 6, 1)


def test_funnel_for_many_intakes_uses_one_query(world, django_assert_num_queries):
    other = IntakeFactory()
    ApplicationFactory(accepted=True, intake=other)
    with django_assert_num_queries(1):
        rows = dashboard.funnel_by_intake([world["intake"], other])
    assert [r["bars"][0].value for r in rows] == [6, 1]


def test_kelurahan_progress_counts_applications_and_enrolments_against_quota(world):
    kelurahan = world["apps"][0].applicant.kelurahan
    KelurahanQuota.objects.create(intake=world["intake"], kelurahan=kelurahan, quota=10)
    (row,) = dashboard.kelurahan_progress(world["intake"])
    applied, enrolled = row["bars"]
    assert (row["quota"], applied.value, enrolled.value) == (10, 6, 3)
    assert enrolled.pct == 30.0


def test_follow_up_outcomes_are_shares_of_recorded_answers(world):
    e1, e2, _e3 = world["enrolments"]
    FollowUp.objects.create(enrolment=e1, milestone=3, working_status="own_business", business_running=True,
                            income_band="1m_2m", receiving_bansos=False)
    FollowUp.objects.create(enrolment=e2, milestone=3, working_status="not_working", business_running=False,
                            income_band="none", receiving_bansos=True)
    (row,) = dashboard.followup_outcomes()
    assert row["n"] == 2
    assert [(b.value, b.pct) for b in row["bars"]] == [(1, 50.0), (1, 50.0), (1, 50.0)]


def test_public_figures_come_from_the_records(world):
    award = world["award"]
    award.hand_over(UserFactory(username="x"), on=timezone.localdate(), number="BA-1")
    e1, e2, _e3 = world["enrolments"]
    FollowUp.objects.create(enrolment=e1, milestone=3, working_status="own_business", business_running=False,
                            income_band="none", receiving_bansos=True)
    FollowUp.objects.create(enrolment=e1, milestone=6, working_status="own_business", business_running=True,
                            income_band="1m_2m", receiving_bansos=True)
    FollowUp.objects.create(enrolment=e2, milestone=3, working_status="own_business", business_running=True,
                            income_band="1m_2m", receiving_bansos=True)
    FollowUp.objects.create(enrolment=e2, milestone=6, working_status="not_working", business_running=False,
                            income_band="none", receiving_bansos=True)
    assert dashboard.public_figures() == {"participants_trained": 2, "packages_awarded": 1, "businesses_running": 1}


def test_home_panel_shows_svg_bars_with_numbers_in_a_bounded_number_of_queries(client, world,
                                                                              django_assert_max_num_queries):
    KelurahanQuota.objects.create(intake=world["intake"], kelurahan=world["apps"][0].applicant.kelurahan, quota=10)
    client.force_login(UserFactory(username="boss", is_superuser=True, is_staff=True))
    client.get(reverse("wagtailadmin_home"))  # warm per-process caches
    with django_assert_max_num_queries(40):
        html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Capaian program" in html and "<svg" in html
    assert "6 (100,0%)" in html and "1 (16,7%)" in html  # Indonesian decimal comma
    with django_assert_max_num_queries(6):
        dashboard.dashboard_context()


def test_home_panel_is_hidden_without_view_application_permission(client, world):
    comms = UserFactory(username="humas")
    comms.groups.add(Group.objects.get(name=roles.COMMS))
    client.force_login(comms)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert "Capaian program" not in response.content.decode()
