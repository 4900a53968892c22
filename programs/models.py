"""What Dinsos offers: the region reference, the skills catalogue and intakes (rounds) with quotas.

This app holds no personal data; `applicants` builds on it.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Kecamatan(models.Model):
    """A district of Kota Tangerang, keyed by its Kemendagri code (36.71.KK)."""

    code = models.CharField(_("kode"), max_length=8, unique=True)
    name = models.CharField(_("nama"), max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self) -> str:
        return self.name


class Kelurahan(models.Model):
    """A sub-district, keyed by its Kemendagri code (36.71.KK.NNNN). Names repeat: never key by name."""

    code = models.CharField(_("kode"), max_length=13, unique=True)
    name = models.CharField(_("nama"), max_length=80)
    kecamatan = models.ForeignKey(Kecamatan, on_delete=models.PROTECT, related_name="kelurahan_set")
    aliases = models.JSONField(_("ejaan lain"), default=list, blank=True)

    class Meta:
        ordering = ["kecamatan__name", "name"]
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")

    def __str__(self) -> str:
        return f"{self.name} ({self.kecamatan.name})"


class Program(models.Model):
    """A skill Dinsos trains (Tata Boga, Barbershop, ...). Announced per intake by a ProgramPage."""

    name = models.CharField(_("nama keterampilan"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("deskripsi"), blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("program keterampilan")
        verbose_name_plural = _("program keterampilan")

    def __str__(self) -> str:
        return self.name


class Intake(models.Model):
    """One round of the program (e.g. "Pelatihan Keterampilan 2026 Gelombang 1")."""

    name = models.CharField(_("nama gelombang"), max_length=150, unique=True)
    year = models.PositiveSmallIntegerField(_("tahun"))
    registration_opens = models.DateField(_("pendaftaran dibuka"))
    registration_closes = models.DateField(_("pendaftaran ditutup"))
    programs = models.ManyToManyField(Program, related_name="intakes", verbose_name=_("program"))
    min_age = models.PositiveSmallIntegerField(_("usia minimum"), default=18)
    max_age = models.PositiveSmallIntegerField(_("usia maksimum"), default=59)
    default_quota = models.PositiveIntegerField(_("kuota per kelurahan"), default=50)
    total_target = models.PositiveIntegerField(_("target total (KK)"), default=800)
    max_applications_per_kk = models.PositiveSmallIntegerField(
        _("maksimum pendaftar per KK"),
        null=True,
        blank=True,
        help_text=_("Kosongkan bila tidak dibatasi."),
    )
    max_desil = models.PositiveSmallIntegerField(
        _("desil maksimum"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Hanya warga dengan desil DTSEN sampai angka ini yang lolos verifikasi."),
    )
    # Interview rubric weights (issue: selection). Scores are 1-5; the weighted mean ranks candidates.
    weight_motivation = models.PositiveSmallIntegerField(_("bobot motivasi"), default=1)
    weight_readiness = models.PositiveSmallIntegerField(_("bobot kesiapan dan waktu"), default=1)
    weight_business_potential = models.PositiveSmallIntegerField(_("bobot potensi usaha"), default=1)
    weight_household_need = models.PositiveSmallIntegerField(_("bobot kebutuhan keluarga"), default=1)

    class Meta:
        ordering = ["-registration_opens"]
        verbose_name = _("gelombang pendaftaran")
        verbose_name_plural = _("gelombang pendaftaran")
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
                {"registration_closes": _("Tanggal tutup tidak boleh sebelum tanggal buka.")}
            )
        if self.min_age is not None and self.max_age is not None and self.max_age < self.min_age:
            raise ValidationError({"max_age": _("Usia maksimum tidak boleh di bawah usia minimum.")})

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
    quota = models.PositiveIntegerField(_("kuota"), default=50)

    class Meta:
        verbose_name = _("kuota kelurahan")
        verbose_name_plural = _("kuota kelurahan")
        constraints = [
            models.UniqueConstraint(fields=["intake", "kelurahan"], name="quota_one_per_kelurahan"),
        ]

    def __str__(self) -> str:
        return f"{self.intake} · {self.kelurahan.name}: {self.quota}"


# --- Delivery (issue 5): instructors, cohorts (kelas), sessions and capital packages --------------
# No personal data here: participants, attendance and awards live in `applicants.models.delivery`.


class Instructor(models.Model):
    """A trainer for one skill. Contact data is staff data, not a resident's."""

    name = models.CharField(_("nama"), max_length=150)
    skill = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="instructors", verbose_name=_("keterampilan")
    )
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("instruktur")
        verbose_name_plural = _("instruktur")

    def __str__(self) -> str:
        return f"{self.name} ({self.skill})"


