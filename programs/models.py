"""What Dinsos offers: the region reference, the skills catalogue and intakes (rounds) with quotas.

This app holds no personal data; `applicants` builds on it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site


class Kecamatan(models.Model):
    """A district of Kota Tangerang, keyed by its Kemendagri code (36.71.KK)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self) -> str:
        return self.name


class Kelurahan(models.Model):
    """A sub-district, keyed by its Kemendagri code (36.71.KK.NNNN). Names repeat: never key by name."""

    code = models.CharField(_("code"), max_length=13, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kecamatan = models.ForeignKey(Kecamatan, on_delete=models.PROTECT, related_name="kelurahan_set")
    aliases = models.JSONField(_("alternative spellings"), default=list, blank=True)

    class Meta:
        ordering = ["kecamatan__name", "name"]
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")

    def __str__(self) -> str:
        return f"{self.name} ({self.kecamatan.name})"


class Program(models.Model):
    """A skill Dinsos trains (Tata Boga, Barbershop, ...). Announced per intake by a ProgramPage."""

    name = models.CharField(_("skill name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    next_round_note = models.CharField(
        _("next round expected"), max_length=200, blank=True,
        help_text=_("Shown on the program's pages while registration is closed, e.g. \"March 2027\" or "
                    "\"early next year, after the budget is approved\". Leave empty when unknown."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("skills program")
        verbose_name_plural = _("skills programs")

    def __str__(self) -> str:
        return self.name

    def refuse_delete_reason(self) -> str:
        """Why this program may not be deleted ('' when it may): intakes, classes and applications name it."""
        if self.pk and (self.intakes.exists() or self.cohorts.exists()):
            return _("This program is already used by an intake or class; deactivate it instead (untick “active”).")
        return ""


class Intake(models.Model):
    """One round of the program (e.g. "Pelatihan Keterampilan 2026 Gelombang 1")."""

    name = models.CharField(_("intake name"), max_length=150, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    registration_opens = models.DateField(_("registration opens"))
    registration_closes = models.DateField(_("registration closes"))
    programs = models.ManyToManyField(Program, related_name="intakes", verbose_name=_("program"))
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), default=59)
    default_quota = models.PositiveIntegerField(
        _("quota per kelurahan"), default=50,
        help_text=_("Initial quota for newly added target kelurahan."),
    )
    total_target = models.PositiveIntegerField(
        _("total target (KK)"), default=800, validators=[MinValueValidator(1)]
    )
    quota_difference_reason = models.CharField(
        _("reason the quota total differs from the target"), max_length=255, blank=True,
        help_text=_("Required if the kelurahan quota total differs from the total target."),
    )
    max_applications_per_kk = models.PositiveSmallIntegerField(
        _("maximum applicants per KK"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no limit."),
    )
    max_desil = models.PositiveSmallIntegerField(
        _("maximum desil"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Only residents with a DTSEN desil up to this number pass verification."),
    )
    # Interview rubric weights. Scores are 1-5; the weighted mean ranks candidates.
    weight_motivation = models.PositiveSmallIntegerField(
        _("motivation weight"), default=1, validators=[MaxValueValidator(10)]
    )
    weight_readiness = models.PositiveSmallIntegerField(
        _("readiness and time weight"), default=1, validators=[MaxValueValidator(10)]
    )
    weight_business_potential = models.PositiveSmallIntegerField(
        _("business potential weight"), default=1, validators=[MaxValueValidator(10)]
    )
    weight_household_need = models.PositiveSmallIntegerField(
        _("family need weight"), default=1, validators=[MaxValueValidator(10)]
    )

    WEIGHT_FIELDS = ("weight_motivation", "weight_readiness", "weight_business_potential", "weight_household_need")

    class Meta:
        ordering = ["-registration_opens"]
        verbose_name = _("registration intake")
        verbose_name_plural = _("registration intakes")
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes__gte=models.F("registration_opens")),
                name="intake_window_ordered",
            ),
            models.CheckConstraint(condition=Q(max_age__gte=models.F("min_age")), name="intake_age_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.registration_opens and self.registration_closes and (
            self.registration_closes < self.registration_opens
        ):
            raise ValidationError(
                {"registration_closes": _("The closing date cannot be before the opening date.")}
            )
        if self.min_age is not None and self.max_age is not None and self.max_age < self.min_age:
            raise ValidationError({"max_age": _("The maximum age cannot be below the minimum age.")})
        if all(getattr(self, name) is not None for name in self.WEIGHT_FIELDS) and not any(
            getattr(self, name) for name in self.WEIGHT_FIELDS
        ):
            raise ValidationError(
                {"weight_motivation": _("At least one interview weight must be above 0 so candidates can be ranked.")}
            )
        if self.pk and self.total_target:
            error = self.quota_total_error()
            if error:
                raise ValidationError({"total_target": error})

    def quota_total_error(self, quotas: dict[int, int] | None = None, reason: str | None = None) -> str:
        """Why the kelurahan quotas may not stand against the target ('' when they may).

        Quotas summing to something else than the target are allowed only with a stated reason, so a
        typo in one kelurahan is not mistaken for a decision."""
        total = sum((quotas if quotas is not None else self.quotas_by_kelurahan).values())
        reason = self.quota_difference_reason if reason is None else reason
        if not total or total == self.total_target or reason.strip():
            return ""
        return _(
            "The kelurahan quota total %(total)s differs from the total target "
            "%(target)s. Adjust the quotas or the target, or give a reason."
        ) % {"total": total, "target": self.total_target}

    def refuse_delete_reason(self) -> str:
        """Why this intake may not be deleted ('' when it may): applications and classes keep it."""
        if self.pk and self.applications.exists():
            return _("This intake already has applicants; it cannot be deleted.")
        if self.pk and self.cohorts.exists():
            return _("This intake already has classes; it cannot be deleted.")
        return ""

    def registration_state(self, today=None) -> str:
        """'upcoming', 'open' or 'closed' on the given Asia/Jakarta date (both window days included)."""
        today = today or timezone.localdate()
        if today < self.registration_opens:
            return "upcoming"
        if today > self.registration_closes:
            return "closed"
        return "open"

    @property
    def is_open(self) -> bool:
        return self.registration_state() == "open"

    @classmethod
    def open_intakes(cls, today=None):
        today = today or timezone.localdate()
        return cls.objects.filter(registration_opens__lte=today, registration_closes__gte=today)

    def quota_for(self, kelurahan) -> int | None:
        """The quota for a targeted kelurahan, or None when the intake does not target it."""
        return self.quotas_by_kelurahan.get(kelurahan.pk)

    @cached_property
    def quotas_by_kelurahan(self) -> dict[int, int]:
        return dict(self.quotas.values_list("kelurahan_id", "quota"))


class KelurahanQuota(models.Model):
    """A kelurahan targeted by an intake and how many families it may send."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="quotas")
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="quotas")
    quota = models.PositiveIntegerField(_("quota"), default=50)

    class Meta:
        verbose_name = _("kelurahan quota")
        verbose_name_plural = _("kelurahan quotas")
        constraints = [
            models.UniqueConstraint(fields=["intake", "kelurahan"], name="quota_one_per_kelurahan"),
        ]

    def __str__(self) -> str:
        return f"{self.intake} · {self.kelurahan.name}: {self.quota}"


@register_setting(icon="doc-full")
class Letterhead(BaseSiteSetting):
    """Kop surat printed on every document the office files (daftar hadir, award list, handover record)."""

    government = models.CharField(_("line 1 (government)"), max_length=120, default="PEMERINTAH KOTA TANGERANG")
    agency = models.CharField(_("line 2 (office)"), max_length=120, default="DINAS SOSIAL")
    address = models.CharField(
        _("address"), max_length=255, blank=True,
        default="Jl. Satria Sudirman No. 1, Sukaasih, Kec. Tangerang, Kota Tangerang, Banten 15111",
    )
    contact = models.CharField(_("phone, email, website"), max_length=255, blank=True)
    city = models.CharField(_("city of signing"), max_length=60, default="Tangerang")
    signatory_title = models.CharField(_("signatory title"), max_length=120, default="Kepala Dinas Sosial")
    signatory_name = models.CharField(_("signatory name"), max_length=120, blank=True)
    signatory_nip = models.CharField(_("signatory NIP"), max_length=30, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("logo"),
    )

    class Meta:
        verbose_name = _("letterhead")

    @classmethod
    def for_print(cls, request) -> Letterhead:
        """The site's letterhead, or the defaults when no site matches the request (nothing is saved)."""
        site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
        return cls.for_site(site) if site is not None else cls()


class Holiday(models.Model):
    """A day the office is closed (national holiday, cuti bersama, local event): no interview is scheduled."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("holiday name"), max_length=150)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.name}"

    @classmethod
    def dates_between(cls, first, last) -> set:
        return set(cls.objects.filter(date__gte=first, date__lte=last).values_list("date", flat=True))


# --- Delivery: instructors, cohorts (kelas), sessions and capital packages --------------
# No personal data here: participants, attendance and awards live in `applicants.models.delivery`.


class Instructor(models.Model):
    """A trainer for one skill. Contact data is staff data, not a resident's."""

    name = models.CharField(_("name"), max_length=150)
    skill = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="instructors", verbose_name=_("skill")
    )
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")

    def __str__(self) -> str:
        return f"{self.name} ({self.skill})"


class Cohort(models.Model):
    """A class (kelas) of one program in one intake, with its completion rule."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("intake"))
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("program"))
    name = models.CharField(_("class name"), max_length=150)
    instructors = models.ManyToManyField(
        Instructor, blank=True, related_name="cohorts", verbose_name=_("instructor")
    )
    venue = models.CharField(_("venue"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=20, validators=[MinValueValidator(1)])
    min_attendance_pct = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    min_final_score = models.PositiveSmallIntegerField(
        _("minimum final score"), default=60, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.UniqueConstraint(fields=["intake", "name"], name="cohort_name_unique_per_intake"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="cohort_dates_ordered"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cohort_capacity_positive"),
        ]
        indexes = [models.Index(fields=["intake", "program"]), models.Index(fields=["end_date"])]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
        if self.intake_id and self.program_id and not self.intake.programs.filter(pk=self.program_id).exists():
            raise ValidationError({"program": _("This program is not offered in that intake.")})


class CohortSession(models.Model):
    """One meeting of a class. `held` turns true when its attendance is saved; only held sessions count."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session number"))
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    held = models.BooleanField(_("held"), default=False)

    class Meta:
        ordering = ["cohort", "number"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "number"], name="cohort_session_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} · {_('Pertemuan')} {self.number} ({self.date:%d-%m-%Y})"


