"""Streaming xlsx writer for register exports (openpyxl write-only mode).

Rows arrive as tuples from `values_list(...).iterator()`, so memory stays flat whatever the row count.
Every string is written as a string cell; a string that Excel or a CSV round trip could read as a
formula (starts with = + - @ tab CR NUL, OWASP "CSV injection") is forced to the string type and
marked with Excel's quote prefix, so it is shown, never evaluated.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

TEXT = "text"
DATE = "date"
DATETIME = "datetime"
MONEY = "money"
NUMBER = "number"
IDENTITY = "identity"  # NIK/KK: text, masked for users not allowed to see full numbers
BIRTH_DATE = "birth_date"  # a date, an age band for users not allowed to see full numbers

DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
MONEY_FORMAT = '"Rp" #,##0'
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")


@dataclass
class ExportColumn:
    """One spreadsheet column: a header, a `values_list` path and how to type its cells.

    `kind` and `choices` are filled in from the model field when not given (`bind`); declare `money`
    for Rupiah amounts and `identity` for NIK/KK (text, masked for users without full access).
    """

    path: str
    header: str = ""
    kind: str = ""
    width: int = 0
    choices: dict = field(default_factory=dict)

    def bind(self, model: type[models.Model]) -> "ExportColumn":
        model_field = _resolve(model, self.path)
        header = self.header or (str(model_field.verbose_name) if model_field is not None else self.path)
        kind = self.kind or _kind_for(model_field)
        choices = self.choices or ({str(k): str(v) for k, v in model_field.flatchoices} if (
            model_field is not None and model_field.choices) else {})
        width = self.width or _default_width(kind, model_field)
        return ExportColumn(self.path, header, kind, width, choices)


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


def safe_text(value: str) -> str:
    """Drop characters XML cannot hold (openpyxl would raise on them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


class _CellFactory:
    """Turns Python values into write-only cells; plain values where openpyxl's default is right."""

    def __init__(self, worksheet):
        self.ws = worksheet

    def text(self, value):
        if value is None:
            return None
        value = str(value)
        if not value:
            return value
        if value.startswith(FORMULA_TRIGGERS):
            cell = WriteOnlyCell(self.ws, value=safe_text(value) or " ")
            cell.data_type = "s"  # openpyxl would store "=..." as a live formula
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
            return cell
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = safe_text(value)
        return value

    def formatted(self, value, number_format: str):
        if value is None:
            return None
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = number_format
        return cell

    def datetime(self, value):
        if value is None:
            return None
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return self.formatted(value, DATETIME_FORMAT)


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
    """Write the rows to `fileobj` as xlsx; return the number of data rows written.

    `info` is a list of (label, value) lines for the "Info" sheet; the row count is appended.
    `mask` (callable) is applied to identity columns when the reader may not see full numbers, and
    `birth_date_mask` to birth-date columns.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_sheet_title(sheet_title))
    info_ws = wb.create_sheet(title="Info")
    cells = _CellFactory(ws)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=safe_text(column.header))
        cell.font = bold
        cell.data_type = "s"
        header.append(cell)
    ws.append(header)

    converters = [_converter(column, cells, mask, birth_date_mask) for column in columns]
    count = 0
    append = ws.append
    for row in rows:
        append([convert(value) for convert, value in zip(converters, row, strict=True)])
        count += 1
    last_column = get_column_letter(max(len(columns), 1))
    ws.auto_filter.ref = f"A1:{last_column}{count + 1}"

    info_ws.column_dimensions["A"].width = 24
    info_ws.column_dimensions["B"].width = 70
    info_cells = _CellFactory(info_ws)
    for label, value in info:
        info_ws.append([_bold(info_ws, label), info_cells.text(value)])
    info_ws.append([_bold(info_ws, gettext("Jumlah baris")), count])
    wb.save(fileobj)
    return count


def _bold(ws, text: str):
    cell = WriteOnlyCell(ws, value=safe_text(str(text)))
    cell.font = Font(bold=True)
    cell.data_type = "s"
    return cell


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31] or "Data"


def _converter(column: ExportColumn, cells: _CellFactory, mask, birth_date_mask=None):
    if column.kind == BIRTH_DATE:
        if birth_date_mask is not None:
            return lambda value: cells.text(birth_date_mask(value) if value else None)
        return lambda value: cells.formatted(value, DATE_FORMAT)
    if column.choices:
        choices = column.choices
        return lambda value: cells.text(choices.get(str(value), value) if value is not None else None)
    if column.kind == DATE:
        return lambda value: cells.formatted(value, DATE_FORMAT)
    if column.kind == DATETIME:
        return cells.datetime
    if column.kind == MONEY:
        return lambda value: cells.formatted(value, MONEY_FORMAT)
    if column.kind == NUMBER:
        return _number
    if column.kind == IDENTITY and mask is not None:
        return lambda value: cells.text(mask(value) if value else value)
    return cells.text


def _number(value):
    return value


def iter_chunks(queryset, paths: Sequence[str], chunk_size: int = 2000) -> Iterator[tuple]:
    """Rows as tuples straight from the database, fetched in chunks (never all rows in memory)."""
    return queryset.values_list(*paths).iterator(chunk_size=chunk_size)


def jakarta_now_text() -> str:
    return timezone.localtime().strftime("%d-%m-%Y %H:%M WIB")


__all__ = [
    "BIRTH_DATE",
    "DATE",
    "DATETIME",
    "IDENTITY",
    "MONEY",
    "NUMBER",
    "TEXT",
    "ExportColumn",
    "iter_chunks",
    "jakarta_now_text",
    "write_register_xlsx",
]
