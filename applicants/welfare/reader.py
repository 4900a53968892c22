"""A streaming reader for the first worksheet of an xlsx file, in constant memory.

python-calamine parses a whole sheet into memory before handing out rows (a 10^6-row extract took
1 GB), and openpyxl's read-only mode streams but is ~16x slower. This reader feeds the sheet XML from
the zip to expat in 1 MB blocks and yields rows as they complete. Numeric cells stay numbers (the
import rejects a numeric NIK/KK); numeric cells with a date format become dates. Only the shared-string
table is held in memory, as real extracts store repeated text there.

Every size an attacker controls is bounded by `Limits` (columns, characters per cell, unpacked bytes
of each part, shared-string bytes): a file past a limit raises XlsxFormatError with an Indonesian
message naming the problem, before memory or time grow with it. DTDs are refused outright, so no
entity (external or nested) is ever expanded.
"""

from __future__ import annotations

import datetime
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from django.utils.translation import gettext as _

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | {45, 46, 47}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]')
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
BLOCK = 1 << 20
EXCEL_MAX_ROWS = 1_048_576
MAX_PENDING_BYTES = 4 << 20  # one start tag or token; a real row of 100 cells is a few kilobytes


class XlsxFormatError(Exception):
    """The file is refused as a whole; the message is Indonesian and names the problem."""


@dataclass(frozen=True)
class Limits:
    max_columns: int = 100
    max_cell_chars: int = 1000
    max_unpacked_bytes: int = 1024 << 20  # all parts of the archive together, as declared and as read
    max_shared_strings_bytes: int = 64 << 20


@dataclass
class Progress:
    """Bytes of the file (csv) or sheet (xlsx, unpacked) read so far, for the admin's progress bar."""

    total: int = 0
    done: int = 0
    tell: Callable[[], int] | None = None  # where the reader can tell its position itself

    def position(self) -> int:
        return self.tell() if self.tell is not None else self.done


def _forbid_dtd(*_args):
    raise XlsxFormatError(_("The xlsx file contains a DTD/XML entity declaration; files like this are not accepted."))


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="|")
    parser.buffer_text = True
    # Refuse any DTD: internal entities (billion laughs) and external ones (XXE) are never expanded.
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def _damaged() -> XlsxFormatError:
    return XlsxFormatError(_("The .xlsx file is damaged or truncated; save it again from Excel and upload it again."))


def _feed(archive: zipfile.ZipFile, name: str, parser, limit: int, progress: Progress | None = None):
    """Feed one part to `parser` block by block; yields after each block (for streaming callers)."""
    read = 0
    try:
        with archive.open(name) as handle:
            while block := handle.read(BLOCK):
                read += len(block)
                if read > limit:
                    raise XlsxFormatError(
                        _("The .xlsx file content is too large once unpacked (more than %(mb)s MB).")
                        % {"mb": limit >> 20}
                    )
                if progress is not None:
                    progress.done = read
                parser.Parse(block, False)
                # expat holds an unfinished tag (a megabyte-long attribute) whole in memory: refuse it early.
                if read - max(parser.CurrentByteIndex, 0) > MAX_PENDING_BYTES:
                    raise XlsxFormatError(
                        _("The .xlsx file contains an XML element that is "
                          "too large; check that this is a register extract.")
                    )
                yield
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise _damaged() from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError):
        raise _damaged() from None


def _parse_small(archive: zipfile.ZipFile, name: str, start, end=None, text=None, limit: int = 16 << 20) -> None:
    parser = _parser()
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    for _block in _feed(archive, name, parser, limit):
        pass


