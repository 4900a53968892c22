"""The one gate for the project's own admin views, and the one permission-aware menu item.

In the spirit of Wagtail's `PermissionCheckedMixin`: a view names a permission (or a policy and an
action, applicants.privacy.access) and the permission its writes need; records named in the URL are
loaded through the model's policy. Refusals are real 403 pages: inside the admin URLs Wagtail turns a
raised `PermissionDenied` into a redirect to the dashboard (wagtail.admin.auth.require_admin_access),
which hides from the user and from tests that the request was refused.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from wagtail.admin.menu import MenuItem

from applicants.privacy.access import NONE, VIEW, AccessPolicy, reach, refuse

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class OutOfScope(Exception):
    """A record named in the URL exists but is outside the user's policy: answered with a 403."""


def user_passes(user, permission: str | None = None, policy: AccessPolicy | None = None, action: str = VIEW) -> bool:
    """The gate's rule, also used by menu items so a menu never links to a refused page.

    Some reach on personal data is always needed (comms are refused even with a stray model permission)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if (policy is None or policy.needs_reach) and reach(user) == NONE:
        return False
    if permission and not user.has_perm(permission):
        return False
    return policy is None or policy.user_has_permission(user, action)


def check_request(request, *, permission=None, policy=None, action=VIEW, write_permissions: Iterable[str] = ()):
    """None when the request may go on; else the response: login page for anonymous users, 403 otherwise."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_passes(user, permission, policy, action):
        return refuse(request)
    writes = tuple(write_permissions)
    if request.method not in SAFE_METHODS and writes and not any(user.has_perm(p) for p in writes):
        return refuse(request)  # read-only roles (auditor): 403 on any POST, not a 405 or a silent no-op
    return None


def object_in_scope(request, policy: AccessPolicy, queryset: QuerySet | None = None, **lookup):
    """The record named in the URL: 404 when it does not exist, `OutOfScope` (a 403) when the user's
    policy does not reach it."""
    queryset = queryset if queryset is not None else policy.model._default_manager.all()
    instance = get_object_or_404(queryset, **lookup)
    if not policy.in_scope(request.user, instance):
        raise OutOfScope
    return instance


def gate(permission: str | None = None, *, policy: AccessPolicy | None = None, action: str = VIEW,
         write_permissions: Iterable[str] = ()):
    """Decorator for function views: the checks of `check_request`, and `OutOfScope` answered with 403."""
    write_permissions = tuple(write_permissions)

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            refused = check_request(request, permission=permission, policy=policy, action=action,
                                    write_permissions=write_permissions)
            if refused is not None:
                return refused
            try:
                return view(request, *args, **kwargs)
            except OutOfScope:
                return refuse(request)

        return wrapped

    return decorator


class GatedViewMixin:
    """Class-based views: set `permission_required` (a full permission name) and/or `permission_policy`
    with `policy_action`, and `write_permissions` for POSTs; override `load_object()` to fetch the URL's
    record with `object_in_scope()`."""

    permission_required: str | None = None
    permission_policy: AccessPolicy | None = None
    policy_action: str = VIEW
    write_permissions: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        refused = check_request(
            request, permission=self.permission_required, policy=self.permission_policy, action=self.policy_action,
            write_permissions=self.write_permissions,
        )
        if refused is not None:
            return refused
        try:
            self.load_object(request, **kwargs)
            return super().dispatch(request, *args, **kwargs)
        except OutOfScope:
            return refuse(request)

    def load_object(self, request, **kwargs) -> None:
        """Detail views load their record here (raise `OutOfScope` or Http404 to refuse)."""


class PermissionMenuItem(MenuItem):
    """A menu item shown only to users the linked view's gate lets in."""

    def __init__(self, *args, permission: str | None = None, policy: AccessPolicy | None = None,
                 action: str = VIEW, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission
        self.policy = policy
        self.action = action

    def is_shown(self, request) -> bool:
        return user_passes(request.user, self.permission, self.policy, self.action)

