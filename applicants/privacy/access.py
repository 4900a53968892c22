"""Which applicants, applications and interviews a user may see: one rule for lists, exports and URLs.

Every register, export, chooser and detail view narrows its queryset with these functions, so a user
who may not see a record gets an empty list and a 404/403 on its URL alike. Each function adds SQL
conditions only (Exists subqueries), so the result is still one query however large the table.

Reach comes from permissions, not group names:
- superuser or `applicants.view_application` (editor, auditor): everything;
- `applicants.view_interview` only (interviewer): applications they interview (Interview.interviewer);
- anyone else (comms, anonymous, inactive): nothing.
A StaffProfile with kecamatan narrows any reach to applicants living in those kecamatan.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpResponse
from django.views.defaults import permission_denied

ALL = "all"
OWN_INTERVIEWS = "own_interviews"
NONE = "none"


def reach(user) -> str:
    """ALL, OWN_INTERVIEWS or NONE for this user (see the module docstring)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NONE
    if user.is_superuser or user.has_perm("applicants.view_application"):
        return ALL
    if user.has_perm("applicants.view_interview"):
        return OWN_INTERVIEWS
    return NONE


def can_view_full_identity(user) -> bool:
    """True when NIK and KK may be shown unmasked to this user."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm("applicants.view_full_identity")
    )


def _kecamatan_condition(user, kecamatan_path: str) -> Q:
    """The record's kecamatan is one the user is limited to; no condition when not limited.

    The restriction is read first (one small query) and applied as a plain `IN (ids)`: correlated
    EXISTS conditions here made PostgreSQL plan register COUNTs that ran for minutes."""
    kecamatan_ids = restricted_kecamatan_ids(user)
    return Q(**{f"{kecamatan_path}__in": kecamatan_ids}) if kecamatan_ids else Q()


def restricted_kecamatan_ids(user) -> list[int]:
    """The kecamatan a user is limited to ([] = not limited). For filter choices and dashboards."""
    from applicants.models import StaffProfile

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        StaffProfile.kecamatan.through.objects.filter(staffprofile__user_id=user.pk).values_list(
            "kecamatan_id", flat=True
        )
    )


def scope_applications(user, queryset: QuerySet) -> QuerySet:
    """Narrow an Application queryset to what `user` may see."""
    from applicants.models import Interview

    level = reach(user)
    if level == NONE:
        return queryset.none()
    if level == OWN_INTERVIEWS:
        queryset = queryset.filter(
            Exists(Interview.objects.filter(application_id=OuterRef("pk"), interviewer_id=user.pk))
        )
    return queryset.filter(_kecamatan_condition(user, "applicant__kelurahan__kecamatan_id"))


def scope_applicants(user, queryset: QuerySet) -> QuerySet:
    """Narrow an Applicant queryset to what `user` may see."""
    from applicants.models import Interview

    level = reach(user)
    if level == NONE:
        return queryset.none()
    if level == OWN_INTERVIEWS:
        queryset = queryset.filter(
            Exists(Interview.objects.filter(application__applicant_id=OuterRef("pk"), interviewer_id=user.pk))
        )
    return queryset.filter(_kecamatan_condition(user, "kelurahan__kecamatan_id"))


def scope_interviews(user, queryset: QuerySet) -> QuerySet:
    """Narrow an Interview queryset: interviewers see only their own interviews."""
    level = reach(user)
    if level == NONE:
        return queryset.none()
    if level == OWN_INTERVIEWS:
        queryset = queryset.filter(interviewer_id=user.pk)
    return queryset.filter(_kecamatan_condition(user, "application__applicant__kelurahan__kecamatan_id"))


def can_access_applicant(user, applicant) -> bool:
    """For detail views and file downloads reached by URL: same rule as the lists."""
    from applicants.models import Applicant

    return scope_applicants(user, Applicant.objects.filter(pk=applicant.pk)).exists()


def can_access_application(user, application) -> bool:
    from applicants.models import Application

    return scope_applications(user, Application.objects.filter(pk=application.pk)).exists()


def refuse(request) -> HttpResponse:
    """A real 403 response. Inside Wagtail admin URLs a raised PermissionDenied becomes a redirect to the
    dashboard (wagtail.admin.auth.require_admin_access); the issue asks for 403, so views return this."""
    return permission_denied(request, PermissionDenied())



def sees_everything(user) -> bool:
    """Full reach and no kecamatan restriction (access rules): then no scope condition is added at all,
    so a page's COUNT does not join three tables just to learn that every row is visible. One small query."""
    return reach(user) == ALL and not restricted_kecamatan_ids(user)


def scope_via_application(user, queryset: QuerySet, application_path: str) -> QuerySet:
    """The rule of `scope_applications`, applied through `application_path` (e.g.
    "enrolment__application") as conditions on the joined rows, not as `IN (all visible applications)`,
    which SQLite would materialise for every page at 10^5 applications."""
    from applicants.models import Interview

    if sees_everything(user):
        return queryset
    level = reach(user)
    if level == NONE:
        return queryset.none()
    if level == OWN_INTERVIEWS:
        queryset = queryset.filter(
            Exists(Interview.objects.filter(application_id=OuterRef(f"{application_path}_id"), interviewer_id=user.pk))
        )
    return queryset.filter(
        _kecamatan_condition(user, f"{application_path}__applicant__kelurahan__kecamatan_id")
    )


def scope_by_kelurahan(user, queryset: QuerySet, kelurahan_path: str = "kelurahan") -> QuerySet:
    """KUB groups, DTSEN records: full-reach users (editors, auditors), narrowed to their kecamatan if restricted."""
    if sees_everything(user):
        return queryset
    if reach(user) != ALL:
        return queryset.none()
    return queryset.filter(_kecamatan_condition(user, f"{kelurahan_path}__kecamatan_id"))
