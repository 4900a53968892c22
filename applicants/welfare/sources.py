"""Reading an extract (xlsx or `;`-separated CSV) into numbered rows within the size limits of `read_limits()`.

Memory does not grow with the number of rows or with what a hostile file declares: CSV lines are
bounded before csv.reader builds their fields, and xlsx goes through our streaming reader only.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from applicants.welfare.columns import HEADER_SCAN_ROWS, RegisterFileError
from applicants.welfare.reader import (
    Limits,
    Progress,
    XlsxFormatError,
    cell_too_long,
    iter_first_sheet,
    too_many_columns,
)


def file_kind(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise RegisterFileError(_("Unsupported file type: upload an .xlsx or .csv file."))
    return suffix[1:]


def hash_and_encoding(path: Path) -> tuple[str, str]:
    """SHA-256 of the file and, in the same pass, whether it decodes as UTF-8 (else cp1252)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return digest.hexdigest(), ("utf-8-sig" if utf8 else "cp1252")


def read_limits() -> Limits:
    """The size limits for one extract (settings, documented in the README's settings table)."""
    return Limits(
        max_columns=settings.WELFARE_IMPORT_MAX_COLUMNS,
        max_cell_chars=settings.WELFARE_IMPORT_MAX_CELL_CHARS,
        max_unpacked_bytes=settings.WELFARE_IMPORT_MAX_UNPACKED_MB << 20,
        max_shared_strings_bytes=settings.WELFARE_IMPORT_MAX_SHARED_STRINGS_MB << 20,
    )


def _sniff_delimiter(sample: str) -> str:
    lines = sample.splitlines()[:HEADER_SCAN_ROWS]
    counts = {delim: sum(line.count(delim) for line in lines) for delim in (";", ",", "\t", "|")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _bounded_lines(handle, limit: int) -> Iterator[str]:
    """The file's lines, refusing one longer than `limit` before it is read whole (a million-column
    header is one line of megabytes; csv.reader would build all its fields first)."""
    number = 0
    while line := handle.readline(limit):
        number += 1
        if len(line) >= limit and not line.endswith(("\n", "\r")):
            raise RegisterFileError(
                _("Row %(row)s of the CSV file is too long (more than %(n)s characters: a cell is too "
                  "long or there are too many columns); check that this is the right register extract.")
                % {"row": number, "n": limit}
            )
        yield line


def iter_csv(path: Path, encoding: str, limits: Limits | None = None,
             progress: Progress | None = None) -> Iterator[tuple[int, list]]:
    """(row number as Excel shows it, cells) for each CSV record."""
    limits = limits or read_limits()
    line_limit = limits.max_columns * (limits.max_cell_chars + 3) + 2
    previous_limit = csv.field_size_limit(limits.max_cell_chars)
    # Not UTF-8: Indonesian-locale Excel saves Windows-1252; its 5 undefined bytes become U+FFFD.
    errors = "strict" if encoding == "utf-8-sig" else "replace"
    raw = path.open("rb")
    try:
        if progress is not None:
            progress.total = path.stat().st_size
            progress.tell = raw.tell
        with io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="") as handle:
            delimiter = _sniff_delimiter(handle.read(64 * 1024))
            handle.seek(0)  # resets the decoder: the BOM is skipped again
            reader = csv.reader(_bounded_lines(handle, line_limit), delimiter=delimiter)
            number = 0
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    if "field larger than field limit" in str(exc):
                        raise RegisterFileError(str(cell_too_long(number + 1, limits.max_cell_chars))) from None
                    raise RegisterFileError(
                        _("The CSV file cannot be read at row %(row)s (unclosed quote or invalid character).")
                        % {"row": number + 1}
                    ) from None
                number += 1
                if len(row) > limits.max_columns:
                    raise RegisterFileError(str(too_many_columns(limits.max_columns)))
                yield number, row
    except UnicodeDecodeError:
        raise RegisterFileError(_("The CSV file is not valid UTF-8 text; save it again as CSV UTF-8.")) from None
    finally:
        csv.field_size_limit(previous_limit)
        if progress is not None:
            progress.tell = None
        raw.close()


def iter_xlsx(path: Path, limits: Limits | None = None,
              progress: Progress | None = None) -> Iterator[tuple[int, list]]:
    """(spreadsheet row number, cells) of the first sheet, in constant memory.

    Only our streaming reader (applicants.welfare.reader) is used: python-calamine loads the whole sheet
    (1.5 GB for 10^6 rows) and openpyxl is ~16x slower, so neither keeps memory and time bounded for
    every file. Numeric cells stay numbers: the validator rejects a NIK/KK that is not text.
    """
    try:
        yield from iter_first_sheet(path, limits or read_limits(), progress)
    except XlsxFormatError as exc:
        raise RegisterFileError(str(exc)) from None


def iter_table(path: Path, kind: str, encoding: str = "utf-8-sig", limits: Limits | None = None,
               progress: Progress | None = None) -> Iterator[tuple[int, list]]:
    if kind == "csv":
        return iter_csv(path, encoding, limits, progress)
    return iter_xlsx(path, limits, progress)


def _encoding_of_head(path: Path) -> tuple[str, str]:
    """UTF-8 when the first megabyte decodes as UTF-8 (a cut multibyte character at the end is fine)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return "", "cp1252"
    return "", "utf-8-sig"
