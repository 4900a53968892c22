"""Indonesian identity numbers (NIK, KK), RT/RW and mobile phone numbers.

Every entry point (public form, status check, admin forms, register import, register search, command
line) uses these functions, so a number is accepted or refused the same way everywhere. Errors are
Indonesian sentences for the person typing.

`normalise_digits` is the one place where typed text becomes ASCII digits: `str.isdigit()`, `\\d` and
`int()` accept every Unicode decimal digit (Arabic-Indic, Devanagari, fullwidth, ...), so a NIK typed
in another digit set would otherwise be stored as a different person.
"""

import datetime
import functools
import re
import sys
import unicodedata
from typing import NamedTuple

import phonenumbers
from django.core.exceptions import ValidationError
from django.db.models import CharField, Lookup
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import numdb

# Separators people type or paste inside numbers: spaces of every kind, dots, dashes, slashes,
# parentheses, and invisible format characters (zero-width space, BOM) that come with copy-paste.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212\uff0d\uff0e/()\u200b-\u200d\u2060\ufeff]")
ASCII_DIGITS = re.compile(r"[0-9]+")
# What the database accepts for NIK/KK. `[0-9]`, not `\d`, which accepts every Unicode digit; `\A`/`\Z`,
# not ^/$ (Python's $ lets a trailing newline through). "X" + 15 digits is retention's anonymised form.
DB_IDENTITY_PATTERN = r"\A[0-9]{16}\Z"
DB_IDENTITY_OR_ANONYMISED_PATTERN = r"\A(?:[0-9]{16}|X[0-9]{15})\Z"
# The same shapes as SQLite GLOB patterns (anchored, ASCII ranges): GLOB runs in SQLite's C code, where
# REGEXP calls Python once per row (measured: 88k vs 38k inserted rows/s for two columns).
_GLOB_SHAPES = {"nik": ("[0-9]" * 16,), "nik_or_anonymised": ("[0-9]" * 16, "X" + "[0-9]" * 15)}
_REGEX_SHAPES = {"nik": DB_IDENTITY_PATTERN, "nik_or_anonymised": DB_IDENTITY_OR_ANONYMISED_PATTERN}


