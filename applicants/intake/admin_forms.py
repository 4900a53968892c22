"""Admin forms for walk-in and paper applications, validated like the public interest form.

The rules live in the models and `identity`: `Applicant.clean()` checks NIK, KK, phone and the birth
date against the NIK. These forms only gather the fields of both records on one page, check the
intake rules (age bounds, one application per NIK per intake, the intake's programs) and save both
records in one transaction.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from applicants import identity
from applicants.enums import Sex, Source
from applicants.models import Applicant, Application, ConsentVersion
from programs.models import Kelurahan

APPLICANT_FIELDS = (
    "nik", "kk_number", "full_name", "birth_date", "phone", "address", "rt", "rw", "kelurahan",
    "household_size", "occupation",
)
# Paper and walk-in forms are entered by staff; "online" is only the public form's.
ADMIN_SOURCES = [(Source.WALK_IN.value, Source.WALK_IN.label), (Source.STAFF.value, Source.STAFF.label)]


class _FirstErrorPerFieldMixin:
    """Model clean() re-checks what the form already refused; keep one message per field, not two."""

    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            fresh = {name: errs for name, errs in error.error_dict.items() if name not in self.errors}
            if not fresh:
                return
            error = ValidationError(fresh)
        elif field is not None and field in self.errors:
            return
        super().add_error(field, error)


class ApplicantAdminForm(_FirstErrorPerFieldMixin, WagtailAdminModelForm):
    """One person. Numbers may be typed with spaces or dots; they are stored as digits / E.164."""

    nik = forms.CharField(label=_("NIK"), max_length=40)
    kk_number = forms.CharField(label=_("family card (KK) number"), max_length=40)
    phone = forms.CharField(label=_("mobile number"), max_length=30, help_text=_("e.g. 0812 3456 7890"))

    class Meta:
        model = Applicant
        fields = list(APPLICANT_FIELDS)
        widgets = {"birth_date": AdminDateInput}

    def clean_nik(self):
        return identity.parse_nik(self.cleaned_data["nik"]).nik

    def clean_kk_number(self):
        return identity.parse_kk(self.cleaned_data["kk_number"])

    def clean_phone(self):
        return identity.parse_mobile(self.cleaned_data["phone"])

    def clean_rt(self):
        return identity.parse_rt_rw(self.cleaned_data["rt"], "RT")

    def clean_rw(self):
        return identity.parse_rt_rw(self.cleaned_data["rw"], "RW")


class ApplicationAdminForm(_FirstErrorPerFieldMixin, WagtailAdminModelForm):
    """A walk-in or paper application: the person's fields and the application's, saved together."""

    nik = forms.CharField(label=_("NIK"), max_length=40)
    kk_number = forms.CharField(label=_("KK number"), max_length=40)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    birth_date = forms.DateField(label=_("Date of birth"), widget=AdminDateInput)
    phone = forms.CharField(label=_("Mobile number"), max_length=30, help_text=_("e.g. 0812 3456 7890"))
    address = forms.CharField(label=_("Address"), max_length=255)
    rt = forms.CharField(label=_("RT"), max_length=3)
    rw = forms.CharField(label=_("RW"), max_length=3)
    kelurahan = forms.ModelChoiceField(label=_("Kelurahan"), queryset=Kelurahan.objects.select_related("kecamatan"))
    household_size = forms.IntegerField(label=_("Household size"), min_value=1, max_value=30)
    occupation = forms.CharField(label=_("Current occupation"), max_length=100, required=False)
    consent = forms.BooleanField(
        label=_("Applicant consents to data processing (signed paper form)"), required=False
    )

    class Meta:
        model = Application
        # Status is not edited here: it moves only through the workflow (admin "Ubah status" screen).
        fields = ["intake", "program", "program_alt", "dtks_self_report", "motivation", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            self.fields["source"].choices = ADMIN_SOURCES
            if not self.instance.pk:
                self.fields["source"].initial = Source.WALK_IN
        applicant = self.instance.applicant if self.instance.pk else None
        if applicant is not None:
            for name in APPLICANT_FIELDS:
                if name in self.fields:
                    self.initial.setdefault(name, getattr(applicant, name if name != "kelurahan" else "kelurahan_id"))
        elif "consent" in self.fields:
            self.fields["consent"].required = True
        if self.instance.pk and self.instance.source == Source.ONLINE and "source" in self.fields:
            self.fields["source"].choices = [(Source.ONLINE.value, Source.ONLINE.label), *ADMIN_SOURCES]

    def clean_nik(self):
        return identity.parse_nik(self.cleaned_data["nik"]).nik

    def clean_kk_number(self):
        return identity.parse_kk(self.cleaned_data["kk_number"])

    def clean_phone(self):
        return identity.parse_mobile(self.cleaned_data["phone"])

    def clean_rt(self):
        return identity.parse_rt_rw(self.cleaned_data["rt"], "RT")

    def clean_rw(self):
        return identity.parse_rt_rw(self.cleaned_data["rw"], "RW")

    def clean(self):
        cleaned = super().clean()
        self.applicant = self._build_applicant(cleaned)
        intake = cleaned.get("intake")
        if intake is not None and self.applicant is not None:
            self._check_intake_rules(intake, cleaned)
        return cleaned

    def _build_applicant(self, cleaned) -> Applicant | None:
        """The person behind the application: the linked one on edit, else found by NIK or new."""
        if self.instance.pk:
            applicant = self.instance.applicant
        else:
            applicant = Applicant.objects.filter(nik=cleaned.get("nik")).first() or Applicant()
        for name in APPLICANT_FIELDS:
            if name in cleaned:
                setattr(applicant, name, cleaned[name])
        if not applicant.sex:
            applicant.sex = Sex.MALE  # replaced from the NIK by Applicant.clean()
        try:
            applicant.full_clean(exclude=[name for name in APPLICANT_FIELDS if name in self.errors])
        except ValidationError as exc:
            self.add_error(None, _only_form_fields(exc, self.fields))
            return None
        return applicant

    def _check_intake_rules(self, intake, cleaned) -> None:
        today = timezone.localdate()
        age = self.applicant.age_on(today)
        if not intake.min_age <= age <= intake.max_age:
            self.add_error("birth_date", _("Age %(age)s is outside this intake's age limits (%(min)s-%(max)s years).")
                           % {"age": age, "min": intake.min_age, "max": intake.max_age})
        program = cleaned.get("program")
        offered = set(intake.programs.values_list("pk", flat=True))
        if program is not None and program.pk not in offered:
            self.add_error("program", _("This program is not open in the selected intake."))
        alt = cleaned.get("program_alt")
        if alt is not None and alt.pk not in offered:
            self.add_error("program_alt", _("This program is not open in the selected intake."))
        if alt is not None and program is not None and alt == program:
            self.add_error("program_alt", _("The second choice must be different from the first choice."))
        if self.applicant.pk:
            others = Application.objects.filter(applicant=self.applicant, intake=intake).exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("nik", _("This NIK is already registered in that intake."))

    @transaction.atomic
    def save(self, commit=True):
        application = super().save(commit=False)
        self.applicant.save()
        application.applicant = self.applicant
        if not application.pk and self.cleaned_data.get("consent"):
            application.consent_version = ConsentVersion.current()
            application.consent_at = timezone.now()
        if commit:
            application.save()
            if not application.reference:
                application.assign_reference()
        return application


def _only_form_fields(exc: ValidationError, fields) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    merged: dict[str, list] = {}
    for name, errs in exc.error_dict.items():
        merged.setdefault(name if name in fields else NON_FIELD_ERRORS, []).extend(errs)
    return ValidationError(merged)
