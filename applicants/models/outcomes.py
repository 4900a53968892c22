"""What became of graduates: completion certificates and the welfare-register checks after graduation.

Certificates are verified by the public through a random token (never the sequential number, which
can be guessed); the register checks are the evidence behind "left bansos" figures (docs/graduation.md).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from applicants.enums import Register
from applicants.models.delivery import Enrolment
from applicants.models.interviews import Interview
from applicants.models.people import Applicant, Application
from applicants.models.welfare import WelfareImportBatch
from programs.models import Cohort

__all__ = ["Certificate", "ContactAttempt", "RegisterOutcomeCheck"]

CERTIFICATE_PREFIX = "SK-SERT"


def new_verification_token() -> str:
    """128 random bits, URL-safe: the part of the QR code that proves a certificate is ours."""
    return secrets.token_urlsafe(16)


class Certificate(models.Model):
    """A completion certificate (sertifikat pelatihan) for one graduate: valid until withdrawn."""

    class State(models.TextChoices):
        VALID = "valid", _("Valid")
        WITHDRAWN = "withdrawn", _("Revoked")

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("participant")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("sequence number"))
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    token = models.CharField(_("verification code"), max_length=32, unique=True, default=new_verification_token)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.VALID)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("issued by"),
    )
    withdrawn_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("revoked by"),
    )
    withdrawal_reason = models.CharField(_("revocation reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-year", "-serial"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="certificate_serial_once_per_year"),
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(state="valid"), name="certificate_one_valid_per_enrolment"
            ),
            models.CheckConstraint(condition=Q(state__in=["valid", "withdrawn"]), name="certificate_state_valid"),
            models.CheckConstraint(
                condition=Q(state="valid") | ~Q(withdrawal_reason=""), name="certificate_withdrawal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.state == self.State.VALID

    @staticmethod
    def format_number(year: int, serial: int) -> str:
        return f"{CERTIFICATE_PREFIX}-{year}-{serial:06d}"

    @classmethod
    def ensure_issuable(cls, enrolment: Enrolment) -> None:
        """Only a graduate of a closed class (the completion rule applied by `complete_cohort`)."""
        if enrolment.status != Enrolment.Status.COMPLETED or enrolment.cohort.status != Cohort.Status.COMPLETED:
            raise ValidationError(
                _("Certificates are only for participants who meet the pass requirements of a completed class."),
                code="not_completed",
            )
        Applicant.ensure_processing_allowed_for([enrolment.application.applicant_id])
        if cls.objects.filter(enrolment=enrolment, state=cls.State.VALID).exists():
            raise ValidationError(_("This participant already has a valid certificate."), code="already_issued")

    @classmethod
    def issue(cls, enrolment: Enrolment, user) -> Certificate:
        """Number the certificate within the year; a concurrent issuance that took the number is retried."""
        enrolment = Enrolment.objects.select_related("cohort", "application").get(pk=enrolment.pk)
        cls.ensure_issuable(enrolment)
        year = timezone.localdate().year
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    last = cls.objects.filter(year=year).aggregate(m=Max("serial"))["m"] or 0
                    certificate = cls.objects.create(
                        enrolment=enrolment, year=year, serial=last + 1,
                        number=cls.format_number(year, last + 1),
                        issued_by=user if getattr(user, "pk", None) else None,
                    )
                    log(certificate, "sigap.certificate.issue", user=user, data={"number": certificate.number})
                return certificate
            except IntegrityError:
                if cls.objects.filter(enrolment=enrolment, state=cls.State.VALID).exists():
                    raise ValidationError(
                        _("This participant already has a valid certificate."), code="already_issued"
                    ) from None
        raise ValidationError(_("The certificate number is being used by another process; try again."))

    def withdraw(self, user, reason: str) -> None:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"withdrawal_reason": _("Revocation reason is required.")})
        if self.state != self.State.VALID:
            raise ValidationError(_("This certificate has already been revoked."))
        self.state, self.withdrawal_reason = self.State.WITHDRAWN, reason[:255]
        self.withdrawn_at, self.withdrawn_by = timezone.now(), user if getattr(user, "pk", None) else None
        with transaction.atomic():
            self.save(update_fields=["state", "withdrawal_reason", "withdrawn_at", "withdrawn_by"])
            log(self, "sigap.certificate.withdraw", user=user, data={"reason": self.withdrawal_reason})


class RegisterOutcomeCheck(models.Model):
    """One graduate matched against one imported register batch: the evidence of where they stand.

    Copies `as_of` and `register` from the batch so the evidence survives the batch's deletion."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="register_checks")
    batch = models.ForeignKey(
        WelfareImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("register import"),
    )
    register = models.CharField(_("register"), max_length=5, choices=Register.choices, default=Register.DTSEN)
    as_of = models.DateField(_("data as of"))
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    nik_found = models.BooleanField(_("NIK in register"), default=False)
    kk_found = models.BooleanField(_("KK in register"), default=False)
    desil_then = models.PositiveSmallIntegerField(_("desil at application"), null=True, blank=True)
    desil_now = models.PositiveSmallIntegerField(_("desil in this register"), null=True, blank=True)
    bansos_raw = models.CharField(_("bansos column (raw)"), max_length=120, blank=True)
    bansos_programs = models.CharField(
        _("bansos (normalised)"), max_length=120, blank=True, help_text=_("E.g. PKH,BPNT; empty if none."),
    )
    receives_bansos = models.BooleanField(
        _("receiving bansos according to the register"), null=True, blank=True,
        help_text=_("Empty if this register has no bansos column."),
    )

    class Meta:
        ordering = ["enrolment", "as_of", "pk"]
        verbose_name = _("graduate register check")
        verbose_name_plural = _("graduate register checks")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "batch"], name="outcome_check_once_per_batch"),
        ]
        indexes = [models.Index(fields=["enrolment", "as_of"])]

    def __str__(self) -> str:
        return f"{self.enrolment_id} · {self.as_of}"

    @property
    def still_registered(self) -> bool:
        return self.nik_found or self.kk_found


