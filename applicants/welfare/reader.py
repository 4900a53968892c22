"""A streaming reader for the first worksheet of an xlsx file, in constant memory.

python-calamine parses a whole sheet into memory before handing out rows (a 10^6-row extract took
1.4 GB), and openpyxl's read-only mode streams but is ~16x slower. This reader takes the sheet XML from
the zip in 1 MB blocks and compiled patterns read the rows each block completes (`_scan_rows`), so the
per-cell work stays in C. expat, with no Python callback, checks the whole sheet is well-formed; it is
spared only the cells of rows the plain pattern has read whole, which that pattern proves well-formed.
A sheet the patterns do not read goes through expat's events instead (`_rows_by_events`). Numeric
cells stay numbers (the import rejects a numeric NIK/KK); numeric cells with a date format become
dates. Only the shared-string table is held in memory, as real extracts store repeated text there.

Every size an attacker controls is bounded by `Limits` (columns, characters per cell, unpacked bytes
of each part, shared-string bytes): a file past a limit raises XlsxFormatError with an Indonesian
message naming the problem, before memory or time grow with it. DTDs are refused outright, so no
entity (external or nested) is ever expanded.
"""

from __future__ import annotations

import codecs
import datetime
import operator
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


def _element_too_large() -> XlsxFormatError:
    return XlsxFormatError(
        _("The .xlsx file contains an XML element that is too large; check that this is a register extract.")
    )


def _damaged() -> XlsxFormatError:
    return XlsxFormatError(_("The .xlsx file is damaged or truncated; save it again from Excel and upload it again."))


def _blocks(archive: zipfile.ZipFile, name: str, limit: int, progress: Progress | None = None) -> Iterator[bytes]:
    """One part's unpacked bytes, block by block, refused once past `limit`."""
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
                yield block
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError):
        raise _damaged() from None


def _feed(archive: zipfile.ZipFile, name: str, parser, limit: int, progress: Progress | None = None):
    """Feed one part to `parser` block by block; yields after each block (for streaming callers)."""
    read = 0
    try:
        for block in _blocks(archive, name, limit, progress):
            read += len(block)
            parser.Parse(block, False)
            # expat holds an unfinished tag (a megabyte-long attribute) whole in memory: refuse it early.
            if read - max(parser.CurrentByteIndex, 0) > MAX_PENDING_BYTES:
                raise _element_too_large()
            yield block
        parser.Parse(b"", True)
    except expat.ExpatError:
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
        return _DateStyles(())
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

    return _DateStyles(index for index, fmt_id in enumerate(formats) if is_date(fmt_id))


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
    """(row number, cells) for each non-empty row of the first worksheet.

    The sheet is scanned in blocks with compiled patterns (`_scan_rows`); a sheet using XML the scan
    does not read (comments, CDATA, another encoding) is read again by expat's events
    (`_rows_by_events`), from where the scan stopped.
    """
    limits = limits or Limits()
    with open_archive(path, limits) as archive:
        sheet = _first_sheet_path(archive)
        strings = _shared_strings(archive, limits)
        date_styles = _date_styles(archive)
        if progress is not None:
            progress.total = archive.getinfo(sheet).file_size
        yielded = 0
        try:
            for item in _scan_rows(archive, sheet, strings, date_styles, limits, progress):
                yield item
                yielded += 1
            return
        except _NotScannable:
            pass
        for index, item in enumerate(_rows_by_events(archive, sheet, strings, date_styles, limits, progress)):
            if index >= yielded:
                yield item


def _rows_by_events(archive: zipfile.ZipFile, sheet: str, strings: list[str], date_styles: set[int],
                    limits: Limits, progress: Progress | None) -> Iterator[tuple[int, list]]:
    """The rows through expat's callbacks: any well-formed sheet, about 4x slower than the scan."""
    max_columns, max_chars = limits.max_columns, limits.max_cell_chars
    done: list[tuple[int, list]] = []
    row: dict[int, object] = {}
    cell = {"col": 0, "type": "n", "style": 0, "text": None, "in_value": False, "phonetic": 0}
    current = {"row": 0, "next_col": 0}
    c_tag, v_tag, t_tag, row_tag = f"{_MAIN}|c", f"{_MAIN}|v", f"{_MAIN}|t", f"{_MAIN}|row"
    phonetic_tag = f"{_MAIN}|rPh"

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
        elif name == v_tag or (name == t_tag and cell["type"] == "inlineStr" and not cell["phonetic"]):
            cell["in_value"] = True
        elif name == phonetic_tag:
            cell["phonetic"] += 1  # a phonetic guide is not part of the text, as in the shared strings
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
        elif name == phonetic_tag:
            cell["phonetic"] -= 1
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


