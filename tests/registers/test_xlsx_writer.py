"""The one xlsx writer: typed cells, formula-safe text in every column, and no other writer in the code."""

import datetime
import decimal
import io
import pathlib
import re
import zipfile

import openpyxl
import pytest
from django.utils import timezone
from openpyxl.utils import get_column_letter

from applicants.enums import Register
from applicants.models import WelfareImportBatch, WelfareRejection
from applicants.welfare.importer import write_rejections_xlsx
from programs.registers.xlsx import (
    AUTO,
    DATE,
    DATETIME,
    IDENTITY,
    MONEY,
    NUMBER,
    TEXT,
    Column,
    ExportColumn,
    Sheet,
    write_register_xlsx,
    write_xlsx,
)

NIK = "3671014508900017"
# (what is written, what a reader must find): every OWASP trigger, and triggers hidden behind a control
# character that XML cannot hold (dropped, which would otherwise leave a live "=" at the front).
PAYLOADS = [
    ('=HYPERLINK("http://x","klik")', '=HYPERLINK("http://x","klik")'),
    ("+62 812 3456", "+62 812 3456"),
    ("-2+3", "-2+3"),
    ("@SUM(A1:A9)", "@SUM(A1:A9)"),
    ("\t=1+1", "\t=1+1"),
    ("\r=1+1", "\n=1+1"),  # XML readers normalise a CR to LF
    ("\x00=1+1", "=1+1"),
    ("\x01=cmd|'/c calc'!A1", "=cmd|'/c calc'!A1"),
]
WIDE = 60  # columns A..BH: past Z and past AA, where a chr(ord("A") + i) guard breaks


def _write(sheets) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def _formulas(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [name for name in archive.namelist() if name.startswith("xl/worksheets/")
                and re.search(rb"<f[ >]", archive.read(name))]


@pytest.mark.parametrize("for_print", [False, True], ids=["plain", "print"])
def test_a_payload_in_every_column_position_past_z_and_aa_stays_text(for_print):
    columns = [Column(f"K{index}", TEXT, 12 + index % 5) for index in range(WIDE)]
    rows = [[payload] * WIDE for payload, _shown in PAYLOADS]
    content = _write([Sheet("Uji", columns, rows, heading=[["=JUDUL()"], []], for_print=for_print,
                            freeze_header=True, autofilter=True)])

    assert _formulas(content) == []
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A1"].value == "=JUDUL()" and sheet["A1"].data_type == "s"
    for row_index, (_payload, shown) in enumerate(PAYLOADS, start=4):
        for column in range(1, WIDE + 1):
            cell = sheet.cell(row=row_index, column=column)
            where = f"{get_column_letter(column)}{row_index}"
            assert cell.value == shown, where
            assert cell.data_type == "s" and cell.quotePrefix, where
    for index in range(WIDE):
        assert sheet.column_dimensions[get_column_letter(index + 1)].width == 12 + index % 5
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == f"A3:BH{3 + len(PAYLOADS)}"


def test_a_register_export_past_column_z_keeps_its_autofilter_and_widths():
    columns = [ExportColumn(f"c{index}", f"Kolom {index}", kind=TEXT, width=11) for index in range(30)]
    buffer = io.BytesIO()
    written = write_register_xlsx(buffer, columns=columns, rows=[["-1"] * 30, ["@x"] * 30], sheet_title="Lebar")
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    assert written == 2
    assert sheet.auto_filter.ref == "A1:AD3"
    assert sheet.column_dimensions["AD"].width == 11
    assert all(cell.data_type == "s" and cell.quotePrefix for row in sheet.iter_rows(min_row=2) for cell in row)


@pytest.mark.parametrize("kind", [IDENTITY, TEXT, NUMBER, MONEY, AUTO])
@pytest.mark.parametrize("value", [NIK, int(NIK), "0812345678901234"], ids=["str", "int", "leading-zero"])
def test_a_16_digit_identity_number_is_never_a_number_in_any_column_kind(kind, value):
    content = _write([Sheet("Uji", [Column("NIK", kind)], [[value]])])
    cell = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]["A2"]
    assert cell.data_type == "s"
    assert cell.value == str(value)


