"""A second individual capital package to one person or one KK needs an override with a reason, whatever
the order of clicks; a cancelled award does not count; group capital is not an individual package."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from applicants import identity
from applicants.enums import ApplicationStatus
from applicants.models import CapitalAward, Enrolment
from programs.models import Cohort
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CapitalAwardFactory,
    CapitalPackageFactory,
    CohortFactory,
    EnrolmentFactory,
    IntakeFactory,
    UserFactory,
)
from tests.file_sqlite import point_connections_at_file_copy

pytestmark = pytest.mark.django_db

REFUSAL = "Paket kedua hanya dengan alasan pengecualian"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.fixture
def proposer():
    return UserFactory(username="pengusul", is_superuser=True, is_staff=True)


@pytest.fixture
def approver():
    return UserFactory(username="penyetuju", is_superuser=True, is_staff=True)


def graduate_of(applicant, cohort=None, score=85) -> Enrolment:
    cohort = cohort or CohortFactory(status=Cohort.Status.COMPLETED)
    application = ApplicationFactory(applicant=applicant, intake=cohort.intake, program=cohort.program,
                                     status=ApplicationStatus.ENROLLED)
    return EnrolmentFactory(cohort=cohort, application=application, status=Enrolment.Status.COMPLETED,
                            final_score=score, attendance_pct=Decimal("95"))


def award_for(enrolment, user, **kwargs) -> CapitalAward:
    return CapitalAward.propose(user=user, package=CapitalPackageFactory(program=enrolment.cohort.program),
                                enrolment=enrolment, place=1, **kwargs)


@pytest.fixture
def earlier_household_award(proposer, approver):
    """A sister on the same KK got an approved package in last year's round."""
    sister = ApplicantFactory(female=True)
    earlier = award_for(graduate_of(sister, CohortFactory(status=Cohort.Status.COMPLETED,
                                                          intake=IntakeFactory(year=2025))), proposer)
    earlier.approve(approver)
    return sister, earlier


def test_a_second_award_to_one_kk_is_refused_without_an_override(earlier_household_award, proposer):
    sister, _earlier = earlier_household_award
    brother = graduate_of(ApplicantFactory(kk_number=sister.kk_number))
    with pytest.raises(ValidationError) as refused:
        award_for(brother, proposer)
    assert "second_award_reason" in refused.value.message_dict
    message = refused.value.message_dict["second_award_reason"][0]
    assert REFUSAL in message and "anggota KK lain" in message
    assert sister.nik not in message  # the KK member is not named: masked NIK only
    assert not CapitalAward.objects.filter(enrolment=brother).exists()


def test_with_a_reason_the_second_award_is_proposed_and_the_override_recorded_and_logged(
    earlier_household_award, proposer
):
    sister, earlier = earlier_household_award
    brother = graduate_of(ApplicantFactory(kk_number=sister.kk_number))
    award = award_for(brother, proposer, second_award_reason="  Usaha berbeda, rumah tangga terpisah  ")
    award.refresh_from_db()
    assert award.second_award_reason == "Usaha berbeda, rumah tangga terpisah"
    assert award.second_award_by == proposer and award.second_award_at is not None
    entry = ModelLogEntry.objects.for_instance(award).get(action="sigap.award.second_override")
    assert entry.data["reason"] == "Usaha berbeda, rumah tangga terpisah"
    assert entry.data["earlier_awards"] == [earlier.pk]


def test_an_override_of_only_spaces_is_refused(earlier_household_award, proposer):
    sister, _earlier = earlier_household_award
    brother = graduate_of(ApplicantFactory(kk_number=sister.kk_number))
    with pytest.raises(ValidationError, match=REFUSAL):
        award_for(brother, proposer, second_award_reason="   \t ")


def test_the_same_person_in_a_later_round_needs_the_override_too(earlier_household_award, proposer):
    sister, _earlier = earlier_household_award
    again = graduate_of(sister)  # trained again this year, in another class
    with pytest.raises(ValidationError) as refused:
        award_for(again, proposer)
    assert "orang ini" in refused.value.message_dict["second_award_reason"][0]


def test_a_kk_typed_in_another_digit_set_is_the_same_household(earlier_household_award, proposer):
    sister, _earlier = earlier_household_award
    typed = sister.kk_number.translate(ARABIC_INDIC)
    assert typed != sister.kk_number
    brother = ApplicantFactory(kk_number=identity.parse_kk(typed))  # what the form and the admin store
    with pytest.raises(ValidationError, match=REFUSAL):
        award_for(graduate_of(brother), proposer)


def test_a_cancelled_first_award_does_not_count(proposer):
    sister = ApplicantFactory()
    first = award_for(graduate_of(sister), proposer)
    first.cancel(proposer, "Pindah ke luar kota")
    brother = graduate_of(ApplicantFactory(kk_number=sister.kk_number))
    award = award_for(brother, proposer)
    assert award.second_award_reason == ""


def test_proposed_in_parallel_then_approved_one_by_one_the_later_needs_the_override(proposer, approver):
    """Two proposals that never saw each other (made at once, or written straight in): approving the later
    one is refused until an override is given, at approval, by the approver."""
    sister = ApplicantFactory()
    first = CapitalAwardFactory(enrolment=graduate_of(sister), proposed_by=proposer)
    second = CapitalAwardFactory(enrolment=graduate_of(ApplicantFactory(kk_number=sister.kk_number)),
                                 proposed_by=proposer)
    first.approve(approver)
    with pytest.raises(ValidationError, match=REFUSAL):
        second.approve(approver)
    second.refresh_from_db()
    assert second.state == CapitalAward.State.PROPOSED and second.approved_by is None
    second.approve(approver, second_award_reason="Disetujui kepala dinas: usaha terpisah")
    second.refresh_from_db()
    assert second.state == CapitalAward.State.APPROVED and second.second_award_by == approver


