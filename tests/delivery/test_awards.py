"""Top-3 ranking with reasons, tie flagging, award states with four-eyes approval, private handover documents."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from wagtail.models import ModelLogEntry

from applicants.delivery import services
from applicants.models import CapitalAward, Enrolment
from applicants.privacy import roles
from programs.models import Cohort
from tests.factories import CapitalPackageFactory, CohortFactory, EnrolmentFactory, InterviewFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC)


@pytest.fixture
def proposer():
    return UserFactory(username="proposer", is_superuser=True, is_staff=True)


@pytest.fixture
def approver():
    return UserFactory(username="approver", is_superuser=True, is_staff=True)


def graduate(cohort, score, attendance, minutes=0, interview=None):
    e = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.COMPLETED, final_score=score,
                         attendance_pct=Decimal(attendance))
    type(e.application).objects.filter(pk=e.application_id).update(
        submitted_at=T0 + datetime.timedelta(minutes=minutes))
    if interview is not None:
        InterviewFactory(decided=True, application=e.application, score_motivation=interview,
                         score_readiness=interview, score_business_potential=interview,
                         score_household_need=interview)
    return e


@pytest.fixture
def completed_cohort():
    return CohortFactory(status=Cohort.Status.COMPLETED)


def test_ranking_orders_by_score_then_attendance_then_interview_then_earlier_application(completed_cohort):
    c = completed_cohort
    late = graduate(c, 80, "90", minutes=5, interview=4)
    early = graduate(c, 80, "90", minutes=1, interview=4)
    better_interview = graduate(c, 80, "90", minutes=9, interview=5)
    better_attendance = graduate(c, 80, "95", minutes=9, interview=1)
    best = graduate(c, 95, "80", minutes=9)
    ranking = services.rank_cohort(c)
    assert [r.enrolment for r in ranking.rows] == [best, better_attendance, better_interview, early, late]
    assert [r.place for r in ranking.rows] == [1, 2, 3, 4, 5]
    assert not ranking.tie_at_third
    reasons = [r.reason for r in ranking.rows]
    assert "Nilai akhir 95" in reasons[0]
    assert "kehadiran 95" in reasons[1]
    assert "skor wawancara 5" in reasons[2]
    assert "lebih awal" in reasons[3]


def test_interview_score_uses_the_intake_weights(completed_cohort):
    intake = completed_cohort.intake
    intake.weight_motivation, intake.weight_household_need = 3, 1
    intake.weight_readiness = intake.weight_business_potential = 0
    interview = InterviewFactory(decided=True, score_motivation=5, score_household_need=1, score_readiness=1,
                                 score_business_potential=1)
    assert services.interview_weighted_score(interview, intake) == Decimal("4.00")


def test_tie_reaching_place_three_is_flagged_and_not_proposed_until_an_editor_picks(completed_cohort, proposer):
    c = completed_cohort
    first = graduate(c, 90, "100", minutes=1)
    second = graduate(c, 85, "100", minutes=1)
    tied_a = graduate(c, 80, "100", minutes=3)
    tied_b = graduate(c, 80, "100", minutes=3)
    package = CapitalPackageFactory(program=c.program)
    ranking = services.rank_cohort(c)
    assert ranking.tie_at_third
    assert {r.enrolment for r in ranking.tied} == {tied_a, tied_b}
    assert all("keputusan petugas" in r.reason for r in ranking.tied)

    awards = services.propose_top3(c, proposer, package)
    assert {a.enrolment for a in awards} == {first, second}

    with pytest.raises(ValidationError):
        services.propose_top3(c, proposer, package, tie_picks=[first.pk])
    picked = services.propose_top3(c, proposer, package, tie_picks=[tied_b.pk])
    assert [(a.enrolment, a.place) for a in picked] == [(tied_b, 3)]
    assert not CapitalAward.objects.filter(enrolment=tied_a).exists()


def test_top3_proposals_need_a_completed_class_and_skip_existing_awards(proposer):
    c = CohortFactory()
    package = CapitalPackageFactory(program=c.program)
    with pytest.raises(ValidationError):
        services.propose_top3(c, proposer, package)
    Cohort.objects.filter(pk=c.pk).update(status=Cohort.Status.COMPLETED)
    c.refresh_from_db()
    for i in range(4):
        graduate(c, 70 + i, "90")
    assert len(services.propose_top3(c, proposer, package)) == 3
    with pytest.raises(ValidationError, match="sudah diusulkan"):
        services.propose_top3(c, proposer, package)
    assert CapitalAward.objects.count() == 3


def test_approval_must_come_from_a_different_user(completed_cohort, proposer, approver):
    award = CapitalAward.propose(user=proposer, package=CapitalPackageFactory(program=completed_cohort.program),
                                 enrolment=graduate(completed_cohort, 90, "100"), place=1)
    with pytest.raises(ValidationError):
        award.approve(proposer)
    award.refresh_from_db()
    assert award.state == CapitalAward.State.PROPOSED
    award.approve(approver)
    assert award.state == CapitalAward.State.APPROVED and award.approved_by == approver


def test_award_goes_through_handover_with_a_private_document_and_every_step_is_logged(
        completed_cohort, proposer, approver):
    award = CapitalAward.propose(user=proposer, package=CapitalPackageFactory(program=completed_cohort.program),
                                 enrolment=graduate(completed_cohort, 90, "100"), place=1)
    with pytest.raises(ValidationError):
        award.hand_over(approver, on=timezone.localdate(), number="BA-1")
    award.approve(approver)
    doc = SimpleUploadedFile("ba.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    award.hand_over(approver, on=timezone.localdate(), number="BA-001/2026", document=doc)
    award.refresh_from_db()
    assert award.state == CapitalAward.State.HANDED_OVER
    stored = settings.PRIVATE_MEDIA_ROOT / award.handover_document.name
    assert stored.exists()
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    actions = set(ModelLogEntry.objects.filter(object_id=str(award.pk)).values_list("action", flat=True))
    assert {"sigap.award.propose", "sigap.award.approve", "sigap.award.hand_over"} <= actions
    with pytest.raises(ValidationError):
        award.cancel(approver, "terlambat")


@pytest.mark.parametrize("name,content", [("ba.exe", b"MZ"), ("ba.svg", b"<svg/>"), ("ba.pdf", b"MZ\x90renamed")])
def test_handover_document_of_the_wrong_type_is_refused(completed_cohort, proposer, approver, name, content):
    award = CapitalAward.propose(user=proposer, package=CapitalPackageFactory(program=completed_cohort.program),
                                 enrolment=graduate(completed_cohort, 90, "100"))
    award.approve(approver)
    with pytest.raises(ValidationError):
        award.hand_over(approver, on=timezone.localdate(), number="BA-1",
                        document=SimpleUploadedFile(name, content))
    award.refresh_from_db()
    assert award.state == CapitalAward.State.APPROVED


def test_handover_document_over_10_mb_is_refused(completed_cohort, proposer, approver):
    award = CapitalAward.propose(user=proposer, package=CapitalPackageFactory(program=completed_cohort.program),
                                 enrolment=graduate(completed_cohort, 90, "100"))
    award.approve(approver)
    big = SimpleUploadedFile("ba.pdf", b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError):
        award.hand_over(approver, on=timezone.localdate(), number="BA-1", document=big)


def test_cancel_needs_a_reason_and_frees_the_recipient_for_a_new_proposal(completed_cohort, proposer):
    e = graduate(completed_cohort, 90, "100")
    package = CapitalPackageFactory(program=completed_cohort.program)
    award = CapitalAward.propose(user=proposer, package=package, enrolment=e)
    with pytest.raises(ValidationError):
        award.cancel(proposer, " ")
    award.cancel(proposer, "Peserta pindah domisili")
    assert award.state == CapitalAward.State.CANCELLED
    CapitalAward.propose(user=proposer, package=package, enrolment=e)
    with pytest.raises(IntegrityError), transaction.atomic():
        CapitalAward.propose(user=proposer, package=package, enrolment=e)


def test_database_refuses_an_award_with_both_or_no_recipient(completed_cohort, proposer):
    e = graduate(completed_cohort, 90, "100")
    package = CapitalPackageFactory(program=completed_cohort.program)
    with pytest.raises(IntegrityError), transaction.atomic():
        CapitalAward.objects.create(intake=completed_cohort.intake, package=package, value_rupiah=1,
                                    proposed_by=proposer)
    assert e.pk  # the enrolment-only variant is covered above


def _png_bytes() -> bytes:
    """A real (tiny) PNG: uploads are sniffed with Pillow, a PNG header alone is refused."""
    out = BytesIO()
    Image.new("RGB", (2, 2), "white").save(out, "PNG")
    return out.getvalue()


def test_handover_png_with_only_a_png_header_is_refused(completed_cohort, proposer, approver):
    award = CapitalAward.propose(user=proposer, package=CapitalPackageFactory(program=completed_cohort.program),
                                 enrolment=graduate(completed_cohort, 90, "100"))
    award.approve(approver)
    with pytest.raises(ValidationError):
        award.hand_over(approver, on=timezone.localdate(), number="BA-1",
                        document=SimpleUploadedFile("ba.png", b"\x89PNG signed"))


def _handed_over_award(cohort, proposer, approver):
    award = CapitalAward.propose(user=proposer, package=CapitalPackageFactory(program=cohort.program),
                                 enrolment=graduate(cohort, 90, "100"))
    award.approve(approver)
    award.hand_over(approver, on=timezone.localdate(), number="BA-9",
                    document=SimpleUploadedFile("ba.png", _png_bytes()))
    return award


def test_private_document_is_served_only_through_the_permission_checked_view(
        client, completed_cohort, proposer, approver):
    award = _handed_over_award(completed_cohort, proposer, approver)
    # No public URL: not under MEDIA_URL, and the media route only serves images.
    assert client.get(f"{settings.MEDIA_URL}{award.handover_document.name}").status_code == 404
    url = reverse("delivery:award_document", args=[award.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    comms = UserFactory(username="humas")
    comms.groups.add(Group.objects.get(name=roles.COMMS))  # admin access, no award permission
    client.force_login(comms)
    refused = client.get(url)
    assert refused.status_code == 403
    assert not getattr(refused, "streaming", False)
    client.force_login(approver)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _png_bytes()
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    # The download is a personal-data view in the audit log.
    assert ModelLogEntry.objects.filter(action="sigap.view_personal_data", object_id=str(award.pk),
                                        user=approver).exists()


def test_award_screens_walk_through_approval_by_another_user(client, completed_cohort, proposer, approver):
    award = CapitalAward.propose(user=proposer, package=CapitalPackageFactory(program=completed_cohort.program),
                                 enrolment=graduate(completed_cohort, 90, "100"), place=1)
    url = reverse("delivery:award_detail", args=[award.pk])
    client.force_login(proposer)
    client.post(url, {"action": "approve"})
    award.refresh_from_db()
    assert award.state == CapitalAward.State.PROPOSED
    client.force_login(approver)
    client.post(url, {"action": "approve"})
    award.refresh_from_db()
    assert award.state == CapitalAward.State.APPROVED
    assert "Modal usaha disetujui" in client.get(url).content.decode()


def test_award_sheet_exports_xlsx_with_rupiah_format_and_signature_column(client, completed_cohort, proposer):
    e = graduate(completed_cohort, 90, "100")
    CapitalAward.propose(user=proposer, package=CapitalPackageFactory(program=completed_cohort.program,
                                                                       value_rupiah=7_500_000), enrolment=e, place=1)
    client.force_login(proposer)
    # The old list URL leads to the award register; its xlsx form still gives the printable sheet.
    assert client.get(reverse("delivery:award_list"))["Location"] == "/admin/applicants/capitalaward/"
    response = client.get(reverse("delivery:award_sheet"), {"intake": completed_cohort.intake_id})
    ws = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows())
    header_index = next(i for i, r in enumerate(rows) if r[0].value == "No.")
    header = [c.value for c in rows[header_index]]
    assert header[-1] == "Tanda tangan"
    data = rows[header_index + 1]
    value_cell = data[header.index("Nilai")]
    assert value_cell.value == 7_500_000 and "#,##0" in value_cell.number_format
    assert data[1].value == e.application.applicant.nik


def test_class_page_shows_the_ranking_with_reasons_and_proposes_the_top3(client, completed_cohort, proposer):
    c = completed_cohort
    for i in range(4):
        graduate(c, 70 + i, "90", minutes=i)
    package = CapitalPackageFactory(program=c.program)
    client.force_login(proposer)
    url = reverse("delivery:cohort_detail", args=[c.pk])
    html = client.get(url).content.decode()
    assert "Peringkat lulusan" in html and "Nilai akhir 73" in html
    client.post(url, {"action": "propose", "package": package.pk})
    assert sorted(CapitalAward.objects.values_list("place", flat=True)) == [1, 2, 3]
    award = CapitalAward.objects.get(place=1)
    assert client.get(reverse("delivery:award_detail", args=[award.pk])).status_code == 200
