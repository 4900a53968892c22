"""Lists of earlier recipients of other programs (PENA, KUBE... from Kemensos): csv or xlsx with NIK,
optionally KK, name, program, year, kelurahan/kecamatan.

Read with the welfare register's rules and code: the same readers and size limits
(`welfare.sources`), header detection (`welfare.columns`), NIK/KK validation with the one digit
normaliser and the same rejection reasons (`welfare.rows`). Rows are written in short chunked
transactions; a file refused as a whole, or any error, deletes what was written and marks the list
failed. A list only adds evidence: nothing about any application changes when it is imported.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import identity
from applicants.models import RecipientListBatch, RecipientListRecord, RecipientListRejection
from applicants.welfare.columns import (
    HEADER_ALIASES,
    HEADER_SCAN_ROWS,
    RegisterFileError,
    _text,
    alias_index,
    find_header,
)
from applicants.welfare.rows import KelurahanIndex, _identity_reason
from applicants.welfare.sources import _encoding_of_head, file_kind, hash_and_encoding, iter_table, read_limits
from programs.models import Kecamatan, Kelurahan

__all__ = ["RegisterFileError", "check_file", "create_batch", "import_list", "read_into"]

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000

ALIASES: dict[str, tuple[str, ...]] = {
    "nik": HEADER_ALIASES["nik"],
    "kk_number": HEADER_ALIASES["kk_number"],
    "full_name": HEADER_ALIASES["full_name"],
    "program": ("program", "namaprogram", "jenisprogram", "programbantuan", "jenisbantuan", "bantuan", "bansos"),
    "year": ("tahun", "tahunpenerimaan", "tahunanggaran", "tahunbantuan", "thn", "periode"),
    "kelurahan_code": HEADER_ALIASES["kelurahan_code"],
    "kelurahan": HEADER_ALIASES["kelurahan"],
    "kecamatan": HEADER_ALIASES["kecamatan"],
}
_ALIAS_TO_FIELD = alias_index(ALIASES)
_MAX_LEN = {"full_name": 150, "program": 60}
_YEAR = re.compile(r"^\d{4}$")


def create_batch(*, file_name: str, program: str, year: int, user=None, stored_file: str = "") -> RecipientListBatch:
    file_kind(file_name)
    return RecipientListBatch.objects.create(
        file_name=file_name[:255], program=program.strip()[:60], year=year, stored_file=stored_file,
        uploaded_by=user if getattr(user, "pk", None) else None,
    )


def _read_header(rows):
    head = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    column_map = find_header(head, _ALIAS_TO_FIELD)
    if column_map is None or "nik" not in column_map.columns:
        raise RegisterFileError(
            _("No header row with a NIK column was found in the first %(n)s rows.") % {"n": HEADER_SCAN_ROWS}
        )
    return column_map, head


def check_file(path: str | Path, file_name: str) -> None:
    """The quick checks an upload gets in the request (type, archive, size limits, header)."""
    path = Path(path)
    kind = file_kind(file_name)
    _sha, encoding = ("", "utf-8-sig") if kind == "xlsx" else _encoding_of_head(path)
    rows = iter_table(path, kind, encoding, read_limits())
    try:
        _read_header(rows)
    finally:
        rows.close()


class _Places:
    """Kelurahan and kecamatan in memory (about a hundred rows) for the row's kecamatan."""

    def __init__(self) -> None:
        self.kelurahan = KelurahanIndex()
        self.kecamatan_of_kelurahan = dict(Kelurahan.objects.values_list("pk", "kecamatan_id"))
        codes = Kecamatan.objects.values_list("pk", "code")
        self.kecamatan_by_code = {re.sub(r"\D", "", code): pk for pk, code in codes}
        self.kecamatan_by_name = {
            re.sub(r"[\W_]+", "", name.casefold()): pk for pk, name in Kecamatan.objects.values_list("pk", "name")
        }

    def kecamatan(self, cells, index, nik: str) -> int | None:
        """From the row's kelurahan, else its kecamatan name, else the NIK's region code (where the NIK
        was issued: the best a list without an address gives)."""
        kelurahan_id = self.kelurahan.match(cells[index["kelurahan_code"]], cells[index["kelurahan"]],
                                            cells[index["kecamatan"]])
        if kelurahan_id is not None:
            return self.kecamatan_of_kelurahan.get(kelurahan_id)
        by_name = self.kecamatan_by_name.get(re.sub(r"[\W_]+", "", _text(cells[index["kecamatan"]]).casefold()))
        return by_name if by_name is not None else self.kecamatan_by_code.get(nik[:6])


