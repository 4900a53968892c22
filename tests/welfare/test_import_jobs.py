"""Register imports as background jobs that never mislead: preview, confirmation, partial extracts, overrides,
progress pages that belong to their uploader, and cleanup after a killed worker."""

import datetime
import importlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus as S
from applicants.enums import DecisionReason, Eligibility
from applicants.intake.bulk_actions import change_status
from applicants.models import Application, WelfareImportBatch
from applicants.welfare.eligibility import check_application
from applicants.welfare.importer import ImportStateError, confirm_import, import_register
from applicants.welfare.jobs import cleanup_imports
from applicants.workflow import TransitionError
from programs.models import Kelurahan
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    WelfareImportBatchFactory,
    WelfareRecordFactory,
)
from tests.welfare.test_welfare_import import write_csv

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
HEADER = ["NIK", "No KK", "Nama", "Kode Kelurahan", "Desil"]


def kelurahan_in(kecamatan_name):
    return Kelurahan.objects.filter(kecamatan__name__iexact=kecamatan_name).order_by("code").first()


def applying(kelurahan, **kwargs):
    return ApplicationFactory(applicant=ApplicantFactory(kelurahan=kelurahan), **{"submitted": True, **kwargs})


def extract(tmp_path, applications, name="dtsen.csv"):
    """A DTSEN extract listing these applicants in their own kelurahan (desil 2)."""
    rows = [[a.applicant.nik, a.applicant.kk_number, a.applicant.full_name, a.applicant.kelurahan.code, "2"]
            for a in applications]
    return write_csv(tmp_path / name, rows, header=HEADER, title=False)


@pytest.fixture
def two_kecamatan():
    return kelurahan_in("Karawaci"), kelurahan_in("Cipondoh")


@pytest.fixture
def city(tmp_path, two_kecamatan):
    """A current register covering both kecamatan: one verified applicant in each, one missing in Karawaci."""
    karawaci, cipondoh = two_kecamatan
    kept, elsewhere, missing = applying(karawaci), applying(cipondoh), applying(karawaci)
    import_register(extract(tmp_path, [kept, elsewhere], "awal.csv"))
    for application in (kept, elsewhere, missing):
        application.refresh_from_db()
    assert (kept.status, elsewhere.status, missing.status) == (S.VERIFIED, S.VERIFIED, S.NOT_ELIGIBLE)
    return kept, elsewhere, missing


# --- Preview and confirmation --------------------------------------------------------------------------


def test_preview_shows_moves_per_kecamatan_and_nothing_changes_until_confirmed(tmp_path, city):
    kept, elsewhere, missing = city
    previous = WelfareImportBatch.objects.get(state="current")
    # A Karawaci-only extract: `missing` is now listed, `kept` is not.
    batch = import_register(extract(tmp_path, [missing], "karawaci.csv"), confirm=False)

    assert batch.state == "ready" and batch.kelurahan_ids == [missing.applicant.kelurahan_id]
    karawaci = kept.applicant.kelurahan.kecamatan.name
    row = {r["kecamatan"]: r for r in batch.preview["per_kecamatan"]}[karawaci]
    assert (row["demoted"], row["promoted"]) == (1, 1)
    assert batch.preview["totals"]["demoted"] == 1 and batch.preview["kelurahan_count"] == 1
    assert {r["kecamatan"] for r in batch.preview["per_kecamatan"]} == {karawaci}  # Cipondoh not touched
    assert set(Application.objects.values_list("status", flat=True)) == {S.VERIFIED, S.NOT_ELIGIBLE}
    kept.refresh_from_db()
    assert kept.status == S.VERIFIED
    assert WelfareImportBatch.objects.get(state="current") == previous

    confirm_import(batch)

    for application in (kept, elsewhere, missing):
        application.refresh_from_db()
    assert (kept.status, missing.status) == (S.NOT_ELIGIBLE, S.VERIFIED)
    assert elsewhere.status == S.VERIFIED  # outside the extract: its register row was carried over
    assert batch.records.filter(nik=elsewhere.applicant.nik).exists()
    previous.refresh_from_db()
    assert previous.state == "superseded"