def test_identity_columns_are_masked_when_a_mask_is_given():
    rows = [[NIK, NIK], [None, ""]]
    columns = [Column("NIK", IDENTITY), Column("Catatan", TEXT)]
    content = _write([Sheet("Uji", columns, rows, mask=lambda number: "*" * 12 + number[-4:])])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A2"].value == "************0017" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == NIK  # only identity columns are masked
    assert sheet["A3"].value is None


def test_dates_money_and_numbers_are_typed_cells():
    aware = timezone.make_aware(datetime.datetime(2026, 11, 30, 17, 30))  # 17:30 in Asia/Jakarta
    utc = aware.astimezone(datetime.UTC)
    columns = [Column("Tanggal", DATE), Column("Waktu", DATETIME), Column("Nilai", MONEY), Column("Jumlah", NUMBER),
               Column("No.", NUMBER, number_format="0"), Column("Teks tanggal", DATE)]
    rows = [[datetime.date(2026, 1, 2), utc, decimal.Decimal("7500000"), 4, 1, "2026-13-45"]]
    sheet = openpyxl.load_workbook(io.BytesIO(_write([Sheet("Uji", columns, rows)]))).worksheets[0]
    date, moment, money, number, running, bad = sheet[2]
    assert date.is_date and date.value.date() == datetime.date(2026, 1, 2) and date.number_format == "dd-mm-yyyy"
    assert moment.is_date and moment.value == datetime.datetime(2026, 11, 30, 17, 30)  # local time, no tzinfo
    assert money.data_type == "n" and money.value == 7_500_000 and money.number_format == '"Rp" #,##0'
    assert number.data_type == "n" and number.value == 4
    assert running.number_format == "0"
    assert bad.data_type == "s" and bad.value == "2026-13-45"  # a malformed date stays what it was, as text


def test_printed_lists_have_borders_a_landscape_page_one_page_wide():
    content = _write([Sheet("Cetak", [Column("Nama", TEXT, 20), Column("Tanda tangan", TEXT, 22)],
                            [["Siti", ""]], heading=[["DAFTAR"], []], for_print=True)])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A1"].font.b and sheet["A3"].font.b and sheet["A3"].alignment.wrap_text
    assert sheet["A4"].border.left.style == "thin" and sheet["B4"].border.bottom.style == "thin"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage


@pytest.mark.django_db
def test_rejected_register_rows_go_through_the_same_writer():
    batch = WelfareImportBatch.objects.create(
        register=Register.DTSEN, as_of=datetime.date(2026, 10, 1), file_name="=dtsen.csv", file_sha256="0" * 64,
        state=WelfareImportBatch.State.DRY_RUN,
    )
    raw = [["NIK", NIK], ["Nama", "@Siti"]] + [[f"Kolom {index}", f"=X{index}()"] for index in range(30)]
    WelfareRejection.objects.create(batch=batch, row_number=6, reason="-NIK ganda", raw=raw)
    buffer = io.BytesIO()
    write_rejections_xlsx(batch, buffer)
    content = buffer.getvalue()
    assert _formulas(content) == []
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["Berkas", "=dtsen.csv"]
    assert rows[1][:4] == ["Baris", "Alasan", "NIK", "Nama"]
    assert rows[2][:4] == ["6", "-NIK ganda", NIK, "@Siti"]
    assert rows[2][-1] == "=X29()" and len(rows[2]) == 34  # past column Z and AA
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value)


def test_no_other_module_writes_workbooks():
    """One writer: a second copy of the typing and formula rules would drift from this one."""
    root = pathlib.Path(__file__).resolve().parents[2]
    writer = root / "programs" / "registers" / "xlsx.py"
    offenders = [
        str(path.relative_to(root))
        for package in ("applicants", "programs", "public_pages", "site")
        for path in (root / package).rglob("*.py")
        if path != writer and re.search(r"\bWorkbook\(|WriteOnlyCell|write_only=True", path.read_text())
    ]
    assert offenders == []
