"""Security headers: one Content-Security-Policy for public pages, a wider one for the Wagtail admin,
and a Permissions-Policy everywhere. The policies themselves are settings (site/settings/base.py)."""

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings


class SigapCSPMiddleware(CSPMiddleware):
    """django-csp with `CONTENT_SECURITY_POLICY_ADMIN` for paths under `CSP_ADMIN_PATH_PREFIXES`.

    Wagtail's admin still writes inline scripts (date pickers, inline panels) and style attributes,
    so it needs `'unsafe-inline'`; residents' pages never do, so theirs does not allow it."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        if request.path_info.startswith(tuple(settings.CSP_ADMIN_PATH_PREFIXES)):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
            parts.nonce = None  # a nonce would switch off 'unsafe-inline', which the admin needs
        return parts


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` from settings.PERMISSIONS_POLICY: browser features no page of ours uses."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response
