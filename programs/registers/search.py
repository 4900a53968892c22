"""Declarative search for registers: each field says how a typed term must look to be tried on it.

Identity numbers are matched exactly (an index lookup, and no accidental partial hits on someone's
NIK); names are matched with `icontains`. A term that cannot be a NIK is never compared with NIKs.
How a typed NIK or phone number is read is the register's business (`RegisterModelAdmin`'s injected
normalisers): a field of kind IDENTITY or PHONE is prepared with what the register passes in.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

IDENTITY = "identity"
PHONE = "phone"

_SEPARATORS = re.compile(r"[\s.\-]+")
_SIXTEEN_ASCII_DIGITS = re.compile(r"[0-9]{16}")


@dataclass(frozen=True)
class SearchField:
    """One searchable path. `prepare` turns the typed term into the value to compare, or None to skip.

    A field with a `kind` is prepared by the register's preparer for that kind instead.
    """

    path: str
    lookup: str = "icontains"
    prepare: Callable[[str], object | None] | None = None
    kind: str = ""

    def q(self, term: str, preparers: Mapping[str, Callable] | None = None) -> Q | None:
        if self.kind:
            prepare = (preparers or {}).get(self.kind) or _DEFAULT_PREPARERS.get(self.kind)
            if prepare is None:
                return None
        else:
            prepare = self.prepare
        value = prepare(term) if prepare else term
        if value in (None, ""):
            return None
        return Q(**{f"{self.path}__{self.lookup}": value})


def strip_separators(term: str) -> str:
    """Spaces, dots, dashes and Excel's leading apostrophe removed; nothing else changed."""
    return _SEPARATORS.sub("", str(term or "").strip().lstrip("'"))


def identity_term(term: str, normalise: Callable[[str], str] = strip_separators) -> str | None:
    """A term that normalises to 16 ASCII digits is a NIK or KK; anything else is not."""
    try:
        digits = normalise(term)
    except (ValueError, ValidationError):
        return None
    return digits if isinstance(digits, str) and _SIXTEEN_ASCII_DIGITS.fullmatch(digits) else None


def phone_term(term: str, parse: Callable[[str], str] | None) -> str | None:
    """A phone number in the stored form, read by the register's `phone_normaliser`; None if it is none."""
    if parse is None or not any(ch.isdigit() for ch in term):
        return None
    try:
        return parse(term) or None
    except (ValueError, ValidationError):
        return None


# Without a register's preparers (a bare apply_search): NIK digits as typed, phone numbers never.
_DEFAULT_PREPARERS: dict[str, Callable] = {IDENTITY: identity_term}


def reference_term(term: str) -> str | None:
    """Reference numbers are stored upper case (SK-2026-000123); an exact match uses the unique index."""
    text = term.strip().upper()
    return text if text.startswith("SK-") else None


def text_term(term: str) -> str | None:
    text = term.strip()
    return text or None


def apply_search(
    queryset: QuerySet, fields: Iterable[SearchField], term: str, preparers: Mapping[str, Callable] | None = None
) -> QuerySet:
    """OR over the fields that accept the term; no field accepting it means no rows."""
    term = (term or "").replace("\x00", "").strip()
    if not term:
        return queryset
    condition = Q()
    matched = False
    for field in fields:
        q = field.q(term, preparers)
        if q is not None:
            condition |= q
            matched = True
    return queryset.filter(condition) if matched else queryset.none()


def name(path: str, lookup: str = "icontains") -> SearchField:
    return SearchField(path, lookup, text_term)


def nik(path: str) -> SearchField:
    return SearchField(path, "exact", kind=IDENTITY)


def phone(path: str) -> SearchField:
    return SearchField(path, "exact", kind=PHONE)


def reference(path: str) -> SearchField:
    return SearchField(path, "exact", reference_term)
