"""Who saw whose data: every detail view and export of personal data in Wagtail's audit log, so admins and
auditors can answer "who saw whose data, when, with which filter"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from applicants.identity import mask_numbers_in_text

VIEW_ACTION = "sigap.view_personal_data"
EXPORT_ACTION = "sigap.export"


def _safe_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Filters as logged: values stringified, any 16-digit number masked (a NIK search must not leak)."""
    safe = {}
    for key, value in (filters or {}).items():
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        safe[str(key)] = mask_numbers_in_text(value)
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
