"""Declarative search for registers: each field says how a typed term must look to be tried on it.

Identity numbers are matched exactly (an index lookup, and no accidental partial hits on someone's
NIK); names are matched with `icontains`. A term that cannot be a NIK is never compared with NIKs.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from applicants import identity


@dataclass(frozen=True)
class SearchField:
    """One searchable path. `prepare` turns the typed term into the value to compare, or None to skip."""

    path: str
    lookup: str = "icontains"
    prepare: Callable[[str], object | None] | None = None

    def q(self, term: str) -> Q | None:
        value = self.prepare(term) if self.prepare else term
        if value in (None, ""):
            return None
        return Q(**{f"{self.path}__{self.lookup}": value})


def nik_term(term: str) -> str | None:
    """A 16-digit number (spaces/dots allowed) is a NIK or KK; anything else is not."""
    digits = identity.normalise_digits(term)
    return digits if identity.is_ascii_digits(digits, 16) else None


def phone_term(term: str) -> str | None:
    """Any common form of an Indonesian mobile number, normalised to E.164 like the stored value."""
    if not any(ch.isdigit() for ch in term):
        return None
    try:
        return identity.parse_mobile(term)
    except ValidationError:
        return None


def reference_term(term: str) -> str | None:
    """Reference numbers are stored upper case (SK-2026-000123); an exact match uses the unique index."""
    text = term.strip().upper()
    return text if text.startswith("SK-") else None


def text_term(term: str) -> str | None:
    text = term.strip()
    return text or None


def apply_search(queryset: QuerySet, fields: Iterable[SearchField], term: str) -> QuerySet:
    """OR over the fields that accept the term; no field accepting it means no rows."""
    term = (term or "").strip()
    if not term:
        return queryset
    condition = Q()
    matched = False
    for field in fields:
        q = field.q(term)
        if q is not None:
            condition |= q
            matched = True
    return queryset.filter(condition) if matched else queryset.none()


def name(path: str, lookup: str = "icontains") -> SearchField:
    return SearchField(path, lookup, text_term)


def nik(path: str) -> SearchField:
    return SearchField(path, "exact", nik_term)


def phone(path: str) -> SearchField:
    return SearchField(path, "exact", phone_term)


def reference(path: str) -> SearchField:
    return SearchField(path, "exact", reference_term)
