"""Delivery of the program to people: enrolments, attendance, capital awards, KUB groups, follow-ups.

Person-linked, so it lives in `applicants` (personal data, UU PDP); the class side without personal
data (Cohort, sessions, packages) lives in `programs`. Imported at the bottom of `applicants.models`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from applicants.models.allocation import SecondAwardOverride
from applicants.models.people import Applicant, Application
from applicants.privacy.storage import get_private_storage, validate_private_upload
from programs.models import CapitalPackage, Cohort, CohortSession, Intake, Kelurahan

__all__ = [
    "Enrolment",
    "Attendance",
    "CapitalAward",
    "BusinessGroup",
    "GroupMembership",
    "FollowUp",
]


class Enrolment(models.Model):
    """A participant: one application placed in one class. At most one non-withdrawn enrolment each."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active participant")
        COMPLETED = "completed", _("Passed")
        NOT_COMPLETED = "not_completed", _("Did not pass")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="enrolments")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("class"))
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.ACTIVE)
    final_score = models.PositiveSmallIntegerField(
        _("final score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    attendance_pct = models.DecimalField(
        _("attendance (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        help_text=_("Calculated when the class is completed."),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("withdrawal reason"), max_length=255, blank=True)
    publication_consent_at = models.DateTimeField(
        _("publication consent"), null=True, blank=True,
        help_text=_("When the participant agreed to their story being published."),
    )
    publication_consent_note = models.CharField(
        _("publication consent note"), max_length=255, blank=True,
        help_text=_("E.g. the number of the signed consent form."),
    )

    class Meta:
        ordering = ["cohort", "application__applicant__full_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=~Q(status="withdrawn"), name="enrolment_one_active_per_application"
            ),
            models.CheckConstraint(
                condition=Q(final_score__isnull=True) | Q(final_score__lte=100), name="enrolment_score_0_100"
            ),
        ]
        indexes = [models.Index(fields=["cohort", "status"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.application.applicant} · {self.cohort}"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.WITHDRAWN

    def can_publish_story(self) -> bool:
        """A success story may link to this graduate only with their recorded consent to publication."""
        applicant = self.application.applicant
        return bool(
            self.publication_consent_at
            and self.status == self.Status.COMPLETED
            and not applicant.processing_restricted
            and not applicant.anonymised_at
        )

    def record_publication_consent(self, user, note: str) -> None:
        """The graduate agreed (in writing) that their story may be published; logged with who and when."""
        if self.status != self.Status.COMPLETED:
            raise ValidationError(_("Publication consent is only for participants who have passed."))
        Applicant.ensure_processing_allowed_for([self.application.applicant_id])
        note = (note or "").strip()
        if not note:
            raise ValidationError(_("Record the proof of consent, e.g. the number of the signed form."))
        self.publication_consent_at = timezone.now()
        self.publication_consent_note = note[:255]
        self.save(update_fields=["publication_consent_at", "publication_consent_note"])
        log(self, "sigap.publication_consent", user=user, data={"note": self.publication_consent_note})

    def story_label(self) -> str:
        """What comms staff see when linking a story: first name, program and class, never the full name."""
        first_name = (self.application.applicant.full_name.split() or [""])[0].title()
        return f"{first_name} · {self.cohort.program} · {self.cohort.name}"

    def validate_story_link(self) -> None:
        """Raise ValidationError when a story may not link here (for SuccessStoryPage.clean())."""
        if not self.can_publish_story():
            raise ValidationError(
                _("A success story may only be linked to a graduate who has consented to publication.")
            )


class Attendance(models.Model):
    class Mark(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(CohortSession, on_delete=models.CASCADE, related_name="attendance")
    mark = models.CharField(_("attendance"), max_length=8, choices=Mark.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "session"], name="attendance_once_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.session.number}: {self.get_mark_display()}"


class BusinessGroup(models.Model):
    """A joint business group (KUB) of graduates. Its size bounds come from settings."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISSOLVED = "dissolved", _("Disbanded")

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="business_groups")
    name = models.CharField(_("KUB name"), max_length=150)
    business_type = models.CharField(_("business type"), max_length=150)
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan"))
    chair = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("leader")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("formed on"), default=timezone.now)
    dissolved_at = models.DateTimeField(_("Dissolved at"), null=True, blank=True)
    dissolved_reason = models.CharField(_("Reason for dissolving"), max_length=255, blank=True)

    class Meta:
        ordering = ["intake", "name"]
        verbose_name = _("KUB")
        verbose_name_plural = _("KUBs")
        constraints = [models.UniqueConstraint(fields=["intake", "name"], name="business_group_name_unique")]

    def __str__(self) -> str:
        return self.name

    def capital_readiness_problems(self) -> list[str]:
        """What the group still lacks before its capital award may be approved (empty: ready).

        Read from the database, so a plan or holder removed meanwhile counts as missing."""
        problems = []
        plan = self._meta.get_field("business_plan").related_model.objects.filter(group_id=self.pk).first()
        if plan is None:
            problems.append(str(_("a business plan (product, market, what the capital buys, expected income)")))
        account = self._meta.get_field("account").related_model.objects.filter(group_id=self.pk).first()
        if account is None:
            problems.append(str(_("a group account (bank, account number, holders)")))
        elif not account.holders.filter(group_id=self.pk, active=True).exists():
            problems.append(str(_("at least one account holder among the active members")))
        return problems

    def ensure_ready_for_capital(self) -> None:
        problems = self.capital_readiness_problems()
        if problems:
            raise ValidationError(
                _("The capital award of %(group)s cannot be approved yet: the KUB has no %(missing)s.")
                % {"group": self.name, "missing": "; ".join(problems)},
                code="group_not_ready",
            )
        # Paying into an account is processing the holders' data: a restriction (UU PDP) stops it.
        Applicant.ensure_processing_allowed_for(
            GroupMembership.objects.filter(held_accounts__group_id=self.pk).values_list("applicant_id", flat=True)
        )


class GroupMembership(models.Model):
    """A graduate in a KUB. `applicant` is kept so the DB can refuse a second active group per person."""

    group = models.ForeignKey(BusinessGroup, on_delete=models.CASCADE, related_name="memberships")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="memberships")
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("KUB member")
        verbose_name_plural = _("KUB members")
        constraints = [
            models.UniqueConstraint(fields=["applicant"], condition=Q(active=True), name="membership_one_active_group"),
            models.UniqueConstraint(fields=["group", "enrolment"], name="membership_once_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} · {self.group}"


class CapitalAward(SecondAwardOverride):
    """A capital package for a top-3 participant or a KUB: proposed -> approved -> handed over | cancelled."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        HANDED_OVER = "handed_over", _("Handed over")
        CANCELLED = "cancelled", _("Cancelled")

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="capital_awards")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="awards", verbose_name=_("participant")
    )
    group = models.ForeignKey(
        BusinessGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="awards", verbose_name=_("KUB")
    )
    package = models.ForeignKey(CapitalPackage, on_delete=models.PROTECT, related_name="awards")
    value_rupiah = models.PositiveBigIntegerField(_("value (Rp)"), help_text=_("Package value at the "
                                                                               "time of the proposal."))
    place = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    ranking_reason = models.CharField(_("ranking reason"), max_length=255, blank=True)
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    handed_over_on = models.DateField(_("handover date"), null=True, blank=True)
    handover_number = models.CharField(_("handover record number"), max_length=80, blank=True)
    handover_document = models.FileField(
        _("signed handover record"), storage=get_private_storage, upload_to="handover/%Y/%m/", blank=True,
        validators=[validate_private_upload],  # PDF/JPG/PNG, size limit, content sniffed (applicants.privacy.storage)
    )
    handover_photo = models.FileField(
        _("handover photo"), storage=get_private_storage, upload_to="handover-photos/%Y/%m/", blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png"]), validate_private_upload],
    )
    cancelled_reason = models.CharField(_("cancellation reason"), max_length=255, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["intake", "place", "pk"]
        verbose_name = _("business capital")
        verbose_name_plural = _("business capital awards")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(enrolment__isnull=False, group__isnull=True) | Q(enrolment__isnull=True, group__isnull=False)
                ),
                name="award_recipient_enrolment_xor_group",
            ),
            models.UniqueConstraint(
                fields=["enrolment"], condition=~Q(state="cancelled"), name="award_one_live_per_enrolment"
            ),
            models.UniqueConstraint(fields=["group"], condition=~Q(state="cancelled"), name="award_one_live_per_group"),
            models.CheckConstraint(
                condition=Q(second_award_reason="") | Q(second_award_by__isnull=False, enrolment__isnull=False),
                name="award_second_override_has_person_and_giver",
            ),
        ]
        indexes = [models.Index(fields=["intake", "state"])]

    def __str__(self) -> str:
        return f"{self.recipient_name} · {self.package.name}"

    @property
    def recipient_name(self) -> str:
        if self.group_id:
            return str(self.group)
        return str(self.enrolment.application.applicant)

    @classmethod
    def propose(cls, *, user, package, enrolment=None, group=None, place=None, reason="",
                second_award_reason="") -> CapitalAward:
        if (enrolment is None) == (group is None):
            raise ValidationError(_("The recipient must be either one participant or one KUB."))
        if enrolment is not None:
            if enrolment.status != Enrolment.Status.COMPLETED:
                raise ValidationError(_("Only participants who passed can receive business capital."))
            Applicant.ensure_processing_allowed_for([enrolment.application.applicant_id])
            intake_id = enrolment.cohort.intake_id
        else:
            if group.status != BusinessGroup.Status.ACTIVE:
                raise ValidationError(_("The KUB is not active."))
            intake_id = group.intake_id
        award = cls(
            intake_id=intake_id, enrolment=enrolment, group=group, package=package,
            value_rupiah=package.value_rupiah, place=place, ranking_reason=reason[:255], proposed_by=user,
        )
        with transaction.atomic():
            earlier = award.check_second_award(user, second_award_reason)
            award.save()
            log(award, "sigap.award.propose", user=user, data={"place": place, "package": package.name})
            award._log_second_award(user, earlier)
        return award

    def ensure_recipient_processable(self) -> None:
        """A person's award is a write about them: refused while their processing is restricted."""
        if self.enrolment_id:
            Applicant.ensure_processing_allowed_for(
                Enrolment.objects.filter(pk=self.enrolment_id).values_list("application__applicant_id", flat=True)
            )

    def approve(self, user, second_award_reason: str = "") -> None:
        """Four eyes: the approver must not be the proposer. A second package for the person or KK is
        checked again here (proposals made in parallel, or before an earlier award was re-proposed)."""
        self.ensure_recipient_processable()
        if self.state != self.State.PROPOSED:
            raise ValidationError(_("Only proposals can be approved."))
        if user.pk == self.proposed_by_id:
            raise ValidationError(_("Approval must come from a user other than the proposer."))
        with transaction.atomic():
            fresh = CapitalAward.objects.select_for_update().get(pk=self.pk)
            if fresh.state != self.State.PROPOSED:
                raise ValidationError(_("Only proposals can be approved."))
            if self.group_id:
                # The group row is the lock the plan and account writes take too (PostgreSQL; SQLite
                # serialises every write transaction), so neither can vanish between check and save.
                group = BusinessGroup.objects.select_for_update().get(pk=self.group_id)
                group.ensure_ready_for_capital()
            earlier = self.check_second_award(user, second_award_reason)
            self.state, self.approved_by, self.approved_at = self.State.APPROVED, user, timezone.now()
            self.save(update_fields=["state", "approved_by", "approved_at", "second_award_reason", "second_award_by",
                                     "second_award_at"])
            log(self, "sigap.award.approve", user=user)
            self._log_second_award(user, earlier)

    def hand_over(self, user, *, on: datetime.date, number: str, document=None, photo=None) -> None:
        self.ensure_recipient_processable()
        if self.state != self.State.APPROVED:
            raise ValidationError(_("Only approved business capital can be handed over."))
        if not number:
            raise ValidationError({"handover_number": _("Handover record number is required.")})
        if on > timezone.localdate():
            raise ValidationError({"handed_over_on": _("Handover date cannot be in the future.")})
        approved_on = timezone.localdate(self.approved_at) if self.approved_at else None
        if approved_on and on < approved_on:
            raise ValidationError({"handed_over_on": _(
                "Handover date cannot be before the approval date (%(day)s)."
            ) % {"day": approved_on.strftime("%d-%m-%Y")}})
        if document is not None:
            for validator in self._meta.get_field("handover_document").validators:
                try:
                    validator(document)
                except ValidationError as exc:
                    raise ValidationError({"handover_document": exc.messages}) from exc
            self.handover_document = document
        if photo is not None:
            for validator in self._meta.get_field("handover_photo").validators:
                try:
                    validator(photo)
                except ValidationError as exc:
                    raise ValidationError({"handover_photo": exc.messages}) from exc
            self.handover_photo = photo
        self.state, self.handed_over_on, self.handover_number = self.State.HANDED_OVER, on, number
        with transaction.atomic():
            self.save()
            log(self, "sigap.award.hand_over", user=user, data={"number": number, "date": on.isoformat()})

    def cancel(self, user, reason: str) -> None:
        self.ensure_recipient_processable()
        if self.state in (self.State.HANDED_OVER, self.State.CANCELLED):
            raise ValidationError(_("Business capital that has been handed over or cancelled cannot be cancelled."))
        if not reason.strip():
            raise ValidationError({"cancelled_reason": _("Cancellation reason is required.")})
        self.state, self.cancelled_reason, self.cancelled_at = self.State.CANCELLED, reason.strip(), timezone.now()
        with transaction.atomic():
            self.save(update_fields=["state", "cancelled_reason", "cancelled_at"])
            log(self, "sigap.award.cancel", user=user, data={"reason": self.cancelled_reason})


class FollowUp(models.Model):
    """Tracer study answer for one graduate at 3, 6 or 12 months after the class ended."""

    class Milestone(models.IntegerChoices):
        M3 = 3, _("3 months")
        M6 = 6, _("6 months")
        M12 = 12, _("12 months")

    class Working(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        OWN_BUSINESS = "own_business", _("Self-employed")
        NOT_WORKING = "not_working", _("Not working")

    class AssetState(models.TextChoices):
        IN_USE = "in_use", _("In use")
        SOLD = "sold", _("Sold")
        BROKEN = "broken", _("Damaged")
        LOST = "lost", _("Lost")

    class IncomeBand(models.TextChoices):
        NONE = "none", _("None")
        UNDER_1M = "lt_1m", _("< Rp 1,000,000")
        FROM_1M = "1m_2m", _("Rp 1,000,000 - 2,000,000")
        FROM_2M = "2m_3m", _("Rp 2,000,000 - 3,000,000")
        FROM_3M = "3m_5m", _("Rp 3,000,000 - 5,000,000")
        OVER_5M = "gte_5m", _("≥ Rp 5,000,000")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="followups")
    milestone = models.PositiveSmallIntegerField(_("milestone"), choices=Milestone.choices)
    working_status = models.CharField(_("employment status"), max_length=14, choices=Working.choices)
    # Yes, no, or not asked (None): a question the graduate was not asked is not a "no".
    business_running = models.BooleanField(_("business still running"), null=True, blank=True, default=None)
    income_band = models.CharField(_("monthly income"), max_length=8, choices=IncomeBand.choices)
    receiving_bansos = models.BooleanField(_("still receiving bansos"), null=True, blank=True, default=None)
    asset_state = models.CharField(
        _("business capital assets"), max_length=8, choices=AssetState.choices, blank=True,
        help_text=_("Leave empty if the graduate did not receive business capital."),
    )
    note = models.CharField(_("notes"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["enrolment", "milestone"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "milestone"], name="followup_once_per_milestone"),
            models.CheckConstraint(condition=Q(milestone__in=[3, 6, 12]), name="followup_milestone_valid"),
        ]
        indexes = [models.Index(fields=["milestone", "working_status"])]  # follow-up register filters

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.get_milestone_display()}"

