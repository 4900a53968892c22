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

CHUNK_SIZE = 5000
IMPORT_PAGE_CACHE_KIB = 32 * 1024

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


@contextmanager
def larger_page_cache() -> Iterator[None]:
    """SQLite's page cache at 32 MB for the import's connection, as it was afterwards.

    With the default 2 MB every chunk re-reads pages of the table's seven indexes: at 2x10^5 rows the
    larger cache cut the import's CPU time by a fifth, for ~32 MB more peak memory (still < 200 MB).
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
        record_values = operator.itemgetter(*_RECORD_FIELDS)
        for number, fields, cells in self.records:
            nik = fields["nik"]
            if nik in first_row:
                self.batch.rows_duplicate += 1
                self.rejections.append(WelfareRejection(
                    batch=self.batch, row_number=number,
                    reason=_("Duplicate NIK: already in row %(row)s (the first row is used).")
                    % {"row": first_row[nik]},
                    raw=self.raw(cells),
                ))
                continue
            first_row[nik] = number
            fields["birth_date"] = self.adapt_date(fields["birth_date"])
            params.append((batch_id, number, *record_values(fields)))
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

