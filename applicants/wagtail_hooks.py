"""Wagtail hooks of the applicants app, one module per area."""

from . import delivery_hooks, interview_hooks, privacy_hooks, register_hooks, welfare_hooks  # noqa: F401
