"""Eligibility against the current welfare register: results, status effects, bulk checks, overrides."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus, Eligibility
from applicants.models import Application
from applicants.welfare.eligibility import check_application, check_open_applications
from applicants.welfare.importer import import_register
from tests.factories import (
    RECORD_BIRTH_DATE,
    ApplicationFactory,
    IntakeFactory,
    WelfareImportBatchFactory,
    WelfareRecordFactory,
    make_kk,
    make_nik,
)

pytestmark = pytest.mark.django_db


def record_for(application, **kwargs):
    applicant = application.applicant
    return WelfareRecordFactory(nik=applicant.nik, kk_number=applicant.kk_number, **kwargs)


def test_applicant_in_the_register_with_the_same_kk_is_verified_with_evidence():
    application = ApplicationFactory(submitted=True)
    record = record_for(application, desil=2, batch=WelfareImportBatchFactory(as_of=datetime.date(2026, 9, 30)))

    assert check_application(application) == Eligibility.VERIFIED

    assert application.status == ApplicationStatus.VERIFIED
    assert application.eligibility_record == record
    evidence = application.eligibility_record
    assert (evidence.batch.register, evidence.desil, evidence.batch.as_of) == ("dtsen", 2, datetime.date(2026, 9, 30))
    assert application.eligibility_checked_at is not None


def test_applicant_missing_from_the_register_is_not_eligible():
    someone_else = {"nik": make_nik(RECORD_BIRTH_DATE, serial=9000), "kk_number": make_kk(9000, region="367113")}
    WelfareRecordFactory(**someone_else)
    application = ApplicationFactory(submitted=True)
    assert check_application(application) == Eligibility.NOT_FOUND
    assert application.status == ApplicationStatus.NOT_ELIGIBLE and application.eligibility_record is None


def test_nik_found_under_another_kk_is_a_kk_mismatch_with_the_record_as_evidence():
    application = ApplicationFactory(submitted=True)
    record = WelfareRecordFactory(nik=application.applicant.nik, kk_number="3671011303110999")
    assert check_application(application) == Eligibility.KK_MISMATCH
    assert application.status == ApplicationStatus.NOT_ELIGIBLE and application.eligibility_record == record


@pytest.mark.parametrize(("max_desil", "desil", "expected"), [
    (4, 5, Eligibility.DESIL_TOO_HIGH), (4, 4, Eligibility.VERIFIED), (None, 10, Eligibility.VERIFIED),
])
def test_intake_max_desil_is_respected(max_desil, desil, expected):
    application = ApplicationFactory(submitted=True, intake=IntakeFactory(max_desil=max_desil))
    record_for(application, desil=desil)
    assert check_application(application) == expected


def test_without_any_current_register_applications_stay_pending():
    application = ApplicationFactory(submitted=True)
    record_for(application, batch=WelfareImportBatchFactory(state="superseded"))
    assert check_application(application) == Eligibility.PENDING
    assert application.status == ApplicationStatus.SUBMITTED


def test_only_current_batches_count():
    application = ApplicationFactory(submitted=True)
    # Someone else is in the current register; this applicant only in a superseded one.
    WelfareRecordFactory(nik="3671019999990001", kk_number="3671019999990001",
                         batch=WelfareImportBatchFactory(state="current"))
    record_for(application, batch=WelfareImportBatchFactory(state="superseded", register="dtks"))
    record_for(application, batch=WelfareImportBatchFactory(state="dry_run"))
    assert check_application(application) == Eligibility.NOT_FOUND


def test_a_verified_applicant_dropped_from_a_new_register_becomes_not_eligible():
    application = ApplicationFactory(submitted=True)
    old = record_for(application)
    check_application(application)
    old.batch.state = "superseded"
    old.batch.save()
    WelfareRecordFactory(batch=WelfareImportBatchFactory())  # new register without them
    assert check_application(application) == Eligibility.NOT_FOUND
    assert application.status == ApplicationStatus.NOT_ELIGIBLE


@pytest.mark.parametrize("status", [ApplicationStatus.INTERVIEW_SCHEDULED, ApplicationStatus.ACCEPTED,
                                    ApplicationStatus.WITHDRAWN])
def test_decided_applications_are_never_changed(status):
    application = ApplicationFactory(status=status)
    check_open_applications()
    application.refresh_from_db()
    assert application.status == status and application.eligibility == Eligibility.PENDING


def test_import_checks_all_open_applications_in_bounded_queries(tmp_path, django_assert_max_num_queries):
    intake = IntakeFactory(max_desil=5)
    applications = ApplicationFactory.create_batch(300, submitted=True, intake=intake)
    batch = WelfareImportBatchFactory()
    for application in applications[:100]:
        record_for(application, batch=batch, desil=3)
    for application in applications[100:150]:
        record_for(application, batch=batch, desil=9)
    for application in applications[150:200]:
        WelfareRecordFactory(batch=batch, nik=application.applicant.nik, kk_number="3671011303110999")

    # 300 applications in chunks of 100: a per-application query would need 300+.
    with django_assert_max_num_queries(40):
        counts = check_open_applications(chunk_size=100)

    assert counts["checked"] == 300 and counts["status_changed"] == 300
    results = dict(Application.objects.values_list("pk", "eligibility"))
    assert {results[a.pk] for a in applications[:100]} == {Eligibility.VERIFIED}
    assert {results[a.pk] for a in applications[100:150]} == {Eligibility.DESIL_TOO_HIGH}
    assert {results[a.pk] for a in applications[150:200]} == {Eligibility.KK_MISMATCH}
    assert {results[a.pk] for a in applications[200:]} == {Eligibility.NOT_FOUND}
    assert Application.objects.filter(status=ApplicationStatus.VERIFIED).count() == 100
    moves = ModelLogEntry.objects.filter(action__in=["sigap.application.verify", "sigap.application.not_eligible"])
    assert moves.count() == 300


def test_a_new_import_rechecks_open_applications(tmp_path):
    application = ApplicationFactory(submitted=True)
    applicant = application.applicant
    path = tmp_path / "dtsen.csv"
    path.write_text(
        "NIK;No KK;Nama;Kode Kelurahan;Desil\n"
        f"{applicant.nik};{applicant.kk_number};{applicant.full_name};{applicant.kelurahan.code};2\n",
        encoding="utf-8-sig",
    )
    import_register(path)
    application.refresh_from_db()
    assert application.eligibility == Eligibility.VERIFIED and application.status == ApplicationStatus.VERIFIED


def test_editor_override_verifies_a_not_eligible_applicant_and_is_logged(django_user_model):
    editor = django_user_model.objects.create_user("editor", password="x")
    application = ApplicationFactory(submitted=True)
    WelfareImportBatchFactory()  # a current register without this applicant
    check_application(application)
    assert application.status == ApplicationStatus.NOT_ELIGIBLE

    application.override_eligibility(editor, "Pembaruan DTSEN masih diproses di kelurahan")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.VERIFIED
    assert application.eligibility == Eligibility.NOT_FOUND  # the evidence is not rewritten
    assert application.eligibility_override_by == editor and application.eligibility_override_at
    entry = ModelLogEntry.objects.get(action="sigap.eligibility_override")
    assert entry.user == editor and entry.object_id == str(application.pk)
    assert entry.data["reason"] == "Pembaruan DTSEN masih diproses di kelurahan"
    # A later re-check keeps the override.
    check_open_applications()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.VERIFIED


def test_override_needs_a_reason_and_an_undecided_application(django_user_model):
    editor = django_user_model.objects.create_user("editor", password="x")
    with pytest.raises(ValidationError):
        ApplicationFactory(submitted=True).override_eligibility(editor, "  ")
    with pytest.raises(ValidationError):
        ApplicationFactory(status=ApplicationStatus.ACCEPTED).override_eligibility(editor, "alasan")
    assert not ModelLogEntry.objects.filter(action="sigap.eligibility_override").exists()


def test_editor_overrides_from_the_admin(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", password="x")
    # Reach on applications comes from view_application (applicants.privacy.access), as for the editor role.
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"),
                                Permission.objects.get(codename="view_application"),
                                Permission.objects.get(codename="change_application"))
    client.force_login(editor)
    application = ApplicationFactory(status=ApplicationStatus.NOT_ELIGIBLE)
    url = reverse("welfare:override", args=[application.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 200 and 'id="id_reason"' in refused.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOT_ELIGIBLE and not application.eligibility_override
    response = client.post(url, {"reason": "Data KK baru belum masuk register"})
    assert response.status_code == 302
    assert response.url == reverse("applicants_application_modeladmin_inspect", args=[application.pk])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.VERIFIED and application.eligibility_override


def test_check_eligibility_command_checks_on_demand(capsys):
    application = ApplicationFactory(submitted=True)
    record_for(application)
    call_command("check_eligibility")
    application.refresh_from_db()
    assert application.eligibility == Eligibility.VERIFIED
    assert "verified 1" in capsys.readouterr().out
