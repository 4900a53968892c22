"""Welfare-register extracts (DTSEN/DTKS): read, map, validate and import them as one batch.

Extracts arrive as xlsx or `;`-separated CSV with title rows above the header, a totals row below,
headers spelled differently per extract and identity numbers damaged by Excel. This module streams
the file within the size limits of `read_limits()` (memory does not grow with the number of rows or
with what a hostile file declares), writes accepted rows in short chunked transactions (SQLite has one
write lock: residents' submissions must not wait 20 s for an import), carries over the current
register's rows of kelurahan the file does not cover, and leaves the batch ready with a preview of what
it would change. Only `confirm_import()` makes it current, in one tiny transaction. Any error deletes
the partial batch's rows, so the previous register stays in force. Identity numbers are never
"repaired": a damaged one is rejected with its row number and reason.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from applicants import identity
from applicants.enums import Register
from applicants.models import WelfareImportBatch, WelfareRecord, WelfareRejection
from applicants.welfare.eligibility import check_open_applications, preview_changes
from applicants.welfare.reader import (
    Limits,
    Progress,
    XlsxFormatError,
    cell_too_long,
    iter_first_sheet,
    too_many_columns,
)
from programs.models import Kelurahan
from programs.registers.xlsx import TEXT, Column, Sheet, write_xlsx

logger = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 20
CHUNK_SIZE = 5000
CARRY_CHUNK = 20000  # rows copied per transaction when a partial extract keeps the rest of the register

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
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_MAX_LEN = {"full_name": 150, "address": 255, "rt": 3, "rw": 3, "bansos": 120}


def normalise(text) -> str:
    """Header/name key: casefold, keep letters and digits only ("DESA/KELURAHAN" -> "desakelurahan")."""
    return _NON_ALNUM.sub("", str(text or "").casefold())


class RegisterFileError(Exception):
    """The file as a whole cannot be imported (unreadable, no header, required column missing)."""


# --- Reading -----------------------------------------------------------------------------------


def file_kind(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise RegisterFileError(_("Jenis berkas tidak didukung: unggah berkas .xlsx atau .csv."))
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
                _("Baris %(row)s berkas CSV terlalu panjang (lebih dari %(n)s karakter: sel terlalu panjang atau "
                  "kolom terlalu banyak); periksa apakah ini ekstrak register yang benar.")
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
                        _("Berkas CSV tidak dapat dibaca di baris %(row)s (tanda kutip tidak tertutup atau "
                          "karakter tidak sah).") % {"row": number + 1}
                    ) from None
                number += 1
                if len(row) > limits.max_columns:
                    raise RegisterFileError(str(too_many_columns(limits.max_columns)))
                yield number, row
    except UnicodeDecodeError:
        raise RegisterFileError(_("Berkas CSV bukan teks UTF-8 yang sah; simpan ulang sebagai CSV UTF-8.")) from None
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


# --- Header --------------------------------------------------------------------------------------


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


def map_header(cells: list) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _ALIAS_TO_FIELD.get(normalise(cell))
        if name and name not in columns:
            columns[name] = index
    return columns


def find_header(rows: list[tuple[int, list]]) -> ColumnMap | None:
    """The row among the first ones that names the most known columns (at least two)."""
    best: ColumnMap | None = None
    for number, cells in rows:
        columns = map_header(cells)
        if len(columns) >= 2 and (best is None or len(columns) > len(best.columns)):
            best = ColumnMap(columns, [_text(cell) for cell in cells], number)
    return best


# --- Cell values -----------------------------------------------------------------------------------


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


def _is_numeric_cell(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_DATE_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value) -> datetime.date | None:
    """DD-MM-YYYY (also / and .), YYYY-MM-DD, or a spreadsheet date; None when it is none of these."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    match = _DATE_DMY.match(text)
    if match:
        day, month, year = match.groups()
    else:
        match = _DATE_YMD.match(text)
        if not match:
            return None
        year, month, day = match.groups()
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_desil(value) -> int | None:
    if _is_numeric_cell(value):
        number = float(value)
    else:
        text = _text(value).replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    if not number.is_integer() or not 1 <= number <= 10:
        return None
    return int(number)


