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
        ACTIVE = "active", _("Peserta aktif")
        COMPLETED = "completed", _("Lulus")
        NOT_COMPLETED = "not_completed", _("Tidak lulus")
        WITHDRAWN = "withdrawn", _("Mengundurkan diri")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="enrolments")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("kelas"))
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.ACTIVE)
    final_score = models.PositiveSmallIntegerField(
        _("nilai akhir"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    attendance_pct = models.DecimalField(
        _("kehadiran (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        help_text=_("Dihitung saat kelas diselesaikan."),
    )
    enrolled_at = models.DateTimeField(_("didaftarkan pada"), default=timezone.now)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("mundur pada"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("alasan mundur"), max_length=255, blank=True)
    publication_consent_at = models.DateTimeField(
        _("persetujuan publikasi"), null=True, blank=True,
        help_text=_("Kapan peserta menyetujui kisahnya dipublikasikan."),
    )
    publication_consent_note = models.CharField(
        _("catatan persetujuan publikasi"), max_length=255, blank=True,
        help_text=_("Mis. nomor formulir persetujuan yang ditandatangani."),
    )

    class Meta:
        ordering = ["cohort", "application__applicant__full_name"]
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")
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
            raise ValidationError(_("Persetujuan publikasi hanya untuk peserta yang sudah lulus."))
        Applicant.ensure_processing_allowed_for([self.application.applicant_id])
        note = (note or "").strip()
        if not note:
            raise ValidationError(_("Tulis bukti persetujuan, mis. nomor formulir yang ditandatangani."))
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
                _("Kisah sukses hanya boleh ditautkan ke lulusan yang sudah menyetujui publikasi.")
            )


class Attendance(models.Model):
    class Mark(models.TextChoices):
        PRESENT = "present", _("Hadir")
        ABSENT = "absent", _("Tidak hadir")
        EXCUSED = "excused", _("Izin")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(CohortSession, on_delete=models.CASCADE, related_name="attendance")
    mark = models.CharField(_("kehadiran"), max_length=8, choices=Mark.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("dicatat pada"), default=timezone.now)

    class Meta:
        verbose_name = _("kehadiran")
        verbose_name_plural = _("kehadiran")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "session"], name="attendance_once_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.session.number}: {self.get_mark_display()}"


class BusinessGroup(models.Model):
    """A joint business group (KUB) of graduates. Its size bounds come from settings."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktif")
        DISSOLVED = "dissolved", _("Bubar")

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="business_groups")
    name = models.CharField(_("nama KUB"), max_length=150)
    business_type = models.CharField(_("jenis usaha"), max_length=150)
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan"))
    chair = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ketua")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("dibentuk pada"), default=timezone.now)
    dissolved_at = models.DateTimeField(_("Dissolved at"), null=True, blank=True)
    dissolved_reason = models.CharField(_("Reason for dissolving"), max_length=255, blank=True)

    class Meta:
        ordering = ["intake", "name"]
        verbose_name = _("KUB")
        verbose_name_plural = _("KUB")
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
    active = models.BooleanField(_("aktif"), default=True)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("anggota KUB")
        verbose_name_plural = _("anggota KUB")
        constraints = [
            models.UniqueConstraint(fields=["applicant"], condition=Q(active=True), name="membership_one_active_group"),
            models.UniqueConstraint(fields=["group", "enrolment"], name="membership_once_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} · {self.group}"


class CapitalAward(SecondAwardOverride):
    """A capital package for a top-3 participant or a KUB: proposed -> approved -> handed over | cancelled."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Diusulkan")
        APPROVED = "approved", _("Disetujui")
        HANDED_OVER = "handed_over", _("Diserahkan")
        CANCELLED = "cancelled", _("Dibatalkan")

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="capital_awards")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="awards", verbose_name=_("peserta")
    )
    group = models.ForeignKey(
        BusinessGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="awards", verbose_name=_("KUB")
    )
    package = models.ForeignKey(CapitalPackage, on_delete=models.PROTECT, related_name="awards")
    value_rupiah = models.PositiveBigIntegerField(_("nilai (Rp)"), help_text=_("Nilai paket saat diusulkan."))
    place = models.PositiveSmallIntegerField(_("peringkat"), null=True, blank=True)
    ranking_reason = models.CharField(_("alasan peringkat"), max_length=255, blank=True)
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diusulkan oleh")
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    handed_over_on = models.DateField(_("tanggal serah terima"), null=True, blank=True)
    handover_number = models.CharField(_("nomor berita acara"), max_length=80, blank=True)
    handover_document = models.FileField(
        _("berita acara bertanda tangan"), storage=get_private_storage, upload_to="handover/%Y/%m/", blank=True,
        validators=[validate_private_upload],  # PDF/JPG/PNG, size limit, content sniffed (applicants.privacy.storage)
    )
    handover_photo = models.FileField(
        _("foto serah terima"), storage=get_private_storage, upload_to="handover-photos/%Y/%m/", blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png"]), validate_private_upload],
    )
    cancelled_reason = models.CharField(_("alasan pembatalan"), max_length=255, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["intake", "place", "pk"]
        verbose_name = _("modal usaha")
        verbose_name_plural = _("modal usaha")
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
            raise ValidationError(_("Penerima harus satu peserta atau satu KUB."))
        if enrolment is not None:
            if enrolment.status != Enrolment.Status.COMPLETED:
                raise ValidationError(_("Hanya peserta yang lulus yang dapat menerima modal usaha."))
            Applicant.ensure_processing_allowed_for([enrolment.application.applicant_id])
            intake_id = enrolment.cohort.intake_id
        else:
            if group.status != BusinessGroup.Status.ACTIVE:
                raise ValidationError(_("KUB tidak aktif."))
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
            raise ValidationError(_("Hanya usulan yang dapat disetujui."))
        if user.pk == self.proposed_by_id:
            raise ValidationError(_("Persetujuan harus oleh pengguna lain dari pengusul."))
        with transaction.atomic():
            fresh = CapitalAward.objects.select_for_update().get(pk=self.pk)
            if fresh.state != self.State.PROPOSED:
                raise ValidationError(_("Hanya usulan yang dapat disetujui."))
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
            raise ValidationError(_("Hanya modal usaha yang sudah disetujui yang dapat diserahkan."))
        if not number:
            raise ValidationError({"handover_number": _("Nomor berita acara wajib diisi.")})
        if on > timezone.localdate():
            raise ValidationError({"handed_over_on": _("Tanggal serah terima tidak boleh di masa depan.")})
        approved_on = timezone.localdate(self.approved_at) if self.approved_at else None
        if approved_on and on < approved_on:
            raise ValidationError({"handed_over_on": _(
                "Tanggal serah terima tidak boleh sebelum tanggal persetujuan (%(day)s)."
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
            raise ValidationError(_("Modal usaha yang sudah diserahkan atau dibatalkan tidak dapat dibatalkan."))
        if not reason.strip():
            raise ValidationError({"cancelled_reason": _("Alasan pembatalan wajib diisi.")})
        self.state, self.cancelled_reason, self.cancelled_at = self.State.CANCELLED, reason.strip(), timezone.now()
        with transaction.atomic():
            self.save(update_fields=["state", "cancelled_reason", "cancelled_at"])
            log(self, "sigap.award.cancel", user=user, data={"reason": self.cancelled_reason})


class FollowUp(models.Model):
    """Tracer study answer for one graduate at 3, 6 or 12 months after the class ended."""

    class Milestone(models.IntegerChoices):
        M3 = 3, _("3 bulan")
        M6 = 6, _("6 bulan")
        M12 = 12, _("12 bulan")

    class Working(models.TextChoices):
        EMPLOYED = "employed", _("Bekerja")
        OWN_BUSINESS = "own_business", _("Usaha sendiri")
        NOT_WORKING = "not_working", _("Tidak bekerja")

    class AssetState(models.TextChoices):
        IN_USE = "in_use", _("Dipakai")
        SOLD = "sold", _("Dijual")
        BROKEN = "broken", _("Rusak")
        LOST = "lost", _("Hilang")

    class IncomeBand(models.TextChoices):
        NONE = "none", _("Tidak ada")
        UNDER_1M = "lt_1m", _("< Rp 1.000.000")
        FROM_1M = "1m_2m", _("Rp 1.000.000 - 2.000.000")
        FROM_2M = "2m_3m", _("Rp 2.000.000 - 3.000.000")
        FROM_3M = "3m_5m", _("Rp 3.000.000 - 5.000.000")
        OVER_5M = "gte_5m", _("≥ Rp 5.000.000")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="followups")
    milestone = models.PositiveSmallIntegerField(_("tahap"), choices=Milestone.choices)
    working_status = models.CharField(_("status kerja"), max_length=14, choices=Working.choices)
    # Yes, no, or not asked (None): a question the graduate was not asked is not a "no".
    business_running = models.BooleanField(_("usaha masih berjalan"), null=True, blank=True, default=None)
    income_band = models.CharField(_("penghasilan per bulan"), max_length=8, choices=IncomeBand.choices)
    receiving_bansos = models.BooleanField(_("masih menerima bansos"), null=True, blank=True, default=None)
    asset_state = models.CharField(
        _("aset modal usaha"), max_length=8, choices=AssetState.choices, blank=True,
        help_text=_("Kosongkan bila lulusan tidak menerima modal usaha."),
    )
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("dicatat pada"), default=timezone.now)

    class Meta:
        ordering = ["enrolment", "milestone"]
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "milestone"], name="followup_once_per_milestone"),
            models.CheckConstraint(condition=Q(milestone__in=[3, 6, 12]), name="followup_milestone_valid"),
        ]
        indexes = [models.Index(fields=["milestone", "working_status"])]  # follow-up register filters

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.get_milestone_display()}"

