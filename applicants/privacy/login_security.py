"""Admin login throttling with django-axes: after LOGIN_FAILURE_LIMIT failed attempts from one client
address, across all usernames (so password spraying is caught, not only guessing one account), further
attempts from that address are refused for LOGIN_LOCKOUT_SECONDS after the last failure, even with the
right password. Another address is not affected, so an attacker cannot lock a colleague out from
elsewhere. An admin sees who is locked and unlocks them (Settings > Login terkunci, `views_login`).

Pieces (settings in site/settings/base.py):
- `AddressLockBackend` (django-axes' backend) first in AUTHENTICATION_BACKENDS refuses every login path
  while locked;
- `ThrottledLoginForm` (WAGTAILADMIN_USER_LOGIN_FORM) answers a locked address with the Indonesian message
  on the login page itself (checked before the password, so a locked attempt does not extend the lock);
- attempts live in the database (axes' AccessAttempt), shared by every worker and server;
- the client address is `ratelimit.client_address` (REMOTE_ADDR, or X-Forwarded-For only with
  TRUST_X_FORWARDED_FOR): one rule for every per-client limit.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm

from applicants.privacy import security_events
from applicants.privacy.ratelimit import client_address

LOCKED_MESSAGE = _(
    "Too many failed login attempts. For security, try again in %(minutes)s minutes."
)


# --- what AXES_* settings point at (read at call time, so a changed setting takes effect at once) ------
def failure_limit(request=None, credentials=None) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request=None) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def client_ip(request) -> str | None:
    """The client address axes records, or None when there is no valid one (a test's force_login, a
    forged X-Forwarded-For): its columns are IP address fields, which PostgreSQL refuses to hold text in."""
    if request is None:
        return None
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def normalised_username(request, credentials) -> str:
    return ((credentials or {}).get("username") or "").strip().lower()


def locked_message() -> str:
    return LOCKED_MESSAGE % {"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)}


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The failure that reaches the limit on Wagtail's login page keeps that page ("wrong password";
    the next attempt shows the lock-out message through `ThrottledLoginForm`). Any other login path
    (Django's admin login, a future API): a plain 429 with the message."""
    match = getattr(request, "resolver_match", None)
    if original_response is not None and match is not None and match.url_name == "wagtailadmin_login":
        return original_response
    return HttpResponse(locked_message(), status=429, content_type="text/plain; charset=utf-8")


def is_locked(request, username: str | None = None) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": username or ""})


class AddressLockBackend(AxesStandaloneBackend):
    """django-axes' lock check, first in AUTHENTICATION_BACKENDS. Every HTTP login passes its request;
    `authenticate()` without one (the test client's `login()`, a shell) has no client address to count
    or lock, so it is left to the next backend instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ThrottledLoginForm(LoginForm):
    """Wagtail's login form with the lock-out message instead of "wrong password"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail declares the field without a label, so Django shows the untranslatable field name.
        self.fields["password"].label = _("Password")

    def clean(self):
        if self.request is not None and is_locked(self.request, self.cleaned_data.get("username")):
            raise ValidationError(locked_message(), code="locked")
        return super().clean()


@receiver(user_locked_out, dispatch_uid="sigap_login_locked_out_event")
def _log_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    security_events.log_event(
        security_events.LOCKED_OUT, "alamat dikunci setelah percobaan masuk gagal berulang", request=request,
        username=username, locked_address=ip_address, limit=settings.LOGIN_FAILURE_LIMIT,
    )


# --- who is locked, and unlocking (admin screen) -----------------------------------------------------
@dataclass(frozen=True)
class LockedAddress:
    ip_address: str
    failures: int
    usernames: list[str]
    last_attempt: datetime.datetime

    @property
    def unlocks_at(self) -> datetime.datetime:
        return self.last_attempt + cool_off()


def locked_addresses() -> list[LockedAddress]:
    """Client addresses over the limit inside the lock-out window, most recent first."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off())
    rows = (
        recent.values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=failure_limit())
        .order_by("-last_attempt")
    )
    result = []
    for row in rows:
        names = sorted(set(recent.filter(ip_address=row["ip_address"]).values_list("username", flat=True)))
        result.append(LockedAddress(row["ip_address"], row["failures"], names, row["last_attempt"]))
    return result


def unlock(ip_address: str, user) -> int:
    """Forget the failures of one address (all its usernames); logged as a security event."""
    count = AxesProxyHandler.reset_attempts(ip_address=ip_address)
    security_events.log_event(
        "login_unlocked", "alamat dibuka kembali oleh admin", unlocked_address=ip_address,
        admin_id=getattr(user, "pk", None), attempts=count,
    )
    return count