def _parse_sex(value) -> str:
    text = normalise(value)
    if text in {"l", "lk", "lakilaki", "pria", "1"}:
        return "L"
    if text in {"p", "pr", "perempuan", "wanita", "2"}:
        return "P"
    return ""


def _rt_rw(value) -> str:
    text = identity.normalise_digits(_text(value))
    if identity.is_ascii_digits(text):
        return text.zfill(3)[-3:]
    return text[:3]


class KelurahanIndex:
    """The Kelurahan reference table in memory (about a hundred rows), matched by code, then name."""

    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.by_kecamatan_name: dict[tuple[str, str], int] = {}
        self.by_name: dict[str, int | None] = {}  # None: the name exists in several kecamatan
        for pk, code, name, aliases, kecamatan in Kelurahan.objects.values_list(
            "pk", "code", "name", "aliases", "kecamatan__name"
        ):
            self.by_code[re.sub(r"\D", "", code)] = pk
            for spelling in {name, *(aliases or [])}:
                key = normalise(spelling)
                self.by_kecamatan_name[(normalise(kecamatan), key)] = pk
                self.by_name[key] = None if self.by_name.get(key, pk) != pk else pk

    def match(self, code, name, kecamatan) -> int | None:
        digits = re.sub(r"\D", "", _text(code))
        if digits and digits in self.by_code:
            return self.by_code[digits]
        key = normalise(name)
        if not key:
            return None
        kecamatan_key = normalise(kecamatan)
        if kecamatan_key and (kecamatan_key, key) in self.by_kecamatan_name:
            return self.by_kecamatan_name[(kecamatan_key, key)]
        return self.by_name.get(key)


# --- Row validation --------------------------------------------------------------------------------


def _identity_reason(value, label: str, parse: Callable) -> tuple[str | None, object]:
    """(reason, parsed) for a NIK/KK cell. A numeric cell or scientific notation is Excel damage."""
    if _is_numeric_cell(value) or _SCIENTIFIC.match(_text(value).lstrip("'")):
        return (
            _("%(label)s tersimpan sebagai angka oleh Excel (hanya 15 digit tersimpan); "
              "tidak dapat dipercaya, perbaiki di sumber sebagai teks.") % {"label": label},
            None,
        )
    try:
        return None, parse(value)
    except ValidationError as exc:
        return f"{label}: {' '.join(exc.messages)}", None


class RowValidator:
    """Turns one row's cells into record values or a rejection reason."""

    def __init__(self, columns: dict[str, int], register: str, kelurahan: KelurahanIndex,
                 today: datetime.date | None = None) -> None:
        self.register = register
        self.kelurahan = kelurahan
        self.today = today or datetime.date.today()
        self.width = max(columns.values()) + 1
        # A missing column reads the empty cell appended after the row's last column.
        self.index = {name: columns.get(name, self.width) for name in HEADER_ALIASES}

    def pad(self, cells: list) -> list:
        """The row with exactly `width` cells plus one empty cell, so every index is valid."""
        missing = self.width + 1 - len(cells)
        return cells + [""] * missing if missing > 0 else [*cells[: self.width], ""]

    def is_blank(self, cells: list) -> bool:
        """Blank rows and the totals row ("JUMLAH", count) carry neither NIK nor name."""
        return not (_text(cells[self.index["nik"]]) or _text(cells[self.index["full_name"]]))

    def validate(self, cells: list) -> tuple[dict | None, str | None]:
        """(record fields, None) for a good row, (None, reason in Indonesian) for a rejected one.

        `cells` must come from pad().
        """
        index = self.index
        reason, info = _identity_reason(cells[index["nik"]], "NIK",
                                        lambda value: identity.parse_nik(value, today=self.today))
        if reason:
            return None, reason
        reason, kk = _identity_reason(cells[index["kk_number"]], "No KK", identity.parse_kk)
        if reason:
            return None, reason
        name = _text(cells[index["full_name"]])
        if not name:
            return None, _("Nama kosong.")
        kelurahan_id = self.kelurahan.match(
            cells[index["kelurahan_code"]], cells[index["kelurahan"]], cells[index["kecamatan"]]
        )
        if kelurahan_id is None:
            shown = _text(cells[index["kelurahan"]]) or _text(cells[index["kelurahan_code"]])
            return None, _("Kelurahan tidak dikenal: %(name)s.") % {"name": shown or "-"}
        desil = parse_desil(cells[index["desil"]])
        if desil is None and self.register == Register.DTSEN:
            return None, _("Desil kosong atau bukan angka 1-10.")
        return {
            "nik": info.nik,
            "kk_number": kk,
            "full_name": name[: _MAX_LEN["full_name"]],
            "birth_date": parse_date(cells[index["birth_date"]]) or info.birth_date,
            "sex": _parse_sex(cells[index["sex"]]) or info.sex,
            "address": _text(cells[index["address"]])[: _MAX_LEN["address"]],
            "rt": _rt_rw(cells[index["rt"]]),
            "rw": _rt_rw(cells[index["rw"]]),
            "kelurahan_id": kelurahan_id,
            "desil": desil,
            "bansos": _text(cells[index["bansos"]])[: _MAX_LEN["bansos"]],
        }, None