def check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a zip bomb from its directory alone, before anything is unpacked."""
    declared = sum(info.file_size for info in archive.infolist())
    if declared > limits.max_unpacked_bytes:
        raise XlsxFormatError(
            _("The .xlsx file content is too large once unpacked (%(size)s MB; limit %(mb)s MB).")
            % {"size": declared >> 20, "mb": limits.max_unpacked_bytes >> 20}
        )
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        raise XlsxFormatError(_("This file is not an Excel workbook (.xlsx): the workbook part is missing."))


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    sheet_ids: list[str] = []
    targets: dict[str, str] = {}

    def workbook_start(name, attrs):
        if name == f"{_MAIN}|sheet":
            sheet_ids.append(attrs.get(f"{_REL}|id", ""))

    def rels_start(name, attrs):
        if name == f"{_PKG_REL}|Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    _parse_small(archive, "xl/workbook.xml", workbook_start)
    _parse_small(archive, "xl/_rels/workbook.xml.rels", rels_start)
    if not sheet_ids or sheet_ids[0] not in targets:
        raise XlsxFormatError(_("The .xlsx file contains no worksheets."))
    target = targets[sheet_ids[0]]
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if path not in archive.namelist():
        raise XlsxFormatError(_("The .xlsx file contains no worksheets."))
    return path


def _shared_strings(archive: zipfile.ZipFile, limits: Limits) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    size = archive.getinfo("xl/sharedStrings.xml").file_size
    if size > limits.max_shared_strings_bytes:
        raise XlsxFormatError(
            _("The shared strings table of the .xlsx file is too large (%(size)s "
              "MB; limit %(mb)s MB). For an extract this large, save it as CSV.")
            % {"size": size >> 20, "mb": limits.max_shared_strings_bytes >> 20}
        )
    strings: list[str] = []
    parts: list[str] = []
    state = {"in_t": False, "skip": 0}

    def start(name, attrs):
        if name == f"{_MAIN}|si":
            parts.clear()
        elif name in (f"{_MAIN}|rPh", f"{_MAIN}|phoneticPr"):
            state["skip"] += 1  # phonetic guides are not part of the text
        elif name == f"{_MAIN}|t" and not state["skip"]:
            state["in_t"] = True

    def end(name):
        if name == f"{_MAIN}|si":
            strings.append("".join(parts))
        elif name in (f"{_MAIN}|rPh", f"{_MAIN}|phoneticPr"):
            state["skip"] -= 1
        elif name == f"{_MAIN}|t":
            state["in_t"] = False

    def text(data):
        if state["in_t"]:
            parts.append(data)

    _parse_small(archive, "xl/sharedStrings.xml", start, end, text, limit=limits.max_shared_strings_bytes)
    return strings


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of cell styles whose number format shows a date."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    state = {"in_xfs": False}

    def start(name, attrs):
        if name == f"{_MAIN}|numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif name == f"{_MAIN}|cellXfs":
            state["in_xfs"] = True
        elif name == f"{_MAIN}|xf" and state["in_xfs"]:
            formats.append(int(attrs.get("numFmtId", "0")))

    def end(name):
        if name == f"{_MAIN}|cellXfs":
            state["in_xfs"] = False

    _parse_small(archive, "xl/styles.xml", start, end)

    def is_date(fmt_id: int) -> bool:
        if fmt_id in custom:
            return bool(_DATE_CODE.search(_QUOTED.sub("", custom[fmt_id])))
        return fmt_id in _BUILTIN_DATE_FORMATS

    return {index for index, fmt_id in enumerate(formats) if is_date(fmt_id)}


def _column_index(ref: str) -> int:
    index = 0
    for char in ref[:4]:  # XFD (16,384) is Excel's last column; longer letters are refused by the caller
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    else:
        if len(ref) > 4 and "A" <= ref[4] <= "Z":
            return 1 << 30
    return index - 1


def too_many_columns(limit: int) -> XlsxFormatError:
    return XlsxFormatError(
        _("The file has more than %(n)s columns; check that this is the right register extract.") % {"n": limit}
    )


def cell_too_long(row: int, limit: int) -> XlsxFormatError:
    return XlsxFormatError(
        _("Row %(row)s has a cell longer than %(n)s characters; check the file content.") % {"row": row, "n": limit}
    )


def open_archive(path: str | Path, limits: Limits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise XlsxFormatError(_("The .xlsx file is damaged or is not an Excel file.")) from None
    try:
        check_archive(archive, limits)
    except XlsxFormatError:
        archive.close()
        raise
    return archive


def iter_first_sheet(
    path: str | Path, limits: Limits | None = None, progress: Progress | None = None
) -> Iterator[tuple[int, list]]:
    """(row number, cells) for each non-empty row of the first worksheet."""
    limits = limits or Limits()
    with open_archive(path, limits) as archive:
        sheet = _first_sheet_path(archive)
        strings = _shared_strings(archive, limits)
        date_styles = _date_styles(archive)
        max_columns, max_chars = limits.max_columns, limits.max_cell_chars
        if progress is not None:
            progress.total = archive.getinfo(sheet).file_size
        done: list[tuple[int, list]] = []
        row: dict[int, object] = {}
        cell = {"col": 0, "type": "n", "style": 0, "text": None, "in_value": False}
        current = {"row": 0, "next_col": 0}
        c_tag, v_tag, t_tag, row_tag = f"{_MAIN}|c", f"{_MAIN}|v", f"{_MAIN}|t", f"{_MAIN}|row"

        def start(name, attrs):
            if name == c_tag:
                ref = attrs.get("r")
                column = _column_index(ref) if ref else current["next_col"]
                if column >= max_columns:
                    raise too_many_columns(max_columns)
                if column < 0:
                    raise _damaged()
                cell["col"] = column
                cell["type"] = attrs.get("t", "n")
                cell["style"] = _int(attrs.get("s", "0"))
                cell["text"] = None
            elif name == v_tag or (name == t_tag and cell["type"] == "inlineStr"):
                cell["in_value"] = True
            elif name == row_tag:
                ref = attrs.get("r")
                current["row"] = _int(ref) if ref else current["row"] + 1
                if current["row"] > EXCEL_MAX_ROWS:
                    raise _damaged()
                current["next_col"] = 0
                row.clear()

        def end(name):
            if name == c_tag:
                try:
                    value = _value(cell, strings, date_styles)
                except (ValueError, IndexError, OverflowError):
                    raise _damaged() from None
                if type(value) is str and len(value) > max_chars:
                    raise cell_too_long(current["row"], max_chars)
                row[cell["col"]] = value
                current["next_col"] = cell["col"] + 1
            elif name in (v_tag, t_tag):
                cell["in_value"] = False
            elif name == row_tag and row:
                values = [""] * (max(row) + 1)
                for index, value in row.items():
                    values[index] = value
                done.append((current["row"], values))

        def text(data):
            if cell["in_value"]:
                cell["text"] = data if cell["text"] is None else cell["text"] + data
                if len(cell["text"]) > max_chars:
                    raise cell_too_long(current["row"], max_chars)

        parser = _parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        for _block in _feed(archive, sheet, parser, limits.max_unpacked_bytes, progress):
            yield from done
            done.clear()
        yield from done


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _damaged() from None


def _value(cell: dict, strings: list[str], date_styles: set[int]):
    text, kind = cell["text"], cell["type"]
    if text is None:
        return ""
    if kind == "s":
        return strings[int(text)]
    if kind in ("inlineStr", "str", "e"):
        return text
    if kind == "b":
        return text == "1"
    if kind == "d":
        return text
    number = float(text)
    if cell["style"] in date_styles:
        return (_EXCEL_EPOCH + datetime.timedelta(days=number)).date()
    return int(number) if number.is_integer() and "." not in text and "E" not in text.upper() else number
