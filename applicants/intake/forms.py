"""The interest form: the public page uses it, and the admin reuses it for walk-in and paper forms.

Field names are a contract (other pages and tools post to them): nik, kk_number, full_name, birth_date,
phone, address, rt, rw, kelurahan, program, program_alt, household_size, occupation, dtks_status,
motivation, consent. Every error is a plain Indonesian sentence shown next to its field.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from applicants import identity
from applicants.enums import DtksSelfReport
from applicants.models import Applicant, Application
from programs.models import Intake, Kelurahan, Program

HONEYPOT_FIELD = "website"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]


def _required(message) -> dict:
    return {"required": message}


class KelurahanByKecamatanIterator(ModelChoiceIterator):
    """Yield kelurahan grouped by kecamatan, so the <select> shows one <optgroup> per kecamatan.

    Reads plain (code, name) rows instead of model instances: this list renders on every form view.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        if self.field.preloaded is not None:
            rows = [(k.code, k.name, k.kecamatan.name) for k in self.field.preloaded]
        else:
            rows = self.queryset.order_by("kecamatan__name", "name").values_list("code", "name", "kecamatan__name")
        for code, name, kecamatan in rows:
            groups.setdefault(kecamatan, []).append((code, name))
        for kecamatan, options in groups.items():
            yield (f"Kecamatan {kecamatan}", options)


class FastSelect(forms.Select):
    """A <select> rendered in Python: Django renders each <option> through a template, which made the
    form page (104 kelurahan) cost several times a plain page view on a busy server."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        parts = [format_html("<select{}>", flatatt(final_attrs))]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(self._option(v, text, selected) for v, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, label, selected))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is built with format_html

    @staticmethod
    def _option(value, label, selected: set[str]) -> str:
        value = "" if value is None else str(value)
        marker = mark_safe(" selected") if value in selected else ""
        return format_html('<option value="{}"{}>{}</option>', value, marker, label)


class PreloadedIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.preloaded is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.preloaded:
            yield self.choice(obj)


class PreloadedChoiceMixin:
    """Choices rendered and checked against objects loaded beforehand, when `preload()` was called (the
    public page keeps them per process): no query to render or validate the field."""

    preloaded: list | None = None

    def preload(self, objects) -> None:
        self.preloaded = list(objects)
        self._preloaded_by_key = {str(getattr(obj, self.to_field_name or "pk")): obj for obj in self.preloaded}
        self.widget.choices = self.choices

    def to_python(self, value):
        if self.preloaded is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return self._preloaded_by_key[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


class KelurahanField(PreloadedChoiceMixin, forms.ModelChoiceField):
    iterator = KelurahanByKecamatanIterator
    widget = FastSelect

    def label_from_instance(self, obj) -> str:
        return obj.name


class ProgramField(PreloadedChoiceMixin, forms.ModelChoiceField):
    iterator = PreloadedIterator
    widget = FastSelect

    def label_from_instance(self, obj) -> str:
        return obj.name


def _numeric(placeholder: str = "", autocomplete: str = "off", maxlength: int | None = None) -> forms.TextInput:
    attrs = {"inputmode": "numeric", "autocomplete": autocomplete}
    if placeholder:
        attrs["placeholder"] = placeholder
    if maxlength:
        attrs["maxlength"] = str(maxlength)
    return forms.TextInput(attrs=attrs)


@dataclass(frozen=True)
class FormChoices:
    """What the choice fields offer, loaded once: every kelurahan (with its kecamatan, in display order)
    and the intake's active programs by name."""

    kelurahan: list[Kelurahan]
    programs: list[Program]

    @classmethod
    def load(cls, intake: Intake) -> "FormChoices":
        kelurahan = list(Kelurahan.objects.select_related("kecamatan").order_by("kecamatan__name", "name"))
        programs = sorted((p for p in intake.programs.all() if p.is_active), key=lambda p: p.name)
        return cls(kelurahan=kelurahan, programs=programs)


