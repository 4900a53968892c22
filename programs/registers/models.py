"""ExportJob: a large register export running as a background task (imported by programs.models)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """One background export. The file lives under PRIVATE_MEDIA_ROOT/exports; only `user` may download it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being generated")
        DONE = "done", _("Completed")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("user")
    )
    register_key = models.CharField(_("register"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict)
    file_name = models.CharField(_("file name"), max_length=200)
    file_path = models.CharField(_("file location"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("row count"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        app_label = "programs"
        ordering = ["-created_at"]
        verbose_name = _("register export")
        verbose_name_plural = _("register exports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
