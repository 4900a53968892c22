"""Filters of the applicant (application) register. Names are the admin list's query parameters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from applicants.enums import ApplicationStatus, DtksSelfReport, Eligibility, Sex, Source
from applicants.models import Applicant, Application
from programs.models import Intake, Program
from programs.registers.filters import (
    AgeBandFilter,
    DateTimeFromFilter,
    DateTimeToFilter,
    RegisterFilterSet,
    kecamatan_filter,
    kelurahan_filter,
)


class ApplicationFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(label=_("Intake"), queryset=Intake.objects.all())
    program = django_filters.ModelChoiceFilter(label=_("Program choice 1"), queryset=Program.objects.all())
    kecamatan = kecamatan_filter("applicant__kelurahan")
    kelurahan = kelurahan_filter("applicant__kelurahan")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ApplicationStatus.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    dtks = django_filters.ChoiceFilter(
        label=_("DTKS (self-reported)"), field_name="dtks_self_report", choices=DtksSelfReport.choices
    )
    eligibility = django_filters.ChoiceFilter(label=_("Eligibility"), choices=Eligibility.choices)
    sex = django_filters.ChoiceFilter(label=_("Sex"), field_name="applicant__sex", choices=Sex.choices)
    age = AgeBandFilter(label=_("Age group"), field_name="applicant__birth_date")
    submitted_from = DateTimeFromFilter(label=_("Applied from"), field_name="submitted_at")
    submitted_to = DateTimeToFilter(label=_("Applied until"), field_name="submitted_at")

    class Meta:
        model = Application
        fields: list[str] = []


class ApplicantFilterSet(RegisterFilterSet):
    kecamatan = kecamatan_filter()
    kelurahan = kelurahan_filter()
    sex = django_filters.ChoiceFilter(label=_("Sex"), choices=Sex.choices)
    age = AgeBandFilter(label=_("Age group"), field_name="birth_date")

    class Meta:
        model = Applicant
        fields: list[str] = []
