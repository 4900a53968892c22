"""Welfare-register import: extracts in the shapes Dinsos receives, batches, failure and dry runs."""

import datetime
import hashlib
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import ModelLogEntry

from applicants.models import WelfareImportBatch, WelfareRecord
from applicants.welfare import staging
from applicants.welfare.importer import RegisterFileError, import_register, write_rejections_xlsx
from tests.factories import WelfareImportBatchFactory, WelfareRecordFactory, make_kk, make_nik

pytestmark = pytest.mark.django_db

HEADER = ["No", "No KK", "NIK", "Nama", "Tgl Lahir", "Jenis Kelamin", "Alamat", "RT", "RW",
          "Kode Kelurahan", "Kelurahan", "Kecamatan", "Desil", "Bansos"]
ROW_BIRTH_DATE = datetime.date(1990, 8, 27)  # the "Tgl Lahir" of every row person() writes


def row_nik(n: int) -> str:
    return make_nik(ROW_BIRTH_DATE, serial=n)


GOOD_NIK = row_nik(1)
GOOD_KK = make_kk(1)


def person(n, nik=None, kk=None, desil="3", code="36.71.07.1004", kelurahan="NUSA JAYA", kecamatan="KARAWACI"):
    return [str(n), kk or make_kk(n), nik or row_nik(n), f"WARGA {n}", "27-08-1990", "L", "Jl. Mawar",
            "011", "001", code, kelurahan, kecamatan, desil, "PKH"]


def faulty_rows():
    """(row, expected to be accepted) like the shipped samples: tolerated formatting and real damage."""
    return [
        (person(1), True),
        (person(2, nik=f"'{row_nik(2)}"), True),  # Excel's text marker
        (person(3, nik=f" {row_nik(3)[:4]} {row_nik(3)[4:]} "), True),  # spaces around and inside
        (person(4, nik=row_nik(4)[:15]), False),  # too short
        (person(5, nik=row_nik(5)[:10] + "ABCDEF"), False),  # letters
        (person(6, nik="367107" + "32" + "08" + "90" + "0017"), False),  # day 32: impossible birth date
        (person(7, nik="3.67107E+15"), False),  # Excel's scientific notation saved into a CSV
        (person(8, kk="3671"), False),  # KK too short
        (person(9, desil=""), False),  # DTSEN row without desil
        (person(10, code="", kelurahan="ATLANTIS", kecamatan=""), False),  # unknown kelurahan
    ]


def write_csv(path, rows, header=HEADER, encoding="utf-8-sig", delimiter=";", title=True):
    lines = []
    if title:
        lines += ["DATA TUNGGAL SOSIAL EKONOMI NASIONAL (DTSEN) - KOTA TANGERANG", "Kondisi data: Oktober 2026", ""]
    lines.append(delimiter.join(header))
    lines += [delimiter.join(row) for row in rows]
    lines += ["", delimiter.join(["JUMLAH", str(len(rows))] + [""] * (len(header) - 2))]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path, rows, header=HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["DATA TUNGGAL SOSIAL EKONOMI NASIONAL (DTSEN) - KOTA TANGERANG"])
    sheet.append(["Kondisi data: Oktober 2026"])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.append([])
    sheet.append(["JUMLAH", len(rows)])
    workbook.save(path)
    return path


