"""ExportJob: a large register export running as a background task (imported by programs.models)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """One background export. The file lives under PRIVATE_MEDIA_ROOT/exports; only `user` may download it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Sedang dibuat")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("pengguna")
    )
    register_key = models.CharField(_("register"), max_length=40)
    params = models.JSONField(_("parameter"), default=dict)
    file_name = models.CharField(_("nama berkas"), max_length=200)
    file_path = models.CharField(_("lokasi berkas"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("jumlah baris"), default=0)
    rows_done = models.PositiveIntegerField(_("baris selesai"), default=0)
    error = models.TextField(_("galat"), blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        app_label = "programs"
        ordering = ["-created_at"]
        verbose_name = _("ekspor register")
        verbose_name_plural = _("ekspor register")

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
