"""Awards after a cancellation, four eyes on the screen, a class proposed twice, and the KUB form's manners."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applicants.delivery import services
from applicants.models import BusinessGroup, CapitalAward, Enrolment
from programs.models import Cohort
from tests.factories import CapitalPackageFactory, CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC)


@pytest.fixture
def proposer():
    return UserFactory(username="proposer", is_superuser=True, is_staff=True)


@pytest.fixture
def approver():
    return UserFactory(username="approver", is_superuser=True, is_staff=True)


def graduate(cohort, score, name):
    e = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.COMPLETED, final_score=score,
                         attendance_pct=Decimal("95"))
    applicant = e.application.applicant
    type(applicant).objects.filter(pk=applicant.pk).update(full_name=name)
    type(e.application).objects.filter(pk=e.application_id).update(submitted_at=T0)
    return e


@pytest.fixture
def ranked_class():
    cohort = CohortFactory(status=Cohort.Status.COMPLETED)
    people = [graduate(cohort, score, name) for score, name in
              [(95, "Satu"), (90, "Dua"), (85, "Tiga"), (80, "Empat"), (75, "Lima")]]
    return cohort, people, CapitalPackageFactory(program=cohort.program)


def test_after_a_cancellation_propose_top3_proposes_the_next_ranked_graduate_with_the_reason(ranked_class, proposer):
    cohort, people, package = ranked_class
    first = services.propose_top3(cohort, proposer, package)
    assert [a.enrolment for a in first] == people[:3]
    first[1].cancel(proposer, "Sudah pindah domisili ke luar kota")
    again = services.propose_top3(cohort, proposer, package)
    assert [a.enrolment for a in again] == [people[3]]
    assert again[0].place == 4
    assert "menggantikan Dua" in again[0].ranking_reason and "pindah domisili" in again[0].ranking_reason
    # The cancelled graduate is never proposed again by the button.
    assert not CapitalAward.objects.filter(enrolment=people[1]).exclude(state="cancelled").exists()


def test_two_cancellations_bring_in_the_next_two(ranked_class, proposer):
    cohort, people, package = ranked_class
    first = services.propose_top3(cohort, proposer, package)
    first[0].cancel(proposer, "Meninggal dunia")
    first[2].cancel(proposer, "Menolak bantuan")
    again = services.propose_top3(cohort, proposer, package)
    assert [a.enrolment for a in again] == people[3:5]


def test_a_tie_for_the_freed_place_goes_to_a_person_not_to_list_order(proposer):
    cohort = CohortFactory(status=Cohort.Status.COMPLETED)
    people = [graduate(cohort, score, name) for score, name in
              [(95, "Satu"), (90, "Dua"), (85, "Tiga"), (80, "Empat"), (80, "Lima"), (70, "Enam")]]
    package = CapitalPackageFactory(program=cohort.program)
    first = services.propose_top3(cohort, proposer, package)
    assert [a.enrolment for a in first] == people[:3]  # the tie at place 4 does not touch places 1-3
    first[2].cancel(proposer, "Menolak bantuan")
    ranking = services.rank_cohort(cohort)
    assert ranking.tie_at_third and {r.enrolment for r in ranking.tied} == {people[3], people[4]}
    with pytest.raises(ValidationError, match="sama persis|equal on every"):
        services.propose_top3(cohort, proposer, package)
    with pytest.raises(ValidationError):  # two picks for one free place
        services.propose_top3(cohort, proposer, package, tie_picks=[people[3].pk, people[4].pk])
    with pytest.raises(ValidationError):  # a pick outside the tie
        services.propose_top3(cohort, proposer, package, tie_picks=[people[5].pk])
    assert CapitalAward.objects.exclude(state="cancelled").count() == 2
    again = services.propose_top3(cohort, proposer, package, tie_picks=[people[4].pk])
    assert [a.enrolment for a in again] == [people[4]]
    assert "menggantikan Tiga" in again[0].ranking_reason


def test_two_cancellations_fill_the_untied_place_and_wait_for_a_pick_for_the_tied_one(proposer):
    cohort = CohortFactory(status=Cohort.Status.COMPLETED)
    people = [graduate(cohort, score, name) for score, name in
              [(95, "Satu"), (90, "Dua"), (85, "Tiga"), (82, "Empat"), (80, "Lima"), (80, "Enam")]]
    package = CapitalPackageFactory(program=cohort.program)
    first = services.propose_top3(cohort, proposer, package)
    first[0].cancel(proposer, "Meninggal dunia")
    first[1].cancel(proposer, "Pindah")
    again = services.propose_top3(cohort, proposer, package)
    assert [a.enrolment for a in again] == [people[3]]  # Lima and Enam are equal: a person decides
    last = services.propose_top3(cohort, proposer, package, tie_picks=[people[5].pk])
    assert [a.enrolment for a in last] == [people[5]]


def test_a_class_already_proposed_says_so_and_creates_nothing(ranked_class, proposer):
    cohort, _people, package = ranked_class
    services.propose_top3(cohort, proposer, package)
    with pytest.raises(ValidationError, match="sudah diusulkan: 3 usulan"):
        services.propose_top3(cohort, proposer, package)
    assert CapitalAward.objects.count() == 3


def test_the_class_page_says_the_class_is_already_proposed(client, ranked_class, proposer):
    cohort, _people, package = ranked_class
    services.propose_top3(cohort, proposer, package)
    client.force_login(proposer)
    response = client.post(reverse("delivery:cohort_detail", args=[cohort.pk]),
                           {"action": "propose", "package": package.pk}, follow=True)
    assert "sudah diusulkan" in response.content.decode()


def test_nobody_sees_an_approve_button_for_their_own_proposal(client, ranked_class, proposer, approver):
    cohort, _people, package = ranked_class
    award = services.propose_top3(cohort, proposer, package)[0]
    url = reverse("delivery:award_detail", args=[award.pk])
    client.force_login(proposer)
    html = client.get(url).content.decode()
    assert 'value="approve"' not in html and "persetujuan harus oleh pengguna lain" in html
    # Typing the POST by hand is still refused by the model.
    client.post(url, {"action": "approve"})
    award.refresh_from_db()
    assert award.state == CapitalAward.State.PROPOSED
    client.force_login(approver)
    assert 'value="approve"' in client.get(url).content.decode()


# --- KUB --------------------------------------------------------------------------------------


@pytest.fixture
def graduates():
    cohort = CohortFactory(status=Cohort.Status.COMPLETED)
    return cohort, [EnrolmentFactory(cohort=cohort, status=Enrolment.Status.COMPLETED) for _ in range(3)]


def test_kub_choices_survive_a_validation_error(client, proposer, graduates):
    cohort, members = graduates
    client.force_login(proposer)
    response = client.post(reverse("delivery:group_create"), {
        "intake": cohort.intake.pk, "name": "", "business_type": "Katering",
        "kelurahan": members[0].application.applicant.kelurahan_id,
        "member": [members[0].pk, members[2].pk], "chair": members[2].pk,
    })
    html = response.content.decode()
    assert response.status_code == 200 and not BusinessGroup.objects.exists()
    assert f'name="member" value="{members[0].pk}" aria-label="Anggota" checked' in html
    assert f'name="member" value="{members[1].pk}" aria-label="Anggota">' in html
    assert f'name="chair" value="{members[2].pk}" aria-label="Ketua" checked' in html
    assert 'value="Katering"' in html


def test_loading_graduates_is_a_get_without_the_csrf_token(client, proposer, graduates):
    client.force_login(proposer)
    html = client.get(reverse("delivery:group_create")).content.decode()
    get_form = html[html.index('<form method="get"'):]
    get_form = get_form[:get_form.index("</form>")]
    assert "csrfmiddlewaretoken" not in get_form
    assert 'formmethod="get"' not in html


def test_a_kub_name_is_shown_as_typed_in_the_award_list_export(client, proposer, approver, graduates, settings):
    from io import BytesIO

    from openpyxl import load_workbook

    settings.KUB_MIN_MEMBERS = 3
    cohort, members = graduates
    group = services.form_group(intake=cohort.intake, name="KUB Maju Bersama", business_type="Katering",
                                kelurahan=members[0].application.applicant.kelurahan, enrolments=members,
                                chair=members[0], user=proposer)
    CapitalAward.propose(user=proposer, package=CapitalPackageFactory(program=cohort.program, for_groups=True),
                         group=group)
    client.force_login(approver)
    response = client.get(reverse("delivery:award_list"), {"format": "xlsx"})
    content = b"".join(response.streaming_content)
    values = [c for row in load_workbook(BytesIO(content)).active.iter_rows(values_only=True) for c in row]
    assert "KUB Maju Bersama" in values and "KUB KUB Maju Bersama" not in values


# --- Printed documents -------------------------------------------------------------------------


def test_award_list_and_handover_record_are_print_ready_with_the_letterhead(client, ranked_class, proposer, approver):
    from programs.models import Letterhead

    cohort, people, package = ranked_class
    award = services.propose_top3(cohort, proposer, package)[0]
    award.approve(approver)
    Letterhead.objects.create(site_id=1, signatory_name="Drs. Contoh Pejabat", signatory_nip="197001011990031001")
    client.force_login(approver)
    listing = client.get(reverse("delivery:award_list_print"), {"intake": cohort.intake.pk}).content.decode()
    assert "DAFTAR PENERIMA MODAL USAHA" in listing and "Satu" in listing and "@media print" in listing
    assert "Drs. Contoh Pejabat" in listing and "DINAS SOSIAL" in listing
    record = client.get(reverse("delivery:award_handover_print", args=[award.pk])).content.decode()
    assert "BERITA ACARA SERAH TERIMA MODAL USAHA" in record
    assert "PIHAK PERTAMA" in record and "PIHAK KEDUA" in record and "Satu" in record
    assert package.name in record


def test_a_proposed_award_has_no_handover_record_yet(client, ranked_class, proposer):
    cohort, _people, package = ranked_class
    award = services.propose_top3(cohort, proposer, package)[0]
    client.force_login(proposer)
    assert client.get(reverse("delivery:award_handover_print", args=[award.pk])).status_code == 403


def test_the_award_list_only_lists_approved_awards(client, ranked_class, proposer, approver):
    cohort, _people, package = ranked_class
    awards = services.propose_top3(cohort, proposer, package)
    awards[0].approve(approver)
    client.force_login(approver)
    html = client.get(reverse("delivery:award_list_print")).content.decode()
    assert "Satu" in html and "Dua" not in html


def test_the_attendance_sheet_has_the_letterhead_and_the_headings(client, proposer):
    from tests.factories import CohortSessionFactory

    session = CohortSessionFactory(date=timezone.localdate(), topic="Sanitasi dapur")
    EnrolmentFactory(cohort=session.cohort)
    client.force_login(proposer)
    html = client.get(reverse("delivery:session_sheet", args=[session.pk])).content.decode()
    for text in ("PEMERINTAH KOTA TANGERANG", "DAFTAR HADIR PESERTA PELATIHAN KETERAMPILAN", "Pertemuan ke",
                 "Sanitasi dapur", "Tanda tangan", "Instruktur"):
        assert text in html, text
