"""Showing personal data: NIK/KK masking per user, and the access log of views and exports.

Masking happens at output time (tables, detail views, exports), from one permission:
`applicants.view_full_identity`. Every view of an applicant's detail and every export is recorded in
Wagtail's audit log, so admins and auditors can answer "who saw whose data, when, with which filter".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from .access import can_view_full_identity
from .identity import mask_identity

VIEW_ACTION = "sigap.view_personal_data"
EXPORT_ACTION = "sigap.export"

# Column names (model field paths or export keys) that hold a NIK or KK number.
IDENTITY_COLUMNS = frozenset(
    {"nik", "kk_number", "applicant__nik", "applicant__kk_number", "application__applicant__nik",
     "application__applicant__kk_number"}
)
_SIXTEEN_DIGITS = re.compile(r"\d{16}")


def display_identity(value: str | None, user) -> str:
    """A NIK or KK as this user may see it: in full with the permission, else `3671********0017`."""
    if not value:
        return ""
    return value if can_view_full_identity(user) else mask_identity(value)


display_nik = display_identity
display_kk = display_identity


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


def _safe_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Filters as logged: values stringified, any 16-digit number masked (a NIK search must not leak)."""
    safe = {}
    for key, value in (filters or {}).items():
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        safe[str(key)] = _SIXTEEN_DIGITS.sub(lambda m: mask_identity(m.group(0)), "" if value is None else str(value))
    return safe


def log_personal_data_access(
    user,
    obj_or_model: models.Model | type[models.Model],
    what: str,
    filters: Mapping[str, Any] | None = None,
    *,
    rows: int | None = None,
    action: str | None = None,
):
    """Record that `user` saw personal data, in Wagtail's audit log (Reports > Site history).

    - An instance (detail view, file download): action `sigap.view_personal_data` on that object.
    - A model class (a list export): action `sigap.export`, logged on the model with object id "0".
    `what` says what was shown ("detail", "ekspor xlsx", ...); `filters` the filters of a list/export
    (16-digit numbers in them are masked); `rows` how many rows an export held.
    """
    data: dict[str, Any] = {"what": what, "filters": _safe_filters(filters)}
    if rows is not None:
        data["rows"] = rows
    user = user if getattr(user, "is_authenticated", False) else None
    if isinstance(obj_or_model, models.Model):
        return log(obj_or_model, action or VIEW_ACTION, user=user, data=data)
    model = obj_or_model
    # Wagtail's log entries need an object id; "0" matches no row, so the report shows no edit link.
    return ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id="0",
        label=str(model._meta.verbose_name_plural),
        action=action or EXPORT_ACTION,
        data=data,
        user=user,
        timestamp=timezone.now(),
    )