def _year(value, default: int) -> tuple[int | None, str | None]:
    text = identity.normalise_digits(_text(value))
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text:
        return default, None
    if not _YEAR.match(text) or not 1990 <= int(text) <= timezone.localdate().year + 1:
        return None, _("Year is not a year between 1990 and next year: %(value)s.") % {"value": text[:20]}
    return int(text), None


class _Writer:
    def __init__(self, batch: RecipientListBatch, headers: list[str]) -> None:
        self.batch, self.headers = batch, headers
        self.records: list[RecipientListRecord] = []
        self.rejections: list[RecipientListRejection] = []
        self.seen: dict[tuple[str, str, int], int] = {}  # this chunk's keys -> row number

    def raw(self, cells: list) -> list[list[str]]:
        return [[header or f"Kolom {i + 1}", _text(cells[i]) if i < len(cells) else ""]
                for i, header in enumerate(self.headers)]

    def reject(self, number: int, cells: list, reason: str, duplicate: bool = False) -> None:
        if duplicate:
            self.batch.rows_duplicate += 1
        else:
            self.batch.rows_rejected += 1
        self.rejections.append(RecipientListRejection(
            batch=self.batch, row_number=number, reason=reason[:255], raw=self.raw(cells)))

    def accept(self, number: int, cells: list, record: RecipientListRecord) -> None:
        key = (record.nik, record.program, record.year)
        if key in self.seen:
            self.reject(number, cells, _("Duplicate of row %(row)s.") % {"row": self.seen[key]}, duplicate=True)
            return
        self.seen[key] = number
        self.records.append((number, cells, record))
        if len(self.records) >= CHUNK_SIZE:
            self.flush()

    def flush(self) -> None:
        """One short transaction per chunk; a row repeating one of an earlier chunk is a duplicate."""
        niks = {record.nik for _n, _c, record in self.records}
        earlier = {
            (nik, program, year): row for nik, program, year, row in RecipientListRecord.objects.filter(
                batch=self.batch, nik__in=niks).values_list("nik", "program", "year", "row_number")
        }
        keep = []
        for number, cells, record in self.records:
            key = (record.nik, record.program, record.year)
            if key in earlier:
                self.reject(number, cells, _("Duplicate of row %(row)s.") % {"row": earlier[key]}, duplicate=True)
            else:
                keep.append(record)
        with transaction.atomic():
            RecipientListRecord.objects.bulk_create(keep)
            RecipientListRejection.objects.bulk_create(self.rejections)
        self.batch.rows_accepted += len(keep)
        self.records, self.rejections, self.seen = [], [], {}


def read_into(batch: RecipientListBatch, path: str | Path) -> RecipientListBatch:
    """Read the file into `batch` (processing): done with its counts, or failed with the message."""
    path = Path(path)
    try:
        kind = file_kind(batch.file_name)
        batch.file_sha256, encoding = hash_and_encoding(path)
        _read(batch, path, kind, encoding)
    except Exception as exc:
        _fail(batch, exc)
        if not isinstance(exc, RegisterFileError):
            raise
        return batch
    RecipientListBatch.objects.filter(pk=batch.pk, state=RecipientListBatch.State.PROCESSING).update(
        state=RecipientListBatch.State.DONE, finished_at=timezone.now(), file_sha256=batch.file_sha256,
        rows_read=batch.rows_read, rows_accepted=batch.rows_accepted, rows_rejected=batch.rows_rejected,
        rows_duplicate=batch.rows_duplicate,
    )
    batch.refresh_from_db()
    return batch


