"""NIK, KK and phone rules that every entry point shares (applicants/identity.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from applicants import identity
from tests.factories import make_nik

TODAY = datetime.date(2026, 11, 23)


def test_nik_encodes_birth_date_and_sex_with_forty_added_for_women():
    info = identity.parse_nik("3671015708950003", today=TODAY)
    assert info.birth_date == datetime.date(1995, 8, 17) and info.sex == "P" and info.region == "367101"
    man = identity.parse_nik("3671011708950003", today=TODAY)
    assert man.sex == "L" and man.birth_date == datetime.date(1995, 8, 17)


def test_two_digit_year_resolves_to_the_century_that_is_in_the_past():
    assert identity.parse_nik("3671010101250001", today=TODAY).birth_date.year == 2025
    assert identity.parse_nik("3671010101300001", today=TODAY).birth_date.year == 1930


@pytest.mark.parametrize("typed", ["3671 0117 0890 0001", "3671.0117.0890.0001", "'3671011708900001",
                                   " 3671-0117-0890-0001 "])
def test_nik_typed_with_spaces_dots_dashes_or_excel_apostrophe_is_cleaned(typed):
    assert identity.parse_nik(typed, today=TODAY).nik == "367101170890000" + "1"


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("", "required"),
        ("36710117089O0001", "nik_digits"),
        ("367101170890001", "nik_length"),
        ("99990117089000001"[:16], "nik_region"),
        ("3671000101900001", "nik_region"),  # kecamatan 00
        ("3671013002900001", "nik_birth_date"),  # 30 February
        ("3671017113900001", "nik_birth_date"),  # month 13 (and day 71 - 40 = 31)
        ("3671011708900000", "nik_serial"),
    ],
)
def test_invalid_nik_is_refused_with_a_specific_reason(nik, code):
    with pytest.raises(ValidationError) as exc:
        identity.parse_nik(nik, today=TODAY)
    assert exc.value.code == code


def test_nik_with_a_birth_date_after_today_is_read_as_last_century():
    future = TODAY + datetime.timedelta(days=1)
    # 1926 is in the past, so a future 2026 date falls back to 1926: still a valid person.
    assert identity.parse_nik(make_nik(future), today=TODAY).birth_date.year == 1926


def test_kk_needs_sixteen_digits_and_a_known_region():
    assert identity.parse_kk("3671 0100 0000 0001") == "3671010000000001"
    for bad, code in (("367101000000001", "kk_length"), ("9999010000000001", "kk_region"),
                      ("36710100000000A1", "kk_digits")):
        with pytest.raises(ValidationError) as exc:
            identity.parse_kk(bad)
        assert exc.value.code == code


@pytest.mark.parametrize("typed", ["081234567890", "+6281234567890", "6281234567890", "0812-3456-7890"])
def test_indonesian_mobile_numbers_become_e164(typed):
    assert identity.parse_mobile(typed) == "+6281234567890"


@pytest.mark.parametrize("typed", ["021 5555 1234", "+1 202 555 0143", "12345", "bukan nomor"])
def test_landline_foreign_or_garbled_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        identity.parse_mobile(typed)


def test_mask_identity_keeps_only_the_last_four_digits():
    assert identity.mask_identity("3671011708900001") == "************0001"