def test_csv_with_bom_semicolons_title_rows_and_totals_row_keeps_good_rows_and_rejects_damaged_ones(tmp_path):
    cases = faulty_rows()
    path = write_csv(tmp_path / "dtsen.csv", [row for row, _ok in cases])

    batch = import_register(path, as_of=datetime.date(2026, 10, 1), check_eligibility=False)

    assert batch.state == WelfareImportBatch.State.CURRENT
    assert batch.rows_read == len(cases)  # title, blank and totals rows are not data
    accepted = {row_nik(row_n) for row_n, (_row, ok) in enumerate(cases, start=1) if ok}
    assert set(batch.records.values_list("nik", flat=True)) == accepted
    assert batch.rows_accepted == len(accepted)
    assert batch.rows_rejected == len(cases) - len(accepted)
    # Row numbers are the file's: 3 title lines, header on line 4, first data row on line 5.
    reasons = dict(batch.rejections.values_list("row_number", "reason"))
    assert sorted(reasons) == [4 + n for n, (_row, ok) in enumerate(cases, start=1) if not ok]
    assert "16 angka" in reasons[8]
    assert "angka" in reasons[9]
    assert "Tanggal lahir" in reasons[10]
    assert "Excel" in reasons[11]
    assert "KK" in reasons[12]
    assert "Desil" in reasons[13]
    assert "ATLANTIS" in reasons[14]
    record = batch.records.get(nik=row_nik(1))
    assert record.birth_date == datetime.date(1990, 8, 27)
    assert record.kelurahan.code == "36.71.07.1004"
    assert (record.desil, record.rt, record.bansos) == (3, "011", "PKH")


def test_xlsx_numeric_identity_cells_are_rejected_never_repaired(tmp_path):
    good = person(1)
    as_float = person(2)
    as_float[2] = float(row_nik(2))  # what Excel keeps: 15 significant digits
    as_int = person(3)
    as_int[2] = int(row_nik(3))
    kk_number = person(4)
    kk_number[1] = int(make_kk(4))
    apostrophe = person(5, nik=f"'{row_nik(5)}")
    path = write_xlsx(tmp_path / "dtsen.xlsx", [good, as_float, as_int, kk_number, apostrophe])

    batch = import_register(path, check_eligibility=False)

    assert set(batch.records.values_list("nik", flat=True)) == {row_nik(1), row_nik(5)}
    assert not WelfareRecord.objects.filter(nik__in=[row_nik(2), row_nik(3), row_nik(4)]).exists()
    reasons = dict(batch.rejections.values_list("row_number", "reason"))
    assert sorted(reasons) == [6, 7, 8]  # header on row 4, data from row 5
    assert all("Excel" in reason for reason in reasons.values())
    assert "No KK" in reasons[8]
    assert batch.rows_read == 5  # the totals row ("JUMLAH", 5) is not data


def test_streaming_xlsx_reader_reads_shared_strings_dates_and_numbers_like_calamine(tmp_path):
    from python_calamine import CalamineWorkbook

    from applicants.welfare.reader import iter_first_sheet

    row = person(1)
    row[4] = datetime.date(1990, 8, 27)
    row[2] = 3671072708900017.0
    path = write_xlsx(tmp_path / "dtsen.xlsx", [row])

    streamed = dict(iter_first_sheet(path))
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert streamed[5][4] == calamine[4][4] == datetime.date(1990, 8, 27)
    assert isinstance(streamed[5][2], int | float) and streamed[5][2] == calamine[4][2]  # numeric: rejected
    assert streamed[5][3] == "WARGA 1" and streamed[4] == HEADER
    assert 3 not in streamed  # the blank row


def test_headers_are_matched_by_meaning_whatever_the_spelling(tmp_path):
    header = ["NO", "NOMOR KK", "NOMOR INDUK KEPENDUDUKAN", "NAMA LENGKAP", "TANGGAL LAHIR", "JENIS KELAMIN",
              "ALAMAT", "RT", "RW", "KODE DESA", "DESA/KELURAHAN", "KECAMATAN", "DESIL NASIONAL", "BANSOS"]
    rows = [
        person(1, code=""),  # NUSA JAYA by name
        person(2, code="", kelurahan="Batujaya", kecamatan="Batuceper"),  # a known alias
        person(3, code="", kelurahan="JATIUWUNG", kecamatan="CIBODAS"),  # also a kecamatan's name
    ]
    path = write_csv(tmp_path / "lain.csv", rows, header=header, delimiter=",", title=False)

    batch = import_register(path, check_eligibility=False)

    codes = dict(batch.records.values_list("nik", "kelurahan__code"))
    assert codes == {row_nik(1): "36.71.07.1004", row_nik(2): "36.71.03.1002", row_nik(3): "36.71.09.1006"}