def test_a_demotion_is_a_logged_transition_with_its_reason(tmp_path, city):
    kept, _elsewhere, missing = city
    batch = import_register(extract(tmp_path, [missing], "karawaci.csv"))
    entry = ModelLogEntry.objects.filter(action="sigap.application.not_eligible", object_id=str(kept.pk)).get()
    assert entry.data["from"] == S.VERIFIED and entry.data["to"] == S.NOT_ELIGIBLE
    assert entry.data["reason"] == DecisionReason.NOT_IN_REGISTER and entry.data["register_batch"] == batch.pk


def test_confirming_twice_changes_nothing_the_second_time(tmp_path, city):
    batch = import_register(extract(tmp_path, [city[2]], "k.csv"), confirm=False)
    confirm_import(batch)
    logged = ModelLogEntry.objects.count()
    with pytest.raises(ImportStateError, match="Berlaku"):
        confirm_import(batch)
    assert ModelLogEntry.objects.count() == logged


@pytest.mark.parametrize("state", ["failed", "cancelled", "dry_run", "superseded", "processing"])
def test_only_a_ready_batch_can_be_confirmed(city, state):
    current = WelfareImportBatch.objects.get(state="current")
    other = WelfareImportBatchFactory(state=state, base_batch=current)
    with pytest.raises(ImportStateError):
        confirm_import(other)
    current.refresh_from_db()
    assert current.state == "current"


def test_a_preview_made_stale_by_another_confirmed_import_cannot_be_confirmed(tmp_path, city):
    first = import_register(extract(tmp_path, [city[2]], "a.csv"), confirm=False)
    second = import_register(extract(tmp_path, [city[0]], "b.csv"), confirm=False)
    confirm_import(second)
    with pytest.raises(ImportStateError, match="sudah berubah"):
        confirm_import(first)
    second.refresh_from_db()
    assert second.state == "current"


def test_cancelling_a_ready_batch_removes_its_rows_and_keeps_the_register(tmp_path, city):
    from applicants.welfare.importer import cancel_import

    batch = import_register(extract(tmp_path, [city[2]], "a.csv"), confirm=False)
    cancel_import(batch)
    assert batch.state == "cancelled" and not batch.records.exists()
    with pytest.raises(ImportStateError):
        confirm_import(batch)


def test_a_register_covering_one_kecamatan_judges_nobody_elsewhere(tmp_path, two_kecamatan):
    karawaci, cipondoh = two_kecamatan
    listed, outside = applying(karawaci), applying(cipondoh)
    import_register(extract(tmp_path, [listed]))
    outside.refresh_from_db()
    assert outside.status == S.SUBMITTED and outside.eligibility == Eligibility.PENDING
    newcomer = applying(cipondoh)  # applies after the import: the check on arrival is bounded too
    assert check_application(newcomer) == Eligibility.PENDING and newcomer.status == S.SUBMITTED


# --- Overrides and decisions survive re-checks ---------------------------------------------------------


def test_an_override_survives_a_later_import(tmp_path, city, django_user_model):
    _kept, _elsewhere, missing = city
    editor = django_user_model.objects.create_user("editor", password="x")
    missing.override_eligibility(editor, "Usulan DTSEN sedang diproses kelurahan")
    import_register(extract(tmp_path, [city[0]], "lagi.csv"))  # still without `missing`
    missing.refresh_from_db()
    assert missing.status == S.VERIFIED and missing.eligibility == Eligibility.NOT_FOUND


def test_a_persons_not_eligible_decision_survives_a_register_that_lists_them(tmp_path, two_kecamatan):
    karawaci, _ = two_kecamatan
    application = applying(karawaci)
    application.mark_not_eligible(None, reason=DecisionReason.INCOMPLETE_DATA)
    import_register(extract(tmp_path, [application]))
    application.refresh_from_db()
    assert application.status == S.NOT_ELIGIBLE and application.eligibility == Eligibility.VERIFIED


