"""Fair allocation across rounds: lists of earlier recipients of other programs (PENA, KUBE and the like
from Kemensos) as imported, and the second-package rule that CapitalAward inherits.

A list match is evidence shown to the people who decide (eligibility, interview, award), never used to
reject anyone automatically (docs/welfare-register.md, docs/delivery.md).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from applicants import identity  # noqa: F401 - registers the identity_shape lookup used below
from applicants.identity import mask_identity
from applicants.models.people import Applicant
from programs.models import Kecamatan

__all__ = ["RecipientListBatch", "RecipientListRecord", "RecipientListRejection", "SecondAwardOverride"]

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


class SecondAwardOverride(models.Model):
    """The rule for a second individual capital package, on CapitalAward (applicants.models.delivery):
    refused unless an override reason is recorded with who gave it and when (docs/delivery.md)."""

    second_award_reason = models.CharField(
        _("second-package override reason"), max_length=255, blank=True,
        help_text=_("Why this person or household receives a second individual package."),
    )
    second_award_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("override given by"),
    )
    second_award_at = models.DateTimeField(_("override given at"), null=True, blank=True)

    class Meta:
        abstract = True

    def earlier_household_awards(self) -> list:
        """Live individual awards of the same person or anyone on the same KK proposed before this one.

        Any round counts; a cancelled award does not. Locks the household's applicant rows first
        (PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers), so two proposals or
        approvals for one KK in parallel run one after the other and the second sees the first."""
        if not self.enrolment_id:
            return []
        applicant = Applicant.objects.select_for_update().get(pk=self.enrolment.application.applicant_id)
        household = Q(enrolment__application__applicant_id=applicant.pk)
        if applicant.kk_number:
            list(Applicant.objects.select_for_update().filter(kk_number=applicant.kk_number).values_list("pk"))
            household |= Q(enrolment__application__applicant__kk_number=applicant.kk_number)
        # The same enrolment's live award is the database's business (award_one_live_per_enrolment).
        others = type(self).objects.filter(household, group__isnull=True).exclude(
            state="cancelled").exclude(enrolment_id=self.enrolment_id)
        if self.pk:
            others = others.filter(pk__lt=self.pk)
        return list(others.select_related("intake", "enrolment__cohort__program", "enrolment__application__applicant"))

    def check_second_award(self, user, reason: str = "") -> list:
        """The one rule for a second individual package: refused unless an override reason is on record
        or given now (then recorded with who gave it). Call inside the transaction that saves the award.
        Returns the earlier awards when this call recorded the override (for the audit log)."""
        earlier = self.earlier_household_awards()
        if not earlier or self.second_award_reason:
            return []
        reason = (reason or "").strip()
        if not reason:
            described = "; ".join(_describe_earlier_award(award, self) for award in earlier)
            raise ValidationError({"second_award_reason": _(
                "This person or someone on the same KK already has a capital package (%(awards)s). "
                "A second package needs an override reason."
            ) % {"awards": described}})
        self.second_award_reason, self.second_award_by, self.second_award_at = reason[:255], user, timezone.now()
        return earlier

    def _log_second_award(self, user, earlier: list) -> None:
        if earlier:
            log(self, "sigap.award.second_override", user=user, data={
                "reason": self.second_award_reason, "earlier_awards": [award.pk for award in earlier],
            })


def _describe_earlier_award(award, current) -> str:
    """An earlier award as the person deciding may read it: the KK member is not named (masked NIK)."""
    applicant = award.enrolment.application.applicant
    if applicant.pk == current.enrolment.application.applicant_id:
        who = _("this person")
    else:
        who = _("another KK member (NIK %(nik)s)") % {"nik": mask_identity(applicant.nik)}
    return f"{who}: {award.intake} · {award.enrolment.cohort.program} · {award.get_state_display()}"
