"""The welfare register (DTSEN/DTKS) as imported: batches, their accepted rows and their rejected rows."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applicants.enums import Register
from programs.models import Kelurahan


class WelfareImportBatch(models.Model):
    """One uploaded register extract. Only a batch marked current is used for eligibility checks."""

    class State(models.TextChoices):
        PROCESSING = "processing", _("Sedang diproses")
        CURRENT = "current", _("Berlaku")
        SUPERSEDED = "superseded", _("Digantikan")
        FAILED = "failed", _("Gagal")
        DRY_RUN = "dry_run", _("Uji coba")

    register = models.CharField(_("register"), max_length=5, choices=Register.choices, default=Register.DTSEN)
    as_of = models.DateField(_("data per tanggal"))
    file_name = models.CharField(_("nama berkas"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 berkas"), max_length=64)
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.PROCESSING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("diunggah oleh"),
    )
    created_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("baris dibaca"), default=0)
    rows_accepted = models.PositiveIntegerField(_("diterima"), default=0)
    rows_rejected = models.PositiveIntegerField(_("ditolak"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("duplikat"), default=0)
    error = models.TextField(_("galat"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("impor register")
        verbose_name_plural = _("impor register")
        constraints = [
            models.UniqueConstraint(
                fields=["register"], condition=Q(state="current"), name="welfare_one_current_per_register"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_register_display()} {self.as_of} ({self.file_name})"


class WelfareRecord(models.Model):
    """One person's row in a register extract."""

    batch = models.ForeignKey(WelfareImportBatch, on_delete=models.CASCADE, related_name="records")
    row_number = models.PositiveIntegerField(_("baris"))
    nik = models.CharField(_("NIK"), max_length=16)
    kk_number = models.CharField(_("nomor KK"), max_length=16)
    full_name = models.CharField(_("nama"), max_length=150)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    sex = models.CharField(_("jenis kelamin"), max_length=1, blank=True)
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    desil = models.PositiveSmallIntegerField(_("desil"), null=True, blank=True)
    bansos = models.CharField(_("bansos diterima"), max_length=120, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("data register")
        verbose_name_plural = _("data register")
        constraints = [models.UniqueConstraint(fields=["batch", "nik"], name="welfare_record_nik_once")]
        indexes = [
            models.Index(fields=["nik"]), models.Index(fields=["kk_number"]),
            models.Index(fields=["batch", "desil"]),  # register-records filter
            models.Index(fields=["batch", "kk_number"]),  # graduates' household lookup (graduation.outcomes)
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.batch})"


class WelfareRejection(models.Model):
    """A row of an extract that was not imported, with the reason, for the downloadable report."""

    batch = models.ForeignKey(WelfareImportBatch, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField(_("baris"))
    reason = models.CharField(_("alasan"), max_length=255)
    raw = models.JSONField(_("isi baris"), default=list)

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("baris ditolak")
        verbose_name_plural = _("baris ditolak")

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.reason}"
