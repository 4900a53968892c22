"""A streaming reader for the first worksheet of an xlsx file, in constant memory.

python-calamine parses a whole sheet into memory before handing out rows (a 10^6-row extract took
1 GB), and openpyxl's read-only mode streams but is ~16x slower. This reader feeds the sheet XML from
the zip to expat in 1 MB blocks and yields rows as they complete. Numeric cells stay numbers (the
import rejects a numeric NIK/KK); numeric cells with a date format become dates. Only the shared-string
table is held in memory, as real extracts store repeated text there.
"""

from __future__ import annotations

import datetime
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | {45, 46, 47}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]')
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
BLOCK = 1 << 20


class XlsxFormatError(Exception):
    pass


def _forbid_entities(*_args):
    raise XlsxFormatError("DTD entities are not allowed in xlsx parts")


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="|")
    parser.buffer_text = True
    parser.EntityDeclHandler = _forbid_entities  # no entity expansion (billion laughs)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def _parse_small(archive: zipfile.ZipFile, name: str, start, end=None, text=None) -> None:
    parser = _parser()
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    with archive.open(name) as handle:
        while block := handle.read(BLOCK):
            parser.Parse(block, False)
    parser.Parse(b"", True)


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
        raise XlsxFormatError("no worksheet")
    target = targets[sheet_ids[0]]
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
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

    _parse_small(archive, "xl/sharedStrings.xml", start, end, text)
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
    for char in ref:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index - 1


def iter_first_sheet(path: str | Path) -> Iterator[tuple[int, list]]:
    """(row number, cells) for each non-empty row of the first worksheet."""
    with zipfile.ZipFile(path) as archive:
        sheet = _first_sheet_path(archive)
        strings = _shared_strings(archive)
        date_styles = _date_styles(archive)
        done: list[tuple[int, list]] = []
        row: dict[int, object] = {}
        cell = {"col": 0, "type": "n", "style": 0, "text": None, "in_value": False}
        current = {"row": 0, "next_col": 0}
        c_tag, v_tag, t_tag, row_tag = f"{_MAIN}|c", f"{_MAIN}|v", f"{_MAIN}|t", f"{_MAIN}|row"

        def start(name, attrs):
            if name == c_tag:
                ref = attrs.get("r")
                cell["col"] = _column_index(ref) if ref else current["next_col"]
                cell["type"] = attrs.get("t", "n")
                cell["style"] = int(attrs.get("s", "0"))
                cell["text"] = None
            elif name == v_tag or (name == t_tag and cell["type"] == "inlineStr"):
                cell["in_value"] = True
            elif name == row_tag:
                ref = attrs.get("r")
                current["row"] = int(ref) if ref else current["row"] + 1
                current["next_col"] = 0
                row.clear()

        def end(name):
            if name == c_tag:
                row[cell["col"]] = _value(cell, strings, date_styles)
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

        parser = _parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        with archive.open(sheet) as handle:
            while block := handle.read(BLOCK):
                parser.Parse(block, False)
                yield from done
                done.clear()
        parser.Parse(b"", True)
        yield from done


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
