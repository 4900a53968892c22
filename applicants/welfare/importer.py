"""Welfare-register extracts (DTSEN/DTKS): import one as a batch, then confirm or cancel it.

Extracts arrive as xlsx or `;`-separated CSV with title rows above the header, a totals row below,
headers spelled differently per extract and identity numbers damaged by Excel. An import reads the
file (`sources`, within the size limits of `read_limits()`), finds its header (`columns`), validates
each row (`rows`) and writes accepted rows in short chunked transactions (`staging`). It then carries
over the current register's rows of kelurahan the file does not cover, and leaves the batch ready with
a preview of what it would change. Only `confirm_import()` makes it current, in one tiny transaction.
Any error deletes the partial batch's rows, so the previous register stays in force.
"""

from __future__ import annotations

import datetime
import io
import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from applicants.enums import Register
from applicants.graduation.outcomes import check_graduates
from applicants.models import WelfareImportBatch, WelfareRecord
from applicants.welfare.columns import RegisterFileError, _read_header
from applicants.welfare.eligibility import check_open_applications, preview_changes
from applicants.welfare.reader import Progress
from applicants.welfare.rows import KelurahanIndex, RowValidator
from applicants.welfare.sources import _encoding_of_head, file_kind, hash_and_encoding, iter_table, read_limits
from applicants.welfare.staging import (
    _RECORD_FIELDS,
    CHUNK_SIZE,
    _Importer,
    current_batch,
    delete_batch_rows,
    larger_page_cache,
)
from programs.registers.xlsx import TEXT, Column, Sheet, write_xlsx

__all__ = [
    "ImportStateError",
    "RegisterFileError",
    "cancel_import",
    "check_file",
    "confirm_import",
    "create_batch",
    "import_register",
    "stage_import",
    "write_rejections_xlsx",
]

logger = logging.getLogger(__name__)

CARRY_CHUNK = 20000  # rows copied per transaction when a partial extract keeps the rest of the register


class ImportStateError(Exception):
    """A batch is not in a state that allows the requested step (confirm twice, confirm a failed one...)."""


def create_batch(
    *, file_name: str, register: str = Register.DTSEN, as_of: datetime.date | None = None, user=None,
    dry_run: bool = False, stored_file: str = "",
) -> WelfareImportBatch:
    """The batch row an import fills in (state processing); refuses an unknown register or file type."""
    if register not in Register.values:
        raise RegisterFileError(_("Unknown register: %(register)s.") % {"register": register})
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
        with larger_page_cache():
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
    progress_every = importer.check_size
    after_header = (item for item in head if item[0] > column_map.header_row)
    flushed_at = 0
    for source in (after_header, rows):
        for number, row in source:
            if number > max_rows:
                raise RegisterFileError(
                    _("The file has more than %(n)s rows; the import limit is exceeded.") % {"n": max_rows}
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
            if on_progress and batch.rows_read - flushed_at >= progress_every:
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
        message = _("The import failed because of a server error (import #%(pk)s). "
                    "The current register is unchanged; contact technical support.") % {"pk": batch.pk}
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
        raise ImportStateError(_("The current register was just replaced by another "
                                 "import. Upload this file again for a new preview.")) from None
    check_graduates(batch)  # graduates' outcomes against the register that now holds
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
        raise ImportStateError(
            _("This import is “%(state)s”; only imports awaiting confirmation can be confirmed.")
            % {"state": batch.get_state_display()}
        )
    current = current_batch(batch.register)
    if (current.pk if current else None) != batch.base_batch_id:
        raise ImportStateError(_("The current register has changed since this preview "
                                 "was made. Upload this file again for a new preview."))
    WelfareImportBatch.objects.filter(
        register=batch.register, state=State.CURRENT
    ).exclude(pk=batch.pk).update(state=State.SUPERSEDED)
    updated = WelfareImportBatch.objects.filter(pk=batch.pk, state=State.READY).update(
        state=State.CURRENT, confirmed_at=now, confirmed_by=user if getattr(user, "pk", None) else None,
    )
    if not updated:
        raise ImportStateError(_("This import was just confirmed or cancelled by someone else."))
    batch.refresh_from_db()
    _log_import(batch, user)


def cancel_import(batch: WelfareImportBatch, user=None) -> None:
    """Drop a batch waiting for confirmation: its rows go, the current register stays."""
    updated = WelfareImportBatch.objects.filter(pk=batch.pk, state=WelfareImportBatch.State.READY).update(
        state=WelfareImportBatch.State.CANCELLED, finished_at=timezone.now()
    )
    if not updated:
        batch.refresh_from_db()
        raise ImportStateError(_("This import is “%(state)s” and cannot be cancelled.")
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

    columns = [Column(_("Row"), TEXT, 8), Column(_("Reason"), TEXT, 50), *[Column(str(h), TEXT, 16) for h in headers]]
    heading = [[_("File"), batch.file_name, _("SHA-256"), batch.file_sha256]]
    write_xlsx(target, [Sheet(_("Rejected rows"), columns, rows(), heading=heading)])