def test_change_status_cannot_verify_past_a_negative_register_result(city, rf, django_user_model):
    _kept, _elsewhere, missing = city
    with pytest.raises(TransitionError, match="Kecualikan hasil cek kelayakan"):
        missing.transition_to(S.VERIFIED, None)
    request = rf.post("/")
    request.user = django_user_model.objects.create_user("editor", password="x")
    result = change_status(request, Application.objects.filter(pk=missing.pk), {"status": S.VERIFIED})
    assert result.done == 0 and "Kecualikan" in result.refused[0][1]
    missing.refresh_from_db()
    assert missing.status == S.NOT_ELIGIBLE


def test_declaring_a_register_verified_applicant_not_eligible_needs_a_reason(city):
    kept = city[0]
    with pytest.raises(TransitionError, match="Pilih alasan"):
        kept.transition_to(S.NOT_ELIGIBLE, None)
    kept.transition_to(S.NOT_ELIGIBLE, None, reason=DecisionReason.INCOMPLETE_DATA)
    assert kept.status == S.NOT_ELIGIBLE


def test_bulk_transition_applies_the_same_rule(city):
    from applicants.workflow import bulk_transition

    moved = bulk_transition(Application.objects.filter(pk=city[2].pk), S.VERIFIED)
    assert moved == 0


# --- What the resident reads -------------------------------------------------------------------------


def test_resident_is_not_told_not_eligible_by_the_machine_check_alone(city):
    missing = city[2]
    text = missing.public_status_text()
    assert "belum keputusan akhir" in text and "kelurahan" in text and "DTSEN" in text
    assert "belum memenuhi syarat" not in text and "Mohon maaf" not in text


@pytest.mark.parametrize("result", [Eligibility.KK_MISMATCH, Eligibility.DESIL_TOO_HIGH])
def test_resident_reads_what_to_do_for_each_register_result(result):
    application = ApplicationFactory(status=S.NOT_ELIGIBLE, eligibility=result)
    text = application.public_status_text()
    assert "belum keputusan akhir" in text and "kelurahan" in text


def test_after_a_persons_decision_the_resident_reads_the_reason():
    application = ApplicationFactory(status=S.SUBMITTED, eligibility=Eligibility.NOT_FOUND)
    application.mark_not_eligible(None)  # confirms the register's result: its reason becomes the decision's
    assert application.decision_reason == DecisionReason.NOT_IN_REGISTER
    text = application.public_status_text()
    assert text.startswith("Mohon maaf") and "Alasan:" in text and "hubungi Dinsos" in text


# --- Admin pages of a job --------------------------------------------------------------------------------


@pytest.fixture
def importer(django_user_model):
    def make(name):
        user = django_user_model.objects.create_user(name, password="x")
        user.user_permissions.add(
            Permission.objects.get(codename="access_admin"),
            Permission.objects.get(codename="add_welfareimportbatch"),
            Permission.objects.get(codename="change_application"),
        )
        return user
    return make


def test_upload_only_stores_the_file_and_queues_the_job(client, importer, tmp_path, settings,
                                                        django_capture_on_commit_callbacks):
    client.force_login(importer("editor"))
    application = applying(kelurahan_in("Karawaci"))
    content = extract(tmp_path, [application]).read_bytes()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("welfare:upload"), {"file": SimpleUploadedFile("d.csv", content),
                                                           "register": "dtsen"})
    batch = WelfareImportBatch.objects.get()
    assert response.status_code == 302 and batch.state == "processing" and len(callbacks) == 1
    stored = Path(settings.PRIVATE_MEDIA_ROOT) / batch.stored_file
    assert stored.read_bytes() == content and "welfare-imports" in batch.stored_file
    page = client.get(reverse("welfare:report", args=[batch.pk])).content.decode()
    assert "Menunggu giliran" in page and 'http-equiv="refresh"' in page
    assert client.get(reverse("welfare:progress", args=[batch.pk])).json()["queued"] is True

    callbacks[0]()  # the worker runs the job

    batch.refresh_from_db()
    assert batch.state == "ready" and not stored.exists() and batch.rows_accepted == 1
    application.refresh_from_db()
    assert application.status == S.SUBMITTED  # nothing changes before confirmation
    client.post(reverse("welfare:confirm", args=[batch.pk]))
    application.refresh_from_db()
    assert application.status == S.VERIFIED


