"""Welfare-register extracts (DTSEN/DTKS): read, map, validate and import them as one batch.

Extracts arrive as xlsx or `;`-separated CSV with title rows above the header, a totals row below,
headers spelled differently per extract and identity numbers damaged by Excel. This module streams
the file (memory does not grow with the number of rows), writes accepted rows in short chunked
transactions (SQLite has one write lock: residents' submissions must not wait 20 s for an import), and
only then makes the batch current in one tiny transaction. Any error deletes the partial batch's rows,
so the previous register stays in force. Identity numbers are never "repaired": a damaged one is
rejected with its row number and reason.
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

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import identity
from applicants.enums import Register
from applicants.graduation.outcomes import check_graduates
from applicants.models import WelfareImportBatch, WelfareRecord, WelfareRejection
from programs.models import Kelurahan

logger = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 20
CHUNK_SIZE = 5000

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


def _sniff_delimiter(sample: str) -> str:
    lines = sample.splitlines()[:HEADER_SCAN_ROWS]
    counts = {delim: sum(line.count(delim) for line in lines) for delim in (";", ",", "\t", "|")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def iter_csv(path: Path, encoding: str) -> Iterator[tuple[int, list]]:
    """(row number as Excel shows it, cells) for each CSV record."""
    # Not UTF-8: Indonesian-locale Excel saves Windows-1252; its 5 undefined bytes become U+FFFD.
    with path.open("r", encoding=encoding, errors="strict" if encoding == "utf-8-sig" else "replace",
                   newline="") as handle:
        delimiter = _sniff_delimiter(handle.read(64 * 1024))
        handle.seek(0)  # resets the decoder: the BOM is skipped again
        yield from enumerate(csv.reader(handle, delimiter=delimiter), start=1)


def iter_xlsx(path: Path) -> Iterator[tuple[int, list]]:
    """(spreadsheet row number, cells) of the first sheet, in constant memory.

    Our expat reader (applicants.welfare.reader) streams; python-calamine, which loads the whole sheet
    (1.5 GB peak for 10^6 rows in the bench), and openpyxl read-only are fallbacks for files it cannot
    read. All give numbers for numeric cells: the validator rejects a NIK/KK that is not text.
    """
    from applicants.welfare.reader import iter_first_sheet

    try:
        first = iter_first_sheet(path)
        head = next(first, None)
    except Exception:  # noqa: BLE001 - an unusual file: try the other readers
        logger.info("streaming reader could not read %s; trying calamine", path.name, exc_info=True)
    else:
        if head is not None:
            yield head
        yield from first
        return
    try:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except Exception:  # noqa: BLE001 - any calamine failure: try the slower, stricter reader
        logger.info("calamine could not read %s; falling back to openpyxl", path.name, exc_info=True)
        yield from _iter_xlsx_openpyxl(path)
        return
    first_row = (sheet.start or (0, 0))[0] + 1
    yield from enumerate(sheet.iter_rows(), start=first_row)


def _iter_xlsx_openpyxl(path: Path) -> Iterator[tuple[int, list]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise RegisterFileError(_("Berkas xlsx tidak dapat dibaca: %(error)s") % {"error": exc}) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def iter_table(path: Path, kind: str, encoding: str = "utf-8-sig") -> Iterator[tuple[int, list]]:
    return iter_csv(path, encoding) if kind == "csv" else iter_xlsx(path)


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
    text = _text(value)
    if text.isdigit():
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


class _Importer:
    def __init__(self, batch: WelfareImportBatch, headers: list[str], chunk_size: int) -> None:
        self.batch = batch
        self.headers = headers
        self.chunk_size = chunk_size
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
        with transaction.atomic():
            if params:
                with connection.cursor() as cursor:
                    cursor.executemany(self.sql, params)
            WelfareRejection.objects.bulk_create(self.rejections, batch_size=500)
            WelfareImportBatch.objects.filter(pk=batch_id).update(
                rows_read=self.batch.rows_read, rows_accepted=self.batch.rows_accepted,
                rows_rejected=self.batch.rows_rejected, rows_duplicate=self.batch.rows_duplicate,
            )
        self.records, self.rejections = [], []


def _delete_rows(batch: WelfareImportBatch, models=(WelfareRecord, WelfareRejection)) -> None:
    """Remove a batch's rows in short transactions (one big DELETE would hold the write lock)."""
    for model in models:
        while True:
            ids = list(model.objects.filter(batch=batch).values_list("pk", flat=True)[:CHUNK_SIZE])
            if not ids:
                break
            model.objects.filter(pk__in=ids).delete()


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
) -> WelfareImportBatch:
    """Import one extract as a new batch and make it the current register (unless `dry_run`).

    Returns the batch (state current, dry_run or failed). Raises RegisterFileError when the file as a
    whole is refused (the batch is kept as failed with the message); any other error marks the batch
    failed, deletes its rows and re-raises. The previous current batch is untouched unless this one
    succeeds.
    """
    path = Path(path)
    file_name = file_name or path.name
    if register not in Register.values:
        raise RegisterFileError(_("Register tidak dikenal: %(register)s.") % {"register": register})
    kind = file_kind(file_name)
    sha256, encoding = hash_and_encoding(path)
    batch = WelfareImportBatch.objects.create(
        register=register, as_of=as_of or timezone.localdate(), file_name=file_name[:255],
        file_sha256=sha256, uploaded_by=user if getattr(user, "pk", None) else None,
    )
    try:
        _run(batch, path, kind, encoding, chunk_size)
    except Exception as exc:
        _fail(batch, exc)
        raise
    if dry_run:
        _delete_rows(batch, models=(WelfareRecord,))  # keep the rejected rows: that is the report
        batch.state = WelfareImportBatch.State.DRY_RUN
        batch.finished_at = timezone.now()
        batch.save(update_fields=["state", "finished_at"])
        return batch
    _make_current(batch)
    _log_import(batch, user)
    if check_eligibility:
        from applicants.welfare.eligibility import check_open_applications

        check_open_applications()
    return batch