class CapitalPackage(models.Model):
    """A business-capital package (paket modal usaha) for a program, valued in whole Rupiah."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="capital_packages", verbose_name=_("program")
    )
    name = models.CharField(_("package name"), max_length=150)
    contents = models.TextField(_("package contents"))
    value_rupiah = models.PositiveBigIntegerField(_("value (Rp)"), validators=[MinValueValidator(1)])
    for_groups = models.BooleanField(_("for KUB"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["program__name", "name"]
        verbose_name = _("business capital package")
        verbose_name_plural = _("business capital packages")
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="capital_package_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} (Rp {self.value_rupiah:,})".replace(",", ".")


class CapitalPackageItem(models.Model):
    """One line of a capital package: what is handed over, how many, at what value, from which supplier."""

    package = models.ForeignKey(CapitalPackage, on_delete=models.CASCADE, related_name="items",
                                verbose_name=_("business capital package"))
    name = models.CharField(_("item"), max_length=150)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("E.g. unit, set, kg."))
    unit_value_rupiah = models.PositiveBigIntegerField(_("unit price (Rp)"))
    supplier = models.CharField(_("supplier"), max_length=150, blank=True)

    class Meta:
        ordering = ["package", "pk"]
        verbose_name = _("capital package item")
        verbose_name_plural = _("capital package items")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="package_item_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.name}".replace("  ", " ")

    @property
    def value_rupiah(self) -> int:
        return self.quantity * self.unit_value_rupiah


# Background register exports (programs/registers/jobs.py). Defined beside the register machinery.
from .registers.models import ExportJob  # noqa: E402,F401
