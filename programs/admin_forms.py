"""Admin forms for opening a round: the intake (gelombang), its kelurahan quotas, a new program.

The rules themselves live on the models (`Intake.clean`, `Intake.quota_total_error`); these forms only
put each refusal next to the field it concerns.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from programs.models import CapitalPackage, Intake, Kelurahan, Program

INTAKE_FIELDS = [
    "name", "year", "registration_opens", "registration_closes", "programs", "min_age", "max_age",
    "max_applications_per_kk", "max_desil", "weight_motivation", "weight_readiness",
    "weight_business_potential", "weight_household_need", "default_quota", "total_target",
    "quota_difference_reason",
]


class PlainIntegerField(forms.IntegerField):
    """Whole numbers in ASCII digits only: `int()` also takes Arabic-Indic, fullwidth and other digit sets."""

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if text and not (text.isascii() and text.lstrip("-").isdigit()):
            raise forms.ValidationError(_("Use digits 0-9 only."), code="invalid")
        return super().to_python(value)


class IntakeForm(WagtailAdminModelForm):
    """Create or edit an intake. A copy carries the source's quotas, checked against the new target."""

    quota_source: Intake | None = None

    class Meta:
        model = Intake
        fields = INTAKE_FIELDS
        widgets = {
            "registration_opens": AdminDateInput,
            "registration_closes": AdminDateInput,
            "programs": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programs"].queryset = Program.objects.filter(is_active=True) | Program.objects.filter(
            pk__in=self.instance.programs.values("pk") if self.instance.pk else []
        )
        self.fields["programs"].help_text = _("Skills offered in this intake.")

    def clean(self):
        cleaned = super().clean()
        source = self.quota_source
        if source is not None and "total_target" in cleaned and "total_target" not in self.errors:
            probe = Intake(total_target=cleaned["total_target"])
            error = probe.quota_total_error(source.quotas_by_kelurahan, cleaned.get("quota_difference_reason", ""))
            if error:
                self.add_error("total_target", error)
        return cleaned


class QuotaForm(forms.Form):
    """Every kelurahan of the city with its quota for one intake: empty or 0 means not targeted.

    "Isi sekaligus" fills the chosen kelurahan (all, or one kecamatan) with one number before saving."""

    fill_value = PlainIntegerField(label=_("Quota"), min_value=0, required=False)
    fill_kecamatan = forms.ChoiceField(label=_("For kelurahan in"), required=False)
    total_target = PlainIntegerField(label=_("Total target (KK)"), min_value=1)
    quota_difference_reason = forms.CharField(
        label=_("Reason the quota total differs from the target"), max_length=255, required=False
    )

    def __init__(self, *args, intake: Intake, **kwargs):
        self.intake = intake
        self.kelurahan = list(Kelurahan.objects.select_related("kecamatan").order_by("kecamatan__name", "name"))
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("total_target", intake.total_target)
        initial.setdefault("quota_difference_reason", intake.quota_difference_reason)
        initial.setdefault("fill_value", intake.default_quota)
        for kel_id, quota in intake.quotas_by_kelurahan.items():
            initial.setdefault(self.field_name(kel_id), quota)
        super().__init__(*args, **kwargs)
        kecamatan = {k.kecamatan_id: k.kecamatan.name for k in self.kelurahan}
        self.fields["fill_kecamatan"].choices = [("", _("All kecamatan"))] + sorted(
            ((str(pk), name) for pk, name in kecamatan.items()), key=lambda c: c[1]
        )
        for kel in self.kelurahan:
            self.fields[self.field_name(kel.pk)] = PlainIntegerField(
                label=kel.name, min_value=0, max_value=100_000, required=False,
                widget=forms.NumberInput(attrs={"style": "width:6em"}),
            )

    @staticmethod
    def field_name(kelurahan_id: int) -> str:
        return f"q_{kelurahan_id}"

    def rows(self):
        """(kecamatan name, [(kelurahan, bound field), ...]) for the template."""
        groups: dict[str, list] = {}
        for kel in self.kelurahan:
            groups.setdefault(kel.kecamatan.name, []).append((kel, self[self.field_name(kel.pk)]))
        return list(groups.items())

    def filled(self) -> dict[str, object]:
        """The submitted data with the chosen kelurahan set to `fill_value` (nothing saved yet)."""
        data = self.data.copy()
        value = self.cleaned_data.get("fill_value")
        if value is None:
            return data
        kecamatan = self.cleaned_data.get("fill_kecamatan") or ""
        for kel in self.kelurahan:
            if not kecamatan or str(kel.kecamatan_id) == kecamatan:
                data[self.field_name(kel.pk)] = str(value)
        return data

    def quotas(self) -> dict[int, int]:
        return {
            kel.pk: self.cleaned_data[self.field_name(kel.pk)]
            for kel in self.kelurahan
            if self.cleaned_data.get(self.field_name(kel.pk))
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        probe = Intake(total_target=cleaned["total_target"])
        error = probe.quota_total_error(self.quotas(), cleaned.get("quota_difference_reason", ""))
        if error:
            self.add_error("total_target", error)
        return cleaned


class ProgramForm(WagtailAdminModelForm):
    """A new skill, optionally with its first capital package (more packages: Paket modal usaha)."""

    package_name = forms.CharField(label=_("Business capital package name"), max_length=150, required=False)
    package_contents = forms.CharField(
        label=_("Package contents"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    package_value = forms.IntegerField(label=_("Package value (Rp)"), min_value=1, required=False)

    class Meta:
        model = Program
        fields = ["name", "slug", "description", "is_active", "next_round_note"]

    PACKAGE_FIELDS = ("package_name", "package_contents", "package_value")

    def clean(self):
        cleaned = super().clean()
        given = [name for name in self.PACKAGE_FIELDS if cleaned.get(name) not in (None, "")]
        if given:
            for name in self.PACKAGE_FIELDS:
                if name not in given and name not in self.errors:
                    self.add_error(name, _("Complete the business capital package, or leave all three fields empty."))
        name = cleaned.get("package_name")
        if name and self.instance.pk and self.instance.capital_packages.filter(name=name).exists():
            self.add_error("package_name", _("This program already has a package with this name."))
        return cleaned

    def save(self, commit=True):
        program = super().save(commit=commit)
        if commit and self.cleaned_data.get("package_name"):
            self.save_package(program)
        return program

    def save_package(self, program: Program) -> CapitalPackage:
        """A package name is unique per program only, so a new program's first package never collides."""
        return CapitalPackage.objects.create(
            program=program, name=self.cleaned_data["package_name"],
            contents=self.cleaned_data["package_contents"], value_rupiah=self.cleaned_data["package_value"],
        )
