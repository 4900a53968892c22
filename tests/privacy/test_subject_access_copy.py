"""The access copy (UU PDP): every record about the person, as a printable Indonesian document and as
JSON, with who (as a role) saw or exported their data, and nothing about anyone else or any staff name."""

import datetime
import json
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.models import (
    Attendance,
    BusinessGroup,
    CapitalAward,
    ConsentVersion,
    DataSubjectRequest,
    Enrolment,
    FollowUp,
    GroupMembership,
    WelfareImportBatch,
    WelfareRecord,
)
from applicants.privacy.audit import log_personal_data_access
from applicants.privacy.subject_rights import SUBJECT_EXPORT_ACTION, export_subject_data, subject_data
from programs.models import Kecamatan
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CapitalPackageFactory,
    CohortFactory,
    CohortSessionFactory,
    EnrolmentFactory,
    InterviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def resident(django_user_model):
    """A graduate with the whole journey: register evidence, interview, class, award, KUB, follow-up."""
    staff = UserFactory(editor=True, username="petugas-rahasia", first_name="Bu Rahasia")
    interviewer = UserFactory(interviewer=True, username="pewawancara-rahasia")
    applicant = ApplicantFactory(full_name="Siti <b>Aminah</b>", occupation="Penjual kue")
    consent = ConsentVersion.objects.get_or_create(version="2026-1", defaults={"text": "Saya setuju ..."})[0]
    batch = WelfareImportBatch.objects.create(as_of="2026-01-01", file_name="dtsen.xlsx", file_sha256="0" * 64,
                                              state=WelfareImportBatch.State.CURRENT, uploaded_by=staff)
    record = WelfareRecord.objects.create(batch=batch, row_number=2, nik=applicant.nik, kk_number=applicant.kk_number,
                                          full_name="SITI AMINAH", desil=2, bansos="PKH")
    cohort = CohortFactory(name="Tata Boga A")
    application = ApplicationFactory(applicant=applicant, intake=cohort.intake, program=cohort.program,
                                     status="enrolled", eligibility="verified", eligibility_record=record,
                                     consent_version=consent, consent_at=timezone.now(),
                                     motivation="Ingin membuka usaha katering.")
    InterviewFactory(decided=True, application=application, interviewer=interviewer, note="Sudah punya oven.",
                         score_motivation=4)
    enrolment = EnrolmentFactory(application=application, cohort=cohort, status=Enrolment.Status.COMPLETED,
                                 final_score=88, enrolled_by=staff)
    session = CohortSessionFactory(cohort=cohort, number=1, date=datetime.date(2026, 3, 2))
    Attendance.objects.create(enrolment=enrolment, session=session, mark=Attendance.Mark.PRESENT, recorded_by=staff)
    FollowUp.objects.create(enrolment=enrolment, milestone=3, working_status=FollowUp.Working.OWN_BUSINESS,
                            business_running=True, income_band=FollowUp.IncomeBand.FROM_1M, recorded_by=staff)
    package = CapitalPackageFactory(program=cohort.program, name="Paket Katering")
    CapitalAward.propose(user=staff, package=package, enrolment=enrolment, place=1, reason="Nilai tertinggi")
    group = BusinessGroup.objects.create(intake=cohort.intake, name="KUB Dapur Sehat", business_type="Katering",
                                         kelurahan=applicant.kelurahan)
    GroupMembership.objects.create(group=group, enrolment=enrolment, applicant=applicant)
    DataSubjectRequest.register(applicant=applicant, kind="access", requester_name="Siti Aminah",
                                channel="in_person", details="Minta salinan data.", user=staff)
    log_personal_data_access(staff, applicant, "detail")
    # A register export searched by her NIK, and one by someone else's: only hers is in her history.
    for nik in (applicant.nik, "3671010101900999"):
        ModelLogEntry.objects.create(content_type=ContentType.objects.get_for_model(staff), object_id=str(staff.pk),
                                     label="x", action="sigap.register_export", user=staff, timestamp=timezone.now(),
                                     data={"search": nik, "register_name": "Pendaftar", "rows": 1})
    other = ApplicationFactory(applicant=ApplicantFactory(full_name="Tetangga Lain"), motivation="Rahasia tetangga")
    log_personal_data_access(staff, other.applicant, "detail")
    return applicant


def test_json_copy_holds_every_record_about_the_person(resident):
    data = subject_data(resident)
    [application] = data["pendaftaran"]
    assert application["motivation"] == "Ingin membuka usaha katering."
    assert application["eligibility_evidence"]["desil"] == 2 and application["eligibility_evidence"]["bansos"] == "PKH"
    assert application["interviews"][0]["note"] == "Sudah punya oven."
    [training] = data["pelatihan"]
    assert training["final_score"] == 88 and training["cohort"] == "Tata Boga A" and training["status"] == "completed"
    assert [mark["mark"] for mark in training["kehadiran"]] == ["present"]
    assert training["tindak_lanjut"][0]["income_band"] == "1m_2m"
    assert training["modal_usaha"][0]["package"] == "Paket Katering" and training["modal_usaha"][0]["place"] == 1
    assert data["kub"][0]["group"] == "KUB Dapur Sehat" and data["kub"][0]["active"] is True
    assert data["persetujuan"][0]["versi"] == "2026-1" and data["persetujuan"][0]["teks"]
    assert data["permintaan"][0]["kind"] == "access"