@CharField.register_lookup
class IdentityShape(Lookup):
    """`Q(nik__identity_shape="nik")`: the column holds 16 ASCII digits ("nik_or_anonymised": or X + 15).

    For CheckConstraints: GLOB on SQLite, `~` on PostgreSQL (same meaning), REGEXP elsewhere."""

    lookup_name = "identity_shape"
    prepare_rhs = False

    def _shape(self) -> str:
        if self.rhs not in _GLOB_SHAPES:
            raise ValueError(f"unknown identity shape {self.rhs!r}")
        return self.rhs

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        regex = connection.operators["regex"] % "%s"
        return f"{lhs} {regex}", [*params, _REGEX_SHAPES[self._shape()]]

    def as_sqlite(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        globs = _GLOB_SHAPES[self._shape()]
        sql = " OR ".join(f"{lhs} GLOB %s" for _glob in globs)
        return f"({sql})", [value for glob in globs for value in (*params, glob)]

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        # PostgreSQL's $ matches only at the very end (no newline exception), unlike Python's.
        pattern = _REGEX_SHAPES[self._shape()].replace("\\A", "^").replace("\\Z", "$").replace("(?:", "(")
        return f"{lhs} ~ %s", [*params, pattern]


@functools.cache
def _digit_table() -> dict[int, str]:
    """Every Unicode decimal digit (category Nd) mapped to its ASCII digit; built on first non-ASCII input."""
    return {
        code: str(unicodedata.decimal(chr(code)))
        for code in range(0x80, sys.maxunicode + 1)
        if unicodedata.category(chr(code)) == "Nd"
    }


def normalise_digits(value) -> str:
    """A typed number as ASCII text: separators removed, every decimal digit of any script made 0-9.

    Anything else (letters, superscripts, symbols) is left in place for the caller to refuse, so
    `ASCII_DIGITS.fullmatch(result)` is the only test a caller needs.
    """
    if type(value) is str and value.isdigit() and value.isascii():
        return value  # already plain 0-9: the common case, a million times per register import
    text = str(value or "").strip().lstrip("'").strip()
    if not text.isascii():
        text = text.translate(_digit_table())
    return _SEPARATORS.sub("", text)


# The name the register search and the status check have always called.
clean_number_text = normalise_digits


def is_ascii_digits(text: str, length: int | None = None) -> bool:
    return bool(ASCII_DIGITS.fullmatch(text)) and (length is None or len(text) == length)


@functools.lru_cache(maxsize=4096)  # a register import validates 10^6 NIKs from a few hundred regions
def region_is_known(code6: str) -> bool:
    """True when the first six digits name a known province + regency and a non-zero kecamatan.

    Province and regency come from python-stdnum's Kemendagri list; the kecamatan digits are only
    checked to be non-zero because no maintained list of all 7,000+ kecamatan ships offline.
    """
    if not is_ascii_digits(code6, 6) or code6[4:6] == "00":
        return False
    parts = numdb.get("id/loc").info(code6[:4])
    return len(parts) == 2 and bool(parts[0][1]) and bool(parts[1][1])


class NikInfo(NamedTuple):  # a tuple: built once per row of a register import, 5x cheaper than a frozen dataclass
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


@functools.lru_cache(maxsize=1 << 16)  # a few tens of thousands of birth dates among 10^6 NIKs
def _birth_date_and_sex(digits: str, today: datetime.date) -> tuple[datetime.date, str]:
    """Digits 7-12 of a NIK (DDMMYY, +40 on the day for women) as (birth date, sex); ValueError if none."""
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    sex = "P" if day > 40 else "L"
    day = day - 40 if day > 40 else day
    return _century_date(yy, month, day, today), sex


def parse_nik(value, today: datetime.date | None = None) -> NikInfo:
    """Validate a NIK and return what it encodes. Raises ValidationError with an Indonesian message."""
    today = today or timezone.localdate()
    nik = normalise_digits(value)
    if not nik:
        raise ValidationError(_("NIK is required."), code="required")
    if not is_ascii_digits(nik):
        raise ValidationError(_("NIK may contain digits only."), code="nik_digits")
    if len(nik) != 16:
        raise ValidationError(
            _("NIK must be 16 digits (you entered %(count)s digits).") % {"count": len(nik)},
            code="nik_length",
        )
    if not region_is_known(nik[:6]):
        raise ValidationError(
            _("The region code in the first 6 digits of the NIK is not recognised."), code="nik_region"
        )
    try:
        birth_date, sex = _birth_date_and_sex(nik[6:12], today)
    except ValueError:
        raise ValidationError(
            _("The date of birth in digits 7 to 12 of the NIK is not valid."), code="nik_birth_date"
        ) from None
    if nik[12:] == "0000":
        raise ValidationError(_("The NIK serial number (last 4 digits) cannot be 0000."), code="nik_serial")
    return NikInfo(nik=nik, birth_date=birth_date, sex=sex, region=nik[:6])


def parse_plain_nik(nik: str, today: datetime.date) -> NikInfo | None:
    """parse_nik() for a value already known to be 16 ASCII digits (a register cell): what it encodes,
    or None when one of parse_nik's checks fails (call parse_nik for the message). A register import
    checks 10^6 NIKs; skipping the normalising that a plain cell does not need halves its cost."""
    if not region_is_known(nik[:6]) or nik[12:] == "0000":
        return None
    try:
        birth_date, sex = _birth_date_and_sex(nik[6:12], today)
    except ValueError:
        return None
    return NikInfo(nik=nik, birth_date=birth_date, sex=sex, region=nik[:6])


def parse_kk(value) -> str:
    """Validate a family-card (KK) number: 16 digits with a known region part."""
    kk = normalise_digits(value)
    if not kk:
        raise ValidationError(_("KK number is required."), code="required")
    if not is_ascii_digits(kk):
        raise ValidationError(_("KK number may contain digits only."), code="kk_digits")
    if len(kk) != 16:
        raise ValidationError(
            _("KK number must be 16 digits (you entered %(count)s digits).") % {"count": len(kk)},
            code="kk_length",
        )
    if not region_is_known(kk[:6]):
        raise ValidationError(
            _("The region code in the first 6 digits of the KK number is not recognised."), code="kk_region"
        )
    return kk


def parse_mobile(value) -> str:
    """Normalise an Indonesian mobile number (08.., +628.., 628..) to E.164 (+628...)."""
    raw = normalise_digits(value)
    if not raw:
        raise ValidationError(_("Mobile number is required."), code="required")
    if not is_ascii_digits(raw.removeprefix("+")):
        raise ValidationError(_("Mobile number may contain digits only (a leading + is allowed)."), code="phone_digits")
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Mobile number not recognised. Example: 0812 3456 7890."), code="phone") from None
    if (
        number.country_code != 62
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValidationError(
            _("Enter an active Indonesian mobile number, for example 0812 3456 7890."), code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_rt_rw(value, label: str = "RT") -> str:
    """RT or RW: one to three digits of any script, stored as three ASCII digits ("7" -> "007")."""
    text = normalise_digits(value)
    if not text:
        raise ValidationError(_("%(label)s is required.") % {"label": label}, code="required")
    if not is_ascii_digits(text) or len(text) > 3:
        raise ValidationError(_("%(label)s must be a number, e.g. 001.") % {"label": label}, code="rt_rw")
    return text.zfill(3)


# --- What people without full-identity access see ------------------------------------------------
# The last four digits are the serial number, which carries almost nothing on its own: digits 1-6 are
# the region (shown as kecamatan beside it) and 7-12 the birth date (+40 for women). Keeping 1-4 and
# 13-16 together with the full birth date let anyone rebuild the whole NIK, so the mask keeps only the
# serial and birth dates are shown as the register's age bands (at least eight years wide).
MASK_KEEP = 4

# The register's age filter bands (programs.registers.filters.AgeBandFilter uses the same, tested):
# a band shown next to a row can never be narrowed by filtering on another band.
AGE_BANDS: dict[str, tuple[int, int]] = {"18-25": (18, 25), "26-35": (26, 35), "36-45": (36, 45), "46-59": (46, 59)}
_SIXTEEN_DIGIT_RUN = re.compile(r"(?<![0-9])(?:[0-9][\s.\-]*){15}[0-9](?![0-9])")


def mask_identity(number: str) -> str:
    """`************0017`: only the last four digits, for people without full-identity access."""
    if not number:
        return ""
    number = str(number)
    if len(number) <= MASK_KEEP * 2:
        return "*" * len(number)
    return "*" * (len(number) - MASK_KEEP) + number[-MASK_KEEP:]


def mask_numbers_in_text(text) -> str:
    """Any 16-digit number inside free text (a search term, a logged filter) masked like a NIK."""
    text = "" if text is None else str(text)
    if not text.isascii():
        text = text.translate(_digit_table())
    return _SIXTEEN_DIGIT_RUN.sub(lambda m: mask_identity(re.sub(r"[^0-9]", "", m.group(0))), text)


def age_band(birth_date: datetime.date | None, today: datetime.date | None = None) -> str:
    """A birth date as people without full-identity access see it: "26-35 tahun", "< 18 tahun"."""
    if birth_date is None:
        return ""
    age = age_on(birth_date, today or timezone.localdate())
    for key, (low, high) in AGE_BANDS.items():
        if low <= age <= high:
            return _("%(band)s years") % {"band": key}
    lowest = min(low for low, _high in AGE_BANDS.values())
    highest = max(high for _low, high in AGE_BANDS.values())
    if age < lowest:
        return _("< %(age)s years") % {"age": lowest}
    return _("> %(age)s years") % {"age": highest}


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
