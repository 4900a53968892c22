"""Indonesian identity numbers (NIK, KK) and mobile phone numbers.

Every entry point (public form, admin forms, register import) uses these functions, so a number is
accepted or refused the same way everywhere. Errors are Indonesian sentences for the person typing.
"""

import datetime
import functools
import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import numdb

_SEPARATORS = re.compile(r"[\s.\-]")


def clean_number_text(value) -> str:
    """Strip spaces, dots, dashes and a leading apostrophe (Excel's text marker) from a typed number."""
    text = str(value or "").strip().lstrip("'").strip()
    return _SEPARATORS.sub("", text)


@functools.lru_cache(maxsize=4096)  # a register import validates 10^6 NIKs from a few hundred regions
def region_is_known(code6: str) -> bool:
    """True when the first six digits name a known province + regency and a non-zero kecamatan.

    Province and regency come from python-stdnum's Kemendagri list; the kecamatan digits are only
    checked to be non-zero because no maintained list of all 7,000+ kecamatan ships offline.
    """
    if len(code6) != 6 or not code6.isdigit() or code6[4:6] == "00":
        return False
    parts = numdb.get("id/loc").info(code6[:4])
    return len(parts) == 2 and bool(parts[0][1]) and bool(parts[1][1])


@dataclass(frozen=True)
class NikInfo:
    nik: str
    birth_date: datetime.date
    sex: str  # "L" (laki-laki) or "P" (perempuan)
    region: str


def _century_date(yy: int, month: int, day: int, today: datetime.date) -> datetime.date:
    """Pick the century that puts the birth date in the past (a NIK holder is born before today)."""
    for century in (2000, 1900):
        try:
            candidate = datetime.date(century + yy, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise ValueError("no valid date")


def parse_nik(value, today: datetime.date | None = None) -> NikInfo:
    """Validate a NIK and return what it encodes. Raises ValidationError with an Indonesian message."""
    today = today or datetime.date.today()
    nik = clean_number_text(value)
    if not nik:
        raise ValidationError(_("NIK wajib diisi."), code="required")
    if not nik.isdigit():
        raise ValidationError(_("NIK hanya boleh berisi angka."), code="nik_digits")
    if len(nik) != 16:
        raise ValidationError(
            _("NIK harus 16 angka (Anda mengisi %(count)s angka).") % {"count": len(nik)},
            code="nik_length",
        )
    if not region_is_known(nik[:6]):
        raise ValidationError(_("Kode wilayah pada 6 angka pertama NIK tidak dikenal."), code="nik_region")
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    day = day - 40 if day > 40 else day
    try:
        birth_date = _century_date(yy, month, day, today)
    except ValueError:
        raise ValidationError(
            _("Tanggal lahir pada angka ke-7 sampai 12 NIK tidak valid."), code="nik_birth_date"
        ) from None
    if nik[12:] == "0000":
        raise ValidationError(_("Nomor urut NIK (4 angka terakhir) tidak boleh 0000."), code="nik_serial")
    return NikInfo(nik=nik, birth_date=birth_date, sex=sex, region=nik[:6])


def parse_kk(value) -> str:
    """Validate a family-card (KK) number: 16 digits with a known region part."""
    kk = clean_number_text(value)
    if not kk:
        raise ValidationError(_("Nomor KK wajib diisi."), code="required")
    if not kk.isdigit():
        raise ValidationError(_("Nomor KK hanya boleh berisi angka."), code="kk_digits")
    if len(kk) != 16:
        raise ValidationError(
            _("Nomor KK harus 16 angka (Anda mengisi %(count)s angka).") % {"count": len(kk)},
            code="kk_length",
        )
    if not region_is_known(kk[:6]):
        raise ValidationError(_("Kode wilayah pada 6 angka pertama nomor KK tidak dikenal."), code="kk_region")
    return kk


def parse_mobile(value) -> str:
    """Normalise an Indonesian mobile number (08.., +628.., 628..) to E.164 (+628...)."""
    raw = str(value or "").strip()
    if not raw:
        raise ValidationError(_("Nomor HP wajib diisi."), code="required")
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Nomor HP tidak dikenali. Contoh: 0812 3456 7890."), code="phone") from None
    if (
        number.country_code != 62
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValidationError(
            _("Masukkan nomor HP Indonesia yang aktif, misalnya 0812 3456 7890."), code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_identity(number: str) -> str:
    """`3671********0017`: first four and last four digits, for people without full-identity access."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
