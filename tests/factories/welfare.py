"""Welfare-register (DTSEN/DTKS) import batches and their rows."""

import datetime

import factory

from applicants.enums import Register
from applicants.models import WelfareImportBatch, WelfareRecord, WelfareRejection

from .identity import make_kk, make_nik, nik_serial

# Neither ApplicantFactory's birth date nor one a test writes into an extract, so a record made without a
# NIK never matches an applicant or an imported row by chance.
RECORD_BIRTH_DATE = datetime.date(1985, 2, 14)


class WelfareImportBatchFactory(factory.django.DjangoModelFactory):
    """The current DTSEN extract unless `state` or `register` say otherwise."""

    class Meta:
        model = WelfareImportBatch

    register = Register.DTSEN
    as_of = datetime.date(2026, 10, 1)
    file_name = "dtsen.csv"
    file_sha256 = "0" * 64
    state = WelfareImportBatch.State.CURRENT


class WelfareRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WelfareRecord

    batch = factory.SubFactory(WelfareImportBatchFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    nik = factory.Sequence(lambda n: make_nik(RECORD_BIRTH_DATE, serial=nik_serial(n)))
    kk_number = factory.Sequence(lambda n: make_kk(n + 5_000_000))
    full_name = factory.Sequence(lambda n: f"WARGA {n}")
    desil = 1


class WelfareRejectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WelfareRejection

    batch = factory.SubFactory(WelfareImportBatchFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    reason = "NIK harus 16 angka"
    raw = factory.LazyAttribute(lambda o: {"NIK": "123"})
