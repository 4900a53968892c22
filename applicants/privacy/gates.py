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
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.html import format_html_join
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


@dataclass(frozen=True)
class GateRule:
    """What a gated view asks of a user, kept on the view so a link to it can ask the same (`gated_url`)."""

    permission: str | None = None
    policy: AccessPolicy | None = None
    action: str = VIEW
    write_permissions: tuple[str, ...] = ()

    def lets_in(self, user, write: bool = False) -> bool:
        if not user_passes(user, self.permission, self.policy, self.action):
            return False
        return not (write and self.write_permissions and not any(user.has_perm(p) for p in self.write_permissions))


def gate_rule_of(view) -> GateRule | None:
    """The rule of a resolved view function: `gate`-decorated, or a GatedViewMixin class view."""
    rule = getattr(view, "gate_rule", None)
    if rule is not None:
        return rule
    view_class = getattr(view, "view_class", None)
    if view_class is not None and issubclass(view_class, GatedViewMixin):
        return GateRule(view_class.permission_required, view_class.permission_policy, view_class.policy_action,
                        tuple(view_class.write_permissions))
    return None


def gated_url(user, url_name: str, *args, write: bool = False) -> str:
    """The URL of a gated admin view when `user` would be let in, else "" (so no button leads to a refusal).

    `write=True` for a link whose page exists to change something (an outcome form, an attendance grid):
    read-only roles (auditors) pass the view's gate but not its write permissions, and get no link. The
    record's scope is the view's own check; links are built from rows the user's policy already listed.
    An ungated view (no rule found) is linked as before.
    """
    try:
        url = reverse(url_name, args=args)
        match = resolve(url.split("?", 1)[0])
    except (NoReverseMatch, Resolver404):
        return ""
    rule = gate_rule_of(match.func)
    if rule is not None and not rule.lets_in(user, write=write):
        return ""
    return url


def action_links(request, links, write: bool = True) -> str:
    """Row actions of a register table: `links` is [(url_name, args, label)]; only those the user's
    gate lets through are shown, joined by " · " (nothing for a read-only role such as the auditor)."""
    user = getattr(request, "user", None)
    if user is None:
        return ""
    shown = [(url, label) for name, args, label in links if (url := gated_url(user, name, *args, write=write))]
    return format_html_join(" · ", '<a href="{}">{}</a>', shown)


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

        wrapped.gate_rule = GateRule(permission, policy, action, write_permissions)
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

