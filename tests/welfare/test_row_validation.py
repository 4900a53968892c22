"""Row validation parses each distinct cell once, without changing a result or growing without bound."""

import datetime

import pytest

from applicants import identity
from applicants.welfare import rows
from applicants.welfare.rows import KelurahanIndex, RowValidator
from programs.models import Kelurahan
from tests.factories.identity import make_kk, make_nik

COLUMNS = {"nik": 0, "kk_number": 1, "full_name": 2, "kelurahan": 3, "desil": 4, "rt": 5, "birth_date": 6, "sex": 7}


@pytest.fixture
def validator(db):
    return RowValidator(COLUMNS, "dtsen", KelurahanIndex(), today=datetime.date(2026, 12, 1))


def row(validator, **cells):
    kelurahan = Kelurahan.objects.order_by("pk").first()
    values = {"nik": make_nik(), "kk_number": make_kk(), "full_name": "SITI", "kelurahan": kelurahan.name,
              "desil": "3", "rt": "7", "birth_date": "", "sex": ""} | cells
    return validator.validate(validator.pad([values[name] for name in COLUMNS]))


def test_a_cell_of_another_type_but_equal_value_is_parsed_on_its_own(validator):
    assert row(validator, desil=1)[0]["desil"] == 1
    assert row(validator, desil=True) == (None, "Desil kosong atau bukan angka 1-10.")  # True == 1 in a dict
    assert row(validator, desil=1.0)[0]["desil"] == 1
    assert row(validator, desil="1,0")[0]["desil"] == 1


def test_every_row_is_still_judged_when_the_same_cells_repeat(validator):
    good = row(validator, rt="7", sex="P", birth_date="02-03-1990")[0]
    assert (good["rt"], good["sex"], good["birth_date"]) == ("007", "P", datetime.date(1990, 3, 2))
    again = row(validator, rt="7", sex="P", birth_date="02-03-1990", kelurahan="NO SUCH PLACE")
    assert again == (None, "Kelurahan tidak dikenal: NO SUCH PLACE.")
    assert row(validator, nik="3671010101000000")[1].startswith("NIK: ")  # serial 0000, right after good rows
    assert "angka oleh Excel" in row(validator, nik=3671014101900001)[1]


def test_a_file_of_distinct_values_cannot_grow_the_memory_past_the_limit(validator, monkeypatch):
    monkeypatch.setattr(rows, "MEMO_LIMIT", 50)
    fresh = RowValidator(COLUMNS, "dtsen", KelurahanIndex(), today=datetime.date(2026, 12, 1))
    for day in range(1, 29):
        for month in (1, 2, 3, 4):
            assert row(fresh, birth_date=f"{day:02d}-{month:02d}-1990")[0]["birth_date"] == datetime.date(
                1990, month, day)
    memos = [cell.cell_contents for cell in fresh.parse_date.__closure__ if isinstance(cell.cell_contents, dict)]
    assert sorted(map(len, memos)) == [0, 50]  # text cells are memoised apart from typed ones, each bounded


def test_the_digit_normaliser_fast_path_gives_what_the_full_path_gives():
    for text in ("3671010101500001", "٣٦٧١", "3671 0101", "'3671", " 12 ", "", "¹²", "12a"):
        slow = identity._SEPARATORS.sub("", str(text).strip().lstrip("'").strip().translate(identity._digit_table()))
        assert identity.normalise_digits(text) == slow


def _sixteen_digit_cells():
    """16-digit NIK/KK cells that hit each of parse_nik's checks: region, birth date (men and women,
    29 February, days 0/32/72, month 13), serial 0000, the century, and good ones."""
    regions = ["367101", "367100", "990101", "317402", "000000"]
    dates = ["010190", "410190", "290200", "290201", "690200", "000190", "320190", "720190", "011390", "311226",
             "011227", "711290"]
    serials = ["0001", "0000", "9999"]
    return [region + date + serial for region in regions for date in dates for serial in serials]


def test_the_plain_nik_fast_path_agrees_with_the_full_parse_on_every_check():
    today = datetime.date(2026, 12, 1)
    for nik in _sixteen_digit_cells():
        try:
            expected = identity.parse_nik(nik, today=today)
        except identity.ValidationError:
            expected = None
        assert identity.parse_plain_nik(nik, today) == expected, nik


def test_a_row_gets_the_same_values_or_reason_whichever_path_its_identity_cells_take(validator):
    """The validator's shortcut for plain 16-digit cells must not change what a row becomes: the same
    NIK written with Excel's quote, spaces or Arabic-Indic digits takes the full parse."""
    arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    kk = make_kk()
    for nik in _sixteen_digit_cells():
        plain = row(validator, nik=nik, kk_number=kk)
        for spelling in (f"'{nik}", f" {nik} ", nik.translate(arabic)):
            assert row(validator, nik=spelling, kk_number=kk) == plain, spelling
    for kk_cell in ("9901010101900001", "3671010101900001", "3671000101900001"):
        plain = row(validator, kk_number=kk_cell)
        assert row(validator, kk_number=f"'{kk_cell}") == plain