@pytest.mark.parametrize(
    ("drop", "register", "named"),
    [("Desil", "dtsen", "Desil"), ("No KK", "dtsen", "No KK"), ("NIK", "dtks", "NIK"),
     ("Nama", "dtks", "Nama")],
)
def test_file_missing_a_required_column_is_refused_naming_it(tmp_path, drop, register, named):
    previous = WelfareImportBatchFactory(register=register)
    index = HEADER.index(drop)
    header = [h for i, h in enumerate(HEADER) if i != index]
    rows = [[c for i, c in enumerate(person(1)) if i != index]]
    path = write_csv(tmp_path / "kurang.csv", rows, header=header)

    with pytest.raises(RegisterFileError, match=f"Kolom wajib tidak ditemukan: {named}"):
        import_register(path, register=register, check_eligibility=False)

    failed = WelfareImportBatch.objects.exclude(pk=previous.pk).get()
    assert failed.state == WelfareImportBatch.State.FAILED and named in failed.error
    previous.refresh_from_db()
    assert previous.state == WelfareImportBatch.State.CURRENT


def test_kelurahan_required_as_name_or_code(tmp_path):
    keep = [i for i, h in enumerate(HEADER) if h not in {"Kode Kelurahan", "Kelurahan"}]
    path = write_csv(tmp_path / "tanpa.csv", [[person(1)[i] for i in keep]], header=[HEADER[i] for i in keep])
    with pytest.raises(RegisterFileError, match="Kelurahan atau Kode Kelurahan"):
        import_register(path, check_eligibility=False)


def test_dtks_extract_needs_no_desil(tmp_path):
    index = HEADER.index("Desil")
    header = [h for i, h in enumerate(HEADER) if i != index]
    path = write_csv(tmp_path / "dtks.csv", [[c for i, c in enumerate(person(1)) if i != index]], header=header)
    batch = import_register(path, register="dtks", check_eligibility=False)
    assert batch.records.get().desil is None


def test_batch_keeps_provenance_and_keeps_the_first_of_duplicated_niks(tmp_path, django_user_model):
    user = django_user_model.objects.create_user("editor", password="x")
    rows = [person(1), person(2), person(3, nik=row_nik(1)), person(4), person(5, nik=row_nik(2))]
    path = write_csv(tmp_path / "dtsen-okt.csv", rows)

    batch = import_register(path, as_of=datetime.date(2026, 10, 31), user=user, chunk_size=2,
                            check_eligibility=False)

    batch.refresh_from_db()
    assert batch.file_name == "dtsen-okt.csv"
    assert batch.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (batch.register, batch.as_of, batch.uploaded_by) == ("dtsen", datetime.date(2026, 10, 31), user)
    assert batch.finished_at is not None
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected, batch.rows_duplicate) == (5, 3, 0, 2)
    assert batch.records.get(nik=row_nik(1)).row_number == 5  # the first occurrence wins
    assert "baris 5" in batch.rejections.get(row_number=7).reason
    entry = ModelLogEntry.objects.get(action="sigap.welfare_import")
    assert entry.user == user and entry.data["rows_duplicate"] == 2


def test_a_duplicate_is_caught_whether_its_first_row_waits_to_be_written_or_is_written(tmp_path, monkeypatch):
    """Rows are checked 2 at a time here and written 5 at a time: the first row of a NIK may still wait
    in memory (row 3 repeats row 1 before any write) or be in the database already (row 8 repeats row 2
    after the first write, row 9 repeats row 5 in the last chunk)."""
    monkeypatch.setattr(staging, "CHECK_CHUNK", 2)
    rows = [person(1), person(2), person(3, nik=row_nik(1)), person(4), person(5), person(6), person(7),
            person(8, nik=row_nik(2)), person(9, nik=row_nik(5))]
    batch = import_register(write_csv(tmp_path / "dtsen.csv", rows), chunk_size=5, check_eligibility=False)

    assert (batch.rows_read, batch.rows_accepted, batch.rows_duplicate) == (9, 6, 3)
    assert sorted(batch.records.values_list("row_number", flat=True)) == [5, 6, 8, 9, 10, 11]
    first_rows = {r.row_number: r.reason for r in batch.rejections.all()}
    assert sorted(first_rows) == [7, 12, 13]
    assert "baris 5" in first_rows[7] and "baris 6" in first_rows[12] and "baris 9" in first_rows[13]
    assert batch.state == WelfareImportBatch.State.CURRENT


