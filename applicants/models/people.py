"""People and their applications: consent versions, applicants (one per NIK), applications (one per intake).

Everything here is personal data (UU PDP 27/2022): access goes through applicants.privacy.access.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants import identity
from applicants.enums import ApplicationStatus, DtksSelfReport, Eligibility, Sex, Source
from applicants.workflow import ApplicationWorkflowMixin
from programs.models import Intake, Kelurahan, Program

# NIK/KK of a live record: 16 ASCII digits (clean() checks the rest). Retention replaces them with
# "X" + 15 digits (see applicants/privacy/retention.py), which stays unique and can never be a real number.
IDENTITY_PATTERN = identity.DB_IDENTITY_PATTERN
IDENTITY_OR_ANONYMISED_PATTERN = identity.DB_IDENTITY_OR_ANONYMISED_PATTERN
digits16 = RegexValidator(IDENTITY_PATTERN, _("Must be 16 digits."))
identity_or_anonymised = RegexValidator(IDENTITY_OR_ANONYMISED_PATTERN, _("Must be 16 digits."))



class ConsentVersion(models.Model):
    """A version of the privacy/consent text shown on the interest form; applications record which."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    text = models.TextField(_("consent text"))
    published_at = models.DateTimeField(_("effective from"), default=timezone.now)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("consent version")
        verbose_name_plural = _("consent versions")

    def __str__(self) -> str:
        return self.version

    @classmethod
    def current(cls):
        return cls.objects.filter(published_at__lte=timezone.now()).order_by("-published_at").first()


class Applicant(models.Model):
    """One person, unique by NIK. Birth date and sex always agree with the NIK."""

    nik = models.CharField(_("NIK"), max_length=16, unique=True, validators=[identity_or_anonymised])
    kk_number = models.CharField(
        _("family card (KK) number"), max_length=16, db_index=True, validators=[identity_or_anonymised]
    )
    full_name = models.CharField(_("full name"), max_length=150)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("mobile number"), max_length=16, help_text=_("E.164 format, e.g. +6281234567890"))
    address = models.CharField(_("address"), max_length=255)
    rt = models.CharField(_("RT"), max_length=3)
    rw = models.CharField(_("RW"), max_length=3)
    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="applicants", verbose_name=_("kelurahan")
    )
    household_size = models.PositiveSmallIntegerField(
        _("household size"), validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    occupation = models.CharField(_("current occupation"), max_length=100, blank=True)
    processing_restricted = models.BooleanField(
        _("processing restricted"), default=False, help_text=_("Data subject right (UU PDP): the data is frozen.")
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        indexes = [
            models.Index(fields=["phone"]),
            models.Index(fields=["full_name"]),
            models.Index(fields=["birth_date"]),  # register filter: age band
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["L", "P"]), name="applicant_sex_valid"),
            models.CheckConstraint(
                condition=Q(nik__identity_shape="nik_or_anonymised"), name="applicant_nik_ascii_digits"
            ),
            models.CheckConstraint(
                condition=Q(kk_number__identity_shape="nik_or_anonymised"), name="applicant_kk_ascii_digits"
            ),
        ]
        # Without it, NIK and KK are masked everywhere (applicants/privacy.py).
        permissions = [("view_full_identity", "Lihat NIK dan KK lengkap")]

    def __str__(self) -> str:
        return self.full_name

    def ensure_processing_allowed(self) -> None:
        """Refuse any workflow or status change for a person whose processing is restricted or who was
        anonymised by retention (their record only feeds the figures now)."""
        if self.anonymised_at:
            raise ValidationError(
                _("This applicant's data has been anonymised because the retention "
                  "period has passed, and it can no longer be processed."),
                code="anonymised",
            )
        if self.processing_restricted:
            raise ValidationError(
                _(
                    "Processing of this applicant's data is restricted at their own request (UU "
                    "PDP). The status and data cannot be changed until the restriction is lifted."
                ),
                code="processing_restricted",
            )

    @classmethod
    def ensure_processing_allowed_for(cls, applicant_ids) -> None:
        """Refuse a write about people whose processing is restricted (UU PDP) or who were anonymised.

        Read from the database, not from instances loaded earlier in the request, so a restriction set
        meanwhile by another editor still holds. One query for any number of people."""
        refused = list(
            cls.objects.filter(pk__in=set(applicant_ids))
            .filter(Q(processing_restricted=True) | Q(anonymised_at__isnull=False))
            .order_by("full_name")
            .values_list("full_name", flat=True)[:5]
        )
        if refused:
            raise ValidationError(
                _(
                    "The data of %(names)s cannot be changed: its processing is restricted "
                    "at the person's request (UU PDP) or it has been anonymised."
                ) % {"names": ", ".join(refused)},
                code="processing_restricted",
            )

    def clean(self):
        errors = {}
        if self.anonymised_at:
            return
        try:
            info = identity.parse_nik(self.nik)
            self.nik = info.nik
            if self.birth_date and self.birth_date != info.birth_date:
                errors["birth_date"] = _("Date of birth does not match the NIK.")
            self.sex = info.sex
        except ValidationError as exc:
            errors["nik"] = exc.messages
        try:
            self.kk_number = identity.parse_kk(self.kk_number)
        except ValidationError as exc:
            errors["kk_number"] = exc.messages
        try:
            self.phone = identity.parse_mobile(self.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
        for name, label in (("rt", "RT"), ("rw", "RW")):
            try:
                setattr(self, name, identity.parse_rt_rw(getattr(self, name), label))
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)

    def age_on(self, day: datetime.date) -> int:
        return identity.age_on(self.birth_date, day)


