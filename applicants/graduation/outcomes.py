"""Graduates against each imported welfare register: still registered, desil then and now, bansos.

Called once a batch becomes current (applicants.welfare.importer). The matching is one SQL query
over the graduates with correlated lookups into the batch on the indexed NIK and KK columns, never a
loop over register rows in Python: an extract has up to 10^6 rows, graduates are thousands.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.db.models import Exists, F, Min, OuterRef, Subquery
from django.utils import timezone

from applicants.models import Enrolment, RegisterOutcomeCheck, WelfareImportBatch, WelfareRecord

CHUNK_SIZE = 2000

# Programme code -> spellings seen in extracts, normalised (casefold, letters and digits only).
BANSOS_SPELLINGS: dict[str, tuple[str, ...]] = {
    "PKH": ("pkh", "programkeluargaharapan", "keluargaharapan"),
    "BPNT": ("bpnt", "sembako", "programsembako", "bantuanpangannontunai", "kartusembako", "bansossembako"),
    "PBI": ("pbi", "pbijk", "pbijkn", "kis", "kispbi", "bpjspbi"),
    "BLT": ("blt", "bltdd", "bltdanadesa", "bltbbm", "bltelpiji"),
    "BST": ("bst", "bantuansosialtunai"),
    "PIP": ("pip", "kip", "kartuindonesiapintar"),
    "RUTILAHU": ("rutilahu", "bedahrumah"),
    "ATENSI": ("atensi", "asistensirehabilitasisosial"),
}
_SPELLING_TO_CODE = {spelling: code for code, spellings in BANSOS_SPELLINGS.items() for spelling in spellings}
# Cell values that mean "receives nothing".
NO_BANSOS = {"", "0", "tidak", "tidakada", "tidakmenerima", "belummenerima", "belum", "none", "nihil", "no", "n",
             "tdk", "bukanpenerima"}
_SPLIT = re.compile(r"[,;/|+&]|\s+dan\s+", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
OTHER = "LAINNYA"


def normalise_bansos(raw: str) -> tuple[list[str], bool]:
    """The programmes named in a register's bansos cell, as codes, and whether anything is received.

    "PKH, Sembako" -> (["BPNT", "PKH"], True); "-" or "Tidak" -> ([], False); an unknown name counts
    as received under LAINNYA (the raw value is kept beside it for a person to read)."""
    codes = set()
    for part in _SPLIT.split(raw or ""):
        key = _NON_ALNUM.sub("", part.casefold())
        if key in NO_BANSOS:
            continue
        codes.add(_SPELLING_TO_CODE.get(key, OTHER))
    return sorted(codes), bool(codes)


def graduate_rows_queryset(batch: WelfareImportBatch):
    """The graduates not yet checked against `batch`, with their matches, as one SQL query."""
    # No default ordering (Meta: batch, row_number) in the lookups: with it SQLite walks the batch in row
    # order instead of using the (nik, batch) and (kk_number, batch) indexes, a full scan per graduate.
    records = WelfareRecord.objects.filter(batch=batch).order_by()
    by_nik = records.filter(nik=OuterRef("application__applicant__nik"))
    by_kk = records.filter(kk_number=OuterRef("application__applicant__kk_number"))
    graduates = (
        Enrolment.objects.filter(status=Enrolment.Status.COMPLETED)
        .filter(application__applicant__anonymised_at__isnull=True,
                application__applicant__processing_restricted=False)
        .exclude(register_checks__batch=batch)
        .annotate(
            nik_found=Exists(by_nik), kk_found=Exists(by_kk),
            desil_nik=Subquery(by_nik.values("desil")[:1]),
            desil_kk=Subquery(by_kk.values("kk_number").annotate(lowest=Min("desil")).values("lowest")[:1]),
            # bansos is usually paid to the household: the person's own row first, else any row of the KK
            bansos_nik=Subquery(by_nik.values("bansos")[:1]),
            bansos_kk=Subquery(by_kk.exclude(bansos="").values("bansos")[:1]),
            desil_then=F("application__eligibility_record__desil"),
        )
        .order_by("pk")
    )
    return graduates.values_list(
        "pk", "nik_found", "kk_found", "desil_nik", "desil_kk", "bansos_nik", "bansos_kk", "desil_then"
    )


def _graduate_rows(batch: WelfareImportBatch) -> Iterator[tuple]:
    return graduate_rows_queryset(batch).iterator(chunk_size=CHUNK_SIZE)


def check_graduates(batch: WelfareImportBatch) -> int:
    """Record one RegisterOutcomeCheck per graduate for this batch; returns how many were recorded.

    Idempotent (a graduate already checked against the batch is skipped). Whether the extract has a
    bansos column is read from the batch itself: no row with a bansos value means no column, and then
    `receives_bansos` stays unknown rather than a false "left bansos"."""
    if batch.state != WelfareImportBatch.State.CURRENT:
        return 0
    has_bansos_column = WelfareRecord.objects.filter(batch=batch).exclude(bansos="").exists()
    now = timezone.now()
    written = 0
    pending: list[RegisterOutcomeCheck] = []
    for pk, nik_found, kk_found, desil_nik, desil_kk, bansos_nik, bansos_kk, desil_then in _graduate_rows(batch):
        raw = (bansos_nik or bansos_kk or "") if has_bansos_column else ""
        codes, receives = normalise_bansos(raw)
        pending.append(RegisterOutcomeCheck(
            enrolment_id=pk, batch=batch, register=batch.register, as_of=batch.as_of, checked_at=now,
            nik_found=nik_found, kk_found=kk_found,
            desil_then=desil_then, desil_now=desil_nik if desil_nik is not None else desil_kk,
            bansos_raw=raw[:120], bansos_programs=",".join(codes)[:120],
            # not found in a register that lists bansos: not among its recipients
            receives_bansos=receives if has_bansos_column else None,
        ))
        if len(pending) >= CHUNK_SIZE:
            written += len(RegisterOutcomeCheck.objects.bulk_create(pending, ignore_conflicts=True))
            pending = []
    if pending:
        written += len(RegisterOutcomeCheck.objects.bulk_create(pending, ignore_conflicts=True))
    return written
