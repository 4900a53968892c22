"""Register of graduates' follow-ups (3, 6 and 12 months after their class)."""

from __future__ import annotations

import datetime

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from applicants.delivery.registers.common import cohort_url, cohorts
from applicants.delivery.services import add_months
from applicants.models import FollowUp
from applicants.privacy import access
from applicants.privacy.gates import action_links
from applicants.privacy.roles import IDENTITY_PERMISSION
from programs.models import Intake
from programs.registers import search
from programs.registers.base import RegisterModelAdmin
from programs.registers.filters import DateTimeFromFilter, DateTimeToFilter, RegisterFilterSet
from programs.registers.permissions import ReadOnlyRegisterPermissionHelper
from programs.registers.tables import ChoiceDisplayColumn, LocalDateTimeColumn, RegisterTable
from programs.registers.xlsx import DATETIME, IDENTITY, ExportColumn


# --- Follow-ups --------------------------------------------------------------------------------------
class DueMonthFilter(django_filters.DateFilter):
    """`due_month=2026-06`: follow-ups due that month (class end date + 3/6/12 months), all in SQL."""

    field_class = forms.DateField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
        super().__init__(*args, input_formats=["%Y-%m", "%Y-%m-%d"], **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        first = value.replace(day=1)
        condition = Q()
        for months in FollowUp.Milestone.values:
            start = add_months(first, -months)
            condition |= Q(
                milestone=months, enrolment__cohort__end_date__gte=start,
                enrolment__cohort__end_date__lt=add_months(start, 1),
            )
        return qs.filter(condition)


class FollowUpFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(
        label=_("Intake"), field_name="enrolment__cohort__intake", queryset=Intake.objects.all()
    )
    cohort = django_filters.ModelChoiceFilter(label=_("Class"), field_name="enrolment__cohort", queryset=cohorts())
    milestone = django_filters.TypedChoiceFilter(label=_("Stage"), choices=FollowUp.Milestone.choices, coerce=int)
    due_month = DueMonthFilter(label=_("Due (month)"))
    working_status = django_filters.ChoiceFilter(label=_("Employment status"), choices=FollowUp.Working.choices)
    business_running = django_filters.BooleanFilter(label=_("Business still running"))
    receiving_bansos = django_filters.BooleanFilter(label=_("Still receiving bansos"))
    recorded_from = DateTimeFromFilter(label=_("Recorded from"), field_name="recorded_at")
    recorded_to = DateTimeToFilter(label=_("Recorded until"), field_name="recorded_at")

    class Meta:
        model = FollowUp
        fields: list[str] = []


class FollowUpTable(RegisterTable):
    full_name = tables.Column(verbose_name=_("Name"), accessor="enrolment__application__applicant__full_name")
    cohort = tables.Column(
        verbose_name=_("Class"), accessor="enrolment__cohort__name",
        linkify=lambda record: cohort_url(record.enrolment.cohort_id),
    )
    milestone = ChoiceDisplayColumn(verbose_name=_("Stage"))
    due_on = tables.Column(verbose_name=_("Due"), accessor="pk", order_by=("enrolment__cohort__end_date",))
    working_status = ChoiceDisplayColumn(verbose_name=_("Employment status"))
    business_running = tables.BooleanColumn(verbose_name=_("Business running"))
    income_band = ChoiceDisplayColumn(verbose_name=_("Income"))
    receiving_bansos = tables.BooleanColumn(verbose_name=_("Still on bansos"))
    recorded_at = LocalDateTimeColumn(verbose_name=_("Recorded"))
    actions = tables.Column(verbose_name=_("Actions"), accessor="pk", orderable=False)

    class Meta(RegisterTable.Meta):
        model = FollowUp
        fields = ()
        sequence = (
            "full_name", "cohort", "milestone", "due_on", "working_status", "business_running", "income_band",
            "receiving_bansos", "recorded_at", "actions",
        )

    def render_due_on(self, record) -> str:
        due: datetime.date = add_months(record.enrolment.cohort.end_date, record.milestone)
        return due.strftime("%d-%m-%Y")

    def render_actions(self, record):
        return action_links(self.request, [
            ("delivery:followup_record", [record.enrolment_id, record.milestone], _("Edit")),
        ])


class FollowUpRegister(RegisterModelAdmin):
    model = FollowUp
    register_key = "followups"
    register_name = _("Follow-up")
    export_slug = "tindak-lanjut"
    menu_icon = "date"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = FollowUpTable
    filterset_class = FollowUpFilterSet
    search_help = _("Search name or NIK")
    search_fields = (
        search.name("enrolment__application__applicant__full_name"),
        search.nik("enrolment__application__applicant__nik"),
    )
    list_select_related = ("enrolment__application__applicant", "enrolment__cohort")
    identity_permission = IDENTITY_PERMISSION
    export_columns = (
        ExportColumn("enrolment__application__reference", _("Application no.")),
        ExportColumn("enrolment__application__applicant__full_name", _("Name")),
        ExportColumn("enrolment__application__applicant__nik", "NIK", kind=IDENTITY),
        ExportColumn("enrolment__application__applicant__phone", _("Mobile number")),
        ExportColumn("enrolment__cohort__name", _("Class")),
        ExportColumn("enrolment__cohort__end_date", _("Class ended")),
        ExportColumn("milestone", _("Stage")),
        ExportColumn("working_status", _("Employment status")),
        ExportColumn("business_running", _("Business still running")),
        ExportColumn("income_band", _("Monthly income")),
        ExportColumn("receiving_bansos", _("Still receiving bansos")),
        ExportColumn("note", _("Notes"), width=40),
        ExportColumn("recorded_at", _("Recorded"), kind=DATETIME),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return access.followups.scope(user, queryset)
