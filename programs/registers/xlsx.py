"""The one xlsx writer: every spreadsheet the portal hands out is written here.

Register exports, the printable participant and award lists and the rejected rows of a register
import all go through `write_xlsx`: openpyxl write-only mode, so rows are written as they arrive and
memory stays flat whatever the row count. Cells are typed by their column's kind: identity numbers
are always text (a 16-digit NIK stored as a number has lost its last digit in Excel), dates are real
dates, Rupiah amounts are numbers with a Rupiah format. Every text is formula-safe (OWASP ASVS
V1.2.10, "CSV injection"): a string starting with = + - @ tab CR or NUL is forced to a string cell
with Excel's quote prefix, so it is shown and never evaluated, even after the cell is edited.
"""

import datetime
import decimal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from django.db import models
from django.http import FileResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

TEXT = "text"
DATE = "date"
DATETIME = "datetime"
MONEY = "money"
NUMBER = "number"
IDENTITY = "identity"  # NIK/KK: always text, masked for users not allowed to see full numbers
BIRTH_DATE = "birth_date"  # a date; an age band for users not allowed to see full numbers
AUTO = "auto"  # typed from the Python value (label/value sheets such as "Info")

DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
MONEY_FORMAT = '"Rp" #,##0'
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def formula_safe(value):
    """A text cell for a csv file that no spreadsheet runs as a formula: a leading quote before the
    characters Excel and LibreOffice start formulas with (OWASP's CSV injection advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# Excel holds 15 significant digits: a longer integer would be stored with its last digits lost.
EXCEL_EXACT_LIMIT = 10**15
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="center")


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: its header, how its cells are typed and how wide it is.

    `number_format` overrides the kind's format (e.g. "0" for a running number); `choices` maps stored
    values to the labels people read.
    """

    header: str = ""
    kind: str = TEXT
    width: int = 0
    choices: Mapping[str, str] = field(default_factory=dict)
    number_format: str = ""


@dataclass
class ExportColumn:
    """A register's export column: a `values_list` path plus the Column it becomes once bound.

    `kind` and `choices` are filled in from the model field when not given (`bind`); declare `money`
    for Rupiah amounts and `identity` for NIK/KK (text, masked for users without full access).
    """

    path: str
    header: str = ""
    kind: str = ""
    width: int = 0
    choices: dict = field(default_factory=dict)
    number_format: str = ""

    def bind(self, model: type[models.Model]) -> "ExportColumn":
        model_field = _resolve(model, self.path)
        # A header is what people read: the declared one, else the field's label capitalised. A path
        # (a field name) is never a header; tests/registers/test_register_polish.py checks every register.
        header = self.header or (capfirst(str(model_field.verbose_name)) if model_field is not None else "")
        kind = self.kind or _kind_for(model_field)
        choices = self.choices or ({str(k): str(v) for k, v in model_field.flatchoices} if (
            model_field is not None and model_field.choices) else {})
        width = self.width or _default_width(kind, model_field)
        return ExportColumn(self.path, header, kind, width, choices, self.number_format)


@dataclass
class Sheet:
    """One worksheet and how it is laid out; `rows_written` is set once its rows are written.

    `heading`: rows of text above the column headers (a printed list's title block; an empty row is a
    blank line). `mask` is applied to identity columns. `for_print`: thin borders around every cell,
    wrapped headers, landscape, one page wide (lists people sign on paper). `birth_date_mask` turns
    birth-date columns into what a masked reader may see (the full date beside the last NIK digits
    rebuilds the NIK).
    """

    title: str
    columns: Sequence
    rows: Iterable[Sequence]
    heading: Sequence[Sequence] = ()
    header: bool = True
    mask: Callable[[str], str] | None = None
    birth_date_mask: Callable | None = None
    freeze_header: bool = False
    autofilter: bool = False
    for_print: bool = False
    bold_first_column: bool = False
    rows_written: int = 0