def test_progress_json_reports_rows_and_time_left(client, importer):
    user = importer("editor")
    client.force_login(user)
    batch = WelfareImportBatchFactory(
        state="processing", uploaded_by=user, started_at=timezone.now() - datetime.timedelta(seconds=30),
        heartbeat_at=timezone.now(), bytes_total=1000, bytes_done=250, rows_read=5000, rows_accepted=4990,
        rows_rejected=10,
    )
    data = client.get(reverse("welfare:progress", args=[batch.pk])).json()
    assert (data["rows_read"], data["rows_accepted"], data["rows_rejected"], data["percent"]) == (5000, 4990, 10, 25)
    assert 80 <= data["seconds_left"] <= 100 and data["done"] is False


@pytest.mark.parametrize("name", ["progress", "confirm", "cancel"])
def test_another_users_job_is_not_found_by_typed_url(client, importer, name, tmp_path):
    owner, other = importer("pemilik"), importer("lain")
    application = applying(kelurahan_in("Karawaci"))
    batch = import_register(extract(tmp_path, [application]), user=owner, confirm=False)
    client.force_login(other)
    url = reverse(f"welfare:{name}", args=[batch.pk])
    response = client.get(url) if name == "progress" else client.post(url)
    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.state == "ready"
    assert reverse("welfare:confirm", args=[batch.pk]) not in client.get(
        reverse("welfare:report", args=[batch.pk])).content.decode()


def test_confirm_needs_post_and_the_import_permission(client, importer, django_user_model, tmp_path):
    owner = importer("pemilik")
    batch = import_register(extract(tmp_path, [applying(kelurahan_in("Karawaci"))]), user=owner, confirm=False)
    client.force_login(owner)
    assert client.get(reverse("welfare:confirm", args=[batch.pk])).status_code == 405
    owner.user_permissions.remove(Permission.objects.get(codename="add_welfareimportbatch"))
    client.force_login(django_user_model.objects.get(pk=owner.pk))
    assert client.post(reverse("welfare:confirm", args=[batch.pk])).status_code in (302, 403)  # admin's refusal
    batch.refresh_from_db()
    assert batch.state == "ready"


def test_confirming_twice_in_the_admin_shows_a_message(client, importer, tmp_path):
    owner = importer("pemilik")
    batch = import_register(extract(tmp_path, [applying(kelurahan_in("Karawaci"))]), user=owner, confirm=False)
    client.force_login(owner)
    client.post(reverse("welfare:confirm", args=[batch.pk]))
    response = client.post(reverse("welfare:confirm", args=[batch.pk]), follow=True)
    assert response.status_code == 200 and "hanya impor yang menunggu konfirmasi" in response.content.decode()


def test_the_application_page_links_to_the_override(client, city):
    from tests.factories import UserFactory

    client.force_login(UserFactory(editor=True))
    page = client.get(reverse("applicants_application_modeladmin_inspect", args=[city[2].pk]))
    assert reverse("welfare:override", args=[city[2].pk]) in page.content.decode()


# --- Dead jobs -------------------------------------------------------------------------------------------


def test_cleanup_ends_a_stale_import_and_leaves_a_live_one(city):
    current = WelfareImportBatch.objects.get(state="current")
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    dead = WelfareImportBatchFactory(state="processing", started_at=long_ago, heartbeat_at=long_ago)
    WelfareRecordFactory.create_batch(3, batch=dead)
    alive = WelfareImportBatchFactory(state="processing", started_at=long_ago, heartbeat_at=timezone.now())
    unconfirmed = WelfareImportBatchFactory(state="ready", finished_at=timezone.now() - datetime.timedelta(days=30))
    WelfareRecordFactory(batch=unconfirmed)

    counts = cleanup_imports()

    assert counts["stale"] == 1 and counts["unconfirmed"] == 1
    dead.refresh_from_db()
    assert dead.state == "failed" and "terhenti" in dead.error and not dead.records.exists()
    alive.refresh_from_db()
    unconfirmed.refresh_from_db()
    assert alive.state == "processing" and unconfirmed.state == "cancelled" and not unconfirmed.records.exists()
    current.refresh_from_db()
    assert current.state == "current" and current.records.count() == 2