def test_the_later_proposal_cannot_be_approved_first_either(proposer, approver):
    sister = ApplicantFactory()
    CapitalAwardFactory(enrolment=graduate_of(sister), proposed_by=proposer)
    second = CapitalAwardFactory(enrolment=graduate_of(ApplicantFactory(kk_number=sister.kk_number)),
                                 proposed_by=proposer)
    with pytest.raises(ValidationError, match=REFUSAL):
        second.approve(approver)


def test_cancel_and_re_propose_does_not_wash_the_override_away(proposer):
    sister = ApplicantFactory()
    award_for(graduate_of(sister), proposer)
    brother = graduate_of(ApplicantFactory(kk_number=sister.kk_number))
    overridden = award_for(brother, proposer, second_award_reason="Alasan tercatat")
    overridden.cancel(proposer, "Salah paket")
    with pytest.raises(ValidationError, match=REFUSAL):
        award_for(brother, proposer)  # a fresh proposal is a fresh second package


def test_top3_with_a_household_award_is_refused_whole_and_the_error_sits_next_to_the_row(
    client, earlier_household_award, proposer
):
    sister, _earlier = earlier_household_award
    cohort = CohortFactory(status=Cohort.Status.COMPLETED)
    brother = graduate_of(ApplicantFactory(kk_number=sister.kk_number, full_name="Adik Satu"), cohort, score=95)
    others = [graduate_of(ApplicantFactory(), cohort, score=s) for s in (90, 80)]
    package = CapitalPackageFactory(program=cohort.program)
    client.force_login(proposer)
    url = reverse("delivery:cohort_detail", args=[cohort.pk])
    page = client.get(url).content.decode()
    assert "anggota KK lain" in page and f'name="second_award_reason-{brother.pk}"' in page
    response = client.post(url, {"action": "propose", "package": package.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="err_second_award_reason-{brother.pk}"' in page and REFUSAL in page
    assert not CapitalAward.objects.filter(enrolment__cohort=cohort).exists()  # nothing half-saved
    response = client.post(url, {"action": "propose", "package": package.pk,
                                 f"second_award_reason-{brother.pk}": "Rumah tangga terpisah"})
    assert response.status_code == 302
    awards = CapitalAward.objects.filter(enrolment__cohort=cohort)
    assert {a.enrolment_id for a in awards} == {brother.pk, *(e.pk for e in others)}
    assert awards.get(enrolment=brother).second_award_reason == "Rumah tangga terpisah"


def test_award_page_refuses_approval_next_to_the_field_and_accepts_it_with_a_reason(
    client, proposer, approver
):
    sister = ApplicantFactory()
    CapitalAwardFactory(enrolment=graduate_of(sister), proposed_by=proposer)
    second = CapitalAwardFactory(enrolment=graduate_of(ApplicantFactory(kk_number=sister.kk_number)),
                                 proposed_by=proposer)
    client.force_login(approver)
    url = reverse("delivery:award_detail", args=[second.pk])
    assert 'name="second_award_reason"' in client.get(url).content.decode()
    page = client.post(url, {"action": "approve"}).content.decode()
    assert 'id="err_second_award_reason"' in page and REFUSAL in page
    second.refresh_from_db()
    assert second.state == CapitalAward.State.PROPOSED
    assert client.post(url, {"action": "approve", "second_award_reason": "Usaha berbeda"}).status_code == 302
    second.refresh_from_db()
    assert second.state == CapitalAward.State.APPROVED and second.second_award_reason == "Usaha berbeda"


def test_group_capital_is_not_an_individual_package(proposer):
    """A KUB's award is a group asset: a member may still be one of the top 3 of a later class."""
    from tests.factories import BusinessGroupFactory, GroupMembershipFactory

    member = ApplicantFactory()
    group = BusinessGroupFactory()
    GroupMembershipFactory(group=group, enrolment=graduate_of(member), applicant=member)
    CapitalAward.propose(user=proposer, package=CapitalPackageFactory(for_groups=True), group=group)
    assert award_for(graduate_of(member), proposer).second_award_reason == ""


def test_the_database_refuses_an_override_reason_without_who_gave_it(proposer):
    from django.db import IntegrityError, transaction

    award = CapitalAwardFactory(proposed_by=proposer)
    with pytest.raises(IntegrityError), transaction.atomic():
        CapitalAward.objects.filter(pk=award.pk).update(second_award_reason="tanpa pemberi")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_editors_proposing_for_one_kk_at_once_get_one_award_and_one_refusal(tmp_path, proposer):
    """Two threads, two connections, one file SQLite database: the household's second package is refused."""
    import sqlite3
    import threading

    from django.db import connection, connections

    if connection.vendor != "sqlite":
        pytest.skip("file-SQLite race; PostgreSQL relies on select_for_update of the household's rows")
    sister = ApplicantFactory()
    enrolments = [graduate_of(sister), graduate_of(ApplicantFactory(kk_number=sister.kk_number))]
    packages = [CapitalPackageFactory(program=e.cohort.program) for e in enrolments]
    path, restore = point_connections_at_file_copy(tmp_path)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(enrolment, package):
        try:
            barrier.wait()
            CapitalAward.propose(user=proposer, package=package, enrolment=enrolment, place=1)
            outcomes.append("proposed")
        except ValidationError as exc:
            outcomes.append("refused" if "second_award_reason" in exc.message_dict else repr(exc))
        except Exception as exc:  # a lock error would be a failure of the design
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=attempt, args=pair) for pair in zip(enrolments, packages, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        restore()
    assert sorted(outcomes) == ["proposed", "refused"]
    with sqlite3.connect(path) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM applicants_capitalaward").fetchone()
    assert count == 1
