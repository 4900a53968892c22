"""The register table keeps one index per identity key: every lookup the product makes still uses one.

Each index of a random key costs an import a large part of its time (docs/welfare-register.md), so
WelfareRecord has (nik, batch) unique and (kk_number, batch), not also nik, kk_number and
(batch, kk_number) of their own. These plans prove no lookup became a scan of the table.
"""

import pytest
from django.db import connection

from applicants.models import WelfareImportBatch, WelfareRecord
from tests.factories import WelfareImportBatchFactory, WelfareRecordFactory, make_kk, make_nik

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan (PostgreSQL scans tiny tables)"),
]


def plan(queryset) -> list[str]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


@pytest.fixture
def batches():
    older = WelfareImportBatchFactory(state=WelfareImportBatch.State.SUPERSEDED)
    current = WelfareImportBatchFactory()
    for batch in (older, current):
        for serial in range(1, 4):
            WelfareRecordFactory(batch=batch, nik=make_nik(serial=serial), kk_number=make_kk(serial))
    return older, current


@pytest.mark.parametrize("lookup", [
    "register search by NIK across batches", "register search by KK across batches",
    "eligibility: NIKs in the current batches", "duplicate check: NIKs already in a batch",
    "graduates' household: a KK in a batch", "a batch's rows in id order (carry-over, deletion)",
    "register filter: desil in a batch",
])
def test_every_lookup_of_the_register_table_uses_an_index(batches, lookup):
    older, current = batches
    records = WelfareRecord.objects.order_by()
    queryset = {
        "register search by NIK across batches": records.filter(nik=make_nik(serial=2)),
        "register search by KK across batches": records.filter(kk_number=make_kk(2)),
        "eligibility: NIKs in the current batches": records.filter(
            batch_id__in=[older.pk, current.pk], nik__in=[make_nik(serial=1), make_nik(serial=3)]),
        "duplicate check: NIKs already in a batch": records.filter(batch=current, nik__in=[make_nik(serial=1)]),
        "graduates' household: a KK in a batch": records.filter(batch=current, kk_number=make_kk(1)),
        "a batch's rows in id order (carry-over, deletion)": records.filter(batch=current, pk__gt=0).order_by("pk"),
        "register filter: desil in a batch": records.filter(batch=current, desil=1),
    }[lookup]
    steps = plan(queryset)
    assert not any(step.startswith("SCAN") for step in steps), steps
    assert not any("TEMP B-TREE" in step for step in steps), steps  # no sort of a whole batch either
    assert len(list(queryset)) >= 1
