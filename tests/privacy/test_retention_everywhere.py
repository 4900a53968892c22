"""Retention reaches every copy of personal data: background export files and their jobs, rejected
register rows, and imports a crashed worker left half-written."""

import datetime
import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.models import WelfareImportBatch, WelfareRecord, WelfareRejection
from applicants.privacy.retention import apply_retention
from programs.registers.models import ExportJob
from tests.factories import ApplicationFactory, UserFactory, WelfareImportBatchFactory, WelfareRecordFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
NIK = "3671014105900017"
State = WelfareImportBatch.State


def _age(model, obj, **delta):
    model.objects.filter(pk=obj.pk).update(created_at=NOW - datetime.timedelta(**delta))


def _export(user, days_old: float, name: str) -> tuple[ExportJob, Path]:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    job = ExportJob.objects.create(user=user, register_key="pendaftar", params={"q": [NIK]}, file_name=name,
                                   status=ExportJob.Status.DONE)
    path = folder / f"{job.pk}_{name}"
    path.write_bytes(b"PK xlsx with NIK " + NIK.encode())
    ExportJob.objects.filter(pk=job.pk).update(file_path=str(path.relative_to(settings.PRIVATE_MEDIA_ROOT)))
    _age(ExportJob, job, days=days_old)
    stamp = (NOW - datetime.timedelta(days=days_old)).timestamp()
    os.utime(path, (stamp, stamp))
    return job, path


