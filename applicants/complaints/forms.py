"""The public complaint form, the status check and the appeal, with every error next to its field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applicants import identity
from applicants.complaints.services import find_application
from applicants.intake.forms import HONEYPOT_FIELD, FastSelect
from applicants.models import Ticket
from programs.models import Kecamatan

NO_MATCH = _(
    "We could not find an application with this application number and NIK. Check both and try again, "
    "or leave both empty to send the complaint without an application."
)


def _required(message) -> dict:
    return {"required": message}


class HoneypotMixin:
    @property
    def is_spam(self) -> bool:
        """True when the hidden field was filled: the view then pretends success and saves nothing."""
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())


class ComplaintForm(HoneypotMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you want to send?"), choices=Ticket.Kind.choices, widget=forms.RadioSelect,
        help_text=_("An objection disagrees with a decision about you; a complaint is about anything else."),
        error_messages={"required": _("Choose complaint or objection."),
                        "invalid_choice": _("Choose complaint or objection.")},
    )
    category = forms.ChoiceField(
        label=_("What is it about?"), choices=[("", _("— choose —")), *Ticket.Category.choices],
        widget=FastSelect,
        error_messages={"required": _("Choose what the complaint is about."),
                        "invalid_choice": _("Choose what the complaint is about.")},
    )
    description = forms.CharField(
        label=_("Tell us what happened"), max_length=3000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("When, where and who. Do not write other people's NIK or KK numbers."),
        error_messages={"required": _("Describe your complaint."),
                        "max_length": _("At most %(limit_value)d characters (you wrote %(show_value)d).")},
    )
    reference = forms.CharField(
        label=_("Application number (optional)"), max_length=24, required=False,
        help_text=_("Only if the complaint is about your own application, e.g. SK-2026-000123."),
        widget=forms.TextInput(attrs={"placeholder": "SK-2026-000123", "autocapitalize": "characters",
                                      "autocomplete": "off"}),
    )
    nik = forms.CharField(
        label=_("NIK of the applicant (only with an application number)"), max_length=24, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "24"}),
    )
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan the complaint is about"), queryset=Kecamatan.objects.order_by("name"), required=False,
        empty_label=_("— choose kecamatan —"),
        help_text=_("Not needed when you give an application number."),
        error_messages={"invalid_choice": _("Choose a kecamatan from the list.")},
    )
    contact_name = forms.CharField(
        label=_("Your name (optional)"), max_length=150, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        label=_("Mobile/WhatsApp number (optional)"), max_length=24, required=False,
        help_text=_("Only if you want staff to contact you. You may stay anonymous."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel",
                                      "placeholder": "0812 3456 7890"}),
    )
    website = forms.CharField(
        label=_("leave empty"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].replace("\x00", "").strip()
        if not text:
            raise ValidationError(_("Describe your complaint."))
        return text

    def clean_contact_phone(self) -> str:
        value = self.cleaned_data["contact_phone"]
        return identity.parse_mobile(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        reference = "".join(data.get("reference", "").split()).upper()
        nik = identity.normalise_digits(data.get("nik", ""))
        data["application"] = None
        if reference or nik:
            if not reference:
                self.add_error("reference", _("Give the application number that belongs to this NIK."))
            elif not nik:
                self.add_error("nik", _("Give the NIK used for this application."))
            else:
                application = find_application(reference, nik)
                if application is None:
                    self.add_error("reference", NO_MATCH)
                data["application"] = application
        if data["application"] is None and not data.get("kecamatan") and "kecamatan" not in self.errors \
                and "reference" not in self.errors and "nik" not in self.errors:
            self.add_error("kecamatan", _("Choose the kecamatan the complaint is about."))
        return data


class TicketStatusForm(forms.Form):
    number = forms.CharField(
        label=_("Ticket number"), max_length=24,
        widget=forms.TextInput(attrs={"placeholder": "ADU-2026-000123", "autocapitalize": "characters",
                                      "autocomplete": "off"}),
        error_messages=_required(_("Give the ticket number.")),
    )
    secret = forms.CharField(
        label=_("Check code, or the NIK of the application"), max_length=24,
        help_text=_("The check code was shown with your ticket number. A complaint tied to an application "
                    "can also be checked with the applicant's NIK."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
        error_messages=_required(_("Give the check code or the NIK.")),
    )

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()


class AppealForm(TicketStatusForm):
    """The status check's two fields again (the appeal is checked afresh) and the reason."""

    description = forms.CharField(
        label=_("Why do you disagree with the answer?"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write why you disagree with the answer."),
                        "max_length": _("At most %(limit_value)d characters (you wrote %(show_value)d).")},
    )
    website = ComplaintForm.base_fields["website"]

    is_spam = HoneypotMixin.is_spam
