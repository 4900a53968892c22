"""Completion certificates: issued only to graduates, numbered, printable, verifiable by anyone through a
random token, withdrawn only with a reason, and refused while a person's processing is restricted."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from applicants.graduation.certificates import issue_for_cohort
from applicants.graduation.contacts import record_attempt
from applicants.models import Certificate, Enrolment
from applicants.privacy.subject_rights import export_subject_data, restrict_processing
from programs.models import Cohort
from tests.factories import (
    CertificateFactory,
    CohortFactory,
    EnrolmentFactory,
    RegisterOutcomeCheckFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory(editor=True)


def test_a_graduate_gets_a_numbered_certificate_with_an_unguessable_token_and_it_is_logged(editor):
    first, second = (Certificate.issue(g, editor) for g in EnrolmentFactory.create_batch(2, graduate=True))
    assert re.fullmatch(r"SK-SERT-\d{4}-000001", first.number)
    assert second.serial == first.serial + 1
    assert len(first.token) >= 22 and first.token != second.token
    assert first.number not in first.token and str(first.serial) != first.token
    entry = ModelLogEntry.objects.for_instance(first).get()
    assert entry.action == "sigap.certificate.issue" and entry.user == editor


@pytest.mark.parametrize("make", [
    lambda: EnrolmentFactory(graduate=True, failed=True),
    lambda: EnrolmentFactory(status=Enrolment.Status.ACTIVE),
    lambda: EnrolmentFactory(status=Enrolment.Status.WITHDRAWN),
    # marked completed but the class was never closed: the completion rule has not been applied
    lambda: EnrolmentFactory(status=Enrolment.Status.COMPLETED, cohort=CohortFactory(status=Cohort.Status.RUNNING)),
])
def test_who_did_not_complete_is_refused_and_nothing_is_saved(editor, make):
    with pytest.raises(ValidationError) as refused:
        Certificate.issue(make(), editor)
    assert "syarat kelulusan" in " ".join(refused.value.messages)
    assert not Certificate.objects.exists()


def test_a_second_valid_certificate_is_refused_but_one_may_be_reissued_after_withdrawal(editor):
    graduate = EnrolmentFactory(graduate=True)
    certificate = Certificate.issue(graduate, editor)
    with pytest.raises(ValidationError):
        Certificate.issue(graduate, editor)
    certificate.withdraw(editor, "Nama salah cetak")
    assert Certificate.issue(graduate, editor).number != certificate.number


def test_restricted_processing_refuses_issuance(editor):
    graduate = EnrolmentFactory(graduate=True)
    restrict_processing(graduate.application.applicant, editor, "Permintaan warga")
    with pytest.raises(ValidationError) as refused:
        Certificate.issue(graduate, editor)
    assert "dibatasi" in " ".join(refused.value.messages)
    assert not Certificate.objects.exists()


def test_class_wide_issuance_skips_the_failed_and_reports_the_restricted(editor):
    cohort = CohortFactory(status=Cohort.Status.COMPLETED)
    passed = EnrolmentFactory.create_batch(2, graduate=True, cohort=cohort)
    EnrolmentFactory(graduate=True, cohort=cohort, failed=True)
    restricted = EnrolmentFactory(graduate=True, cohort=cohort)
    restrict_processing(restricted.application.applicant, editor, "Permintaan warga")
    result = issue_for_cohort(cohort, editor)
    assert {c.enrolment_id for c in result.issued} == {e.pk for e in passed}
    assert [e.pk for e, _reason in result.refused] == [restricted.pk]
    assert issue_for_cohort(cohort, editor).issued == []  # again: nothing doubled


def test_withdrawal_needs_a_reason_and_is_logged(editor):
    certificate = CertificateFactory()
    with pytest.raises(ValidationError):
        certificate.withdraw(editor, "   ")
    certificate.refresh_from_db()
    assert certificate.is_valid
    certificate.withdraw(editor, "Ternyata tidak memenuhi kehadiran")
    certificate.refresh_from_db()
    assert certificate.state == Certificate.State.WITHDRAWN
    entry = ModelLogEntry.objects.for_instance(certificate).get(action="sigap.certificate.withdraw")
    assert entry.data["reason"] == "Ternyata tidak memenuhi kehadiran"


# --- the public verification page -------------------------------------------------------------------

def test_verification_page_shows_the_first_name_and_nothing_else_personal(client):
    certificate = CertificateFactory()
    applicant = certificate.enrolment.application.applicant
    applicant.full_name, applicant.address, applicant.phone = "Siti Nurhaliza Rahma", "Jl. Melati 7", "+6281299990000"
    applicant.save()
    response = client.get(f"/sertifikat/{certificate.token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Siti" in html and "Sah" in html.title()
    assert certificate.number in html and certificate.enrolment.cohort.name in html
    for personal in (applicant.nik, applicant.kk_number, "Nurhaliza", "Rahma", "Melati", "6281299990000",
                     applicant.nik[:6] + applicant.nik[-4:]):
        assert personal not in html
    assert "no-store" in response["Cache-Control"]


def test_withdrawn_certificate_shows_withdrawn(client):
    certificate = CertificateFactory(withdrawn=True)
    html = client.get(f"/sertifikat/{certificate.token}/").content.decode()
    assert "DICABUT" in html and "SAH dan berlaku" not in html
    assert "Data kelulusan keliru" not in html  # the reason is internal


@pytest.mark.parametrize("code", ["tidak-ada", "SK-SERT-2026-000001", "1", "x" * 500, "%00", "'or'1'='1"])
def test_unknown_or_guessed_code_is_404(client, code):
    CertificateFactory(year=2026, serial=1)
    assert client.get(f"/sertifikat/{code}/").status_code == 404


# --- staff screens ----------------------------------------------------------------------------------

def test_editor_issues_from_the_admin_and_prints_with_a_local_qr_code(client, editor):
    graduate = EnrolmentFactory(graduate=True)
    client.force_login(editor)
    response = client.post(reverse("graduation:enrolment_issue", args=[graduate.pk]))
    certificate = Certificate.objects.get(enrolment=graduate)
    assert response.status_code == 302
    printed = client.get(reverse("graduation:certificate_print", args=[certificate.pk]))
    html = printed.content.decode()
    assert printed.status_code == 200 and "<svg" in html and "@media print" in html
    assert "DINAS SOSIAL" in html and certificate.token in html and certificate.number in html
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")


def test_class_issue_and_withdraw_through_the_admin(client, editor):
    cohort = CohortFactory(status=Cohort.Status.COMPLETED)
    EnrolmentFactory.create_batch(2, graduate=True, cohort=cohort)
    client.force_login(editor)
    client.post(reverse("graduation:cohort_issue", args=[cohort.pk]))
    certificate = Certificate.objects.filter(enrolment__cohort=cohort).first()
    assert Certificate.objects.filter(enrolment__cohort=cohort).count() == 2
    client.post(reverse("graduation:certificate_detail", args=[certificate.pk]), {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.is_valid  # no reason, no withdrawal
    client.post(reverse("graduation:certificate_detail", args=[certificate.pk]), {"reason": "Salah peserta"})
    certificate.refresh_from_db()
    assert not certificate.is_valid
    assert client.get(reverse("graduation:certificate_print", args=[certificate.pk])).status_code == 403


@pytest.mark.parametrize("make_user", [
    lambda: UserFactory(interviewer=True), lambda: UserFactory(is_staff=True), lambda: UserFactory(groups=["Humas"]),
    lambda: UserFactory(groups=["Auditor"]),
])
def test_roles_without_delivery_writes_are_refused(client, make_user):
    graduate = EnrolmentFactory(graduate=True)
    client.force_login(make_user())
    # 403 from our gate; a user without admin access at all is sent to the login page by Wagtail
    assert client.post(reverse("graduation:enrolment_issue", args=[graduate.pk])).status_code in (302, 403)
    assert client.post(reverse("graduation:cohort_issue", args=[graduate.cohort_id])).status_code in (302, 403)
    assert not Certificate.objects.exists()


def test_auditor_reads_but_cannot_withdraw(client):
    certificate = CertificateFactory()
    client.force_login(UserFactory(groups=["Auditor"]))
    assert client.get(reverse("graduation:certificate_detail", args=[certificate.pk])).status_code == 200
    assert client.post(reverse("graduation:certificate_detail", args=[certificate.pk]),
                       {"reason": "x"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_restricted_person_is_refused_through_the_admin_too(client, editor):
    graduate = EnrolmentFactory(graduate=True)
    restrict_processing(graduate.application.applicant, editor, "Permintaan warga")
    client.force_login(editor)
    client.post(reverse("graduation:enrolment_issue", args=[graduate.pk]))
    assert not Certificate.objects.exists()


def test_unknown_ids_in_admin_urls_are_404(client, editor):
    client.force_login(editor)
    assert client.get(reverse("graduation:certificate_detail", args=[999999])).status_code == 404
    assert client.post(reverse("graduation:enrolment_issue", args=[999999])).status_code == 404


def test_the_subject_access_export_holds_certificates_register_checks_and_contact_attempts(editor):
    certificate = CertificateFactory()
    graduate = certificate.enrolment
    RegisterOutcomeCheckFactory(enrolment=graduate, bansos_raw="PKH", receives_bansos=True)
    record_attempt(editor, enrolment=graduate, milestone=3, channel="call", result="reached")
    data = json.loads(export_subject_data(graduate.application.applicant, editor))["kelulusan"]
    assert data["sertifikat"][0]["number"] == certificate.number
    assert data["cek_register"][0]["bansos_raw"] == "PKH"
    assert data["upaya_kontak"][0]["result"] == "reached"
    assert editor.username not in json.dumps(data)
