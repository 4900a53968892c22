"""Writing a batch's rows: accepted records and rejections in short chunked transactions, and deleting them.

SQLite has one write lock, so no write here holds it for long: residents' submissions must not wait
20 s for an import. A NIK seen twice in one file keeps its first row; the later ones are rejected.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import WelfareImportBatch, WelfareRecord, WelfareRejection
from applicants.welfare.columns import _text
from applicants.welfare.reader import Progress

# Rows written per transaction. Each commit copies every index page it changed into the WAL, and with
# random NIK/KK keys a transaction changes pages all over the two identity indexes: at 10^6 rows,
# 5,000-row transactions cost ~1.4x the CPU of 20,000-25,000-row ones (bench/register_import.py).
# 20,000 rows hold SQLite's write lock for well under a second, which a resident's submission waits out
# (busy timeout 20 s), and their pending tuples are ~13 MB (25,000 took the xlsx import to 196 MB).
CHUNK_SIZE = 20_000
# Rows checked for duplicates at a time: the cells of a checked row are dropped, only its tuple waits.
CHECK_CHUNK = 5000
DELETE_CHUNK = 5000
IMPORT_PAGE_CACHE_KIB = 16 * 1024

_RECORD_FIELDS = ("nik", "kk_number", "full_name", "birth_date", "sex", "address", "rt", "rw", "kelurahan_id",
                  "desil", "bansos")


def _insert_sql() -> str:
    """One parameterised INSERT for executemany: building 10^6 model instances costs more than the
    parsing (measured: ORM bulk_create was ~60 % of the import), so records are written as tuples."""
    table, columns = _table_and_columns()
    placeholders = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - quoted identifiers


def _table_and_columns() -> tuple[str, list[str]]:
    """The record table and the columns of a record tuple, quoted, in tuple order."""
    meta = WelfareRecord._meta
    names = ["batch_id", "row_number", *_RECORD_FIELDS]
    quote = connection.ops.quote_name
    return quote(meta.db_table), [quote(meta.get_field(name).column) for name in names]


def write_records(params: list[tuple], insert_sql: str) -> None:
    """Insert record tuples (inside the caller's transaction): PostgreSQL's COPY, else executemany.

    COPY streams the rows in one command instead of one INSERT each; the constraints and indexes are
    checked the same way, and a violation fails the whole COPY like it fails the executemany.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            table, columns = _table_and_columns()
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # quoted identifiers
                for row in params:
                    copy.write_row(row)
        else:
            cursor.executemany(insert_sql, params)


@contextmanager
def larger_page_cache() -> Iterator[None]:
    """SQLite's page cache at 16 MB for the import's connection, as it was afterwards.

    With the default 2 MB every transaction re-reads pages of the table's indexes. At 10^6 rows a 32 MB
    cache was no faster than 16 MB (the table has five indexes) and cost 17 MB more peak memory.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{IMPORT_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


class _Importer:
    """Accepted rows are checked for duplicates CHECK_CHUNK at a time (against the rows written and the
    rows waiting), then wait as tuples until `chunk_size` of them are written in one transaction."""

    def __init__(self, batch: WelfareImportBatch, headers: list[str], chunk_size: int,
                 progress: Progress | None = None) -> None:
        self.batch = batch
        self.headers = headers
        self.chunk_size = chunk_size
        self.check_size = min(chunk_size, CHECK_CHUNK)
        self.progress = progress
        self.sql = _insert_sql()
        quote = connection.ops.quote_name
        self.select_sql = (
            f"SELECT {quote('nik')}, {quote('row_number')} FROM {quote(WelfareRecord._meta.db_table)} "  # noqa: S608
            f"WHERE {quote('batch_id')} = %%s AND {quote('nik')} IN (%(placeholders)s)"
        )
        self.adapt_date = connection.ops.adapt_datefield_value
        self.records: list[tuple[int, dict, list]] = []  # (row number, fields, cells) not yet checked
        self.params: list[tuple] = []  # checked rows waiting to be written
        self.waiting: dict[str, int] = {}  # NIK -> row number of the rows in `params`
        self.rejections: list[WelfareRejection] = []
        self.record_values = operator.itemgetter(*_RECORD_FIELDS)

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
        if len(self.rejections) >= self.check_size:  # a file of bad rows must not pile up in memory
            self.flush()

    def accept(self, number: int, cells: list, fields: dict) -> None:
        self.records.append((number, fields, cells))
        if len(self.records) >= self.check_size:
            self.check()
            if len(self.params) >= self.chunk_size or len(self.rejections) >= self.check_size:
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

    def check(self) -> None:
        """Queue the unchecked rows; a NIK already written or waiting keeps its first row."""
        waiting = self.waiting
        written = self.rows_already_written([fields["nik"] for _n, fields, _c in self.records])
        batch_id, record_values, adapt_date = self.batch.pk, self.record_values, self.adapt_date
        for number, fields, cells in self.records:
            nik = fields["nik"]
            first = written.get(nik) or waiting.get(nik)
            if first:
                self.batch.rows_duplicate += 1
                self.rejections.append(WelfareRejection(
                    batch=self.batch, row_number=number,
                    reason=_("Duplicate NIK: already in row %(row)s (the first row is used).") % {"row": first},
                    raw=self.raw(cells),
                ))
                continue
            waiting[nik] = number
            fields["birth_date"] = adapt_date(fields["birth_date"])
            self.params.append((batch_id, number, *record_values(fields)))
            self.batch.rows_accepted += 1
        self.records = []

    def flush(self) -> None:
        """Check what is left, then write the waiting rows and rejections in one short transaction."""
        if self.records:
            self.check()
        params = self.params
        bytes_done = self.progress.position() if self.progress else 0
        with transaction.atomic():
            if params:
                write_records(params, self.sql)
            WelfareRejection.objects.bulk_create(self.rejections, batch_size=500)
            WelfareImportBatch.objects.filter(pk=self.batch.pk).update(
                rows_read=self.batch.rows_read, rows_accepted=self.batch.rows_accepted,
                rows_rejected=self.batch.rows_rejected, rows_duplicate=self.batch.rows_duplicate,
                bytes_done=bytes_done, heartbeat_at=timezone.now(),
            )
        self.params, self.waiting, self.rejections = [], {}, []


def delete_batch_rows(batch: WelfareImportBatch, models=(WelfareRecord, WelfareRejection)) -> None:
    """Remove a batch's rows in short transactions (one big DELETE would hold the write lock)."""
    for model in models:
        while True:
            ids = list(model.objects.filter(batch=batch).values_list("pk", flat=True)[:DELETE_CHUNK])
            if not ids:
                break
            model.objects.filter(pk__in=ids).delete()


def current_batch(register: str) -> WelfareImportBatch | None:
    return WelfareImportBatch.objects.filter(register=register, state=WelfareImportBatch.State.CURRENT).first()

