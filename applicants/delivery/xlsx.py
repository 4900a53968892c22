"""Small write-only xlsx builders for printing and signing (participants, award list).

Kept apart so the lead can later plug them into the shared register/export machinery.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side

RUPIAH_FORMAT = '"Rp" #,##0'
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def text_cell(ws, value) -> WriteOnlyCell:
    """A string cell that spreadsheet software never evaluates (OWASP ASVS V1.2.10): openpyxl would write
    a str starting with "=" as a formula, so the type is forced; "+62..." phone numbers stay readable."""
    cell = WriteOnlyCell(ws, value="" if value is None else str(value))
    cell.data_type = "s"
    cell.number_format = "@"
    return cell


def build_sheet(title: str, heading: Sequence[str], columns: Sequence[tuple[str, int, str | None]],
                rows: Iterable[Sequence]) -> bytes:
    """columns: (header, width, number_format or None). Text is written as strings (NIK keeps 16 digits)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for i, (_h, width, _f) in enumerate(columns):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    for line in heading:
        cell = text_cell(ws, line)
        cell.font = Font(bold=True)
        ws.append([cell])
    ws.append([])
    header = []
    for h, _w, _f in columns:
        cell = WriteOnlyCell(ws, value=h)
        cell.font, cell.border = Font(bold=True), _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    ws.append(header)
    for row in rows:
        cells = []
        for value, (_h, _w, fmt) in zip(row, columns, strict=True):
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell = WriteOnlyCell(ws, value=value)
                if fmt:
                    cell.number_format = fmt
            else:
                cell = text_cell(ws, value)
            cell.border = _BOX
            cells.append(cell)
        ws.append(cells)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
