"""Security events as structured lines in the application log (logger `sigap.security`).

Each line carries `event` and a few fields (with LOG_FORMAT=json each is a JSON field), so a log
collector can alert on them: `login_locked_out`, `rate_limited`, `permission_denied` (every 403) and
`export` (every export of personal data that reached the audit log). No NIK/KK is put in a field, and
the log handlers mask any that slips in (portal.jsonlog.MaskIdentityFilter).
"""

from __future__ import annotations

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import ModelLogEntry

from applicants.privacy.ratelimit import client_address

logger = logging.getLogger("sigap.security")

LOCKED_OUT = "login_locked_out"
RATE_LIMITED = "rate_limited"
PERMISSION_DENIED = "permission_denied"
EXPORT = "export"

# Audit-log actions that put personal data in a file that leaves the system.
EXPORT_ACTIONS = frozenset({"sigap.export", "sigap.register_export", "sigap.subject_export"})


def _request_fields(request) -> dict:
    if request is None:
        return {}
    user = getattr(request, "user", None)
    return {
        "client": client_address(request),
        "method": request.method,
        "path": request.path,  # never the query string: searches hold identity numbers
        "user_id": user.pk if user is not None and user.is_authenticated else None,
    }


def log_event(event: str, message: str, request=None, level: int = logging.WARNING, **fields) -> None:
    logger.log(level, "%s: %s", event, message, extra={"event": event, **_request_fields(request), **fields})


class PermissionDeniedLogMiddleware:
    """Logs every 403 answer (our `access.refuse`, Django's PermissionDenied, CSRF failures)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            log_event(PERMISSION_DENIED, "akses ditolak", request=request)
        return response


@receiver(post_save, sender=ModelLogEntry, dispatch_uid="sigap_security_export_event")
def _log_export(sender, instance: ModelLogEntry, created: bool, **kwargs):
    if not created or instance.action not in EXPORT_ACTIONS:
        return
    data = instance.data or {}
    log_event(
        EXPORT,
        f"{instance.action} {instance.content_type.app_label}.{instance.content_type.model}",
        level=logging.INFO,
        action=instance.action,
        user_id=instance.user_id,
        object_model=f"{instance.content_type.app_label}.{instance.content_type.model}",
        object_id=instance.object_id,
        rows=data.get("rows"),
        channel=data.get("channel"),
    )
