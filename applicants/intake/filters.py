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
    intake = django_filters.ModelChoiceFilter(label=_("Gelombang"), queryset=Intake.objects.all())
    program = django_filters.ModelChoiceFilter(label=_("Program pilihan 1"), queryset=Program.objects.all())
    kecamatan = kecamatan_filter("applicant__kelurahan")
    kelurahan = kelurahan_filter("applicant__kelurahan")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ApplicationStatus.choices)
    source = django_filters.ChoiceFilter(label=_("Sumber"), choices=Source.choices)
    dtks = django_filters.ChoiceFilter(
        label=_("DTKS menurut pendaftar"), field_name="dtks_self_report", choices=DtksSelfReport.choices
    )
    eligibility = django_filters.ChoiceFilter(label=_("Kelayakan"), choices=Eligibility.choices)
    sex = django_filters.ChoiceFilter(label=_("Jenis kelamin"), field_name="applicant__sex", choices=Sex.choices)
    age = AgeBandFilter(label=_("Kelompok usia"), field_name="applicant__birth_date")
    submitted_from = DateTimeFromFilter(label=_("Daftar sejak"), field_name="submitted_at")
    submitted_to = DateTimeToFilter(label=_("Daftar sampai"), field_name="submitted_at")

    class Meta:
        model = Application
        fields: list[str] = []


class ApplicantFilterSet(RegisterFilterSet):
    kecamatan = kecamatan_filter()
    kelurahan = kelurahan_filter()
    sex = django_filters.ChoiceFilter(label=_("Jenis kelamin"), choices=Sex.choices)
    age = AgeBandFilter(label=_("Kelompok usia"), field_name="birth_date")

    class Meta:
        model = Applicant
        fields: list[str] = []