def test_rejected_rows_download_as_xlsx_with_every_value_as_text(tmp_path):
    formula = person(2, nik="=HYPERLINK(1)")
    path = write_csv(tmp_path / "dtsen.csv", [person(1), formula, person(3, nik="123")])
    batch = import_register(path, check_eligibility=False)
    target = tmp_path / "ditolak.xlsx"

    write_rejections_xlsx(batch, target)

    sheet = openpyxl.load_workbook(target).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[1][:4] == ["Baris", "Alasan", "No", "No KK"]
    assert [row[0] for row in rows[2:]] == ["6", "7"]
    nik_column = rows[1].index("NIK")
    assert rows[2][nik_column] == "=HYPERLINK(1)"  # kept as typed, as text: never a live formula
    assert sheet.cell(row=3, column=nik_column + 1).quotePrefix
    assert rows[3][nik_column] == "123"
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=3) for cell in row if cell.value)


def test_error_mid_import_leaves_the_previous_register_current_and_removes_the_partial_batch(tmp_path, monkeypatch):
    previous = WelfareImportBatchFactory()
    kept = WelfareRecordFactory(batch=previous)
    original = staging._Importer.flush
    calls = []

    def flaky_flush(self):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        original(self)

    monkeypatch.setattr(staging._Importer, "flush", flaky_flush)
    path = write_csv(tmp_path / "dtsen.csv", [person(n) for n in range(1, 8)])

    with pytest.raises(RuntimeError):
        import_register(path, chunk_size=3)

    failed = WelfareImportBatch.objects.exclude(pk=previous.pk).get()
    assert failed.state == WelfareImportBatch.State.FAILED
    # The editor reads a plain message; the exception's own text (paths, SQL) stays in the server log.
    assert "kesalahan di server" in failed.error and "disk full" not in failed.error
    assert not failed.records.exists()  # the first chunk was written, then removed
    previous.refresh_from_db()
    assert previous.state == WelfareImportBatch.State.CURRENT
    assert list(previous.records.all()) == [kept]


def test_dry_run_validates_everything_but_changes_nothing(tmp_path):
    previous = WelfareImportBatchFactory()
    path = write_csv(tmp_path / "dtsen.csv", [person(1), person(2, nik="123")])

    batch = import_register(path, dry_run=True)

    assert batch.state == WelfareImportBatch.State.DRY_RUN
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected) == (2, 1, 1)
    assert not batch.records.exists()
    assert batch.rejections.count() == 1  # the report survives
    previous.refresh_from_db()
    assert previous.state == WelfareImportBatch.State.CURRENT


def test_new_import_supersedes_only_the_current_batch_of_the_same_register(tmp_path):
    old_dtsen = WelfareImportBatchFactory(register="dtsen")
    dtks = WelfareImportBatchFactory(register="dtks")
    batch = import_register(write_csv(tmp_path / "dtsen.csv", [person(1)]), check_eligibility=False)
    old_dtsen.refresh_from_db()
    dtks.refresh_from_db()
    assert batch.state == "current" and old_dtsen.state == "superseded" and dtks.state == "current"


def test_windows_1252_csv_is_read(tmp_path):
    row = person(1)
    row[3] = "SITI NURHAYATI É"
    path = write_csv(tmp_path / "lama.csv", [row], encoding="cp1252")
    batch = import_register(path, check_eligibility=False)
    assert batch.records.get().full_name == "SITI NURHAYATI É"


def test_unsupported_file_type_is_refused(tmp_path):
    path = tmp_path / "dtsen.ods"
    path.write_bytes(b"x")
    with pytest.raises(RegisterFileError, match="xlsx atau .csv"):
        import_register(path)