class ContactAttempt(models.Model):
    """One try to reach a person for an interview invitation or a follow-up, and how it went.

    Kept for every try, reached or not, so "never reached" in the figures is a fact with a trail."""

    class Purpose(models.TextChoices):
        INTERVIEW = "interview", _("Interview invitation")
        FOLLOWUP = "followup", _("Follow-up")

    class Channel(models.TextChoices):
        WHATSAPP = "whatsapp", _("WhatsApp")
        CALL = "call", _("Phone")
        VISIT = "visit", _("Visit")

    class Result(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        MOVED = "moved", _("Moved away")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="contact_attempts")
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, null=True, blank=True, related_name="contact_attempts"
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, null=True, blank=True, related_name="contact_attempts"
    )
    milestone = models.PositiveSmallIntegerField(_("milestone"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    note = models.CharField(_("notes"), max_length=255, blank=True)
    attempted_at = models.DateTimeField(_("time"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["attempted_at", "pk"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(purpose="interview", interview__isnull=False, enrolment__isnull=True, milestone__isnull=True)
                    | Q(purpose="followup", interview__isnull=True, enrolment__isnull=False,
                        milestone__in=[3, 6, 12])
                ),
                name="contact_attempt_target_matches_purpose",
            ),
            models.CheckConstraint(condition=Q(channel__in=["whatsapp", "call", "visit"]),
                                   name="contact_attempt_channel_valid"),
            models.CheckConstraint(condition=Q(result__in=["reached", "no_answer", "wrong_number", "moved"]),
                                   name="contact_attempt_result_valid"),
        ]
        indexes = [models.Index(fields=["enrolment", "milestone"]), models.Index(fields=["interview"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_result_display()}"