# --- Import ---------------------------------------------------------------------------------------


_RECORD_FIELDS = ("nik", "kk_number", "full_name", "birth_date", "sex", "address", "rt", "rw", "kelurahan_id",
                  "desil", "bansos")


def _insert_sql() -> str:
    """One parameterised INSERT for executemany: building 10^6 model instances costs more than the
    parsing (measured: ORM bulk_create was ~60 % of the import), so records are written as tuples."""
    meta = WelfareRecord._meta
    columns = ["batch_id", "row_number", *_RECORD_FIELDS]
    names = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in columns)
    table = connection.ops.quote_name(meta.db_table)
    placeholders = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - quoted model identifiers


class ImportStateError(Exception):
    """A batch is not in a state that allows the requested step (confirm twice, confirm a failed one...)."""


class _Importer:
    def __init__(self, batch: WelfareImportBatch, headers: list[str], chunk_size: int,
                 progress: Progress | None = None) -> None:
        self.batch = batch
        self.headers = headers
        self.chunk_size = chunk_size
        self.progress = progress
        self.sql = _insert_sql()
        quote = connection.ops.quote_name
        self.select_sql = (
            f"SELECT {quote('nik')}, {quote('row_number')} FROM {quote(WelfareRecord._meta.db_table)} "  # noqa: S608
            f"WHERE {quote('batch_id')} = %%s AND {quote('nik')} IN (%(placeholders)s)"
        )
        self.adapt_date = connection.ops.adapt_datefield_value
        self.records: list[tuple[int, dict, list]] = []  # (row number, fields, cells) of this chunk
        self.rejections: list[WelfareRejection] = []

    def raw(self, cells: list) -> list[list[str]]:
        """[[header, value], ...] in file order: a list because PostgreSQL's jsonb does not keep key order."""
        return [
            [header or f"Kolom {index + 1}", _text(cells[index]) if index < len(cells) else ""]
            for index, header in enumerate(self.headers)
        ]

    def reject(self, number: int, cells: list, reason: str) -> None:
        self.batch.rows_rejected += 1
        self.rejections.append(
            WelfareRejection(batch=self.batch, row_number=number, reason=reason[:255], raw=self.raw(cells))
        )
        if len(self.rejections) >= self.chunk_size:  # a file of bad rows must not pile up in memory
            self.flush()

    def accept(self, number: int, cells: list, fields: dict) -> None:
        self.records.append((number, fields, cells))
        if len(self.records) >= self.chunk_size:
            self.flush()

    def rows_already_written(self, niks: list[str]) -> dict[str, int]:
        """NIK -> row number of this batch's rows already written (raw SQL: the ORM's IN-list handling
        of 5,000 values per chunk cost more than the lookup itself)."""
        if not niks:
            return {}
        placeholders = ", ".join(["%s"] * len(niks))
        with connection.cursor() as cursor:
            cursor.execute(self.select_sql % {"placeholders": placeholders}, [self.batch.pk, *niks])
            return dict(cursor.fetchall())

    def flush(self) -> None:
        """Write one chunk in its own short transaction; a NIK already seen keeps its first row."""
        first_row = self.rows_already_written([fields["nik"] for _n, fields, _c in self.records])
        params = []
        batch_id = self.batch.pk
        for number, fields, cells in self.records:
            nik = fields["nik"]
            if nik in first_row:
                self.batch.rows_duplicate += 1
                self.rejections.append(WelfareRejection(
                    batch=self.batch, row_number=number,
                    reason=_("NIK ganda: sudah ada di baris %(row)s (baris pertama yang dipakai).")
                    % {"row": first_row[nik]},
                    raw=self.raw(cells),
                ))
                continue
            first_row[nik] = number
            fields["birth_date"] = self.adapt_date(fields["birth_date"])
            params.append((batch_id, number, *(fields[name] for name in _RECORD_FIELDS)))
        self.batch.rows_accepted += len(params)
        bytes_done = self.progress.position() if self.progress else 0
        with transaction.atomic():
            if params:
                with connection.cursor() as cursor:
                    cursor.executemany(self.sql, params)
            WelfareRejection.objects.bulk_create(self.rejections, batch_size=500)
            WelfareImportBatch.objects.filter(pk=batch_id).update(
                rows_read=self.batch.rows_read, rows_accepted=self.batch.rows_accepted,
                rows_rejected=self.batch.rows_rejected, rows_duplicate=self.batch.rows_duplicate,
                bytes_done=bytes_done, heartbeat_at=timezone.now(),
            )
        self.records, self.rejections = [], []