class _NotScannable(Exception):
    """The sheet uses XML the block scan does not read; expat's events read it instead."""


_NS = r"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix (<x:row>), as some generators write
_ROW = re.compile(rf"<{_NS}row(?=[\s/>])([^>]*?)(?:/>|(?<!/)>(.*?)</{_NS}row\s*>)", re.S)
_ROW_START = re.compile(rf"<{_NS}row(?=[\s/>])")
_R_ATTR = re.compile(r"""\sr\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# The cell as Excel, LibreOffice and openpyxl write it; any other spelling takes the general pattern.
_PLAIN_CELLS = re.compile(r'(<c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?'
                          r"(?:/>|>(?:<v>([^<]*)</v>|<is><t>([^<]*)</t></is>)?</c>))")
_CELL = re.compile(rf"<{_NS}c(?=[\s/>])([^>]*?)(?:/>|(?<!/)>(.*?)</{_NS}c\s*>)", re.S)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_V = re.compile(rf"<{_NS}v(?:\s[^>]*)?>([^<]*)</{_NS}v\s*>")
_IS = re.compile(rf"<{_NS}is(?:\s[^>]*)?>(.*?)</{_NS}is\s*>", re.S)
_RPH = re.compile(rf"<{_NS}rPh(?=[\s/>]).*?(?:</{_NS}rPh\s*>|/>)", re.S)
_T = re.compile(rf"<{_NS}t(?:\s[^>]*)?>([^<]*)</{_NS}t\s*>")
_ENTITY = re.compile(r"&(?:#([0-9]+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
# What a row's text may hold that its pattern does not check and expat would refuse or expand: an entity,
# a control character, U+FFFE/U+FFFF, "]]>". The bytes are a coarser net for whole blocks ("&", "]", the
# lead byte of U+F000-U+FFFF, the control bytes).
_UNCLEAN_TEXT = re.compile(r"[&\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|]]>")
_UNCLEAN_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 13)) + b"&]\xef"


_TEXT_KINDS = frozenset(("str", "e", "b", "d"))
_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)
_LETTERS = [chr(65 + index) for index in range(26)] + [chr(65 + a) + chr(65 + b) for a in range(26) for b in range(26)]


class _DateStyles(set):
    """Indexes of date-formatted cell styles, with `names`: the same as the text of an `s` attribute."""

    def __init__(self, indexes) -> None:
        super().__init__(indexes)
        self.names = {str(index) for index in self} | ({""} if 0 in self else set())


def _entity(match: re.Match) -> str:
    decimal, hexadecimal, name = match.groups()
    return _NAMED[name] if name else chr(int(decimal) if decimal else int(hexadecimal, 16))


def _xml_text(raw: str) -> str:
    """Character data as expat gives it: line ends normalised, the XML entities and references expanded
    (expat has already refused any other entity in the same bytes)."""
    if "&" not in raw and "\r" not in raw:
        return raw
    return _ENTITY.sub(_entity, raw.replace("\r\n", "\n").replace("\r", "\n"))


def _scan_rows(archive: zipfile.ZipFile, sheet: str, strings: list[str], date_styles: set[int],
               limits: Limits, progress: Progress | None) -> Iterator[tuple[int, list]]:
    """The rows by scanning each block of the sheet with compiled patterns, the work done in C.

    expat still checks the whole sheet (well-formedness, DTDs refused), but not byte by byte: a row whose
    cells are all in the plain shape, with no entity, control character or "]]>" in them, is well-formed
    by the pattern that read it, so expat gets only its `<row ...></row>` shell. Everything else (the
    sheet's head and tail, the text between rows, any other row) it gets whole. What follows the last
    complete row of a block waits for the next, bounded like expat's pending tag.
    """
    max_columns, max_chars = limits.max_columns, limits.max_cell_chars
    max_pending = max(MAX_PENDING_BYTES, max_columns * (max_chars * 12 + 300))
    decoder = codecs.getincrementaldecoder("utf-8")()
    skeleton = _parser()
    columns: dict[str, int] = {}
    shapes: list[_Shape] = []
    long_strings = any(len(string) > max_chars for string in strings)
    pending = ""
    pending_clean = True
    row_number = 0
    first = True
    for block in _blocks(archive, sheet, limits.max_unpacked_bytes, progress):
        # One pass in C over the bytes (with those of a character the last block cut) tells whether the
        # text may hold anything a plain row would need expat for; most blocks hold nothing of it.
        partial = decoder.getstate()[0]
        data = partial + block if partial else block
        clean = pending_clean and len(data.translate(None, _UNCLEAN_BYTES)) == len(data)
        try:
            text = decoder.decode(block)
        except UnicodeDecodeError:
            raise _NotScannable from None
        buffer = pending + text if pending else text
        shell: list[str] = []
        if first:  # the XML declaration, once it is whole: the only "<?" the scan accepts
            head = buffer.lstrip()
            if len(head) < 5 or (head.startswith("<?") and "?>" not in head):
                pending, pending_clean = buffer, clean
                if len(pending) > max_pending:
                    raise _element_too_large()
                continue
            first = False
            declaration = _DECLARATION.match(buffer)
            if declaration:
                if re.search(r"encoding\s*=\s*[\"'](?!utf-?8[\"'])", declaration.group(), re.IGNORECASE):
                    raise _NotScannable
                shell.append(buffer[:declaration.end()])
                buffer = buffer[declaration.end():]
        if "<!" in buffer or "<?" in buffer:  # comments and CDATA may hold markup-like text
            raise _NotScannable
        # Nor, most often, any "&" or CR: then no row of the block needs its text unescaped.
        plain_text = clean and "\r" not in buffer
        end = 0
        done = []
        for attrs, content, content_start, row_end in _complete_rows(buffer):
            if attrs[:4] == ' r="' and attrs[-1:] == '"' and attrs[4:-1].isdigit():  # <row r="5">, most rows
                row_number = _int(attrs[4:-1])
            else:
                ref = _R_ATTR.search(attrs)
                row_number = _int(ref.group(1) if ref.group(1) is not None else ref.group(2)) if ref \
                    else row_number + 1
            if row_number > EXCEL_MAX_ROWS:
                raise _damaged()
            values = _plain_cells(content, strings, date_styles, columns, limits, shapes, plain_text) \
                if content else None
            if values is not None and content_start >= 0 and (clean or not _UNCLEAN_TEXT.search(content)):
                shell.append(buffer[end:content_start])
                shell.append("</row>")
            else:
                shell.append(buffer[end:row_end])
            end = row_end
            if not content:
                continue
            if values is None:
                values = _general_cells(content, strings, date_styles, max_columns)
            if not values:
                continue
            # A cell's text is never longer than the row's markup, but a shared string may be.
            if len(content) > max_chars or long_strings:
                for value in values:
                    if type(value) is str and len(value) > max_chars:
                        raise cell_too_long(row_number, max_chars)
            done.append((row_number, values))
        rest = buffer[end:]
        start = _ROW_START.search(rest)
        cut = start.start() if start else rest.rfind("<") if "<" in rest else len(rest)
        shell.append(rest[:cut])
        pending = rest[cut:]
        pending_clean = clean or not pending
        if len(pending) > max_pending:
            raise _element_too_large()
        _check(skeleton, "".join(shell))
        yield from done
    try:
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        raise _damaged() from None
    _check(skeleton, pending, final=True)


def _check(parser: expat.XMLParserType, text: str, final: bool = False) -> None:
    try:
        parser.Parse(text, final)
    except expat.ExpatError:
        raise _damaged() from None


def _complete_rows(buffer: str) -> Iterator[tuple[str, str, int, int]]:
    """(attributes, content, content offset, end offset) of each complete row in `buffer`; the content
    offset is -1 where the row's end tag is not a plain "</row>".

    Split on "</row>" (in C) when the rows are unprefixed and not self-closing, the common case;
    otherwise the row pattern.
    """
    parts = buffer.split("</row>")
    if ":row" in buffer or "<row/" in buffer or buffer.count("<row") != len(parts) - 1 + (
        buffer.rfind("<row") > buffer.rfind("</row>")
    ):
        for row in _ROW.finditer(buffer):
            attrs, content = row.groups()
            yield attrs, content or "", -1, row.end()
        return
    end = 0
    for part in parts[:-1]:
        start = part.find("<row")
        close = part.find(">", start)
        if start < 0 or close < 0:
            raise _damaged()
        yield part[start + 4:close], part[close + 1:], end + close + 1, end + len(part) + 6
        end += len(part) + 6


def _plain_cells(content: str, strings: list[str], date_styles: set[int], columns: dict[str, int],
                 limits: Limits, shapes: list[_Shape], plain_text: bool = False) -> list | None:
    """The values of a row written in the plain shape, or None to read it with the general pattern.

    `plain_text`: the caller knows the row holds no "&" and no CR, so no text needs unescaping."""
    escaped = not plain_text and ("&" in content or "\r" in content)
    if not escaped:
        for index, shape in enumerate(shapes):
            match = shape.pattern.fullmatch(content)
            if match:
                if index:  # the layout of the last row read is tried first
                    shapes.insert(0, shapes.pop(index))
                return shape.values(match.groups(), strings, date_styles)
    cells = _PLAIN_CELLS.findall(content)
    # Matches never overlap: when their lengths add up to the row's, the row is plain cells and nothing else.
    if sum(map(len, map(_FIRST, cells))) != len(content):
        return None
    if len(shapes) < _MAX_SHAPES and (shape := _Shape.of(cells, limits.max_columns)):
        shapes.append(shape)
    if not escaped and len(cells) <= min(limits.max_columns, len(_LETTERS)) and (
        list(map(_SECOND, cells)) == _LETTERS[:len(cells)]
    ):
        # Columns A, B, C... without a gap and no entity: the whole row in one comprehension.
        try:
            return [
                (strings[int(number)] if number else "") if kind == "s"
                else (inline or number) if kind == "inlineStr"
                else "" if not number
                else _typed(number, kind) if kind in _TEXT_KINDS
                else int(number) if len(number) < 16 and number.isdigit() and style not in date_styles.names
                else _number(number, int(style) if style else 0, date_styles)
                for _cell, _letters, style, kind, number, inline in cells
            ]
        except (ValueError, IndexError, OverflowError):
            raise _damaged() from None
    values: list = []
    append = values.append
    try:
        for _cell, letters, style, kind, number, inline in cells:
            column = columns.get(letters)
            if column is None:
                column = _column_index(letters)
                if column >= limits.max_columns:
                    raise too_many_columns(limits.max_columns)
                columns[letters] = column
            if kind == "s":
                value = strings[int(number)] if number else ""
            elif kind == "inlineStr":
                value = _xml_text(inline or number) if escaped else inline or number
            elif not number:
                value = ""
            elif kind in _TEXT_KINDS:
                value = _typed(_xml_text(number), kind)
            else:
                value = _number(number, int(style) if style else 0, date_styles)
            if column == len(values):
                append(value)
            elif column > len(values):
                values.extend([""] * (column - len(values)))
                values.append(value)
            else:
                values[column] = value
    except (ValueError, IndexError, OverflowError):
        raise _damaged() from None
    return values


_MAX_SHAPES = 16


class _Shape:
    """One layout of plain cells (columns, types, attributes present), matched whole by one pattern.

    A sheet's rows share a few layouts, so most rows are read by one fullmatch and one itemgetter
    instead of a match per cell. The pattern is the plain pattern with the columns and types fixed:
    what it matches, the plain pattern reads the same way.
    """

    def __init__(self, pattern: str, picks: list[int], fixes: list[tuple[int, str, int]]) -> None:
        self.pattern = re.compile(pattern)
        # Group -1 of the groups with "" appended: a column the layout leaves out.
        self.pick = operator.itemgetter(*picks) if len(picks) > 1 else lambda groups: (groups[picks[0]],)
        self.fixes = fixes

    @classmethod
    def of(cls, cells: list[tuple], max_columns: int) -> _Shape | None:
        """The layout of a row's plain cells, or None for one the plain pattern reads cell by cell."""
        pattern, picks, fixes = [], [], []
        group = 0
        for _cell, letters, _style, kind, _number, _inline in cells:
            column = _column_index(letters)
            if column < len(picks) or column >= max_columns or kind not in _SHAPE_KINDS:
                return None
            picks.extend([-1] * (column - len(picks)))
            head = f'<c r="{letters}[0-9]+"'
            if kind in ("", "n"):
                kind_attr = ' t="n"' if kind else ""
                pattern.append(f'{head}(?: s="([0-9]+)")?{kind_attr}(?:/>|></c>|><v>([^<]*)</v></c>)')
                fixes.append((len(picks), "n", group))
                group += 1
            elif kind == "inlineStr":
                pattern.append(f'{head}(?: s="[0-9]+")? t="inlineStr"(?:/>|></c>|><is><t>([^<]*)</t></is></c>)')
            else:
                pattern.append(f'{head}(?: s="[0-9]+")? t="{kind}"(?:/>|></c>|><v>([^<]*)</v></c>)')
                if kind == "s":
                    fixes.append((len(picks), "s", -1))
            picks.append(group)
            group += 1
        return cls("".join(pattern), picks, fixes) if picks else None

    def values(self, groups: tuple, strings: list[str], date_styles: _DateStyles) -> list:
        values = list(self.pick(groups + ("",)))
        if None in values:  # an empty cell (<c r="B5"/>)
            values = ["" if value is None else value for value in values]
        try:
            for index, kind, style_group in self.fixes:
                text = values[index]
                if not text:
                    continue
                if kind == "s":
                    values[index] = strings[int(text)]
                    continue
                style = groups[style_group] or ""
                values[index] = (
                    int(text) if len(text) < 16 and text.isdigit() and style not in date_styles.names
                    else _number(text, int(style) if style else 0, date_styles)
                )
        except (ValueError, IndexError, OverflowError):
            raise _damaged() from None
        return values


_SHAPE_KINDS = frozenset(("", "n", "s", "inlineStr", "str"))


def _general_cells(content: str, strings: list[str], date_styles: set[int], max_columns: int) -> list:
    """The values of a row in any spelling: attributes in any order or quotes, prefixes, formulas,
    rich inline text (phonetic guides left out)."""
    row: dict[int, object] = {}
    next_column = 0
    for cell in _CELL.finditer(content):
        attrs = {name: double or single for name, double, single in _ATTR.findall(cell.group(1))}
        ref = attrs.get("r")
        column = _column_index(ref) if ref else next_column
        if column >= max_columns:
            raise too_many_columns(max_columns)
        if column < 0:
            raise _damaged()
        kind = attrs.get("t", "n")
        inner = cell.group(2) or ""
        raw = None
        if kind == "inlineStr" and (inline := _IS.search(inner)):
            raw = "".join(_T.findall(_RPH.sub("", inline.group(1))))
        elif value := _V.search(inner):
            raw = value.group(1)
        try:
            row[column] = _value({"text": None if raw is None else _xml_text(raw), "type": kind,
                                  "style": _int(attrs.get("s", "0"))}, strings, date_styles)
        except (ValueError, IndexError, OverflowError):
            raise _damaged() from None
        next_column = column + 1
    if not row:
        return []
    values = [""] * (max(row) + 1)
    for index, value in row.items():
        values[index] = value
    return values


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
    if kind in ("inlineStr", "str", "e", "b", "d"):
        return _typed(text, kind)
    return _number(text, cell["style"], date_styles)


def _typed(text: str, kind: str):
    """A cell's text by its type, numbers and shared strings aside."""
    return text == "1" if kind == "b" else text


def _number(text: str, style: int, date_styles: set[int]):
    number = float(text)
    if style in date_styles:
        return (_EXCEL_EPOCH + datetime.timedelta(days=number)).date()
    return int(number) if number.is_integer() and "." not in text and "E" not in text.upper() else number
