"""The abuse limits every public form shares (interest form, complaints): a body size limit and the
rate limiter, answered with 413 and the page's own 429 template. CSRF and the honeypot live in the
forms; these two must be checked before the form reads the body."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from applicants.privacy import ratelimit

# A public form is a few hundred bytes (a complaint at most 3,000 characters): anything bigger is not
# a resident.
MAX_POST_BYTES = 64 * 1024


class PostGuardMixin:
    """For a public page with `_respond(request, template=..., status=...)`; names its 429 template."""

    rate_limited_template: str

    def _guard_post(self, request, scope: str):
        """413 for oversized bodies, 429 for clients over the rate limit; None when the POST may go on."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = MAX_POST_BYTES + 1
        if length > MAX_POST_BYTES:
            return HttpResponse(
                _("The data sent is too large."), status=413, content_type="text/plain; charset=utf-8"
            )
        if not ratelimit.hit(request, scope):
            response = self._respond(request, template=self.rate_limited_template, status=429)
            response["Retry-After"] = "60"
            return response
        return None
