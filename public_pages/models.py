"""Public Wagtail pages residents read."""

from django.utils.translation import gettext_lazy as _
from wagtail.models import Page


class HomePage(Page):
    """The portal's front page."""

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("beranda")
from .interest import InterestFormPage  # noqa: E402,F401
