"""The interview register (programs.registers): read-only; rows change through the interview screens."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applicants.intake.columns import application_person_columns
from applicants.models import Interview
from applicants.privacy import access
from applicants.privacy.gates import action_links
from applicants.privacy.roles import IDENTITY_PERMISSION
from applicants.selection.services import interviewer_users
from programs.models import Intake, Program
from programs.registers import search
from programs.registers.base import RegisterModelAdmin
from programs.registers.filters import (
    DateTimeFromFilter,
    DateTimeToFilter,
    RegisterFilterSet,
    kecamatan_filter,
    kelurahan_filter,
)
from programs.registers.permissions import ReadOnlyRegisterPermissionHelper
from programs.registers.tables import ChoiceDisplayColumn, IdentityColumn, LocalDateTimeColumn, RegisterTable
from programs.registers.xlsx import DATETIME, ExportColumn


def _application_url(application_id: int) -> str:
    return reverse("applicants_application_modeladmin_inspect", args=[application_id])


class InterviewerFilter(django_filters.ModelChoiceFilter):
    """Interviewers (group "Pewawancara" and superusers): a small list, evaluated per render."""

    def get_queryset(self, request):
        return interviewer_users()


# --- Interviews ----------------------------------------------------------------------------------
class InterviewFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(
        label=_("Intake"), field_name="application__intake", queryset=Intake.objects.all()
    )
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), field_name="application__program", queryset=Program.objects.all()
    )
    kecamatan = kecamatan_filter("application__applicant__kelurahan")
    kelurahan = kelurahan_filter("application__applicant__kelurahan")
    interviewer = InterviewerFilter(label=_("Interviewer"))
    scheduled_from = DateTimeFromFilter(label=_("Scheduled from"), field_name="scheduled_at")
    scheduled_to = DateTimeToFilter(label=_("Scheduled until"), field_name="scheduled_at")
    attendance = django_filters.ChoiceFilter(label=_("Attendance"), choices=Interview.Attendance.choices)
    decision = django_filters.ChoiceFilter(label=_("Decision"), choices=Interview.Decision.choices)

    class Meta:
        model = Interview
        fields: list[str] = []


class InterviewTable(RegisterTable):
    scheduled_at = LocalDateTimeColumn(verbose_name=_("Time"))
    reference = tables.Column(
        verbose_name=_("Application no."), accessor="application__reference",
        linkify=lambda record: _application_url(record.application_id),
    )
    full_name = tables.Column(verbose_name=_("Name"), accessor="application__applicant__full_name")
    nik = IdentityColumn(verbose_name=_("NIK"), accessor="application__applicant__nik")
    kelurahan = tables.Column(verbose_name=_("Kelurahan"), accessor="application__applicant__kelurahan__name")
    program = tables.Column(verbose_name=_("Program"), accessor="application__program__name")
    place = tables.Column(verbose_name=_("Venue"))
    interviewer = tables.Column(verbose_name=_("Interviewer"), accessor="interviewer__username")
    attendance = ChoiceDisplayColumn(verbose_name=_("Attendance"))
    decision = ChoiceDisplayColumn(verbose_name=_("Decision"))
    score = tables.Column(verbose_name=_("Score"), accessor="weighted_score", orderable=False)
    actions = tables.Column(verbose_name=_("Actions"), accessor="pk", orderable=False)

    class Meta(RegisterTable.Meta):
        model = Interview
        fields = ()
        sequence = (
            "scheduled_at", "reference", "full_name", "nik", "kelurahan", "program", "place", "interviewer",
            "attendance", "decision", "score", "actions",
        )

    def render_actions(self, record):
        # The workflow screens (/admin/wawancara/): outcome and reschedule, for those who may use them.
        return action_links(self.request, [
            ("sigap_interviews:outcome", [record.pk], _("Result")),
            ("sigap_interviews:schedule", [record.application_id], _("Schedule")),
        ])


class InterviewRegister(RegisterModelAdmin):
    """Wawancara: every interview (scheduled, held, missed), interviewers see only their own."""

    model = Interview
    register_key = "interviews"
    register_name = _("Interviews")
    export_slug = "wawancara"
    menu_icon = "calendar"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = InterviewTable
    filterset_class = InterviewFilterSet
    search_help = _("Search name, NIK or application number")
    search_fields = (
        search.name("application__applicant__full_name"),
        search.nik("application__applicant__nik"),
        search.reference("application__reference"),
    )
    list_select_related = (
        "application__applicant__kelurahan__kecamatan", "application__program", "application__intake",
        "interviewer",
    )
    identity_permission = IDENTITY_PERMISSION
    export_filename_prefixes = {"kecamatan": "kec", "kelurahan": "kel"}
    export_columns = (
        *application_person_columns(),
        ExportColumn("application__intake__name", _("Intake")),
        ExportColumn("application__program__name", _("Program")),
        ExportColumn("scheduled_at", _("Interview time"), kind=DATETIME),
        ExportColumn("place", _("Venue")),
        ExportColumn("interviewer__username", _("Interviewer")),
        ExportColumn("attendance", _("Attendance")),
        ExportColumn("score_motivation", _("Motivation")),
        ExportColumn("score_readiness", _("Readiness and time")),
        ExportColumn("score_business_potential", _("Business potential")),
        ExportColumn("score_household_need", _("Family need")),
        ExportColumn("recommended_program__name", _("Recommended program")),
        ExportColumn("decision", _("Decision")),
        ExportColumn("reason_code", _("Reason code")),
        ExportColumn("note", _("Notes"), width=50),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return access.interviews.scope(user, queryset)
