"""Row validation: one row's cells become record values or a rejection reason in Indonesian.

Identity numbers are never "repaired": a NIK/KK that Excel stored as a number or in scientific notation
is rejected with its reason, as is a row whose kelurahan the reference table does not know.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import identity
from applicants.enums import Register
from applicants.welfare.columns import HEADER_ALIASES, _text, normalise
from programs.models import Kelurahan

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_MAX_LEN = {"full_name": 150, "address": 255, "rt": 3, "rw": 3, "bansos": 120}


def _is_numeric_cell(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_DATE_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value) -> datetime.date | None:
    """DD-MM-YYYY (also / and .), YYYY-MM-DD, or a spreadsheet date; None when it is none of these."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    match = _DATE_DMY.match(text)
    if match:
        day, month, year = match.groups()
    else:
        match = _DATE_YMD.match(text)
        if not match:
            return None
        year, month, day = match.groups()
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_desil(value) -> int | None:
    if _is_numeric_cell(value):
        number = float(value)
    else:
        text = _text(value).replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    if not number.is_integer() or not 1 <= number <= 10:
        return None
    return int(number)


def _parse_sex(value) -> str:
    text = normalise(value)
    if text in {"l", "lk", "lakilaki", "pria", "1"}:
        return "L"
    if text in {"p", "pr", "perempuan", "wanita", "2"}:
        return "P"
    return ""


def _rt_rw(value) -> str:
    text = identity.normalise_digits(_text(value))
    if identity.is_ascii_digits(text):
        return text.zfill(3)[-3:]
    return text[:3]


class KelurahanIndex:
    """The Kelurahan reference table in memory (about a hundred rows), matched by code, then name."""

    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.by_kecamatan_name: dict[tuple[str, str], int] = {}
        self.by_name: dict[str, int | None] = {}  # None: the name exists in several kecamatan
        for pk, code, name, aliases, kecamatan in Kelurahan.objects.values_list(
            "pk", "code", "name", "aliases", "kecamatan__name"
        ):
            self.by_code[re.sub(r"\D", "", code)] = pk
            for spelling in {name, *(aliases or [])}:
                key = normalise(spelling)
                self.by_kecamatan_name[(normalise(kecamatan), key)] = pk
                self.by_name[key] = None if self.by_name.get(key, pk) != pk else pk

    def match(self, code, name, kecamatan) -> int | None:
        digits = re.sub(r"\D", "", _text(code))
        if digits and digits in self.by_code:
            return self.by_code[digits]
        key = normalise(name)
        if not key:
            return None
        kecamatan_key = normalise(kecamatan)
        if kecamatan_key and (kecamatan_key, key) in self.by_kecamatan_name:
            return self.by_kecamatan_name[(kecamatan_key, key)]
        return self.by_name.get(key)


# --- Row validation --------------------------------------------------------------------------------


def _identity_reason(value, label: str, parse: Callable) -> tuple[str | None, object]:
    """(reason, parsed) for a NIK/KK cell. A numeric cell or scientific notation is Excel damage."""
    plain = type(value) is str and value.isdigit() and value.isascii()  # no exponent in 0-9 only
    if not plain and (_is_numeric_cell(value) or _SCIENTIFIC.match(_text(value).lstrip("'"))):
        return (
            _("%(label)s was stored as a number by Excel (only 15 digits "
              "kept) and cannot be trusted; fix it at the source as text.") % {"label": label},
            None,
        )
    try:
        return None, parse(value)
    except ValidationError as exc:
        return f"{label}: {' '.join(exc.messages)}", None


MEMO_LIMIT = 1 << 15  # distinct values remembered per column: a hostile file cannot grow it further


_MISSING = object()


def _memo(parse: Callable) -> Callable:
    """`parse` remembering its results for the first MEMO_LIMIT distinct cells.

    An extract repeats a few hundred kelurahan, RT/RW, desil and sex values and a few tens of thousands
    of birth dates over 10^6 rows; parsing each again was a large part of an import. Keyed by type too,
    so 1, 1.0, True and "1" stay apart.
    """
    cache: dict = {}
    # Text cells (and tuples of them), the common case, are their own key: a str equals only a str.
    texts: dict = {}

    def cached(value):
        # get() and a sentinel, not [] and KeyError: a number from an xlsx cell misses `texts` on every
        # row, and a raised KeyError costs more than the parse it saves.
        try:
            result = texts.get(value, _MISSING)
        except TypeError:  # unhashable: not a cell this memo is for, parse it each time
            return parse(value)
        if result is not _MISSING:
            return result
        kind = type(value)
        textual = kind is str or (kind is tuple and all(type(item) is str for item in value))
        memo, key = (texts, value) if textual else (cache, (value, tuple(map(type, value)) if kind is tuple else kind))
        result = memo.get(key, _MISSING)
        if result is _MISSING:
            result = parse(value)
            if len(memo) < MEMO_LIMIT:
                memo[key] = result
        return result

    return cached