def _run(batch: WelfareImportBatch, path: Path, kind: str, encoding: str, chunk_size: int) -> None:
    rows = iter_table(path, kind, encoding)
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
    missing = column_map.missing(batch.register)
    if missing:
        raise RegisterFileError(
            _("Kolom wajib tidak ditemukan: %(columns)s. Periksa baris judul kolom (baris %(row)s).")
            % {"columns": ", ".join(missing), "row": column_map.header_row}
        )
    validator = RowValidator(column_map.columns, batch.register, KelurahanIndex())
    importer = _Importer(batch, column_map.headers, chunk_size)
    after_header = (item for item in head if item[0] > column_map.header_row)
    for source in (after_header, rows):
        for number, row in source:
            cells = validator.pad(row)
            if validator.is_blank(cells):
                continue
            batch.rows_read += 1
            fields, reason = validator.validate(cells)
            if reason:
                importer.reject(number, cells, reason)
            else:
                importer.accept(number, cells, fields)
    importer.flush()


def _fail(batch: WelfareImportBatch, exc: Exception) -> None:
    message = str(exc) if isinstance(exc, RegisterFileError) else _("Impor gagal: %(error)s") % {"error": exc}
    try:
        _delete_rows(batch)
        WelfareImportBatch.objects.filter(pk=batch.pk).update(
            state=WelfareImportBatch.State.FAILED, error=message[:2000], finished_at=timezone.now()
        )
    except Exception:  # noqa: BLE001 - keep the original error; this one is only logged
        logger.exception("could not clean up failed welfare batch %s", batch.pk)
    batch.state = WelfareImportBatch.State.FAILED
    batch.error = message


def _make_current(batch: WelfareImportBatch) -> None:
    """The one short transaction that swaps registers: previous current -> superseded, this -> current."""
    with transaction.atomic():
        WelfareImportBatch.objects.filter(
            register=batch.register, state=WelfareImportBatch.State.CURRENT
        ).exclude(pk=batch.pk).update(state=WelfareImportBatch.State.SUPERSEDED)
        batch.state = WelfareImportBatch.State.CURRENT
        batch.finished_at = timezone.now()
        batch.save(update_fields=[
            "state", "finished_at", "rows_read", "rows_accepted", "rows_rejected", "rows_duplicate"
        ])
    check_graduates(batch)  # graduates' outcomes against the register that now holds


def _log_import(batch: WelfareImportBatch, user) -> None:
    from wagtail.log_actions import log

    log(batch, "sigap.welfare_import", user=user if getattr(user, "pk", None) else None, data={
        "register": batch.register, "file_name": batch.file_name, "sha256": batch.file_sha256,
        "rows_read": batch.rows_read, "rows_accepted": batch.rows_accepted,
        "rows_rejected": batch.rows_rejected, "rows_duplicate": batch.rows_duplicate,
    })


# --- Rejected rows as xlsx --------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def _safe(value) -> str:
    """Every value as text; a leading formula character gets an apostrophe (OWASP ASVS V1.2.10)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_rejections_xlsx(batch: WelfareImportBatch, target: io.IOBase | str | Path) -> None:
    """The batch's rejected rows (row number, reason, the row's cells) via openpyxl write-only."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Baris ditolak")[:31])
    sheet.append([_("Berkas"), _safe(batch.file_name), _("SHA-256"), batch.file_sha256])
    headers: list[str] | None = None
    rows = batch.rejections.order_by("row_number").values_list("row_number", "reason", "raw")
    for row_number, reason, raw in rows.iterator(chunk_size=2000):
        pairs = raw or []
        if headers is None:
            headers = [header for header, _value in pairs]
            sheet.append([_("Baris"), _("Alasan"), *[_safe(h) for h in headers]])
        values = dict(pairs)
        sheet.append([str(row_number), _safe(reason), *[_safe(values.get(h, "")) for h in headers]])
    if headers is None:
        sheet.append([_("Baris"), _("Alasan")])
    workbook.save(target)
