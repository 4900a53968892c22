"""Access scopes for the registers whose rows hang off an application or a kelurahan.

Same rules as `applicants.access` (which lists, exports and URLs share), applied as conditions on the
joined rows; users who see everything get no condition at all, so a page's COUNT stays a plain
indexed count at 10^5 rows.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from . import access


def sees_everything(user) -> bool:
    """Full reach and no kecamatan restriction (access rules): then no scope condition is added at all,
    so a page's COUNT does not join three tables just to learn that every row is visible. One small query."""
    return access.reach(user) == access.ALL and not access.restricted_kecamatan_ids(user)


def scope_via_application(user, queryset: QuerySet, application_path: str) -> QuerySet:
    """The rule of `access.scope_applications`, applied through `application_path` (e.g.
    "enrolment__application") as conditions on the joined rows, not as `IN (all visible applications)`,
    which SQLite would materialise for every page at 10^5 applications."""
    from .models import Interview

    if sees_everything(user):
        return queryset
    level = access.reach(user)
    if level == access.NONE:
        return queryset.none()
    if level == access.OWN_INTERVIEWS:
        queryset = queryset.filter(
            Exists(Interview.objects.filter(application_id=OuterRef(f"{application_path}_id"), interviewer_id=user.pk))
        )
    return queryset.filter(
        access._kecamatan_condition(user, f"{application_path}__applicant__kelurahan__kecamatan_id")
    )


def scope_by_kelurahan(user, queryset: QuerySet, kelurahan_path: str = "kelurahan") -> QuerySet:
    """KUB groups, DTSEN records: full-reach users (editors, auditors), narrowed to their kecamatan if restricted."""
    if sees_everything(user):
        return queryset
    if access.reach(user) != access.ALL:
        return queryset.none()
    return queryset.filter(access._kecamatan_condition(user, f"{kelurahan_path}__kecamatan_id"))
