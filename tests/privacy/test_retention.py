"""Retention: exactly the intended records are anonymised, figures stay true, runs are idempotent."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus
from applicants.models import Applicant, Application, Interview, WelfareImportBatch, WelfareRecord, WelfareRejection
from applicants.privacy.audit import log_personal_data_access
from applicants.privacy.retention import ANONYMOUS_NAME, anonymised_identity, apply_retention
from programs.models import Kelurahan
from tests.factories import ApplicantFactory, ApplicationFactory, InterviewFactory, make_nik

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def ago(years, days=0):
    return NOW - datetime.timedelta(days=365 * years + days)


@pytest.fixture
def people(settings, django_user_model):
    settings.RETENTION_NOT_ENROLLED_YEARS = 2
    settings.RETENTION_ARCHIVE_YEARS = 10
    kelurahan = list(Kelurahan.objects.order_by("code")[:3])
    staff = django_user_model.objects.create_user("iv", password="x")

    def person(name, kel, *applications, sex="L"):
        applicant = ApplicantFactory(full_name=name, kelurahan=kel, sex=sex, birth_date=datetime.date(1990, 5, 17))
        for submitted, status in applications:
            application = ApplicationFactory(applicant=applicant, submitted_at=submitted, status=status)
            InterviewFactory(held=True, application=application, interviewer=staff, note=f"catatan {name}")
        return applicant

    S, E = ApplicationStatus.SUBMITTED, ApplicationStatus.ENROLLED
    people = {
        "old_not_enrolled": person("Lama Gagal", kelurahan[0], (ago(3), ApplicationStatus.REJECTED), sex="P"),
        "old_enrolled": person("Lama Lulus", kelurahan[0], (ago(3), E)),
        "recent_not_enrolled": person("Baru", kelurahan[1], (ago(1), S)),
        "old_then_recent": person("Daftar Lagi", kelurahan[1], (ago(5), S), (ago(0, 30), S)),
        "archive_enrolled": person("Arsip", kelurahan[2], (ago(11), E)),
        "old_restricted": person("Dibatasi", kelurahan[2], (ago(4), S)),
        "never_applied_old": person("Tanpa Daftar", kelurahan[2]),
    }
    Applicant.objects.filter(pk=people["old_restricted"].pk).update(processing_restricted=True)
    Applicant.objects.filter(pk=people["never_applied_old"].pk).update(created_at=ago(3))
    return people


def figures():
    """What dashboards count: applications per intake, kelurahan, sex, birth year and status."""
    return sorted(
        Application.objects.values(
            "intake_id", "applicant__kelurahan_id", "applicant__sex", "applicant__birth_date__year", "status"
        )
        .annotate(n=Count("id"))
        .values_list("intake_id", "applicant__kelurahan_id", "applicant__sex", "applicant__birth_date__year",
                     "status", "n")
    )


def anonymised_names():
    return set(Applicant.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True))


def test_retention_anonymises_exactly_the_intended_people_and_keeps_the_figures(people):
    before, rows_before = figures(), Application.objects.count()
    report = apply_retention(now=NOW)
    expected = {people[k].pk for k in ("old_not_enrolled", "archive_enrolled", "never_applied_old")}
    assert anonymised_names() == expected
    assert (report.not_enrolled, report.archived, report.skipped_restricted) == (2, 1, 1)
    assert figures() == before
    assert Application.objects.count() == rows_before == 7
    gone = Applicant.objects.get(pk=people["old_not_enrolled"].pk)
    assert gone.nik == anonymised_identity(gone.pk) == gone.kk_number
    assert (gone.full_name, gone.phone, gone.address, gone.rt, gone.rw, gone.occupation) == (
        ANONYMOUS_NAME, "", "", "", "", "")
    assert gone.birth_date == datetime.date(1990, 1, 1) and gone.sex == "P"
    assert set(gone.applications.values_list("motivation", flat=True)) == {""}
    assert set(Interview.objects.filter(application__applicant=gone).values_list("note", flat=True)) == {""}
    kept = Applicant.objects.get(pk=people["old_enrolled"].pk)
    assert kept.full_name == "Lama Lulus" and kept.nik.isdigit()
    assert Interview.objects.filter(note="catatan Daftar Lagi").count() == 2


def test_anonymised_applicant_still_passes_model_validation(people):
    apply_retention(now=NOW)
    gone = Applicant.objects.get(pk=people["old_not_enrolled"].pk)
    gone.phone = "+6281234567890"  # the only required field left empty; an admin form may set it again
    gone.address, gone.rt, gone.rw = "-", "-", "-"
    gone.full_clean()


def test_second_run_changes_nothing(people):
    apply_retention(now=NOW)
    snapshot = list(Applicant.objects.order_by("pk").values())
    report = apply_retention(now=NOW + datetime.timedelta(hours=1))
    assert (report.anonymised, report.register_rows) == (0, 0)
    assert list(Applicant.objects.order_by("pk").values()) == snapshot


def test_dry_run_counts_but_changes_nothing(people):
    snapshot = list(Applicant.objects.order_by("pk").values())
    report = apply_retention(dry_run=True, now=NOW)
    assert (report.not_enrolled, report.archived) == (2, 1)
    assert list(Applicant.objects.order_by("pk").values()) == snapshot
    assert not ModelLogEntry.objects.filter(action="sigap.retention").exists()


def test_audit_log_labels_of_anonymised_people_lose_the_name(people):
    log_personal_data_access(None, people["old_not_enrolled"], "detail")
    log_personal_data_access(None, people["old_enrolled"], "detail")
    apply_retention(now=NOW)
    labels = set(ModelLogEntry.objects.filter(action="sigap.view_personal_data").values_list("label", flat=True))
    assert labels == {ANONYMOUS_NAME, "Lama Lulus"}
    assert ModelLogEntry.objects.get(action="sigap.retention").data["not_enrolled"] == 2


def _batch(state, created, register="dtsen"):
    batch = WelfareImportBatch.objects.create(register=register, as_of=created.date(), file_name="x.xlsx",
                                              file_sha256="0" * 64, state=state)
    WelfareImportBatch.objects.filter(pk=batch.pk).update(created_at=created)
    for row in range(3):
        WelfareRecord.objects.create(batch=batch, row_number=row + 2, full_name=f"Warga {row}",
                                     nik=make_nik(datetime.date(1990, 5, 17), serial=row),
                                     kk_number="3671010101000001")
    WelfareRejection.objects.create(batch=batch, row_number=9, reason="NIK salah", raw={"nik": "123"})
    return batch


def test_rows_of_register_extracts_superseded_long_ago_are_deleted_but_results_kept(settings):
    settings.RETENTION_REGISTER_YEARS = 2
    S = WelfareImportBatch.State
    old = _batch(S.SUPERSEDED, ago(4))  # replaced by `middle` 3 years ago: rows go
    middle = _batch(S.SUPERSEDED, ago(3))  # replaced by `current` 1 year ago: rows stay
    current = _batch(S.CURRENT, ago(1))
    failed = _batch(S.FAILED, ago(3))
    application = ApplicationFactory(submitted=True, eligibility="verified", eligibility_record=old.records.first())
    report = apply_retention(now=NOW)
    assert (report.register_batches, report.register_rows, report.register_rejections) == (2, 6, 2)
    assert set(WelfareRecord.objects.values_list("batch_id", flat=True)) == {middle.pk, current.pk}
    assert WelfareImportBatch.objects.filter(pk=old.pk, rows_read=0).exists() and not failed.rejections.exists()
    application.refresh_from_db()
    assert application.eligibility == "verified" and application.eligibility_record is None
    assert apply_retention(now=NOW).register_rows == 0


def test_command_prints_each_category_and_dry_run_says_so(people):
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "[UJI COBA]" in text and "2 akan dianonimkan" in text and "Dilewati karena pemrosesan dibatasi: 1" in text
    assert not anonymised_names()
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "2 dianonimkan" in out.getvalue() and "1 dianonimkan" in out.getvalue()
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "Tidak ada yang perlu diubah." in out.getvalue()