def delete_batch_rows(batch: WelfareImportBatch, models=(WelfareRecord, WelfareRejection)) -> None:
    """Remove a batch's rows in short transactions (one big DELETE would hold the write lock)."""
    for model in models:
        while True:
            ids = list(model.objects.filter(batch=batch).values_list("pk", flat=True)[:CHUNK_SIZE])
            if not ids:
                break
            model.objects.filter(pk__in=ids).delete()


def current_batch(register: str) -> WelfareImportBatch | None:
    return WelfareImportBatch.objects.filter(register=register, state=WelfareImportBatch.State.CURRENT).first()


def create_batch(
    *, file_name: str, register: str = Register.DTSEN, as_of: datetime.date | None = None, user=None,
    dry_run: bool = False, stored_file: str = "",
) -> WelfareImportBatch:
    """The batch row an import fills in (state processing); refuses an unknown register or file type."""
    if register not in Register.values:
        raise RegisterFileError(_("Register tidak dikenal: %(register)s.") % {"register": register})
    file_kind(file_name)
    return WelfareImportBatch.objects.create(
        register=register, as_of=as_of or timezone.localdate(), file_name=file_name[:255], dry_run=dry_run,
        stored_file=stored_file, uploaded_by=user if getattr(user, "pk", None) else None,
    )


def import_register(
    path: str | Path,
    *,
    file_name: str | None = None,
    register: str = Register.DTSEN,
    as_of: datetime.date | None = None,
    user=None,
    dry_run: bool = False,
    chunk_size: int = CHUNK_SIZE,
    check_eligibility: bool = True,
    confirm: bool = True,
    on_progress: Callable[[WelfareImportBatch], None] | None = None,
) -> WelfareImportBatch:
    """Read one extract into a new batch and, with `confirm`, make it the current register at once.

    Without `confirm` the batch waits in state ready with its preview (what the re-check would change)
    until `confirm_import()`. Returns the batch (ready, current, dry_run or failed). Raises
    RegisterFileError when the file as a whole is refused (the batch is kept as failed with the
    message); any other error marks the batch failed, deletes its rows and re-raises. The previous
    current batch is untouched unless this one is confirmed.
    """
    path = Path(path)
    batch = create_batch(file_name=file_name or path.name, register=register, as_of=as_of, user=user,
                         dry_run=dry_run)
    stage_import(batch, path, chunk_size=chunk_size, on_progress=on_progress)
    if confirm and batch.state == WelfareImportBatch.State.READY:
        confirm_import(batch, user, check_eligibility=check_eligibility)
    return batch