def write_xlsx(fileobj: IO[bytes], sheets: Sequence[Sheet]) -> list[int]:
    """Write the sheets in order (a later sheet's rows may read an earlier sheet's `rows_written`)."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(workbook, sheet)
    workbook.save(fileobj)
    return [sheet.rows_written for sheet in sheets]


def xlsx_download(filename: str, *sheets: Sheet) -> FileResponse:
    """Write the sheets now (so a caller can log the row counts) into a temporary file and send it."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed (and so deleted) by FileResponse
    write_xlsx(handle, sheets)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def write_register_xlsx(
    fileobj: IO[bytes],
    *,
    columns: Sequence[ExportColumn],
    rows: Iterable[Sequence],
    sheet_title: str,
    info: Sequence[tuple[str, str]] = (),
    mask=None,
    birth_date_mask=None,
) -> int:
    """A register export: the rows under a bold frozen header with an autofilter, then an "Info" sheet
    with (label, value) lines and the row count. Returns the number of data rows written."""
    data = Sheet(sheet_title, columns, rows, mask=mask, birth_date_mask=birth_date_mask, freeze_header=True,
                 autofilter=True)

    def info_rows():
        yield from info
        yield (gettext("Row count"), data.rows_written)

    info_sheet = Sheet("Info", (Column(width=24), Column(kind=AUTO, width=70)), info_rows(), header=False,
                       bold_first_column=True)
    write_xlsx(fileobj, [data, info_sheet])
    return data.rows_written


def _write_sheet(workbook: Workbook, sheet: Sheet) -> None:
    ws = workbook.create_sheet(title=_sheet_title(sheet.title))
    cells = _Cells(ws)
    for index, column in enumerate(sheet.columns, start=1):
        if column.width:
            ws.column_dimensions[get_column_letter(index)].width = column.width
    if sheet.for_print:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    header_row = len(sheet.heading) + 1 if sheet.header else len(sheet.heading)
    if sheet.freeze_header and sheet.header:
        ws.freeze_panes = f"A{header_row + 1}"  # write-only: sheet views are written with the first row
    for line in sheet.heading:
        ws.append([cells.styled(cells.text(value), font=_BOLD) for value in line])
    if sheet.header:
        border, alignment = (_BOX, _WRAP) if sheet.for_print else (None, None)
        ws.append([
            cells.styled(cells.text(column.header), font=_BOLD, border=border, alignment=alignment)
            for column in sheet.columns
        ])

    converters = [_converter(column, cells, sheet.mask, sheet.birth_date_mask) for column in sheet.columns]
    if sheet.bold_first_column and converters:
        converters[0] = _with_style(converters[0], cells, font=_BOLD)
    if sheet.for_print:
        converters = [_with_style(convert, cells, border=_BOX) for convert in converters]
    count = 0
    append = ws.append
    for row in sheet.rows:
        append([convert(value) for convert, value in zip(converters, row, strict=True)])
        count += 1
    sheet.rows_written = count
    if sheet.autofilter and sheet.header:
        last_column = get_column_letter(max(len(sheet.columns), 1))
        ws.auto_filter.ref = f"A{header_row}:{last_column}{header_row + count}"


class _Cells:
    """Python values to write-only cells; plain values where openpyxl's own typing is right (faster)."""

    def __init__(self, worksheet):
        self.ws = worksheet

    def text(self, value):
        if value is None:
            return None
        raw = value if isinstance(value, str) else str(value)
        if not raw:
            return raw
        # Characters XML cannot hold are dropped (openpyxl would raise), before the formula check.
        text = ILLEGAL_CHARACTERS_RE.sub("", raw) if ILLEGAL_CHARACTERS_RE.search(raw) else raw
        if raw.startswith(FORMULA_TRIGGERS) or text.startswith(FORMULA_TRIGGERS):
            cell = WriteOnlyCell(self.ws, value=text or " ")
            cell.data_type = "s"  # openpyxl would store "=..." as a live formula
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
            return cell
        return text

    def identity(self, value):
        """Always a string cell, whatever type the number arrives as (a str is one in openpyxl)."""
        if value is None or value == "":
            return None
        return self.text(value)

    def number(self, value, number_format: str = ""):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, decimal.Decimal)):
            return self.text(value)
        if isinstance(value, int) and not -EXCEL_EXACT_LIMIT < value < EXCEL_EXACT_LIMIT:
            return self.identity(value)  # a number Excel cannot hold exactly is an identifier, not a quantity
        if not number_format:
            return value
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = number_format
        return cell

    def date(self, value, number_format: str = DATE_FORMAT):
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        elif not isinstance(value, datetime.date):
            return self.text(value)
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = number_format
        return cell

    def datetime(self, value, number_format: str = DATETIME_FORMAT):
        if value is None:
            return None
        if not isinstance(value, datetime.datetime):
            return self.date(value) if isinstance(value, datetime.date) else self.text(value)
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = number_format
        return cell

    def auto(self, value):
        if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
            return self.number(value)
        if isinstance(value, datetime.date):
            return self.date(value)
        return self.text(value)

    def styled(self, value, font=None, border=None, alignment=None):
        """`value` as a cell with the given style (None stays an empty but styled cell)."""
        # `value` comes from text()/number()/...: a plain str here never starts with "=".
        cell = value if isinstance(value, Cell) else WriteOnlyCell(self.ws, value=value)
        if font is not None:
            cell.font = font
        if border is not None:
            cell.border = border
        if alignment is not None:
            cell.alignment = alignment
        return cell


