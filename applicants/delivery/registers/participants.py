"""Registers of the people in classes: participants (enrolments) and their attendance."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applicants.delivery.registers.common import cohort_url, cohorts
from applicants.intake.columns import application_person_columns
from applicants.models import Attendance, Enrolment
from applicants.privacy import access
from applicants.privacy.gates import action_links
from applicants.privacy.roles import IDENTITY_PERMISSION
from programs.models import CohortSession, Intake, Program
from programs.registers import search
from programs.registers.base import RegisterModelAdmin
from programs.registers.filters import RegisterFilterSet, kecamatan_filter, kelurahan_filter
from programs.registers.permissions import ReadOnlyRegisterPermissionHelper
from programs.registers.tables import ChoiceDisplayColumn, IdentityColumn, LocalDateTimeColumn, RegisterTable
from programs.registers.xlsx import DATETIME, IDENTITY, NUMBER, ExportColumn


# --- Participants (enrolments) ---------------------------------------------------------------------
class EnrolmentFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(
        label=_("Intake"), field_name="cohort__intake", queryset=Intake.objects.all()
    )
    cohort = django_filters.ModelChoiceFilter(label=_("Class"), queryset=cohorts())
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), field_name="cohort__program", queryset=Program.objects.all()
    )
    kecamatan = kecamatan_filter("application__applicant__kelurahan")
    kelurahan = kelurahan_filter("application__applicant__kelurahan")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Enrolment.Status.choices)

    class Meta:
        model = Enrolment
        fields: list[str] = []


class EnrolmentTable(RegisterTable):
    full_name = tables.Column(verbose_name=_("Name"), accessor="application__applicant__full_name")
    nik = IdentityColumn(verbose_name=_("NIK"), accessor="application__applicant__nik")
    reference = tables.Column(
        verbose_name=_("Application no."), accessor="application__reference",
        linkify=lambda record: reverse("applicants_application_modeladmin_inspect", args=[record.application_id]),
    )
    kelurahan = tables.Column(verbose_name=_("Kelurahan"), accessor="application__applicant__kelurahan__name")
    cohort = tables.Column(
        verbose_name=_("Class"), accessor="cohort__name", linkify=lambda record: cohort_url(record.cohort_id)
    )
    program = tables.Column(verbose_name=_("Program"), accessor="cohort__program__name")
    status = ChoiceDisplayColumn(verbose_name=_("Status"))
    attendance_pct = tables.Column(verbose_name=_("Attendance (%)"))
    final_score = tables.Column(verbose_name=_("Final score"))
    enrolled_at = LocalDateTimeColumn(verbose_name=_("Enrolled"))

    class Meta(RegisterTable.Meta):
        model = Enrolment
        fields = ()
        sequence = (
            "full_name", "nik", "reference", "kelurahan", "cohort", "program", "status", "attendance_pct",
            "final_score", "enrolled_at",
        )


class ParticipantRegister(RegisterModelAdmin):
    model = Enrolment
    register_key = "participants"
    register_name = _("Participants")
    export_slug = "peserta"
    menu_icon = "user"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = EnrolmentTable
    filterset_class = EnrolmentFilterSet
    search_help = _("Search name, NIK or application number")
    search_fields = (
        search.name("application__applicant__full_name"),
        search.nik("application__applicant__nik"),
        search.reference("application__reference"),
    )
    list_select_related = ("application__applicant__kelurahan__kecamatan", "cohort__program", "cohort__intake")
    identity_permission = IDENTITY_PERMISSION
    export_filename_prefixes = {"kecamatan": "kec", "kelurahan": "kel"}
    export_columns = (
        *application_person_columns(),
        ExportColumn("cohort__intake__name", _("Intake")),
        ExportColumn("cohort__name", _("Class")),
        ExportColumn("cohort__program__name", _("Program")),
        ExportColumn("status", _("Status")),
        ExportColumn("attendance_pct", _("Attendance (%)"), kind=NUMBER),
        ExportColumn("final_score", _("Final score")),
        ExportColumn("enrolled_at", _("Enrolled"), kind=DATETIME),
        ExportColumn("withdrawal_reason", _("Withdrawal reason")),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return access.enrolments.scope(user, queryset)


# --- Attendance --------------------------------------------------------------------------------------
class AttendanceFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(
        label=_("Intake"), field_name="session__cohort__intake", queryset=Intake.objects.all()
    )
    cohort = django_filters.ModelChoiceFilter(label=_("Class"), field_name="session__cohort", queryset=cohorts())
    session = django_filters.ModelChoiceFilter(
        label=_("Session"), queryset=CohortSession.objects.select_related("cohort").order_by("cohort", "number")
    )
    mark = django_filters.ChoiceFilter(label=_("Attendance"), choices=Attendance.Mark.choices)

    class Meta:
        model = Attendance
        fields: list[str] = []


class AttendanceTable(RegisterTable):
    date = tables.DateColumn(verbose_name=_("Date"), accessor="session__date", format="d-m-Y")
    cohort = tables.Column(
        verbose_name=_("Class"), accessor="session__cohort__name",
        linkify=lambda record: cohort_url(record.session.cohort_id),
    )
    number = tables.Column(verbose_name=_("Session"), accessor="session__number")
    full_name = tables.Column(verbose_name=_("Name"), accessor="enrolment__application__applicant__full_name")
    nik = IdentityColumn(verbose_name=_("NIK"), accessor="enrolment__application__applicant__nik")
    mark = ChoiceDisplayColumn(verbose_name=_("Attendance"))
    recorded_at = LocalDateTimeColumn(verbose_name=_("Recorded"))
    actions = tables.Column(verbose_name=_("Actions"), accessor="pk", orderable=False)

    class Meta(RegisterTable.Meta):
        model = Attendance
        fields = ()
        sequence = ("date", "cohort", "number", "full_name", "nik", "mark", "recorded_at", "actions")

    def render_actions(self, record):
        return action_links(self.request, [("delivery:session_attendance", [record.session_id], _("Take attendance"))])


class AttendanceRegister(RegisterModelAdmin):
    model = Attendance
    register_key = "attendance"
    register_name = _("Attendance records")
    export_slug = "absensi"
    menu_icon = "tick"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = AttendanceTable
    filterset_class = AttendanceFilterSet
    search_help = _("Search name or NIK")
    search_fields = (
        search.name("enrolment__application__applicant__full_name"),
        search.nik("enrolment__application__applicant__nik"),
    )
    list_select_related = ("session__cohort", "enrolment__application__applicant")
    identity_permission = IDENTITY_PERMISSION
    export_columns = (
        ExportColumn("session__cohort__name", _("Class")),
        ExportColumn("session__number", _("Session")),
        ExportColumn("session__date", _("Date")),
        ExportColumn("enrolment__application__applicant__full_name", _("Name")),
        ExportColumn("enrolment__application__applicant__nik", "NIK", kind=IDENTITY),
        ExportColumn("mark", _("Attendance")),
        ExportColumn("recorded_at", _("Recorded"), kind=DATETIME),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return access.attendance.scope(user, queryset)