def test_command_imports_and_prints_a_summary(tmp_path, capsys):
    path = write_csv(tmp_path / "dtsen.csv", [person(1), person(2, nik="123")])
    call_command("import_welfare_register", str(path), "--register", "dtsen", "--as-of", "2026-10-01", "--yes")
    out = capsys.readouterr().out
    assert "rows read 2, accepted 1, rejected 1" in out and "row 6:" in out
    batch = WelfareImportBatch.objects.get()
    assert batch.as_of == datetime.date(2026, 10, 1) and batch.state == "current"


def test_command_without_yes_on_no_terminal_leaves_the_batch_waiting(tmp_path, capsys):
    previous = WelfareImportBatchFactory()
    call_command("import_welfare_register", str(write_csv(tmp_path / "d.csv", [person(1)])))
    assert "waits for confirmation" in capsys.readouterr().out
    previous.refresh_from_db()
    assert previous.state == "current"
    waiting = WelfareImportBatch.objects.exclude(pk=previous.pk).get()
    assert waiting.state == "ready"

    call_command("import_welfare_register", "--confirm", str(waiting.pk))
    waiting.refresh_from_db()
    assert waiting.state == "current"
    with pytest.raises(CommandError, match="hanya impor yang menunggu konfirmasi"):
        call_command("import_welfare_register", "--confirm", str(waiting.pk))
    with pytest.raises(CommandError, match="tidak dapat dibatalkan"):
        call_command("import_welfare_register", "--cancel", str(waiting.pk))


def test_command_shows_progress_at_verbosity_2_and_the_summary_unless_quiet(tmp_path, capsys):
    path = write_csv(tmp_path / "d.csv", [person(n) for n in range(1, 6001)])
    call_command("import_welfare_register", str(path), "--yes")
    captured = capsys.readouterr()
    assert "rows read 6000" in captured.out and "%" not in captured.out + captured.err
    call_command("import_welfare_register", str(path), "--yes", "--verbosity", "2")
    captured = capsys.readouterr()
    assert "rows read 5000, accepted 5000" in captured.out and "%" in captured.out  # a line per 5,000 rows
    call_command("import_welfare_register", str(path), "--yes", "--verbosity", "0")
    captured = capsys.readouterr()
    assert "rows read" not in captured.out and "rows read" not in captured.err


def test_command_dry_run_leaves_the_register_untouched(tmp_path, capsys):
    previous = WelfareImportBatchFactory()
    call_command("import_welfare_register", str(write_csv(tmp_path / "d.csv", [person(1)])), "--dry-run")
    assert "Dry run" in capsys.readouterr().out
    previous.refresh_from_db()
    assert previous.state == "current" and not WelfareRecord.objects.filter(nik=row_nik(1)).exists()


def test_command_refuses_a_file_missing_columns(tmp_path):
    path = write_csv(tmp_path / "d.csv", [person(1)[:3]], header=HEADER[:3])
    with pytest.raises(CommandError, match="Kolom wajib"):
        call_command("import_welfare_register", str(path))


# --- Admin -------------------------------------------------------------------------------------------


@pytest.fixture
def importer_client(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="x")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="add_welfareimportbatch"),
    )
    client.force_login(user)
    return client


