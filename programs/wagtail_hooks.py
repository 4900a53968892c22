"""Admin for what `programs` owns: instructors and capital packages as snippets, classes as a register,
and the round screens (intakes with their kelurahan quotas, programs, holidays).

One admin UI per record type. Classes (kelas) are a register (programs.registers) with create and edit
forms, because staff look for them in a filtered list; their status changes only on the class page
(start, complete), never in the form, and a class is never deleted (enrolments refer to it). The
"Pelaksanaan" menu of applicants shows this register beside the participants' registers.
"""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.staticfiles import versioned_static
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.helpers import PermissionHelper

from programs.admin_views import RoundViewSetGroup
from programs.models import CapitalPackage, CapitalPackageItem, Cohort, Instructor, Intake, Program
from programs.registers import search
from programs.registers.base import RegisterModelAdmin
from programs.registers.filters import DATE_INPUT, RegisterFilterSet
from programs.registers.tables import ChoiceDisplayColumn, RegisterTable
from programs.registers.xlsx import NUMBER, ExportColumn


@hooks.register("insert_global_admin_js")
def date_time_chooser_js():
    """Wagtail's date pickers on every admin page: the forms of our own screens (and the registers' date
    filters) render `AdminDateInput` in templates that do not print `form.media`, and the widget's inline
    script needs this file loaded before it (the global admin js comes before the page content)."""
    return format_html('<script src="{}"></script>', versioned_static("wagtailadmin/js/date-time-chooser.js"))


register_snippet(Instructor)
register_snippet(CapitalPackage)
register_snippet(CapitalPackageItem)

# The class page with enrolment, attendance, scores and ranking (an applicants admin screen).
COHORT_DETAIL_URL_NAME = "delivery:cohort_detail"
WITHDRAWN = "withdrawn"  # Enrolment.Status.WITHDRAWN; programs never imports applicants


class CohortFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(label=_("Intake"), queryset=Intake.objects.all())
    program = django_filters.ModelChoiceFilter(label=_("Program"), queryset=Program.objects.all())
    instructor = django_filters.ModelChoiceFilter(
        label=_("Instructor"), field_name="instructors", queryset=Instructor.objects.select_related("skill")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Cohort.Status.choices)
    start_from = django_filters.DateFilter(
        label=_("Starting from"), field_name="start_date", lookup_expr="gte", widget=DATE_INPUT
    )
    end_to = django_filters.DateFilter(
        label=_("Ending by"), field_name="end_date", lookup_expr="lte", widget=DATE_INPUT
    )

    class Meta:
        model = Cohort
        fields: list[str] = []


class CohortTable(RegisterTable):
    name = tables.Column(
        verbose_name=_("Class"), linkify=lambda record: reverse(COHORT_DETAIL_URL_NAME, args=[record.pk])
    )
    intake = tables.Column(verbose_name=_("Intake"), accessor="intake__name")
    program = tables.Column(verbose_name=_("Program"), accessor="program__name")
    instructors = tables.Column(verbose_name=_("Instructor"), accessor="pk", orderable=False)
    venue = tables.Column(verbose_name=_("Venue"))
    start_date = tables.DateColumn(verbose_name=_("Start"), format="d-m-Y")
    end_date = tables.DateColumn(verbose_name=_("Ends"), format="d-m-Y")
    capacity = tables.Column(verbose_name=_("Capacity"))
    participant_count = tables.Column(verbose_name=_("Participants"))
    status = ChoiceDisplayColumn(verbose_name=_("Status"))

    class Meta(RegisterTable.Meta):
        model = Cohort
        fields = ()
        sequence = (
            "name", "intake", "program", "instructors", "venue", "start_date", "end_date", "capacity",
            "participant_count", "status",
        )

    def render_instructors(self, record):
        return ", ".join(instructor.name for instructor in record.instructors.all())  # prefetched


class CohortPermissionHelper(PermissionHelper):
    """Create and edit with the model permissions; never delete (enrolments and awards refer to a class)."""

    def user_can_delete_obj(self, user, obj):
        return False


class CohortRegister(RegisterModelAdmin):
    model = Cohort
    register_key = "cohorts"
    register_name = _("Class")
    export_slug = "kelas"
    menu_icon = "group"
    permission_helper_class = CohortPermissionHelper
    table_class = CohortTable
    filterset_class = CohortFilterSet
    search_help = _("Search class name or venue")
    search_fields = (search.name("name"), search.name("venue"))
    list_select_related = ("intake", "program")
    form_fields_exclude = ("status",)
    export_columns = (
        ExportColumn("name", _("Class")),
        ExportColumn("intake__name", _("Intake")),
        ExportColumn("program__name", _("Program")),
        ExportColumn("venue"),
        ExportColumn("start_date"),
        ExportColumn("end_date"),
        ExportColumn("capacity"),
        ExportColumn("participant_count", _("Participants"), kind=NUMBER),
        ExportColumn("min_attendance_pct"),
        ExportColumn("min_final_score"),
        ExportColumn("status"),
    )

    def get_register_queryset(self, user) -> QuerySet:
        return (
            super().get_register_queryset(user)
            .annotate(participant_count=Count("enrolments", filter=~Q(enrolments__status=WITHDRAWN)))
            .prefetch_related("instructors")
        )


@hooks.register("register_admin_viewset")
def register_round_viewsets():
    return RoundViewSetGroup()


@hooks.register("register_log_actions")
def register_round_log_actions(actions):
    for action, label in [
        ("sigap.intake.copy", _("Intake copied from a previous intake")),
        ("sigap.intake.quotas", _("Kelurahan quotas saved")),
    ]:
        actions.register_action(action, label, label)
