"""Lists of earlier recipients of other programs (PENA, KUBE...) and their rows."""

import factory

from applicants.models import RecipientListBatch, RecipientListRecord, RecipientListRejection

from .identity import make_nik, nik_serial
from .welfare import RECORD_BIRTH_DATE


class RecipientListBatchFactory(factory.django.DjangoModelFactory):
    """An imported PENA 2025 list (state done) unless told otherwise."""

    class Meta:
        model = RecipientListBatch

    class Params:
        failed = factory.Trait(state=RecipientListBatch.State.FAILED, error="Kolom NIK tidak ditemukan.")

    file_name = "pena-2025.csv"
    file_sha256 = "0" * 64
    program = "PENA"
    year = 2025
    state = RecipientListBatch.State.DONE


class RecipientListRecordFactory(factory.django.DjangoModelFactory):
    """A row of the list; pass `nik`/`kk_number` of an applicant to make a match."""

    class Meta:
        model = RecipientListRecord

    batch = factory.SubFactory(RecipientListBatchFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    nik = factory.Sequence(lambda n: make_nik(RECORD_BIRTH_DATE, serial=nik_serial(n + 7000)))
    full_name = factory.Sequence(lambda n: f"PENERIMA {n}")
    program = factory.LazyAttribute(lambda o: o.batch.program)
    year = factory.LazyAttribute(lambda o: o.batch.year)


class RecipientListRejectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecipientListRejection

    batch = factory.SubFactory(RecipientListBatchFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    reason = "NIK: NIK harus 16 angka."
    raw = factory.LazyAttribute(lambda o: [["NIK", "123"]])