class InterestForm(forms.Form):
    """Validates one resident's registration for one intake; `cleaned_data` feeds submit_application()."""

    nik = forms.CharField(
        label=_("NIK (national identity number)"),
        help_text=_("16 digits, see your KTP or family card (Kartu Keluarga)."),
        max_length=24,
        widget=_numeric("3671xxxxxxxxxxxx", maxlength=24),
        error_messages=_required(_("NIK is required.")),
    )
    kk_number = forms.CharField(
        label=_("Family card number (KK)"),
        help_text=_("16 digits at the top of the family card (Kartu Keluarga)."),
        max_length=24,
        widget=_numeric(maxlength=24),
        error_messages=_required(_("KK number is required.")),
    )
    full_name = forms.CharField(
        label=_("Full name as on your KTP"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
        error_messages=_required(_("Full name is required.")),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Date of birth is required."),
            "invalid": _("Date of birth is not valid. Example: 31-12-1990."),
        },
    )
    phone = forms.CharField(
        label=_("Mobile/WhatsApp number"),
        help_text=_("The interview invitation is sent to this number."),
        max_length=24,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel",
                                      "placeholder": "0812 3456 7890"}),
        error_messages=_required(_("Mobile number is required.")),
    )
    address = forms.CharField(
        label=_("Address (street, alley, house number)"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        error_messages=_required(_("Address is required.")),
    )
    rt = forms.CharField(
        label=_("RT"), max_length=3, widget=_numeric("001", maxlength=3),
        error_messages={"required": _("RT is required."), "max_length": _("RT must be a number, e.g. 001.")},
    )
    rw = forms.CharField(
        label=_("RW"), max_length=3, widget=_numeric("002", maxlength=3),
        error_messages={"required": _("RW is required."), "max_length": _("RW must be a number, e.g. 002.")},
    )
    kelurahan = KelurahanField(
        label=_("Kelurahan of residence"),
        queryset=Kelurahan.objects.all(),
        to_field_name="code",
        empty_label=_("— select kelurahan —"),
        error_messages={
            "required": _("Select the kelurahan where you live."),
            "invalid_choice": _("Select a kelurahan from the list."),
        },
    )
    program = ProgramField(
        label=_("First-choice program"),
        queryset=Program.objects.none(),
        to_field_name="slug",
        empty_label=_("— select program —"),
        error_messages={
            "required": _("Select the program you are interested in."),
            "invalid_choice": _("Select a program from the list."),
        },
    )
    program_alt = ProgramField(
        label=_("Second-choice program (optional)"),
        queryset=Program.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("— none —"),
        error_messages={"invalid_choice": _("Select a program from the list.")},
    )
    household_size = forms.IntegerField(
        label=_("Number of family members on the KK"),
        min_value=1,
        max_value=30,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1", "max": "30"}),
        error_messages={
            "required": _("Number of family members is required."),
            "invalid": _("Enter a number, e.g. 4."),
            "min_value": _("At least 1 person."),
            "max_value": _("At most 30 people."),
        },
    )
    occupation = forms.CharField(
        label=_("Current occupation (optional)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    dtks_status = forms.ChoiceField(
        label=_("Is your family registered in DTKS/DTSEN (the social assistance data)?"),
        choices=[
            (DtksSelfReport.REGISTERED, _("Yes, registered")),
            (DtksSelfReport.NOT_REGISTERED, _("Not registered")),
            (DtksSelfReport.UNSURE, _("Don't know")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the answers."), "invalid_choice": _("Choose one of the answers.")},
    )
    motivation = forms.CharField(
        label=_("Why do you want to join this training?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to my data being processed for this program."),
        error_messages=_required(_("You need to accept the privacy notice to apply.")),
    )
    # Honeypot: people never see it; bots fill every field. Labelled so screen-reader users skip it.
    website = forms.CharField(
        label=_("leave empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, intake: Intake | None = None, today: datetime.date | None = None,
                 choices: "FormChoices | None" = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.intake = intake
        self.today = today or timezone.localdate()
        self.nik_info: identity.NikInfo | None = None
        programs = intake.programs.filter(is_active=True).order_by("name") if intake else Program.objects.none()
        self.fields["program"].queryset = programs
        self.fields["program_alt"].queryset = programs
        if choices is not None:
            self.fields["kelurahan"].preload(choices.kelurahan)
            self.fields["program"].preload(choices.programs)
            self.fields["program_alt"].preload(choices.programs)

    # --- field rules (identity.py is the one source of truth for numbers) ---------------------
    def clean_nik(self) -> str:
        self.nik_info = identity.parse_nik(self.cleaned_data["nik"], today=self.today)
        return self.nik_info.nik

    def clean_kk_number(self) -> str:
        return identity.parse_kk(self.cleaned_data["kk_number"])

    def clean_phone(self) -> str:
        return identity.parse_mobile(self.cleaned_data["phone"])

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_rt(self) -> str:
        return identity.parse_rt_rw(self.cleaned_data["rt"], "RT")

    def clean_rw(self) -> str:
        return identity.parse_rt_rw(self.cleaned_data["rw"], "RW")

    def clean(self):
        data = super().clean()
        birth_date = data.get("birth_date")
        if self.nik_info and birth_date and birth_date != self.nik_info.birth_date:
            self.add_error(
                "birth_date", _("Date of birth does not match the NIK. Check the NIK and date of birth again.")
            )
        if self.nik_info:
            data["sex"] = self.nik_info.sex
        if self.intake is not None and not self.errors.keys() & {"program", "program_alt", "birth_date"}:
            self._apply_model_rules(data)
        return data

    def _apply_model_rules(self, data) -> None:
        """Run Application.clean() (program in intake, alt differs, age) and put errors by their fields."""
        applicant = Applicant(birth_date=data.get("birth_date") or (self.nik_info and self.nik_info.birth_date))
        application = Application(intake=self.intake, applicant=applicant)
        application.program = data.get("program")
        application.program_alt = data.get("program_alt")
        try:
            application.clean()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                target = "birth_date" if field == "applicant" else field
                for message in messages:
                    self.add_error(target if target in self.fields else None, message)

    @property
    def is_spam(self) -> bool:
        """True when the honeypot was filled: the view then pretends success and saves nothing."""
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())


class StatusCheckForm(forms.Form):
    """Reference number + NIK: both must match one application, or the resident gets one generic answer."""

    reference = forms.CharField(
        label=_("Application number"),
        max_length=24,
        widget=forms.TextInput(attrs={"placeholder": "SK-2026-000123", "autocapitalize": "characters",
                                      "autocomplete": "off"}),
        error_messages=_required(_("Application number is required.")),
    )
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        widget=_numeric(maxlength=24),
        error_messages=_required(_("NIK is required.")),
    )

    def clean_reference(self) -> str:
        return "".join(self.cleaned_data["reference"].split()).upper()

    def clean_nik(self) -> str:
        return identity.normalise_digits(self.cleaned_data["nik"])
