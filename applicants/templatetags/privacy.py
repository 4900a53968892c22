"""`{% load privacy %}{{ applicant.nik|identity_for:request.user }}`: NIK/KK masked unless permitted."""

from django import template
from django.utils import timezone

from applicants.privacy import gates
from applicants.privacy.masking import display_birth_date, display_identity

register = template.Library()


@register.filter
def identity_for(value, user) -> str:
    """Full NIK/KK for users with `applicants.view_full_identity`, else `************0017`."""
    return display_identity(value, user)


@register.filter
def birth_date_for(value, user) -> str:
    """`{{ applicant.birth_date|birth_date_for:request.user }}`: the date, or an age band when masked."""
    return display_birth_date(value, user, timezone.localdate())


@register.simple_tag(takes_context=True)
def gated_url(context, url_name, *args, write=False):
    """`{% gated_url "delivery:session_attendance" s.pk write=True as url %}{% if url %}<a href=...>{% endif %}`:
    the URL only when the view's own gate would let the signed-in user in (write=True: and save there)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return gates.gated_url(user, url_name, *args, write=write) if user is not None else ""
