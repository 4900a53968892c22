"""`{% load privacy %}{{ applicant.nik|identity_for:request.user }}`: NIK/KK masked unless permitted."""

from django import template
from django.utils import timezone

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
