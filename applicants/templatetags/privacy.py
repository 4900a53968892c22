"""`{% load privacy %}{{ applicant.nik|identity_for:request.user }}`: NIK/KK masked unless permitted."""

from django import template

from applicants.privacy.masking import display_identity

register = template.Library()


@register.filter
def identity_for(value, user) -> str:
    """Full NIK/KK for users with `applicants.view_full_identity`, else `3671********0017`."""
    return display_identity(value, user)
