"""Lists of earlier recipients of other programs: imported with the welfare register's rules (digit
normaliser, row-level rejections, hostile files refused), scoped by kecamatan, and kept no longer than
the welfare imports."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applicants.allocation.importer import import_list
from applicants.models import RecipientListBatch, RecipientListRecord, RecipientListRejection
from programs.models import Kecamatan, Kelurahan
from tests.factories import (
    RecipientListBatchFactory,
    RecipientListRecordFactory,
    RecipientListRejectionFactory,
    UserFactory,
    make_kk,
    make_nik,
)
from tests.welfare.test_hostile_files import CASES

pytestmark = pytest.mark.django_db

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
REGISTER_URL = "applicants_recipientlistrecord_modeladmin_index"


def write_list(path: Path, rows, header=("NIK", "No KK", "Nama", "Program", "Tahun", "Kelurahan")) -> Path:
    lines = ["DAFTAR PENERIMA PENA KEMENSOS", "", ";".join(header), *(";".join(row) for row in rows)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    return path


def test_a_list_is_imported_with_the_register_rules_and_a_row_level_report(tmp_path):
    good, kk = make_nik(serial=11), make_kk(11)
    path = write_list(tmp_path / "pena.csv", [
        [good.translate(ARABIC_INDIC), kk.translate(ARABIC_INDIC), "SITI", "PENA", "2025", "Sukarasa"],
        [make_nik(serial=12), "", "BUDI", "", "", ""],  # program and year from the upload, kecamatan from the NIK
        ["12345", "", "SALAH", "PENA", "2025", ""],
        ["3.67101E+15", "", "EXCEL", "PENA", "2025", ""],
        [make_nik(serial=13), "", "TAHUN", "PENA", "20x5", ""],
        [good, kk, "SITI LAGI", "PENA", "2025", "Sukarasa"],
        ["", "", "", "", "", ""],
    ])
    batch = import_list(path, program="KUBE", year=2024)
    assert batch.state == RecipientListBatch.State.DONE
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected, batch.rows_duplicate) == (6, 2, 3, 1)
    siti = RecipientListRecord.objects.get(full_name="SITI")
    assert (siti.nik, siti.kk_number, siti.program, siti.year) == (good, kk, "PENA", 2025)
    assert siti.kecamatan == Kelurahan.objects.get(name="Sukarasa").kecamatan
    budi = RecipientListRecord.objects.get(full_name="BUDI")
    assert (budi.program, budi.year, budi.kecamatan.code) == ("KUBE", 2024, "36.71.01")
    reasons = dict(RecipientListRejection.objects.values_list("row_number", "reason"))
    assert "NIK" in reasons[6]
    assert "tersimpan sebagai angka oleh Excel" in reasons[7]
    assert "Tahun bukan tahun" in reasons[8]
    assert reasons[9] == "Duplikat baris 4."


def test_a_file_without_a_nik_column_is_refused_as_a_whole(tmp_path):
    path = write_list(tmp_path / "tanpa-nik.csv", [["SITI", "PENA"]], header=("Nama", "Program"))
    batch = import_list(path, program="PENA", year=2025)
    assert batch.state == RecipientListBatch.State.FAILED and "kolom NIK" in batch.error
    assert not RecipientListRecord.objects.exists()


@pytest.fixture
def importer_client(client):
    client.force_login(UserFactory(editor=True))
    return client


@pytest.mark.parametrize(("make", "message"), CASES, ids=[make.__name__ for make, _m in CASES])
def test_a_hostile_file_is_refused_next_to_the_field_like_the_welfare_importer(
    importer_client, tmp_path, settings, make, message, django_capture_on_commit_callbacks
):
    path = make(tmp_path)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = importer_client.post(reverse("allocation:upload"), {
            "file": SimpleUploadedFile(path.name, path.read_bytes()), "program": "PENA", "year": "2025",
        })
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert str(tmp_path) not in page and "/tmp" not in page
    assert not callbacks and not RecipientListBatch.objects.exists()
    uploads = Path(settings.PRIVATE_MEDIA_ROOT) / "recipient-lists"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_upload_runs_in_the_background_and_leaves_no_stored_file(
    importer_client, tmp_path, settings, django_capture_on_commit_callbacks
):
    path = write_list(tmp_path / "pena.csv", [[make_nik(serial=21), "", "SITI", "PENA", "2025", ""],
                                              ["123", "", "X", "PENA", "2025", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        response = importer_client.post(reverse("allocation:upload"), {
            "file": SimpleUploadedFile(path.name, path.read_bytes()), "program": "PENA", "year": "2025",
        })
    batch = RecipientListBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("allocation:report", args=[batch.pk])
    assert batch.state == RecipientListBatch.State.DONE and batch.rows_accepted == 1 and batch.stored_file == ""
    assert not any((Path(settings.PRIVATE_MEDIA_ROOT) / "recipient-lists").iterdir())
    page = importer_client.get(response.url).content.decode()
    assert "Diimpor" in page and "1 diterima, 1 ditolak" in page
    xlsx = importer_client.get(reverse("allocation:rejections_xlsx", args=[batch.pk]))
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].startswith("attachment")


def test_a_year_after_next_year_is_refused_next_to_the_field(importer_client, tmp_path):
    path = write_list(tmp_path / "pena.csv", [[make_nik(serial=21), "", "SITI", "PENA", "2025", ""]])
    response = importer_client.post(reverse("allocation:upload"), {
        "file": SimpleUploadedFile(path.name, path.read_bytes()), "program": "PENA", "year": "2999",
    })
    assert response.status_code == 200 and "Tahun tidak boleh setelah tahun depan" in response.content.decode()
    assert not RecipientListBatch.objects.exists()


def test_an_editor_of_one_kecamatan_sees_only_its_rows_and_never_the_import_report(client):
    kec1, kec2 = Kecamatan.objects.order_by("code")[:2]
    batch = RecipientListBatchFactory()
    RecipientListRecordFactory(batch=batch, full_name="WARGA KEC SATU", kecamatan=kec1)
    RecipientListRecordFactory(batch=batch, full_name="WARGA KEC DUA", kecamatan=kec2)
    RecipientListRecordFactory(batch=batch, full_name="WARGA TANPA KEC", kecamatan=None)
    RecipientListRejectionFactory(batch=batch, reason="NIK: ditolak", raw=[["NIK", "3671020000000000"]])
    client.force_login(UserFactory(editor=True, kecamatan=[kec1]))
    page = client.get(reverse(REGISTER_URL)).content.decode()
    assert "WARGA KEC SATU" in page and "WARGA KEC DUA" not in page and "WARGA TANPA KEC" not in page
    search = client.get(reverse(REGISTER_URL), {"q": "WARGA KEC DUA"}).content.decode()
    assert 'data-register-count="0"' in search  # the query is echoed back, no row matches
    assert client.get(reverse("allocation:report", args=[batch.pk])).status_code == 403
    assert client.get(reverse("allocation:rejections_xlsx", args=[batch.pk])).status_code == 403
    assert client.get(reverse("allocation:upload")).status_code == 403


def test_comms_and_interviewers_reach_no_list_rows(client):
    RecipientListRecordFactory(full_name="WARGA RAHASIA")
    for user in (UserFactory(comms=True), UserFactory(interviewer=True)):
        client.force_login(user)
        response = client.get(reverse(REGISTER_URL))
        assert "WARGA RAHASIA" not in response.content.decode()


def test_retention_deletes_old_list_rows_and_rejections_but_keeps_the_list(settings):
    import datetime

    from django.utils import timezone

    from applicants.privacy.retention import apply_retention

    old = RecipientListBatchFactory()
    RecipientListRecordFactory(batch=old)
    RecipientListRejectionFactory(batch=old)
    RecipientListBatch.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=365 * settings.RETENTION_REGISTER_YEARS + 30))
    fresh = RecipientListRecordFactory()
    report = apply_retention()
    assert report.recipient_list_rows == 1 and report.recipient_list_rejections == 1
    assert RecipientListBatch.objects.filter(pk=old.pk).exists()
    assert list(RecipientListRecord.objects.all()) == [fresh]


def test_a_long_field_deep_in_the_file_fails_the_list_visibly_and_keeps_no_rows(tmp_path):
    from tests.welfare.test_hostile_files import long_field_csv

    batch = import_list(long_field_csv(tmp_path, row=40), program="PENA", year=2025)
    assert batch.state == RecipientListBatch.State.FAILED and "terlalu panjang" in batch.error
    assert str(tmp_path) not in batch.error
    assert not RecipientListRecord.objects.exists() and not RecipientListRejection.objects.exists()