def _read(batch: RecipientListBatch, path: Path, kind: str, encoding: str) -> None:
    max_rows = settings.WELFARE_IMPORT_MAX_ROWS
    rows = iter_table(path, kind, encoding, read_limits())
    try:
        column_map, head = _read_header(rows)
        columns = column_map.columns
        width = max(columns.values()) + 1
        index = {name: columns.get(name, width) for name in ALIASES}
        places = _Places()
        writer = _Writer(batch, column_map.headers)
        after_header = (item for item in head if item[0] > column_map.header_row)
        today = timezone.localdate()
        for source in (after_header, rows):
            for number, row in source:
                if number > max_rows:
                    raise RegisterFileError(
                        _("The file has more than %(n)s rows; the import limit is exceeded.") % {"n": max_rows}
                    )
                cells = row + [""] * (width + 1 - len(row)) if len(row) <= width else [*row[:width], ""]
                if not (_text(cells[index["nik"]]) or _text(cells[index["full_name"]])):
                    continue  # blank rows and the totals row
                batch.rows_read += 1
                record, reason = _validate(batch, cells, index, places, today)
                if reason:
                    writer.reject(number, cells, reason)
                else:
                    record.row_number = number
                    writer.accept(number, cells, record)
        writer.flush()
    finally:
        rows.close()


def _validate(batch, cells, index, places: _Places, today) -> tuple[RecipientListRecord | None, str | None]:
    reason, info = _identity_reason(cells[index["nik"]], "NIK", lambda value: identity.parse_nik(value, today=today))
    if reason:
        return None, reason
    kk = ""
    if _text(cells[index["kk_number"]]):
        reason, kk = _identity_reason(cells[index["kk_number"]], "No KK", identity.parse_kk)
        if reason:
            return None, reason
    year, reason = _year(cells[index["year"]], batch.year)
    if reason:
        return None, reason
    program = _text(cells[index["program"]]) or batch.program
    return RecipientListRecord(
        batch=batch, nik=info.nik, kk_number=kk, full_name=_text(cells[index["full_name"]])[: _MAX_LEN["full_name"]],
        program=program[: _MAX_LEN["program"]], year=year, kecamatan_id=places.kecamatan(cells, index, info.nik),
    ), None


def _fail(batch: RecipientListBatch, exc: Exception) -> None:
    if isinstance(exc, RegisterFileError):
        message = str(exc)
    else:
        # The exception text can name server paths or SQL; the editor reads a plain message, the log the rest.
        logger.error("recipient list import %s failed", batch.pk, exc_info=exc)
        message = _("The import failed because of a server error (list #%(pk)s); contact the technical staff.") % {
            "pk": batch.pk}
    try:
        RecipientListRecord.objects.filter(batch=batch).delete()
        RecipientListRejection.objects.filter(batch=batch).delete()
        RecipientListBatch.objects.filter(pk=batch.pk).update(
            state=RecipientListBatch.State.FAILED, error=message[:2000], finished_at=timezone.now(),
            rows_accepted=0,
        )
    except Exception:  # noqa: BLE001 - keep the original error; this one is only logged
        logger.exception("could not clean up failed recipient list %s", batch.pk)
    batch.state, batch.error = RecipientListBatch.State.FAILED, message


def import_list(path: str | Path, *, program: str, year: int, file_name: str | None = None,
                user=None) -> RecipientListBatch:
    """Foreground import (tests, the demo, a command): create the list and read the file into it."""
    path = Path(path)
    batch = create_batch(file_name=file_name or path.name, program=program, year=year, user=user)
    return read_into(batch, path)