def test_cleanup_command_reports(capsys):
    call_command("cleanup_imports", "--stale-minutes", "0")
    assert "Stale imports ended 0" in capsys.readouterr().out


def _big_extract(path: Path, rows: int, kelurahan_code: str) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(";".join(HEADER) + "\n")
        for i in range(rows):
            kecamatan = f"{i % 13 + 1:02d}"
            nik = f"3671{kecamatan}{(i // 9000) % 28 + 1:02d}0190{i % 9000 + 1:04d}"
            handle.write(f"{nik};{nik};WARGA {i};{kelurahan_code};2\n")
    return path


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_import_killed_mid_way_leaves_no_half_batch(tmp_path):
    """Kill -9 a real import process; the cleanup then ends its batch and the old register stays current."""
    if connection.vendor != "sqlite":
        pytest.skip("copies the SQLite test database into a file the subprocess opens")
    if not Kelurahan.objects.exists():  # an earlier transactional test emptied the reference tables
        importlib.import_module("programs.migrations.0002_load_regions").load(django_apps, None)
    kelurahan = kelurahan_in("Karawaci")
    previous = WelfareImportBatchFactory()
    WelfareRecordFactory(batch=previous)
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as target:  # the migrated test database, as a file a subprocess can open
        connection.ensure_connection()
        connection.connection.backup(target)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_ENV": "test"}
    extract_path = _big_extract(tmp_path / "besar.csv", 300_000, kelurahan.code)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_welfare_register", str(extract_path), "--yes"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )

    def batch_row():
        with sqlite3.connect(database, timeout=20) as db:
            return db.execute(
                "SELECT id, state, rows_accepted FROM applicants_welfareimportbatch WHERE id != ?", [previous.pk]
            ).fetchone()

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        row = batch_row()
        if row and row[2] >= 10_000:
            break
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    batch_id, state, accepted = batch_row()
    assert state == "processing" and 10_000 <= accepted < 300_000  # killed in the middle
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM applicants_welfarerecord WHERE batch_id = ?", [batch_id]).fetchone()[0]

    subprocess.run([sys.executable, "manage.py", "cleanup_imports", "--stale-minutes", "0"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)

    count = "SELECT count(*) FROM applicants_welfarerecord WHERE batch_id = ?"
    with sqlite3.connect(database) as db:
        states = dict(db.execute("SELECT id, state FROM applicants_welfareimportbatch").fetchall())
        left = db.execute(count, [batch_id]).fetchone()[0]
        kept = db.execute(count, [previous.pk]).fetchone()[0]
    assert states == {previous.pk: "current", batch_id: "failed"}
    assert left == 0 and kept == 1


def test_an_import_ended_by_the_cleanup_while_still_reading_stays_failed(tmp_path, city, monkeypatch):
    from applicants.welfare import importer

    original = importer._carry_over

    def cleanup_meanwhile(batch):
        original(batch)
        WelfareImportBatch.objects.filter(pk=batch.pk).update(
            heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
        )
        cleanup_imports()

    monkeypatch.setattr(importer, "_carry_over", cleanup_meanwhile)
    batch = import_register(extract(tmp_path, [city[2]], "lambat.csv"), confirm=False)
    assert batch.state == "failed" and not batch.records.exists()
    with pytest.raises(ImportStateError):
        confirm_import(batch)


def test_resident_who_just_applied_reads_next_steps_not_a_refusal(client):
    from django.core.cache import cache

    from tests.factories import KELURAHAN_CODE, build_site, open_intake, valid_data

    build_site()
    open_intake()
    cache.clear()
    covered = Kelurahan.objects.get(code=KELURAHAN_CODE)
    WelfareRecordFactory(batch=WelfareImportBatchFactory(coverage=[covered.pk]), kelurahan=covered)  # not them

    client.post("/daftar/", valid_data())
    application = Application.objects.select_related("applicant").latest("pk")
    assert application.status == S.NOT_ELIGIBLE  # the check on arrival ran at once
    html = client.post("/daftar/status/", {"reference": application.reference,
                                            "nik": application.applicant.nik}).content.decode()
    assert "belum keputusan akhir" in html and "mengusulkan Anda masuk DTSEN" in html
    assert "belum memenuhi syarat" not in html
