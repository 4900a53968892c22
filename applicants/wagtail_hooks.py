"""Wagtail hooks of the applicants app, one module per area."""

from . import register_hooks  # noqa: F401
