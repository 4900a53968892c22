"""Admin login throttling: after LOGIN_FAILURE_LIMIT failed attempts for one username from one client
IP, further attempts are refused for LOGIN_LOCKOUT_SECONDS, even with the right password.

Keyed by username *and* IP so an attacker cannot lock a colleague out from elsewhere. Counters live in
Django's cache (the database cache in production, shared by every worker). Two pieces:
- `ThrottledModelBackend` (AUTHENTICATION_BACKENDS) enforces the lock for every login path;
- `ThrottledLoginForm` (WAGTAILADMIN_USER_LOGIN_FORM) shows the Indonesian lock-out message.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm

LOCKED_MESSAGE = _(
    "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi dalam %(minutes)s menit."
)


def client_ip(request) -> str:
    """The same client address as the public-form rate limit (REMOTE_ADDR, or X-Forwarded-For only when
    TRUST_X_FORWARDED_FOR says a trusted proxy sets it): one rule for every per-client limit."""
    if request is None:
        return "-"
    from applicants.privacy.ratelimit import client_address

    return client_address(request)


def _key(username: str | None, request) -> str:
    raw = f"{(username or '').strip().lower()}|{client_ip(request)}"
    return "sigap:login-fail:" + hashlib.sha256(raw.encode()).hexdigest()


def is_locked(username: str | None, request) -> bool:
    return cache.get(_key(username, request), 0) >= settings.LOGIN_FAILURE_LIMIT


def record_failure(username: str | None, request) -> int:
    key = _key(username, request)
    # add() sets the window once; incr() keeps it (the lock lasts LOGIN_LOCKOUT_SECONDS from the first failure).
    cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        return 1


def reset(username: str | None, request) -> None:
    cache.delete(_key(username, request))


def locked_message() -> str:
    return LOCKED_MESSAGE % {"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)}


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend, refusing (PermissionDenied: no other backend is tried) while locked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self.user_model_field_name())
        if is_locked(username, request):
            raise PermissionDenied(locked_message())
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def user_model_field_name() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


class ThrottledLoginForm(LoginForm):
    """Wagtail's login form with the lock-out message instead of "wrong password"."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and is_locked(username, self.request):
            raise ValidationError(locked_message(), code="locked")
        return super().clean()


@receiver(user_login_failed, dispatch_uid="sigap_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    from django.contrib.auth import get_user_model

    username = credentials.get("username") or credentials.get(get_user_model().USERNAME_FIELD)
    if not is_locked(username, request):
        record_failure(username, request)


@receiver(user_logged_in, dispatch_uid="sigap_logged_in")
def _on_logged_in(sender, request, user, **kwargs):
    reset(user.get_username(), request)
