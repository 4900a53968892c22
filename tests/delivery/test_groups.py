"""KUB: graduates only, size bounds from settings, one active group per person, group capital award."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from applicants.delivery import services
from applicants.models import BusinessGroup, CapitalAward, Enrolment, GroupMembership
from programs.models import Kelurahan
from tests.factories import (
    BusinessPlanFactory,
    CapitalPackageFactory,
    CohortFactory,
    EnrolmentFactory,
    GroupAccountFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory(username="editor", is_superuser=True, is_staff=True)


@pytest.fixture
def cohort():
    return CohortFactory()


def graduates(cohort, n):
    return [EnrolmentFactory(cohort=cohort, status=Enrolment.Status.COMPLETED) for _ in range(n)]


def form(cohort, members, editor, name="KUB Boga Sejahtera"):
    return services.form_group(intake=cohort.intake, name=name, business_type="Katering",
                               kelurahan=Kelurahan.objects.first(), enrolments=members, chair=members[0], user=editor)


def test_group_of_graduates_within_bounds_is_formed_with_its_chair(cohort, editor):
    members = graduates(cohort, 5)
    group = form(cohort, members, editor)
    assert group.chair == members[0]
    assert group.memberships.filter(active=True).count() == 5


@pytest.mark.parametrize("size", [4, 11])
def test_group_size_outside_the_default_bounds_is_refused(cohort, editor, size):
    with pytest.raises(ValidationError):
        form(cohort, graduates(cohort, size), editor)
    assert not BusinessGroup.objects.exists()


def test_group_size_bounds_come_from_settings(cohort, editor, settings):
    settings.KUB_MIN_MEMBERS, settings.KUB_MAX_MEMBERS = 2, 3
    assert form(cohort, graduates(cohort, 3), editor).memberships.count() == 3
    with pytest.raises(ValidationError):
        form(cohort, graduates(cohort, 4), editor, name="Lain")


def test_participants_who_did_not_complete_cannot_join(cohort, editor):
    members = graduates(cohort, 4) + [EnrolmentFactory(cohort=cohort, status=Enrolment.Status.NOT_COMPLETED)]
    with pytest.raises(ValidationError):
        form(cohort, members, editor)


def test_a_graduate_belongs_to_at_most_one_active_group(cohort, editor):
    members = graduates(cohort, 5)
    form(cohort, members, editor)
    with pytest.raises(ValidationError):
        form(cohort, [members[0], *graduates(cohort, 4)], editor, name="KUB Kedua")
    assert BusinessGroup.objects.count() == 1


def test_database_enforces_one_active_membership_per_person(cohort, editor):
    members = graduates(cohort, 5)
    group = form(cohort, members, editor)
    other = BusinessGroup.objects.create(intake=cohort.intake, name="Lain", business_type="x",
                                         kelurahan=group.kelurahan)
    member = members[1]
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembership.objects.create(group=other, enrolment=member, applicant=member.application.applicant)
    services.leave_group(group.memberships.get(enrolment=member), editor)
    GroupMembership.objects.create(group=other, enrolment=member, applicant=member.application.applicant)


def test_group_capital_award_follows_the_same_states_and_approval_rule(cohort, editor):
    group = form(cohort, graduates(cohort, 5), editor)
    BusinessPlanFactory(group=group)
    GroupAccountFactory(group=group)
    package = CapitalPackageFactory(program=cohort.program, for_groups=True)
    award = CapitalAward.propose(user=editor, package=package, group=group)
    assert award.enrolment is None and award.state == CapitalAward.State.PROPOSED
    with pytest.raises(ValidationError):
        award.approve(editor)
    award.approve(UserFactory(username="kabid"))
    assert award.state == CapitalAward.State.APPROVED


def test_group_screens_form_a_group_from_checked_graduates(client, cohort, editor):
    members = graduates(cohort, 5)
    client.force_login(editor)
    assert client.get(reverse("delivery:group_create"), {"intake": cohort.intake_id}).status_code == 200
    response = client.post(reverse("delivery:group_create"), {
        "intake": cohort.intake_id, "name": "KUB Payet", "business_type": "Payet",
        "kelurahan": Kelurahan.objects.first().pk, "member": [m.pk for m in members], "chair": members[2].pk,
    })
    assert response.status_code == 302
    group = BusinessGroup.objects.get(name="KUB Payet")
    assert group.chair == members[2]
    assert group.name in client.get("/admin/applicants/businessgroup/").content.decode()
