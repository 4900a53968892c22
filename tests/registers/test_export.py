"""xlsx exports: exactly the filtered rows, typed cells, no formula injection, audit log, command line."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus
from programs.models import Kelurahan
from programs.registers.xlsx import MONEY, ExportColumn, write_register_xlsx
from tests.factories import ApplicantFactory, ApplicationFactory, IntakeFactory, UserFactory

URL = "/admin/applicants/application/export/"
INJECTION = '=HYPERLINK("http://x","klik")'

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory(superuser=True, username="admin", first_name="Ayu", last_name="Editor")


@pytest.fixture
def data():
    intake = IntakeFactory()
    cipondoh = Kelurahan.objects.filter(kecamatan__name="Cipondoh").order_by("code").first()
    karawaci = Kelurahan.objects.filter(kecamatan__name="Karawaci").order_by("code").first()
    now = timezone.now()
    apps = []
    for index, (name, kel, status) in enumerate([
        ("Citra", cipondoh, ApplicationStatus.SUBMITTED),
        ("Adi", cipondoh, ApplicationStatus.SUBMITTED),
        ("Bayu", cipondoh, ApplicationStatus.VERIFIED),
        ("Dodi", karawaci, ApplicationStatus.SUBMITTED),
    ]):
        apps.append(ApplicationFactory(
            applicant=ApplicantFactory(full_name=name, kelurahan=kel), intake=intake, status=status,
            submitted_at=now - datetime.timedelta(hours=index),
        ))
    return {"intake": intake, "apps": apps, "cipondoh": cipondoh}


def _open(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def _download(client, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_export_contains_exactly_the_filtered_rows_in_the_chosen_order(client, admin_user, data):
    client.force_login(admin_user)
    kecamatan = data["cipondoh"].kecamatan
    response, content = _download(client, {"kecamatan": kecamatan.pk, "status": "submitted",
                                           "sort": "full_name", "p": 1, "per_page": 25})
    wb = _open(content)
    sheet = wb.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    names = [row[header.index("Nama lengkap")] for row in body]
    assert names == ["Adi", "Citra"]
    assert response["Content-Disposition"].endswith(
        f'filename="pendaftar_{timezone.localdate().isoformat()}_kec-cipondoh_terkirim.xlsx"'
    )


def test_export_covers_all_pages_not_the_visible_one(client, admin_user, data):
    client.force_login(admin_user)
    ApplicationFactory.create_batch(30, submitted=True, intake=data["intake"])
    _, content = _download(client, {"per_page": 25, "p": 1})
    assert _open(content).worksheets[0].max_row == 1 + 34


def test_cells_have_the_types_a_spreadsheet_user_relies_on(client, admin_user, data):
    client.force_login(admin_user)
    _, content = _download(client, {"sort": "full_name"})
    sheet = _open(content).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    first = sheet[2]
    col = {name: first[header.index(name)] for name in header}
    applicant = data["apps"][1].applicant  # Adi
    assert col["NIK"].data_type == "s" and col["NIK"].value == applicant.nik
    assert col["Nomor KK"].data_type == "s" and col["Nomor KK"].value == applicant.kk_number
    assert col["Nomor HP"].data_type == "s" and col["Nomor HP"].value == applicant.phone
    assert col["No. pendaftaran"].data_type == "s"
    assert col["Tanggal lahir"].is_date and col["Tanggal lahir"].number_format == "dd-mm-yyyy"
    assert col["Tanggal lahir"].value.date() == applicant.birth_date
    assert col["Tanggal daftar"].is_date
    assert col["Anggota keluarga"].data_type == "n" and col["Anggota keluarga"].value == 4
    assert col["Status"].value == "Terkirim"  # the label people read, not the code
    # Bold frozen header with an autofilter over all rows
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.auto_filter.ref == f"A1:{sheet[1][-1].column_letter}{sheet.max_row}"


def test_money_cells_are_numbers_in_rupiah_format():
    buffer = io.BytesIO()
    columns = [ExportColumn("name", "Nama"), ExportColumn("amount", "Modal usaha", kind=MONEY, width=14)]
    write_register_xlsx(buffer, columns=columns, rows=[("Ani", 2_500_000)], sheet_title="Modal")
    cell = _open(buffer.getvalue()).worksheets[0]["B2"]
    assert cell.data_type == "n" and cell.value == 2_500_000 and cell.number_format == '"Rp" #,##0'


def test_resident_cannot_plant_a_formula_in_a_staff_export(client, admin_user, data):
    app = data["apps"][0]
    applicant = app.applicant
    applicant.full_name = INJECTION
    applicant.address = "+62 jalan" + "\x01"  # control character too
    applicant.save()
    app.motivation = "@SUM(A1:A2)"
    app.save()
    client.force_login(admin_user)
    _, content = _download(client, {"q": applicant.nik})
    sheet = _open(content).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = sheet[2]
    name = row[header.index("Nama lengkap")]
    assert name.data_type == "s" and name.value == INJECTION
    assert row[header.index("Alamat")].data_type == "s"
    assert row[header.index("Alamat")].value == "+62 jalan"
    assert row[header.index("Motivasi")].data_type == "s"
    # The raw sheet XML holds the text as a string, never inside a <f> formula element.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml


def test_info_sheet_says_what_was_exported_by_whom_and_when(client, admin_user, data):
    client.force_login(admin_user)
    _, content = _download(client, {"kecamatan": data["cipondoh"].kecamatan.pk, "q": "adi"})
    info = dict(_open(content)["Info"].iter_rows(values_only=True))
    assert info["Register"] == "Pendaftar"
    assert info["Filter: Kecamatan"] == "Cipondoh"
    assert info["Pencarian"] == "adi"
    assert info["Jumlah baris"] == 1
    assert info["Diekspor oleh"] == "Ayu Editor"
    assert info["Waktu ekspor"].endswith("WIB")
    assert info["Waktu ekspor"].startswith(timezone.localtime().strftime("%d-%m-%Y"))


def test_every_export_is_recorded_in_the_audit_log(client, admin_user, data):
    client.force_login(admin_user)
    _download(client, {"status": "verified"})
    entry = ModelLogEntry.objects.get(action="sigap.register_export")
    assert entry.user == admin_user
    assert entry.data["register"] == "applicants"
    assert entry.data["rows"] == 1
    assert entry.data["filters"] == [{"label": "Status", "value": "Terverifikasi"}]
    assert entry.data["file_name"].startswith("pendaftar_")
    assert "Ekspor Pendaftar: 1 baris" in str(entry.message)


def test_users_without_register_access_cannot_export(client, data):
    client.force_login(UserFactory(username="nobody", is_staff=True))
    response = client.get(URL)
    assert response.status_code in (302, 403)


def test_export_register_command_writes_filtered_rows_and_prints_count(tmp_path, capsys, data):
    output = tmp_path / "laporan.xlsx"
    call_command("export_register", "applicants", "--output", str(output),
                 "--filter", f"kecamatan={data['cipondoh'].kecamatan.pk}", "--filter", "status=submitted",
                 "--search", "adi")
    assert capsys.readouterr().out.strip().startswith("1 rows exported to ")
    sheet = openpyxl.load_workbook(output).worksheets[0]
    assert sheet.max_row == 2 and sheet["B2"].value == "Adi"
    entry = ModelLogEntry.objects.get(action="sigap.register_export")
    assert entry.data["channel"] == "command" and entry.data["rows"] == 1


def test_export_register_command_refuses_unknown_register_and_filter(tmp_path):
    with pytest.raises(CommandError, match="Register tidak dikenal"):
        call_command("export_register", "nope", "--output", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="Filter tidak dikenal"):
        call_command("export_register", "applicants", "--output", str(tmp_path / "x.xlsx"), "--filter", "x=1")


def test_large_export_runs_as_background_job_downloadable_only_by_its_owner(
    client, admin_user, data, settings, django_capture_on_commit_callbacks
):
    from programs.registers.models import ExportJob

    settings.REGISTER_EXPORT_ASYNC_THRESHOLD = 2
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL, {"status": "submitted"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/registers/exports/{job.pk}/")
    assert job.status == ExportJob.Status.DONE and job.rows_done == 3 and job.rows_total == 3
    assert (settings.PRIVATE_MEDIA_ROOT / job.file_path).is_file()
    page = client.get(response["Location"])
    assert b'data-export-status="done"' in page.content
    download = client.get(f"/admin/registers/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert _open(b"".join(download.streaming_content)).worksheets[0].max_row == 4
    assert ModelLogEntry.objects.get(action="sigap.register_export").data["channel"] == "background"
    client.force_login(UserFactory(superuser=True, username="someone_else"))
    assert client.get(f"/admin/registers/exports/{job.pk}/download/").status_code == 404
    assert client.get(f"/admin/registers/exports/{job.pk}/").status_code == 404


def test_auditor_export_masks_nik_and_kk(client, data):
    from django.contrib.auth.models import Group

    from applicants.privacy.roles import AUDITOR

    auditor = UserFactory(username="auditor")
    auditor.groups.add(Group.objects.get(name=AUDITOR))
    client.force_login(auditor)
    _, content = _download(client, {"sort": "full_name"})
    sheet = _open(content).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    nik = data["apps"][1].applicant.nik  # Adi, first by name
    assert sheet[2][header.index("NIK")].value == "*" * 12 + nik[-4:]
    nik_col = header.index("NIK")
    kk_col = header.index("Nomor KK")
    for row in sheet.iter_rows(min_row=2, values_only=True):
        assert "********" in row[nik_col] and "********" in row[kk_col]