def _with_style(convert: Callable, cells: _Cells, **style) -> Callable:
    return lambda value: cells.styled(convert(value), **style)


def _converter(column, cells: _Cells, mask, birth_date_mask=None) -> Callable:
    choices = getattr(column, "choices", None)
    number_format = getattr(column, "number_format", "")
    if choices:
        return lambda value: cells.text(choices.get(str(value), value) if value is not None else None)
    kind = column.kind
    if kind == BIRTH_DATE:
        if birth_date_mask is not None:
            return lambda value: cells.text(birth_date_mask(value) if value else None)
        return lambda value: cells.date(value, number_format or DATE_FORMAT)
    if kind == DATE:
        return lambda value: cells.date(value, number_format or DATE_FORMAT)
    if kind == DATETIME:
        return lambda value: cells.datetime(value, number_format or DATETIME_FORMAT)
    if kind == MONEY:
        return lambda value: cells.number(value, number_format or MONEY_FORMAT)
    if kind == NUMBER:
        return (lambda value: cells.number(value, number_format)) if number_format else cells.number
    if kind == IDENTITY:
        if mask is not None:
            return lambda value: cells.identity(mask(str(value)) if value not in (None, "") else value)
        return cells.identity
    if kind == AUTO:
        return cells.auto
    return cells.text


def _sheet_title(title: str) -> str:
    title = str(title)
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return ILLEGAL_CHARACTERS_RE.sub("", title)[:31] or "Data"


def _resolve(model, path: str):
    """The model field a `values_list` path ends at, or None for annotations."""
    current = model
    found = None
    for part in path.split("__"):
        try:
            found = current._meta.get_field(part)
        except Exception:  # noqa: BLE001 - annotation or unknown path: no metadata
            return None
        if found.is_relation and found.related_model is not None:
            current = found.related_model
    return found


def _kind_for(model_field) -> str:
    if isinstance(model_field, models.DateTimeField):
        return DATETIME
    if isinstance(model_field, models.DateField):
        return DATE
    if isinstance(model_field, (models.IntegerField, models.FloatField, models.DecimalField)) and not (
        model_field.choices
    ):
        return NUMBER
    return TEXT


def _default_width(kind: str, model_field) -> int:
    if kind in (DATE, BIRTH_DATE, MONEY, NUMBER):
        return 14
    if kind == DATETIME:
        return 17
    max_length = getattr(model_field, "max_length", None) or 40
    return max(10, min(max_length + 2, 40))


def iter_chunks(queryset, paths: Sequence[str], chunk_size: int = 2000) -> Iterator[tuple]:
    """Rows as tuples straight from the database, fetched in chunks (never all rows in memory)."""
    return queryset.values_list(*paths).iterator(chunk_size=chunk_size)


def jakarta_now_text() -> str:
    return timezone.localtime().strftime("%d-%m-%Y %H:%M WIB")


__all__ = [
    "BIRTH_DATE",
    "AUTO",
    "DATE",
    "DATETIME",
    "IDENTITY",
    "MONEY",
    "NUMBER",
    "TEXT",
    "Column",
    "ExportColumn",
    "Sheet",
    "iter_chunks",
    "jakarta_now_text",
    "write_register_xlsx",
    "write_xlsx",
    "xlsx_download",
]