class RowValidator:
    """Turns one row's cells into record values or a rejection reason."""

    def __init__(self, columns: dict[str, int], register: str, kelurahan: KelurahanIndex,
                 today: datetime.date | None = None) -> None:
        self.register = register
        self.kelurahan = kelurahan
        self.today = today or timezone.localdate()
        self.width = max(columns.values()) + 1
        # A missing column reads the empty cell appended after the row's last column.
        self.index = {name: columns.get(name, self.width) for name in HEADER_ALIASES}
        self.parse_nik = functools.partial(identity.parse_nik, today=self.today)
        self.plain_nik, self.known_region = identity.parse_plain_nik, identity.region_is_known
        self.match_kelurahan = _memo(lambda cells: kelurahan.match(*cells))  # (code, name, kecamatan)
        self.parse_date, self.parse_desil = _memo(parse_date), _memo(parse_desil)
        self.parse_sex, self.rt_rw = _memo(_parse_sex), _memo(_rt_rw)

    def pad(self, cells: list) -> list:
        """The row with exactly `width` cells plus one empty cell, so every index is valid."""
        missing = self.width + 1 - len(cells)
        return cells + [""] * missing if missing > 0 else [*cells[: self.width], ""]

    def is_blank(self, cells: list) -> bool:
        """Blank rows and the totals row ("JUMLAH", count) carry neither NIK nor name."""
        return not (_text(cells[self.index["nik"]]) or _text(cells[self.index["full_name"]]))

    def validate(self, cells: list) -> tuple[dict | None, str | None]:
        """(record fields, None) for a good row, (None, reason in Indonesian) for a rejected one.

        `cells` must come from pad().
        """
        index = self.index
        nik, kk = cells[index["nik"]], cells[index["kk_number"]]
        # The common cell, 16 plain ASCII digits, takes identity's short checks; any other cell (and one
        # that fails them) the full parse, which also words the reason.
        info = self.plain_nik(nik, self.today) if type(nik) is str and len(nik) == 16 and nik.isdigit() \
            and nik.isascii() else None
        if info is None:
            reason, info = _identity_reason(nik, "NIK", self.parse_nik)
            if reason:
                return None, reason
        if not (type(kk) is str and len(kk) == 16 and kk.isdigit() and kk.isascii() and self.known_region(kk[:6])):
            reason, kk = _identity_reason(kk, "No KK", identity.parse_kk)
            if reason:
                return None, reason
        name = _text(cells[index["full_name"]])
        if not name:
            return None, _("Name is empty.")
        kelurahan_id = self.match_kelurahan(
            (cells[index["kelurahan_code"]], cells[index["kelurahan"]], cells[index["kecamatan"]])
        )
        if kelurahan_id is None:
            shown = _text(cells[index["kelurahan"]]) or _text(cells[index["kelurahan_code"]])
            return None, _("Unknown kelurahan: %(name)s.") % {"name": shown or "-"}
        desil = self.parse_desil(cells[index["desil"]])
        if desil is None and self.register == Register.DTSEN:
            return None, _("Desil is empty or not a number from 1 to 10.")
        return {
            "nik": info.nik,
            "kk_number": kk,
            "full_name": name[: _MAX_LEN["full_name"]],
            "birth_date": self.parse_date(cells[index["birth_date"]]) or info.birth_date,
            "sex": self.parse_sex(cells[index["sex"]]) or info.sex,
            "address": _text(cells[index["address"]])[: _MAX_LEN["address"]],
            "rt": self.rt_rw(cells[index["rt"]]),
            "rw": self.rt_rw(cells[index["rw"]]),
            "kelurahan_id": kelurahan_id,
            "desil": desil,
            "bansos": _text(cells[index["bansos"]])[: _MAX_LEN["bansos"]],
        }, None