def _stray(days_old: float, name: str) -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "exports" / name
    path.write_bytes(b"left behind by a crashed worker")
    stamp = (NOW - datetime.timedelta(days=days_old)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


@pytest.fixture
def exports(settings):
    settings.RETENTION_EXPORT_DAYS = 7
    editor = UserFactory(editor=True)
    old_job, old_file = _export(editor, 8, "pendaftar-lama.xlsx")
    new_job, new_file = _export(editor, 6, "pendaftar-baru.xlsx")
    return {"editor": editor, "old_job": old_job, "old_file": old_file, "new_job": new_job, "new_file": new_file,
            "old_stray": _stray(30, "99999_sisa.xlsx"), "new_stray": _stray(1, "99998_sedang-ditulis.xlsx")}


def test_old_background_exports_lose_file_and_job_with_its_searched_nik(exports, client):
    report = apply_retention(now=NOW)
    assert (report.export_jobs, report.export_files) == (1, 2)
    assert not exports["old_file"].exists() and not exports["old_stray"].exists()
    assert exports["new_file"].exists() and exports["new_stray"].exists()
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [exports["new_job"].pk]
    assert not ExportJob.objects.filter(params__icontains=NIK[:8]).exclude(pk=exports["new_job"].pk).exists()
    client.force_login(exports["editor"])
    assert client.get(f"/admin/registers/exports/{exports['old_job'].pk}/download/").status_code == 404
    assert client.get(f"/admin/registers/exports/{exports['new_job'].pk}/download/").status_code == 200
    assert ModelLogEntry.objects.get(action="sigap.retention").data["export_jobs"] == 1
    assert apply_retention(now=NOW).export_jobs == 0


def test_dry_run_counts_exports_but_deletes_nothing(exports):
    report = apply_retention(dry_run=True, now=NOW)
    assert (report.export_jobs, report.export_files) == (1, 2)
    assert exports["old_file"].exists() and exports["old_stray"].exists() and ExportJob.objects.count() == 2


def test_a_job_whose_file_is_already_gone_is_still_deleted(exports):
    exports["old_file"].unlink()
    report = apply_retention(now=NOW)
    assert report.export_jobs == 1 and not ExportJob.objects.filter(pk=exports["old_job"].pk).exists()


def test_rejected_register_rows_go_after_their_window_even_in_the_current_batch(settings):
    settings.RETENTION_REJECTED_ROWS_DAYS = 90
    current = WelfareImportBatchFactory(state=State.CURRENT, rows_rejected=2)
    WelfareRecordFactory.create_batch(2, batch=current)
    recent = WelfareImportBatchFactory(state=State.DRY_RUN, rows_rejected=1)
    for batch in (current, current, recent):
        WelfareRejection.objects.create(batch=batch, row_number=7, reason="NIK salah", raw=[NIK, "SITI"])
    _age(WelfareImportBatch, current, days=91)
    _age(WelfareImportBatch, recent, days=89)
    report = apply_retention(now=NOW)
    assert report.rejected_rows == 2 and report.register_rows == 0
    assert list(WelfareRejection.objects.values_list("batch_id", flat=True)) == [recent.pk]
    current.refresh_from_db()
    assert current.state == State.CURRENT and current.rows_rejected == 2 and current.records.count() == 2
    assert apply_retention(now=NOW).rejected_rows == 0


def test_an_import_left_processing_by_a_crashed_worker_is_failed_and_its_rows_deleted(settings):
    settings.RETENTION_UNFINISHED_IMPORT_HOURS = 24
    stale = WelfareImportBatchFactory(state=State.PROCESSING)
    running = WelfareImportBatchFactory(state=State.PROCESSING, register="dtks")
    for batch in (stale, running):
        WelfareRecordFactory.create_batch(3, batch=batch)
        WelfareRejection.objects.create(batch=batch, row_number=9, reason="KK salah", raw=[NIK])
    application = ApplicationFactory(eligibility="verified", eligibility_record=stale.records.first())
    _age(WelfareImportBatch, stale, hours=25)
    _age(WelfareImportBatch, running, hours=2)

    assert apply_retention(dry_run=True, now=NOW).unfinished_batches == 1
    assert WelfareRecord.objects.filter(batch=stale).count() == 3

    report = apply_retention(now=NOW)
    assert (report.unfinished_batches, report.register_rows, report.rejected_rows) == (1, 3, 1)
    stale.refresh_from_db()
    running.refresh_from_db()
    assert stale.state == State.FAILED and stale.finished_at and "tidak selesai" in stale.error
    assert not stale.records.exists() and not stale.rejections.exists()
    assert running.state == State.PROCESSING and running.records.count() == 3 and running.rejections.count() == 1
    application.refresh_from_db()
    assert application.eligibility == "verified" and application.eligibility_record is None
    assert apply_retention(now=NOW).unfinished_batches == 0


def test_command_reports_the_new_categories(exports):
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "Ekspor latar belakang (> 7 hari): 1 tugas dan 2 berkas akan dihapus" in out.getvalue()
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "1 tugas dan 2 berkas dihapus" in out.getvalue()
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "Tidak ada yang perlu diubah." in out.getvalue()


def test_staff_login_log_and_expired_failed_attempts_go(settings):
    from axes.models import AccessAttempt, AccessLog

    settings.RETENTION_LOGIN_LOG_DAYS = 180
    settings.LOGIN_LOCKOUT_SECONDS = 900

    def at(model, **delta):
        row = model.objects.create(username="editor", ip_address="10.0.0.1", user_agent=str(delta), http_accept="x",
                                   path_info="/admin/login/",
                                   **({"failures_since_start": 1, "get_data": "", "post_data": "username=Rahasia123"}
                                      if model is AccessAttempt else {}))
        model.objects.filter(pk=row.pk).update(attempt_time=NOW - datetime.timedelta(**delta))  # auto_now_add
        return row.pk

    old_log, new_log = at(AccessLog, days=181), at(AccessLog, days=10)
    old_try, live_try = at(AccessAttempt, minutes=16), at(AccessAttempt, minutes=5)
    assert apply_retention(dry_run=True, now=NOW).login_records == 2
    assert apply_retention(now=NOW).login_records == 2
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [new_log] and old_log != new_log
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [live_try] and old_try != live_try


def test_anonymising_reaches_free_text_about_the_person_elsewhere_and_log_labels_with_the_name():
    from applicants.models import CapitalAward, DataSubjectRequest, Enrolment, FollowUp
    from applicants.privacy.retention import ANONYMOUS_NAME, erase_applicant
    from tests.factories import CapitalPackageFactory, EnrolmentFactory

    editor = UserFactory(editor=True)
    enrolment = EnrolmentFactory(status=Enrolment.Status.COMPLETED)
    person = enrolment.application.applicant
    person.full_name = "Siti Rahasia"
    person.save()
    enrolment.record_publication_consent(editor, "Formulir ditandatangani Siti Rahasia")
    FollowUp.objects.create(enrolment=enrolment, milestone=3, working_status="employed", income_band="lt_1m",
                            note="Siti Rahasia bekerja di warung")
    award = CapitalAward.propose(user=editor, package=CapitalPackageFactory(), enrolment=enrolment, place=2)
    award.cancel(editor, "Pindah domisili")
    done = DataSubjectRequest.register(applicant=person, kind="access", requester_name="Siti Rahasia",
                                       channel="letter", details="Surat dari Siti Rahasia", user=editor)
    done.close(user=editor, outcome="Diserahkan ke Siti Rahasia")
    DataSubjectRequest.register(applicant=person, kind="erasure", requester_name="Siti Rahasia",
                                channel="letter", details="Hapus data Siti Rahasia", user=editor)

    erase_applicant(person, editor)

    enrolment.refresh_from_db()
    assert enrolment.publication_consent_note == "" and enrolment.withdrawal_reason == ""
    assert FollowUp.objects.get(enrolment=enrolment).note == ""
    requests = list(DataSubjectRequest.objects.filter(applicant=person).order_by("pk").values_list(
        "requester_name", "details", "outcome", "status"))
    assert requests == [(ANONYMOUS_NAME, "", "(dianonimkan)", "done"), (ANONYMOUS_NAME, "", "", "open")]
    labels = " ".join(ModelLogEntry.objects.values_list("label", flat=True))
    data = " ".join(str(d) for d in ModelLogEntry.objects.values_list("data", flat=True))
    assert "Siti Rahasia" not in labels and "Siti Rahasia" not in data