# Contact details a resident gives with each application (Applicant field names); see Application.contact_*.
CONTACT_FIELDS = ("kk_number", "phone", "address", "rt", "rw", "kelurahan", "household_size", "occupation")


class Application(ApplicationWorkflowMixin, models.Model):
    """One applicant's application to one intake. The reference number is what the resident sees."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="applications")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="applications")
    reference = models.CharField(_("application number"), max_length=20, unique=True, null=True, blank=True)
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="first_choice_applications",
        verbose_name=_("program choice 1"),
    )
    program_alt = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="second_choice_applications",
        null=True, blank=True, verbose_name=_("program choice 2"),
    )
    status = models.CharField(
        _("status"), max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ONLINE)
    dtks_self_report = models.CharField(
        _("DTKS status (self-reported)"), max_length=16, choices=DtksSelfReport.choices
    )
    motivation = models.TextField(_("motivation"), blank=True)
    consent_version = models.ForeignKey(
        ConsentVersion, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("consent version")
    )
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("application date"), default=timezone.now, db_index=True)

    # Eligibility against the welfare register: evidence, not a yes/no flag.
    eligibility = models.CharField(
        _("eligibility"), max_length=16, choices=Eligibility.choices, default=Eligibility.PENDING
    )
    eligibility_record = models.ForeignKey(
        "WelfareRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("register evidence"),
    )
    eligibility_checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    eligibility_override = models.BooleanField(_("overridden by staff"), default=False)
    eligibility_override_reason = models.TextField(_("override reason"), blank=True)
    eligibility_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    eligibility_override_at = models.DateTimeField(null=True, blank=True)

    decision_reason = models.CharField(_("decision reason"), max_length=40, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)

    # Contact details as given with this application. A re-registration through the public form (which
    # anyone who knows a NIK can send) never rewrites the person's record or earlier applications: its
    # details stay here, and the application's page shows them beside the person's and earlier ones.
    contact_kk_number = models.CharField(_("KK number at application"), max_length=16, blank=True)
    contact_phone = models.CharField(_("mobile number at application"), max_length=16, blank=True)
    contact_address = models.CharField(_("address at application"), max_length=255, blank=True)
    contact_rt = models.CharField(_("RT at application"), max_length=3, blank=True)
    contact_rw = models.CharField(_("RW at application"), max_length=3, blank=True)
    contact_kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("kelurahan at application"),
    )
    contact_household_size = models.PositiveSmallIntegerField(
        _("household size at application"), null=True, blank=True
    )
    contact_occupation = models.CharField(_("occupation at application"), max_length=100, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["applicant", "intake"], name="application_one_per_intake"),
            models.CheckConstraint(
                condition=Q(program_alt__isnull=True) | ~Q(program_alt=models.F("program")),
                name="application_alt_differs",
            ),
            # Empty once retention has anonymised the person.
            models.CheckConstraint(
                condition=Q(contact_kk_number="") | Q(contact_kk_number__identity_shape="nik"),
                name="application_contact_kk_ascii_digits",
            ),
        ]
        indexes = [
            models.Index(fields=["intake", "status"]),
            models.Index(fields=["intake", "program"]),
            models.Index(fields=["eligibility"]),
            # Register filters without an intake (status/source), newest first.
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["source", "submitted_at"]),
            models.Index(fields=["intake", "contact_kk_number"]),  # the cap of applications per KK
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.applicant_id and not self.contact_phone:
            self.snapshot_contact(self.applicant)  # staff and seed paths: the person's details as they are
        super().save(*args, **kwargs)

    def snapshot_contact(self, source) -> None:
        """Copy the contact details (CONTACT_FIELDS) from an Applicant or a mapping of cleaned form data."""
        for name in CONTACT_FIELDS:
            value = getattr(source, name, None) if isinstance(source, Applicant) else source.get(name)
            if name == "household_size":
                setattr(self, f"contact_{name}", value)
            elif name == "kelurahan":
                self.contact_kelurahan = value
            else:
                setattr(self, f"contact_{name}", value or "")

    def contact_rows(self, mask=None) -> list[dict]:
        """The contact details of this application beside the person's record, with `changed` flags.

        `mask` masks the KK for users without full-identity access."""
        person = self.applicant
        show = mask or (lambda value: value)
        rows = []
        for name in CONTACT_FIELDS:
            given = getattr(self, f"contact_{name}")
            current = getattr(person, name)
            if name == "kk_number":
                given, current = show(given), show(current)
            rows.append({
                "label": self._meta.get_field(f"contact_{name}").verbose_name,
                "given": "" if given is None else given,
                "current": "" if current is None else current,
                "changed": given not in (None, "") and str(given) != str(current),
            })
        return rows

    def clean(self):
        """Rules of one intake: its programs only, two different choices, age within its bounds."""
        errors = {}
        intake = self.intake if self.intake_id else None
        if intake is not None:
            offered = {program.pk for program in intake.programs.all()}  # uses a prefetch when present
            if self.program_id and self.program_id not in offered:
                errors["program"] = _("This program is not open in this intake.")
            if self.program_alt_id and self.program_alt_id not in offered:
                errors["program_alt"] = _("This program is not open in this intake.")
            applicant_field = self._meta.get_field("applicant")
            has_applicant = self.applicant_id is not None or applicant_field.is_cached(self)
            birth_date = self.applicant.birth_date if has_applicant else None
            if birth_date:
                age = identity.age_on(birth_date, timezone.localdate())
                if not intake.min_age <= age <= intake.max_age:
                    errors["applicant"] = _(
                        "This program is for residents aged %(min)s to %(max)s (you are %(age)s)."
                    ) % {"min": intake.min_age, "max": intake.max_age, "age": age}
        if self.program_id and self.program_alt_id and self.program_id == self.program_alt_id:
            errors["program_alt"] = _("The second choice must be different from the first choice.")
        if errors:
            raise ValidationError(errors)

    def assign_reference(self) -> None:
        """SK-<intake year>-<6-digit id>: unique because the id is, readable on the phone."""
        self.reference = f"SK-{self.intake.year}-{self.pk:06d}"
        type(self).objects.filter(pk=self.pk).update(reference=self.reference)

    def override_eligibility(self, user, reason: str) -> None:
        """An editor accepts an undecided applicant despite the register check (e.g. a register update
        is pending at the kelurahan). Needs a reason; moves the application to verified; audit-logged.
        The check's own result stays in `eligibility` as evidence."""
        from wagtail.log_actions import log

        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"eligibility_override_reason": _("Override reason is required.")})
        undecided = (ApplicationStatus.SUBMITTED, ApplicationStatus.VERIFIED, ApplicationStatus.NOT_ELIGIBLE)
        if self.status not in undecided:
            raise ValidationError(_("Overrides are only for applications that have not been decided yet."))
        now = timezone.now()
        previous = self.status
        self.eligibility_override = True
        self.eligibility_override_reason = reason
        self.eligibility_override_by = user
        self.eligibility_override_at = now
        with transaction.atomic():
            self.save(update_fields=[
                "eligibility_override", "eligibility_override_reason", "eligibility_override_by",
                "eligibility_override_at",
            ])
            if self.status != ApplicationStatus.VERIFIED:
                self.transition_to(ApplicationStatus.VERIFIED, user, note=reason)  # the workflow logs the move
            log(self, "sigap.eligibility_override", user=user, data={
                "reason": reason, "eligibility": self.eligibility, "from": previous, "to": self.status,
            })
