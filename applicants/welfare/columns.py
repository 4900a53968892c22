"""Header detection for welfare-register extracts: which row is the header and which column holds what.

Extracts put title rows above the header and spell its headers differently each time, so the header is
the row among the first ones that names the most known columns, matched on a normalised spelling. This
is the lowest module of the importer: it also holds the error for a file refused as a whole, which the
reading, the header check and the batch lifecycle all raise.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from applicants.enums import Register

HEADER_SCAN_ROWS = 20

# Field -> header spellings seen in extracts, already normalised (casefold, letters and digits only).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "nomorindukkependudukan", "noindukkependudukan", "niknomorindukkependudukan", "nikart"),
    "kk_number": ("nokk", "nomorkk", "kk", "nkk", "nomorkartukeluarga", "nokartukeluarga", "nomorkkart"),
    "full_name": ("nama", "namalengkap", "namaart", "namaanggotakeluarga", "namapenerima", "namasesuaiktp"),
    "birth_date": ("tgllahir", "tanggallahir", "tgllhr", "tanggallhr"),
    "sex": ("jeniskelamin", "jk", "kelamin", "lp"),
    "address": ("alamat", "alamatlengkap", "alamatdomisili"),
    "rt": ("rt", "nort"),
    "rw": ("rw", "norw"),
    "kelurahan_code": ("kodekelurahan", "kodedesa", "kodedesakelurahan", "kodekelurahandesa", "kodekel"),
    "kelurahan": ("kelurahan", "desakelurahan", "kelurahandesa", "desa", "namakelurahan", "namadesa", "kel"),
    "kecamatan": ("kecamatan", "namakecamatan", "kec"),
    "desil": ("desil", "desilnasional", "peringkatdesil", "desilkesejahteraan", "desildtsen"),
    "bansos": ("bansos", "bantuansosial", "jenisbansos", "programbansos", "bantuan"),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}

# What a person reads when a required column is missing.
FIELD_LABELS = {
    "nik": "NIK",
    "kk_number": "No KK",
    "full_name": "Nama",
    "kelurahan": "Kelurahan atau Kode Kelurahan",
    "desil": "Desil",
}

_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text) -> str:
    """Header/name key: casefold, keep letters and digits only ("DESA/KELURAHAN" -> "desakelurahan")."""
    return _NON_ALNUM.sub("", str(text or "").casefold())


class RegisterFileError(Exception):
    """The file as a whole cannot be imported (unreadable, no header, required column missing)."""


@dataclass
class ColumnMap:
    columns: dict[str, int]  # field -> column index
    headers: list[str]  # the header row as text, for the rejected-rows report
    header_row: int

    def missing(self, register: str) -> list[str]:
        required = ["nik", "kk_number", "full_name"]
        if register == Register.DTSEN:
            required.append("desil")
        missing = [FIELD_LABELS[name] for name in required if name not in self.columns]
        if "kelurahan" not in self.columns and "kelurahan_code" not in self.columns:
            missing.insert(3, FIELD_LABELS["kelurahan"])
        return missing


def alias_index(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Normalised spelling -> field, for another kind of list read with the same header rules."""
    return {alias: name for name, spellings in aliases.items() for alias in spellings}


def map_header(cells: list, alias_to_field: dict[str, str] = _ALIAS_TO_FIELD) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = alias_to_field.get(normalise(cell))
        if name and name not in columns:
            columns[name] = index
    return columns


def find_header(rows: list[tuple[int, list]], alias_to_field: dict[str, str] = _ALIAS_TO_FIELD) -> ColumnMap | None:
    """The row among the first ones that names the most known columns (at least two)."""
    best: ColumnMap | None = None
    for number, cells in rows:
        columns = map_header(cells, alias_to_field)
        if len(columns) >= 2 and (best is None or len(columns) > len(best.columns)):
            best = ColumnMap(columns, [_text(cell) for cell in cells], number)
    return best


def _text(value) -> str:
    if type(value) is str:  # the common case first: this runs for every cell of a million rows
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d-%m-%Y")
    return str(value).strip()


def _read_header(rows: Iterator[tuple[int, list]], register: str) -> tuple[ColumnMap, list]:
    """The column map from the first rows (and those rows), or RegisterFileError naming what is wrong."""
    head = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    column_map = find_header(head)
    if column_map is None:
        raise RegisterFileError(
            _("Header row not found in the first %(n)s rows (looked for: NIK, No KK, Nama, ...).")
            % {"n": HEADER_SCAN_ROWS}
        )
    missing = column_map.missing(register)
    if missing:
        raise RegisterFileError(
            _("Required columns not found: %(columns)s. Check the header row (row %(row)s).")
            % {"columns": ", ".join(missing), "row": column_map.header_row}
        )
    return column_map, head
