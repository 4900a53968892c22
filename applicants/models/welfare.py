"""The welfare register (DTSEN/DTKS) as imported: batches, their accepted rows and their rejected rows."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants import identity  # noqa: F401 - registers the identity_shape lookup used below
from applicants.enums import Register
from programs.models import Kelurahan


class WelfareImportBatch(models.Model):
    """One uploaded register extract. Only a batch marked current is used for eligibility checks.

    processing -> ready (read, waiting for an editor to confirm the preview) -> current -> superseded;
    processing -> failed / dry_run; ready -> cancelled. `kelurahan_ids` is what the file covers (a
    re-check after confirmation touches applications there only); `coverage` adds the kelurahan whose
    rows were carried over from `base_batch`, the register that was current when the preview was made.
    """

    class State(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Awaiting confirmation")
        CURRENT = "current", _("Current")
        SUPERSEDED = "superseded", _("Superseded")
        FAILED = "failed", _("Failed")
        DRY_RUN = "dry_run", _("Dry run")
        CANCELLED = "cancelled", _("Cancelled")

    register = models.CharField(_("register"), max_length=5, choices=Register.choices, default=Register.DTSEN)
    as_of = models.DateField(_("data as of"))
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.PROCESSING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("duplicates"), default=0)
    error = models.TextField(_("error"), blank=True)

    dry_run = models.BooleanField(_("dry run"), default=False)
    stored_file = models.CharField(_("stored file"), max_length=255, blank=True)  # in private storage
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(_("processing started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last active"), null=True, blank=True)
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    kelurahan_ids = models.JSONField(_("kelurahan in the file"), null=True, blank=True)
    coverage = models.JSONField(_("kelurahan coverage"), null=True, blank=True)  # None: the whole city
    base_batch = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("previous register"),
    )
    preview = models.JSONField(_("change preview"), default=dict, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        constraints = [
            models.UniqueConstraint(
                fields=["register"], condition=Q(state="current"), name="welfare_one_current_per_register"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_register_display()} {self.as_of} ({self.file_name})"

    @property
    def percent(self) -> int:
        if self.state != self.State.PROCESSING:
            return 100
        return min(99, int(100 * self.bytes_done / self.bytes_total)) if self.bytes_total else 0

    def seconds_left(self, now=None) -> int | None:
        """Estimated from the bytes read so far and the time they took; None until there is a basis."""
        if self.state != self.State.PROCESSING or not self.started_at or not self.bytes_done or not self.bytes_total:
            return None
        elapsed = ((now or timezone.now()) - self.started_at).total_seconds()
        return max(0, int(elapsed * (self.bytes_total - self.bytes_done) / self.bytes_done))


class WelfareRecord(models.Model):
    """One person's row in a register extract."""

    batch = models.ForeignKey(WelfareImportBatch, on_delete=models.CASCADE, related_name="records")
    row_number = models.PositiveIntegerField(_("row"))
    nik = models.CharField(_("NIK"), max_length=16)
    kk_number = models.CharField(_("family card (KK) number"), max_length=16)
    full_name = models.CharField(_("name"), max_length=150)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    desil = models.PositiveSmallIntegerField(_("desil"), null=True, blank=True)
    bansos = models.CharField(_("bansos received"), max_length=120, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("register record")
        verbose_name_plural = _("register records")
        constraints = [
            # NIK first: the one index serves the per-batch checks (eligibility, duplicates, carry-over)
            # and the register's NIK search across batches; a NIK index of its own doubled the cost of
            # writing a row's NIK.
            models.UniqueConstraint(fields=["nik", "batch"], name="welfare_record_nik_once"),
            # The importer only writes what identity.parse_nik/parse_kk return; the database holds to it.
            models.CheckConstraint(condition=Q(nik__identity_shape="nik"), name="welfare_record_nik_ascii_digits"),
            models.CheckConstraint(
                condition=Q(kk_number__identity_shape="nik"), name="welfare_record_kk_ascii_digits"
            ),
        ]
        # Each index of a random key (NIK, KK) is a large part of an import's time (docs/welfare-register.md),
        # so there is one per key. batch_id (the foreign key's own index) and (batch, desil) grow at
        # their end, which costs little: they serve a batch's rows in id order (carry-over, deletion)
        # and the register's desil filter.
        indexes = [
            # KK first: the register's KK search across batches and graduates' household lookup in a batch
            models.Index(fields=["kk_number", "batch"], name="welfare_record_kk_batch"),
            models.Index(fields=["batch", "desil"]),  # register-records filter
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.batch})"


class WelfareRejection(models.Model):
    """A row of an extract that was not imported, with the reason, for the downloadable report."""

    batch = models.ForeignKey(WelfareImportBatch, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField(_("row"))
    reason = models.CharField(_("reason"), max_length=255)
    raw = models.JSONField(_("row content"), default=list)

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.reason}"
