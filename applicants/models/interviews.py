"""Selection interviews: schedule, attendance, rubric scores and the decision."""


from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.models.people import Application
from programs.models import Program


class Interview(models.Model):
    """A scheduled interview and, once held, its outcome (rubric, recommendation, decision)."""

    class Attendance(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CAME = "came", _("Present")
        NO_SHOW = "no_show", _("Absent")
        RESCHEDULED = "rescheduled", _("Rescheduled")

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("Accepted")
        WAITLIST = "waitlist", _("Waitlisted")
        REJECT = "reject", _("Not accepted")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="interviews")
    scheduled_at = models.DateTimeField(_("interview time"), db_index=True)
    place = models.CharField(_("venue"), max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=20, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interviews",
        verbose_name=_("interviewer"),
    )
    attendance = models.CharField(
        _("attendance"), max_length=12, choices=Attendance.choices, default=Attendance.SCHEDULED
    )
    score_motivation = models.PositiveSmallIntegerField(
        _("motivation"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    score_readiness = models.PositiveSmallIntegerField(
        _("readiness and availability"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    score_business_potential = models.PositiveSmallIntegerField(
        _("business potential"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    score_household_need = models.PositiveSmallIntegerField(
        _("family need"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    recommended_program = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("recommended program"),
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    note = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["scheduled_at"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        indexes = [
            models.Index(fields=["interviewer", "scheduled_at"]),
            # Interview register filters (attendance / decision), newest first.
            models.Index(fields=["attendance", "scheduled_at"]),
            models.Index(fields=["decision", "scheduled_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(score_motivation__isnull=True) | Q(score_motivation__gte=1, score_motivation__lte=5))
                    & (Q(score_readiness__isnull=True) | Q(score_readiness__gte=1, score_readiness__lte=5))
                    & (
                        Q(score_business_potential__isnull=True)
                        | Q(score_business_potential__gte=1, score_business_potential__lte=5)
                    )
                    & (
                        Q(score_household_need__isnull=True)
                        | Q(score_household_need__gte=1, score_household_need__lte=5)
                    )
                ),
                name="interview_scores_1_to_5",
            ),
            # At most one interview waits to happen; a reschedule marks the old one "rescheduled".
            models.UniqueConstraint(
                fields=["application"], condition=Q(attendance="scheduled"), name="interview_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} @ {timezone.localtime(self.scheduled_at):%d-%m-%Y %H:%M}"

    SCORE_FIELDS = ("motivation", "readiness", "business_potential", "household_need")

    @property
    def weighted_score(self) -> float | None:
        """Rubric mean weighted by the intake's weights (1-5), or None until every score is filled in."""
        intake = self.application.intake
        pairs = [(getattr(self, f"score_{n}"), getattr(intake, f"weight_{n}")) for n in self.SCORE_FIELDS]
        if any(score is None for score, _w in pairs):
            return None
        total_weight = sum(w for _s, w in pairs)
        if not total_weight:
            return None
        return round(sum(s * w for s, w in pairs) / total_weight, 2)
