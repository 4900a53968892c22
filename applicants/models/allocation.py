"""Lists of earlier recipients of other programs (PENA, KUBE and the like from Kemensos), as imported.

They are evidence for fair allocation across rounds: a match is shown to the people who decide
(eligibility, interview, award), never used to reject anyone automatically (docs/welfare-register.md, docs/delivery.md).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applicants import identity  # noqa: F401 - registers the identity_shape lookup used below
from programs.models import Kecamatan

__all__ = ["RecipientListBatch", "RecipientListRecord", "RecipientListRejection"]

EARLIEST_YEAR = 1990


class RecipientListBatch(models.Model):
    """One uploaded list. processing -> done | failed; records of a done list are the evidence."""

    class State(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    program = models.CharField(
        _("program"), max_length=60,
        help_text=_("For rows without a program column, e.g. PENA or KUBE."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(2100)],
        help_text=_("For rows without a year column."),
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PROCESSING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("duplicates"), default=0)
    error = models.TextField(_("error"), blank=True)
    stored_file = models.CharField(max_length=255, blank=True)  # in private storage while the job runs
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("earlier-recipient list")
        verbose_name_plural = _("earlier-recipient lists")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["processing", "done", "failed"]), name="recipient_list_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.year} ({self.file_name})"


class RecipientListRecord(models.Model):
    """One person on a list: who received which program in which year.

    `kecamatan` comes from the row's kelurahan when the list has one, else from the NIK's region code;
    it is what the access policy narrows by (rows without one are for unrestricted users only)."""

    batch = models.ForeignKey(RecipientListBatch, on_delete=models.CASCADE, related_name="records")
    row_number = models.PositiveIntegerField(_("row"))
    nik = models.CharField(_("NIK"), max_length=16)
    kk_number = models.CharField(_("KK number"), max_length=16, blank=True)
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    program = models.CharField(_("program"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    kecamatan = models.ForeignKey(
        Kecamatan, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("kecamatan")
    )

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("earlier recipient")
        verbose_name_plural = _("earlier recipients")
        constraints = [
            models.UniqueConstraint(fields=["batch", "nik", "program", "year"], name="recipient_record_once"),
            models.CheckConstraint(condition=Q(nik__identity_shape="nik"), name="recipient_record_nik_ascii_digits"),
            models.CheckConstraint(
                condition=Q(kk_number="") | Q(kk_number__identity_shape="nik"), name="recipient_record_kk_ascii_digits"
            ),
        ]
        indexes = [models.Index(fields=["nik"]), models.Index(fields=["kk_number"])]

    def __str__(self) -> str:
        return f"{self.program} {self.year} · {self.row_number}"


class RecipientListRejection(models.Model):
    """A row of a list that was not imported, with the reason, for the import report."""

    batch = models.ForeignKey(RecipientListBatch, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField(_("row"))
    reason = models.CharField(_("reason"), max_length=255)
    raw = models.JSONField(_("row cells"), default=list)

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("rejected list row")
        verbose_name_plural = _("rejected list rows")

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.reason}"