def test_history_says_which_role_viewed_changed_or_exported_never_who(resident):
    history = subject_data(resident)["riwayat"]
    roles = {entry["peran"] for entry in history}
    assert "Editor Dinsos" in roles
    assert any(entry["tindakan"] == "Lihat data pribadi" for entry in history)
    exports = [entry for entry in history if "Ekspor register" in entry["objek"]]
    assert len(exports) == 1  # the search by her NIK, not the neighbour's
    raw = json.dumps(subject_data(resident), default=str)
    for secret in ("petugas-rahasia", "pewawancara-rahasia", "Bu Rahasia", "Tetangga Lain", "Rahasia tetangga"):
        assert secret not in raw


def test_json_file_is_utf8_and_its_making_is_logged(resident, django_user_model):
    editor = UserFactory(editor=True)
    payload = export_subject_data(resident, user=editor)
    assert json.loads(payload.decode("utf-8"))["pendaftar"]["full_name"] == "Siti <b>Aminah</b>"
    assert ModelLogEntry.objects.filter(action=SUBJECT_EXPORT_ACTION, user=editor, data__format="json").exists()


def test_printable_document_is_indonesian_complete_and_escaped(client, resident, django_user_model):
    editor = UserFactory(editor=True)
    client.force_login(editor)
    response = client.get(f"/admin/privasi/pendaftar/{resident.pk}/salinan-data/dokumen/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="id">' in html and "applicants/subject_document.css" in html
    for heading in ("Salinan Data Pribadi", "Data diri", "Pendaftaran", "Bukti kelayakan", "Wawancara", "Pelatihan",
                    "Kehadiran", "Modal usaha", "Tindak lanjut setelah pelatihan", "Kelompok Usaha Bersama (KUB)",
                    "Persetujuan yang Anda berikan", "Permintaan Anda sebagai pemilik data",
                    "Riwayat: siapa melihat, mengubah atau mengekspor data Anda"):
        assert heading in html, heading
    # Readable values, not codes: choice labels, yes/no, rupiah.
    assert "Hadir" in html and "Lulus" in html and "Usaha sendiri" in html and "Rp 5.000.000" in html
    assert "Sudah punya oven." in html and "KUB Dapur Sehat" in html and resident.nik in html
    assert "Oleh (peran)" in html and "Editor Dinsos" in html and "Lihat data pribadi" in html
    assert "Siti &lt;b&gt;Aminah&lt;/b&gt;" in html and "<b>Aminah</b>" not in html
    for secret in ("petugas-rahasia", "pewawancara-rahasia", "Bu Rahasia", "Tetangga Lain"):
        assert secret not in html
    assert ModelLogEntry.objects.filter(action=SUBJECT_EXPORT_ACTION, user=editor, data__format="html").exists()


def test_print_stylesheet_exists_and_hides_screen_only_hints():
    css = (REPO / "applicants" / "static" / "applicants" / "subject_document.css").read_text()
    assert "@media print" in css and "@page" in css and ".copy__screen-only { display: none; }" in css


@pytest.mark.parametrize("role", ["auditor", "interviewer", "comms", "editor_other_kecamatan"])
def test_document_is_refused_to_roles_without_the_right_or_the_scope(client, resident, django_user_model, role):
    if role == "editor_other_kecamatan":
        other = Kecamatan.objects.exclude(pk=resident.kelurahan.kecamatan_id).first()
        user = UserFactory(editor=True, kecamatan=[other])
    else:
        user = UserFactory(**{role: True})
    client.force_login(user)
    response = client.get(f"/admin/privasi/pendaftar/{resident.pk}/salinan-data/dokumen/")
    assert response.status_code == 403 and "Siti" not in response.content.decode()
    assert not ModelLogEntry.objects.filter(action=SUBJECT_EXPORT_ACTION).exists()


def test_document_urls_typed_by_hand(client, resident, django_user_model):
    assert "/admin/login/" in client.get(f"/admin/privasi/pendaftar/{resident.pk}/salinan-data/dokumen/")["Location"]
    client.force_login(UserFactory(editor=True))
    assert client.get("/admin/privasi/pendaftar/999999/salinan-data/dokumen/").status_code == 404
    assert client.get("/admin/privasi/pendaftar/abc/salinan-data/dokumen/").status_code == 404


def test_copy_of_a_person_without_any_application_still_renders(client, django_user_model):
    lonely = ApplicantFactory(full_name="Belum Daftar")
    client.force_login(UserFactory(editor=True))
    response = client.get(f"/admin/privasi/pendaftar/{lonely.pk}/salinan-data/dokumen/")
    html = response.content.decode()
    assert response.status_code == 200 and "Tidak ada pendaftaran." in html and "Belum pernah mengikuti kelas." in html


def test_history_labels_are_readable_even_before_wagtail_loaded_its_actions(resident, monkeypatch):
    from wagtail.log_actions import registry

    monkeypatch.setattr(registry, "has_scanned_for_actions", False)
    monkeypatch.setattr(registry, "formatters", {})
    monkeypatch.setattr(registry, "choices", [])
    history = subject_data(resident)["riwayat"]
    assert history and not [entry["tindakan"] for entry in history if entry["tindakan"].startswith("sigap.")]


def test_document_labels_are_indonesian(client, resident, django_user_model):
    client.force_login(UserFactory(editor=True))
    html = client.get(f"/admin/privasi/pendaftar/{resident.pk}/salinan-data/dokumen/").content.decode()
    for english in ("Proposed at", "Approved at", "Joined at", "Left at", ">Nik<", ">Nomor kk<"):
        assert english not in html, english
    assert ">NIK<" in html and ">Nomor KK<" in html and "Diusulkan pada" in html and "Bergabung pada" in html
