"""The one way tests make NIK and KK numbers that pass `applicants.identity`."""

import datetime

BIRTH_DATE = datetime.date(1990, 5, 1)
KECAMATAN_TANGERANG = "367101"  # Kota Tangerang 36.71, Kecamatan Tangerang 01


def make_nik(
    birth_date: datetime.date = BIRTH_DATE, *, sex: str = "L", region: str = KECAMATAN_TANGERANG, serial: int = 1,
) -> str:
    """A NIK: region (6 digits), birth date as DDMMYY with day + 40 for women (`sex="P"`), serial (4 digits;
    0000 is invalid, so callers counting from 0 add 1)."""
    if not 0 <= serial <= 9999:
        raise ValueError(f"a NIK serial has four digits, not {serial}")
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def make_kk(serial: int = 1, *, region: str = KECAMATAN_TANGERANG) -> str:
    """A family card number: region (6 digits) and a 10-digit serial."""
    return f"{region}{serial % 10**10:010d}"


def nik_serial(n: int) -> int:
    """A factory sequence number as a NIK serial: 1-9999, never 0000."""
    return n % 9999 + 1