def stage_import(batch: WelfareImportBatch, path: Path, *, chunk_size: int = CHUNK_SIZE,
                 on_progress: Callable[[WelfareImportBatch], None] | None = None) -> WelfareImportBatch:
    """Read the file into `batch` (state processing) and leave it ready for confirmation (or dry_run)."""
    now = timezone.now()
    batch.started_at = batch.heartbeat_at = now
    WelfareImportBatch.objects.filter(pk=batch.pk).update(started_at=now, heartbeat_at=now)
    try:
        kind = file_kind(batch.file_name)
        batch.file_sha256, encoding = hash_and_encoding(path)
        WelfareImportBatch.objects.filter(pk=batch.pk).update(file_sha256=batch.file_sha256)
        _run(batch, path, kind, encoding, chunk_size, on_progress)
        _carry_over(batch)  # a dry run too: its preview must match what confirming would do
        batch.preview = preview_changes(batch)
    except Exception as exc:
        _fail(batch, exc)
        raise
    if batch.dry_run:
        delete_batch_rows(batch, models=(WelfareRecord,))  # keep the rejected rows: that is the report
    state = WelfareImportBatch.State.DRY_RUN if batch.dry_run else WelfareImportBatch.State.READY
    # Compare-and-set: if the cleanup ended this import as dead meanwhile, it stays failed.
    finished = WelfareImportBatch.objects.filter(pk=batch.pk, state=WelfareImportBatch.State.PROCESSING).update(
        state=state, finished_at=timezone.now(), preview=batch.preview, kelurahan_ids=batch.kelurahan_ids,
        coverage=batch.coverage, base_batch=batch.base_batch, bytes_done=batch.bytes_total,
        rows_read=batch.rows_read, rows_accepted=batch.rows_accepted, rows_rejected=batch.rows_rejected,
        rows_duplicate=batch.rows_duplicate,
    )
    if not finished:
        delete_batch_rows(batch)
    batch.refresh_from_db()
    return batch


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
            _("Baris judul kolom tidak ditemukan di %(n)s baris pertama (dicari: NIK, No KK, Nama, ...).")
            % {"n": HEADER_SCAN_ROWS}
        )
    missing = column_map.missing(register)
    if missing:
        raise RegisterFileError(
            _("Kolom wajib tidak ditemukan: %(columns)s. Periksa baris judul kolom (baris %(row)s).")
            % {"columns": ", ".join(missing), "row": column_map.header_row}
        )
    return column_map, head


def check_file(path: str | Path, file_name: str, register: str) -> None:
    """The quick checks an upload gets before it is queued: type, archive, size limits and header.

    Reads only the archive directory, the shared strings and the first rows, so a hostile file is
    refused within seconds, in the request, with nothing stored.
    """
    path = Path(path)
    kind = file_kind(file_name)
    _sha, encoding = ("", "utf-8-sig") if kind == "xlsx" else _encoding_of_head(path)
    rows = iter_table(path, kind, encoding, read_limits())
    try:
        _read_header(rows, register)
    finally:
        rows.close()


