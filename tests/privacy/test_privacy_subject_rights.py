"""Data-subject rights: a copy of everything stored about a resident, and restriction of processing."""

import json

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from applicants.models import Applicant, WelfareImportBatch, WelfareRecord
from applicants.privacy.audit import log_personal_data_access
from applicants.privacy.subject_rights import (
    LIFT_ACTION,
    RESTRICT_ACTION,
    SUBJECT_EXPORT_ACTION,
    export_subject_data,
    lift_restriction,
    restrict_processing,
)
from programs.models import Kecamatan
from tests.factories import ApplicantFactory, ApplicationFactory, InterviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(django_user_model):
    applicant = ApplicantFactory(full_name="Siti Aminah")
    batch = WelfareImportBatch.objects.create(as_of="2026-01-01", file_name="dtsen.xlsx", file_sha256="0" * 64,
                                              state=WelfareImportBatch.State.CURRENT)
    record = WelfareRecord.objects.create(batch=batch, row_number=2, nik=applicant.nik, kk_number=applicant.kk_number,
                                          full_name="SITI AMINAH", desil=2, bansos="PKH")
    application = ApplicationFactory(
        submitted=True, applicant=applicant, eligibility_record=record, eligibility="verified"
    )
    interviewer = UserFactory(interviewer=True, username="pewawancara-rahasia")
    InterviewFactory(
        held=True, application=application, interviewer=interviewer, note="Sudah punya oven.", score_motivation=4
    )
    return applicant


def test_access_request_export_holds_everything_stored_about_the_person_but_no_staff_names(resident, django_user_model):
    editor = UserFactory(editor=True, username="editor-rahasia")
    log_personal_data_access(editor, resident, "detail")
    data = json.loads(export_subject_data(resident, user=editor))
    assert data["pendaftar"]["nik"] == resident.nik and data["pendaftar"]["full_name"] == "Siti Aminah"
    [application] = data["pendaftaran"]
    assert application["motivation"] == "Ingin membuka usaha katering."
    assert application["eligibility_evidence"]["desil"] == 2 and application["eligibility_evidence"]["bansos"] == "PKH"
    assert application["interviews"][0]["note"] == "Sudah punya oven."
    assert application["interviews"][0]["score_motivation"] == 4
    assert any(entry["tindakan"] == "Lihat data pribadi" for entry in data["riwayat"])
    raw = json.dumps(data)
    assert "pewawancara-rahasia" not in raw and editor.username not in raw
    assert ModelLogEntry.objects.filter(action=SUBJECT_EXPORT_ACTION, object_id=str(resident.pk), user=editor).exists()


def test_restricted_applicant_is_refused_by_workflow_until_lifted(resident, django_user_model):
    editor = UserFactory(editor=True, username="ed")
    resident.ensure_processing_allowed()
    with pytest.raises(ValidationError):
        restrict_processing(resident, editor, "  ")
    restrict_processing(resident, editor, "Warga menyanggah data KK")
    resident.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        resident.ensure_processing_allowed()
    assert "dibatasi" in excinfo.value.messages[0]
    assert ModelLogEntry.objects.get(action=RESTRICT_ACTION).data["reason"] == "Warga menyanggah data KK"
    lift_restriction(resident, editor, "Data sudah diperbaiki")
    resident.refresh_from_db()
    resident.ensure_processing_allowed()
    assert ModelLogEntry.objects.filter(action=LIFT_ACTION, user=editor).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("editor", 200), ("superuser", 200), ("auditor", 403), ("interviewer", 403), ("comms", 403),
     ("editor_other_kecamatan", 403)],
)
def test_subject_rights_admin_views_are_for_editors_in_scope_only(client, resident, django_user_model, role, status):
    if role == "editor_other_kecamatan":
        other = Kecamatan.objects.exclude(pk=resident.kelurahan.kecamatan_id).first()
        user = UserFactory(editor=True, username="ed-lain", kecamatan=[other])
    else:
        user = UserFactory(username=f"u-{role}", **{role: True})
    client.force_login(user)
    export = client.get(f"/admin/privasi/pendaftar/{resident.pk}/salinan-data/")
    form = client.get(f"/admin/privasi/pendaftar/{resident.pk}/pembatasan/")
    post = client.post(f"/admin/privasi/pendaftar/{resident.pk}/pembatasan/", {"reason": "Permintaan warga"})
    assert (export.status_code, form.status_code) == (status, status)
    assert post.status_code == (302 if status == 200 else 403)
    resident.refresh_from_db()
    assert resident.processing_restricted is (status == 200)
    if status == 200:
        assert export["Content-Disposition"].startswith("attachment;")
        assert json.loads(export.content)["pendaftar"]["nik"] == resident.nik


def test_anonymous_visitor_is_sent_to_login_from_subject_rights_views(client, resident):
    response = client.get(f"/admin/privasi/pendaftar/{resident.pk}/salinan-data/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_restriction_form_shows_masked_nik_and_lifts_with_empty_reason(client, resident, django_user_model):
    editor = UserFactory(editor=True, username="ed")
    restrict_processing(resident, editor, "Sanggahan")
    client.force_login(editor)
    page = client.get(f"/admin/privasi/pendaftar/{resident.pk}/pembatasan/")
    assert "Cabut pembatasan" in page.content.decode()
    client.post(f"/admin/privasi/pendaftar/{resident.pk}/pembatasan/", {"reason": ""})
    assert Applicant.objects.get(pk=resident.pk).processing_restricted is False



def test_anonymised_applicant_cannot_be_processed(resident):
    Applicant.objects.filter(pk=resident.pk).update(anonymised_at="2026-01-01T00:00:00Z")
    resident.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        resident.ensure_processing_allowed()
    assert excinfo.value.code == "anonymised"