def _upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_editor_uploads_an_extract_and_sees_the_report_and_rejected_rows(
    importer_client, tmp_path, django_capture_on_commit_callbacks
):
    content = write_csv(tmp_path / "dtsen.csv", [person(1), person(2, nik="123")]).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):  # the background task runs in-process in tests
        response = importer_client.post(reverse("welfare:upload"), {
            "file": _upload("dtsen-oktober.csv", content), "register": "dtsen", "as_of": "2026-10-01",
        })
    batch = WelfareImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("welfare:report", args=[batch.pk])
    assert batch.state == "ready" and batch.file_name == "dtsen-oktober.csv"
    assert batch.stored_file == ""  # the stored upload is gone once read

    report = importer_client.get(response.url)
    assert report.status_code == 200
    assert "dtsen-oktober.csv" in report.content.decode() and "16 angka" in report.content.decode()
    assert reverse("welfare:confirm", args=[batch.pk]) in report.content.decode()
    importer_client.post(reverse("welfare:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "current"

    download = importer_client.get(reverse("welfare:rejections_xlsx", args=[batch.pk]))
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(b"".join(download.streaming_content))).active
    assert sheet.cell(row=3, column=1).value == "6"


def test_upload_refuses_other_file_types_and_files_above_the_size_limit(importer_client, settings, tmp_path):
    response = importer_client.post(reverse("welfare:upload"), {"file": _upload("x.pdf", b"%PDF"), "register": "dtsen"})
    assert response.status_code == 200 and ".xlsx atau .csv" in response.content.decode()
    settings.WELFARE_IMPORT_MAX_UPLOAD_MB = 0
    content = write_csv(tmp_path / "d.csv", [person(1)]).read_bytes()
    response = importer_client.post(reverse("welfare:upload"), {"file": _upload("d.csv", content), "register": "dtsen"})
    assert "terlalu besar" in response.content.decode()
    assert not WelfareImportBatch.objects.exists()


def test_editor_uploads_an_xlsx_extract_as_a_dry_run(importer_client, tmp_path, django_capture_on_commit_callbacks):
    previous = WelfareImportBatchFactory()
    content = write_xlsx(tmp_path / "dtsen.xlsx", [person(1)]).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = importer_client.post(reverse("welfare:upload"), {
            "file": _upload("dtsen.xlsx", content), "register": "dtsen", "dry_run": "on",
        })
    batch = WelfareImportBatch.objects.exclude(pk=previous.pk).get()
    assert response.status_code == 302 and batch.state == "dry_run" and batch.rows_accepted == 1
    previous.refresh_from_db()
    assert previous.state == "current"


def test_upload_refuses_a_broken_xlsx(importer_client):
    response = importer_client.post(reverse("welfare:upload"), {
        "file": _upload("dtsen.xlsx", b"not a zip"), "register": "dtsen",
    })
    assert response.status_code == 200 and "rusak" in response.content.decode()
    assert not WelfareImportBatch.objects.exists()


def test_upload_missing_a_column_shows_the_message(importer_client, tmp_path):
    content = write_csv(tmp_path / "d.csv", [person(1)[:3]], header=HEADER[:3]).read_bytes()
    response = importer_client.post(reverse("welfare:upload"), {"file": _upload("d.csv", content), "register": "dtsen"})
    assert response.status_code == 200 and "Kolom wajib tidak ditemukan" in response.content.decode()


def test_import_menu_item_is_shown_to_importers_only(importer_client, client, django_user_model):
    assert "Impor DTSEN/DTKS" in importer_client.get(reverse("wagtailadmin_home")).content.decode()
    other = django_user_model.objects.create_user("humas", password="x")
    other.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(other)
    assert "Impor DTSEN/DTKS" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_staff_without_import_permission_cannot_upload(client, django_user_model):
    user = django_user_model.objects.create_user("humas", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    # The admin gate answers with a real 403 page (not Wagtail's redirect to the dashboard).
    response = client.get(reverse("welfare:upload"))
    assert response.status_code == 403
    response = client.post(reverse("welfare:upload"), {"file": _upload("d.csv", b"NIK"), "register": "dtsen"})
    assert response.status_code == 403 and not WelfareImportBatch.objects.exists()


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_benchmark_smoke_run_prints_every_run_and_the_ratios_to_the_floor_and_calamine():
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(root / "bench" / "register_import.py"), "--smoke"],
                         capture_output=True, text=True, timeout=300, cwd=root)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    for run in ("floor", "csv", "xlsx", "calamine", "reader"):
        assert any(line.startswith(f"{run} ") and "rows/s" in line and "peak RSS" in line for line in lines), run
    # Both imports took every row through the product's path and ended current.
    assert sum("2,000 rows" in line and "(current)" in line for line in lines) == 2
    for ratio in ("csv import / floor: ", "xlsx import / csv import: ", "reader / calamine: "):
        assert any(line.strip().startswith(ratio) and "x (" in line for line in lines), ratio
    assert any(line.strip().startswith("memory: ") and "goal < 200 MB" in line for line in lines)