def _encoding_of_head(path: Path) -> tuple[str, str]:
    """UTF-8 when the first megabyte decodes as UTF-8 (a cut multibyte character at the end is fine)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return "", "cp1252"
    return "", "utf-8-sig"


def _run(batch: WelfareImportBatch, path: Path, kind: str, encoding: str, chunk_size: int,
         on_progress: Callable[[WelfareImportBatch], None] | None = None) -> None:
    limits = read_limits()
    max_rows = settings.WELFARE_IMPORT_MAX_ROWS
    progress = Progress()
    rows = iter_table(path, kind, encoding, limits, progress)
    column_map, head = _read_header(rows, batch.register)
    batch.bytes_total = progress.total
    WelfareImportBatch.objects.filter(pk=batch.pk).update(bytes_total=progress.total)
    validator = RowValidator(column_map.columns, batch.register, KelurahanIndex())
    importer = _Importer(batch, column_map.headers, chunk_size, progress)
    after_header = (item for item in head if item[0] > column_map.header_row)
    flushed_at = 0
    for source in (after_header, rows):
        for number, row in source:
            if number > max_rows:
                raise RegisterFileError(
                    _("Berkas berisi lebih dari %(n)s baris; batas impor terlampaui.") % {"n": max_rows}
                )
            cells = validator.pad(row)
            if validator.is_blank(cells):
                continue
            batch.rows_read += 1
            fields, reason = validator.validate(cells)
            if reason:
                importer.reject(number, cells, reason)
            else:
                importer.accept(number, cells, fields)
            if on_progress and batch.rows_read - flushed_at >= chunk_size:
                flushed_at = batch.rows_read
                batch.bytes_done = progress.position()
                on_progress(batch)
    importer.flush()


def _carry_over(batch: WelfareImportBatch) -> None:
    """Give the new batch the rows of the current register in kelurahan this file does not cover.

    An extract of one kecamatan must not empty the register elsewhere: rows of the other kelurahan are
    copied from the current batch (in SQL, in short transactions), so the new batch stands for the
    whole register once confirmed. A NIK the new file has keeps its new row.
    """
    in_file = WelfareRecord.objects.filter(batch=batch).order_by().values_list("kelurahan_id", flat=True)
    batch.kelurahan_ids = sorted({pk for pk in in_file.distinct() if pk is not None})
    base = current_batch(batch.register)
    batch.base_batch = base
    if base is None:
        batch.coverage = batch.kelurahan_ids
        return
    batch.coverage = None if base.coverage is None else sorted({*base.coverage, *batch.kelurahan_ids})
    quote = connection.ops.quote_name
    table = quote(WelfareRecord._meta.db_table)
    columns = ", ".join(quote(WelfareRecord._meta.get_field(name).column) for name in ("row_number", *_RECORD_FIELDS))
    covered = batch.kelurahan_ids or [0]
    placeholders = ", ".join(["%s"] * len(covered))
    kelurahan, batch_col, nik, pk = (quote(c) for c in ("kelurahan_id", "batch_id", "nik", "id"))
    sql = (
        f"INSERT INTO {table} ({quote('batch_id')}, {columns}) "  # noqa: S608 - quoted model identifiers
        f"SELECT %s, {columns} FROM {table} AS prev WHERE prev.{batch_col} = %s AND prev.{pk} > %s "
        f"AND prev.{pk} <= %s AND (prev.{kelurahan} IS NULL OR prev.{kelurahan} NOT IN ({placeholders})) "
        f"AND NOT EXISTS (SELECT 1 FROM {table} AS cur WHERE cur.{batch_col} = %s AND cur.{nik} = prev.{nik})"
    )
    ids = WelfareRecord.objects.filter(batch=base).order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        window = ids.filter(pk__gt=last)
        edge = list(window[CARRY_CHUNK - 1:CARRY_CHUNK])
        upper = edge[0] if edge else window.last()
        if upper is None:
            break
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [batch.pk, base.pk, last, upper, *covered, batch.pk])
        WelfareImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
        last = upper
        if not edge:
            break


def _fail(batch: WelfareImportBatch, exc: Exception) -> None:
    if isinstance(exc, RegisterFileError):
        message = str(exc)
    else:
        # The exception text can name server paths or SQL; the editor reads a plain message, the log the rest.
        logger.error("welfare import of batch %s failed", batch.pk, exc_info=exc)
        message = _("Impor gagal karena kesalahan di server (impor #%(pk)s). Register yang berlaku tidak "
                    "berubah; hubungi petugas teknis.") % {"pk": batch.pk}
    try:
        delete_batch_rows(batch)
        WelfareImportBatch.objects.filter(pk=batch.pk).update(
            state=WelfareImportBatch.State.FAILED, error=message[:2000], finished_at=timezone.now()
        )
    except Exception:  # noqa: BLE001 - keep the original error; this one is only logged
        logger.exception("could not clean up failed welfare batch %s", batch.pk)
    batch.state = WelfareImportBatch.State.FAILED
    batch.error = message


def confirm_import(batch: WelfareImportBatch, user=None, *, check_eligibility: bool = True) -> dict:
    """Make a ready batch the current register, then re-check applications in the kelurahan it covers.

    Refused (ImportStateError, Indonesian message) unless the batch is ready and the register it was
    previewed against is still the current one: confirming twice, a failed or cancelled batch, or a
    preview made stale by another confirmed import never changes anything.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            _swap_registers(batch, user, now)
    except IntegrityError:  # another batch of this register became current in a concurrent confirmation
        raise ImportStateError(_("Register yang berlaku baru saja diganti impor lain. Unggah ulang berkas ini "
                                 "untuk pratinjau yang baru.")) from None
    if not check_eligibility:
        return {}
    return check_open_applications(kelurahan_ids=batch.kelurahan_ids, user=user, batch=batch)


