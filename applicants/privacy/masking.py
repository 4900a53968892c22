"""NIK/KK and birth dates as a user may see them: masked at output time (tables, detail views, exports)
unless the user has `applicants.view_full_identity`. The mask keeps the last four digits and a birth date
becomes an age band: together with the kecamatan and sex shown beside them, they leave thousands of
possible NIKs (tests/privacy/test_masking_rebuild.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from applicants.identity import age_band, mask_identity
from applicants.privacy.access import can_view_full_identity

# Column names (model field paths or export keys) that hold a NIK or KK number.
IDENTITY_COLUMNS = frozenset(
    {"nik", "kk_number", "applicant__nik", "applicant__kk_number", "application__applicant__nik",
     "application__applicant__kk_number"}
)


def display_identity(value: str | None, user) -> str:
    """A NIK or KK as this user may see it: in full with the permission, else `************0017`."""
    if not value:
        return ""
    return value if can_view_full_identity(user) else mask_identity(value)


display_nik = display_identity
display_kk = display_identity


def display_birth_date(value: datetime.date | None, user, today: datetime.date | None = None) -> str:
    """`17-05-1996` with the permission, else the age band (`26-35 tahun`)."""
    if not value:
        return ""
    return value.strftime("%d-%m-%Y") if can_view_full_identity(user) else age_band(value, today)


def identity_masker(user) -> Callable[[Any], Any]:
    """A function that masks one identity value for `user`; checks the permission once (for exports)."""
    if can_view_full_identity(user):
        return lambda value: value
    return lambda value: mask_identity(value) if isinstance(value, str) else value


def mask_export_rows(
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    columns: Sequence[str],
    user,
    identity_columns: Iterable[str] = IDENTITY_COLUMNS,
) -> Iterator[list[Any] | dict[str, Any]]:
    """Mask the NIK/KK columns of exported rows for a user without full-identity permission.

    `rows` are tuples (e.g. `values_list(*columns).iterator()`) or dicts keyed by `columns`;
    streaming: rows are masked one at a time.
    """
    mask = identity_masker(user)
    wanted = set(identity_columns)
    positions = [i for i, name in enumerate(columns) if name in wanted]
    names = [columns[i] for i in positions]
    for row in rows:
        if isinstance(row, Mapping):
            out = dict(row)
            for name in names:
                if name in out:
                    out[name] = mask(out[name])
        else:
            out = list(row)
            for i in positions:
                out[i] = mask(out[i])
        yield out
