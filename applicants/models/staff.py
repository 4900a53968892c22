"""Per-user restrictions for Dinsos staff that a Wagtail group cannot express.

A group says *what* a role may do; a StaffProfile says *where*: an editor or interviewer limited to
some kecamatan sees only applicants living there (lists, exports and direct URLs, via `access.py`).
"""

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from programs.models import Kecamatan


class StaffProfile(models.Model):
    """Optional: a user without a profile (or with no kecamatan) is not restricted by area."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("user")
    )
    kecamatan = models.ManyToManyField(
        Kecamatan,
        blank=True,
        related_name="+",
        verbose_name=_("limited to kecamatan"),
        help_text=_("Leave empty if the staff member may see all kecamatan."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)

    @admin.display(description=_("kecamatan"))
    def kecamatan_list(self) -> str:
        return ", ".join(k.name for k in self.kecamatan.all()) or str(_("All"))