def _swap_registers(batch: WelfareImportBatch, user, now) -> None:
    """The one short transaction: previous current -> superseded, this -> current (rows locked on PostgreSQL,
    so two confirmations of the same register run one after the other)."""
    State = WelfareImportBatch.State
    list(WelfareImportBatch.objects.select_for_update().filter(
        register=batch.register, state__in=[State.CURRENT, State.READY]
    ).values_list("pk", flat=True))
    batch.refresh_from_db()
    if batch.state != State.READY:
        raise ImportStateError(_("Impor ini berstatus «%(state)s»; hanya impor yang menunggu konfirmasi "
                                 "yang dapat dikonfirmasi.") % {"state": batch.get_state_display()})
    current = current_batch(batch.register)
    if (current.pk if current else None) != batch.base_batch_id:
        raise ImportStateError(_("Register yang berlaku sudah berubah sejak pratinjau ini dibuat. "
                                 "Unggah ulang berkas ini untuk pratinjau yang baru."))
    WelfareImportBatch.objects.filter(
        register=batch.register, state=State.CURRENT
    ).exclude(pk=batch.pk).update(state=State.SUPERSEDED)
    updated = WelfareImportBatch.objects.filter(pk=batch.pk, state=State.READY).update(
        state=State.CURRENT, confirmed_at=now, confirmed_by=user if getattr(user, "pk", None) else None,
    )
    if not updated:
        raise ImportStateError(_("Impor ini baru saja dikonfirmasi atau dibatalkan orang lain."))
    batch.refresh_from_db()
    _log_import(batch, user)


def cancel_import(batch: WelfareImportBatch, user=None) -> None:
    """Drop a batch waiting for confirmation: its rows go, the current register stays."""
    updated = WelfareImportBatch.objects.filter(pk=batch.pk, state=WelfareImportBatch.State.READY).update(
        state=WelfareImportBatch.State.CANCELLED, finished_at=timezone.now()
    )
    if not updated:
        batch.refresh_from_db()
        raise ImportStateError(_("Impor ini berstatus «%(state)s» dan tidak dapat dibatalkan.")
                               % {"state": batch.get_state_display()})
    delete_batch_rows(batch, models=(WelfareRecord,))
    batch.refresh_from_db()


def _log_import(batch: WelfareImportBatch, user) -> None:
    log(batch, "sigap.welfare_import", user=user if getattr(user, "pk", None) else None, data={
        "register": batch.register, "file_name": batch.file_name, "sha256": batch.file_sha256,
        "rows_read": batch.rows_read, "rows_accepted": batch.rows_accepted,
        "rows_rejected": batch.rows_rejected, "rows_duplicate": batch.rows_duplicate,
        "kelurahan": len(batch.kelurahan_ids or []), "uploaded_by": batch.uploaded_by_id,
    })


# --- Rejected rows as xlsx --------------------------------------------------------------------------


def write_rejections_xlsx(batch: WelfareImportBatch, target: io.IOBase | str | Path) -> None:
    """The batch's rejected rows (row number, reason, the row's cells), every value as text."""
    rejections = batch.rejections.order_by("row_number")
    first = rejections.values_list("raw", flat=True).first()
    headers = [header for header, _value in (first or [])]

    def rows():
        for row_number, reason, raw in rejections.values_list("row_number", "reason", "raw").iterator(chunk_size=2000):
            values = dict(raw or [])
            yield (str(row_number), reason, *[values.get(header, "") for header in headers])

    columns = [Column(_("Baris"), TEXT, 8), Column(_("Alasan"), TEXT, 50), *[Column(str(h), TEXT, 16) for h in headers]]
    heading = [[_("Berkas"), batch.file_name, _("SHA-256"), batch.file_sha256]]
    write_xlsx(target, [Sheet(_("Baris ditolak"), columns, rows(), heading=heading)])
