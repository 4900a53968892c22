"""The applicant register's table: one row per application, with the applicant's details."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applicants.models import Applicant, Application
from programs.registers.tables import (
    BirthDateColumn,
    ChoiceDisplayColumn,
    IdentityColumn,
    LocalDateTimeColumn,
    RegisterTable,
)


def _inspect_url(record) -> str:
    return reverse("applicants_application_modeladmin_inspect", args=[record.pk])


class ApplicationTable(RegisterTable):
    reference = tables.Column(verbose_name=_("Application no."), linkify=_inspect_url, empty_values=())
    full_name = tables.Column(verbose_name=_("Name"), accessor="applicant__full_name")
    nik = IdentityColumn(verbose_name=_("NIK"), accessor="applicant__nik")
    phone = tables.Column(verbose_name=_("Mobile no."), accessor="applicant__phone", orderable=False)
    kelurahan = tables.Column(
        verbose_name=_("Kelurahan"), accessor="applicant__kelurahan__name", order_by="applicant__kelurahan__name"
    )
    kecamatan = tables.Column(verbose_name=_("Kecamatan"), accessor="applicant__kelurahan__kecamatan__name")
    program = tables.Column(verbose_name=_("Program"), accessor="program__name")
    intake = tables.Column(verbose_name=_("Intake"), accessor="intake__name")
    status = ChoiceDisplayColumn(verbose_name=_("Status"))
    source = ChoiceDisplayColumn(verbose_name=_("Source"))
    eligibility = ChoiceDisplayColumn(verbose_name=_("Eligibility"))
    submitted_at = LocalDateTimeColumn(verbose_name=_("Application date"))

    class Meta(RegisterTable.Meta):
        model = Application
        fields = ()
        sequence = (
            "reference", "full_name", "nik", "phone", "kelurahan", "kecamatan", "program", "intake",
            "status", "source", "eligibility", "submitted_at",
        )

    def render_reference(self, value, record):
        return value or f"#{record.pk}"


class ApplicantTable(RegisterTable):
    full_name = tables.Column(
        verbose_name=_("Name"),
        linkify=lambda record: reverse("applicants_applicant_modeladmin_inspect", args=[record.pk]),
    )
    nik = IdentityColumn(verbose_name=_("NIK"))
    kk_number = IdentityColumn(verbose_name=_("KK number"))
    phone = tables.Column(verbose_name=_("Mobile no."), orderable=False)
    birth_date = BirthDateColumn(verbose_name=_("Date of birth"))
    sex = ChoiceDisplayColumn(verbose_name=_("M/F"))
    kelurahan = tables.Column(verbose_name=_("Kelurahan"), accessor="kelurahan__name")
    kecamatan = tables.Column(verbose_name=_("Kecamatan"), accessor="kelurahan__kecamatan__name")

    class Meta(RegisterTable.Meta):
        model = Applicant
        fields = ()
        sequence = ("full_name", "nik", "kk_number", "phone", "birth_date", "sex", "kelurahan", "kecamatan")