class Cohort(models.Model):
    """A class (kelas) of one program in one intake, with its completion rule."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Direncanakan")
        RUNNING = "running", _("Berjalan")
        COMPLETED = "completed", _("Selesai")

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("gelombang"))
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("program"))
    name = models.CharField(_("nama kelas"), max_length=150)
    instructors = models.ManyToManyField(
        Instructor, blank=True, related_name="cohorts", verbose_name=_("instruktur")
    )
    venue = models.CharField(_("tempat"), max_length=200)
    start_date = models.DateField(_("tanggal mulai"))
    end_date = models.DateField(_("tanggal selesai"))
    capacity = models.PositiveSmallIntegerField(_("kapasitas"), default=20, validators=[MinValueValidator(1)])
    min_attendance_pct = models.PositiveSmallIntegerField(
        _("kehadiran minimum (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    min_final_score = models.PositiveSmallIntegerField(
        _("nilai akhir minimum"), default=60, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("kelas")
        verbose_name_plural = _("kelas")
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
            raise ValidationError({"end_date": _("Tanggal selesai tidak boleh sebelum tanggal mulai.")})
        if self.intake_id and self.program_id and not self.intake.programs.filter(pk=self.program_id).exists():
            raise ValidationError({"program": _("Program ini tidak dibuka pada gelombang tersebut.")})


class CohortSession(models.Model):
    """One meeting of a class. `held` turns true when its attendance is saved; only held sessions count."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("pertemuan ke"))
    date = models.DateField(_("tanggal"))
    topic = models.CharField(_("materi"), max_length=200, blank=True)
    held = models.BooleanField(_("terlaksana"), default=False)

    class Meta:
        ordering = ["cohort", "number"]
        verbose_name = _("pertemuan")
        verbose_name_plural = _("pertemuan")
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
    name = models.CharField(_("nama paket"), max_length=150)
    contents = models.TextField(_("isi paket"))
    value_rupiah = models.PositiveBigIntegerField(_("nilai (Rp)"))
    for_groups = models.BooleanField(_("untuk KUB"), default=False)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["program__name", "name"]
        verbose_name = _("paket modal usaha")
        verbose_name_plural = _("paket modal usaha")
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="capital_package_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} (Rp {self.value_rupiah:,})".replace(",", ".")


class CapitalPackageItem(models.Model):
    """One line of a capital package: what is handed over, how many, at what value, from which supplier."""

    package = models.ForeignKey(CapitalPackage, on_delete=models.CASCADE, related_name="items",
                                verbose_name=_("paket modal usaha"))
    name = models.CharField(_("barang"), max_length=150)
    quantity = models.PositiveIntegerField(_("jumlah"), default=1, validators=[MinValueValidator(1)])
    unit = models.CharField(_("satuan"), max_length=30, blank=True, help_text=_("Mis. unit, set, kg."))
    unit_value_rupiah = models.PositiveBigIntegerField(_("harga satuan (Rp)"))
    supplier = models.CharField(_("pemasok"), max_length=150, blank=True)

    class Meta:
        ordering = ["package", "pk"]
        verbose_name = _("barang paket modal")
        verbose_name_plural = _("barang paket modal")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="package_item_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.name}".replace("  ", " ")

    @property
    def value_rupiah(self) -> int:
        return self.quantity * self.unit_value_rupiah


# Background register exports (programs/registers/jobs.py). Defined beside the register machinery.
from .registers.models import ExportJob  # noqa: E402,F401
