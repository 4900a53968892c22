"""Wagtail hooks of the applicants app: Wagtail only autoloads `<app>.wagtail_hooks`, so this module
imports each area's hooks and holds none of its own."""

from applicants.allocation import wagtail_hooks as _allocation  # noqa: F401
from applicants.complaints import wagtail_hooks as _complaints  # noqa: F401
from applicants.delivery import wagtail_hooks as _delivery  # noqa: F401
from applicants.graduation import wagtail_hooks as _graduation  # noqa: F401
from applicants.intake import wagtail_hooks as _intake  # noqa: F401
from applicants.privacy import wagtail_hooks as _privacy  # noqa: F401
from applicants.selection import wagtail_hooks as _selection  # noqa: F401
from applicants.welfare import wagtail_hooks as _welfare  # noqa: F401
