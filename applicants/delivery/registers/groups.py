"""Registers of KUB joint business groups (with their state from the monthly reports) and of the
groups' monthly reports."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applicants.models import BusinessGroup, GroupReport, GroupState, with_state
from applicants.privacy import access
from applicants.privacy.gates import action_links
from programs.models import Intake
from programs.registers import search
from programs.registers.base import RegisterModelAdmin
from programs.registers.filters import RegisterFilterSet, kecamatan_filter, kelurahan_filter
from programs.registers.permissions import ReadOnlyRegisterPermissionHelper
from programs.registers.tables import ChoiceDisplayColumn, LocalDateTimeColumn, RegisterTable
from programs.registers.xlsx import DATE, DATETIME, MONEY, NUMBER, ExportColumn

STATE_LABELS = dict(GroupState.choices)


# --- KUB groups -------------------------------------------------------------------------------------
class GroupFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(label=_("Intake"), queryset=Intake.objects.all())
    kecamatan = kecamatan_filter()
    kelurahan = kelurahan_filter()
    business_type = django_filters.CharFilter(label=_("Business type"), lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=BusinessGroup.Status.choices)
    # The state follows from the reports (dormant: no meeting reported lately); see `with_state`.
    state = django_filters.ChoiceFilter(label=_("State"), choices=GroupState.choices, method="filter_state")

    class Meta:
        model = BusinessGroup
        fields: list[str] = []

    def filter_state(self, queryset, name, value):
        return queryset.filter(state=value) if value else queryset


class GroupTable(RegisterTable):
    name = tables.Column(verbose_name=_("KUB name"))
    intake = tables.Column(verbose_name=_("Intake"), accessor="intake__name")
    business_type = tables.Column(verbose_name=_("Business type"))
    kelurahan = tables.Column(verbose_name=_("Kelurahan"), accessor="kelurahan__name")
    kecamatan = tables.Column(verbose_name=_("Kecamatan"), accessor="kelurahan__kecamatan__name")
    chair = tables.Column(verbose_name=_("Chair"), accessor="chair__application__applicant__full_name")
    member_count = tables.Column(verbose_name=_("Active members"))
    status = ChoiceDisplayColumn(verbose_name=_("Status"))
    state = tables.Column(verbose_name=_("State"))
    last_meeting = tables.DateColumn(verbose_name=_("Last meeting reported"), format="m-Y")
    created_at = LocalDateTimeColumn(verbose_name=_("Formed"))
    actions = tables.Column(verbose_name=_("Actions"), accessor="pk", orderable=False)

    class Meta(RegisterTable.Meta):
        model = BusinessGroup
        fields = ()
        sequence = (
            "name", "intake", "business_type", "kelurahan", "kecamatan", "chair", "member_count", "status",
            "state", "last_meeting", "created_at", "actions",
        )

    def render_name(self, record, value):
        return format_html('<a href="{}">{}</a>', reverse("delivery:group_detail", args=[record.pk]), value)

    def render_state(self, value):
        label = STATE_LABELS.get(value, value)
        if value == GroupState.DORMANT:  # the groups that stopped reporting stand out
            return format_html('<strong class="w-text-critical-200">{}</strong>', label)
        return label

    def render_actions(self, record):
        return action_links(self.request, [("delivery:group_propose_award", [record.pk], _("Propose capital"))])


class GroupRegister(RegisterModelAdmin):
    model = BusinessGroup
    register_key = "groups"
    register_name = _("KUB")
    export_slug = "kub"
    menu_icon = "group"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = GroupTable
    filterset_class = GroupFilterSet
    search_help = _("Search KUB name")
    search_fields = (search.name("name"),)
    list_select_related = ("intake", "kelurahan__kecamatan", "chair__application__applicant")
    export_filename_prefixes = {"kecamatan": "kec", "kelurahan": "kel"}
    export_columns = (
        ExportColumn("name", _("KUB name")),
        ExportColumn("intake__name", _("Intake")),
        ExportColumn("business_type"),
        ExportColumn("kelurahan__name", _("Kelurahan")),
        ExportColumn("kelurahan__kecamatan__name", _("Kecamatan")),
        ExportColumn("chair__application__applicant__full_name", _("Chair")),
        ExportColumn("member_count", _("Active members"), kind=NUMBER),
        ExportColumn("status"),
        ExportColumn("state", _("State"), choices=STATE_LABELS),
        ExportColumn("last_meeting", _("Last meeting reported"), kind=DATE),
        ExportColumn("created_at", "Dibentuk", kind=DATETIME),
    )

    def get_register_queryset(self, user) -> QuerySet:
        return with_state(super().get_register_queryset(user).annotate(
            member_count=Count("memberships", filter=Q(memberships__active=True))
        ))

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return access.groups.scope(user, queryset)


# --- Monthly reports of the groups ---------------------------------------------------------------------
class GroupReportFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(
        label=_("Intake"), field_name="group__intake", queryset=Intake.objects.all()
    )
    kecamatan = kecamatan_filter("group__kelurahan")
    period_from = django_filters.DateFilter(
        label=_("From month"), field_name="period", lookup_expr="gte", input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    period_to = django_filters.DateFilter(
        label=_("Until month"), field_name="period", lookup_expr="lte", input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    meeting_held = django_filters.BooleanFilter(label=_("Meeting held"))

    class Meta:
        model = GroupReport
        fields: list[str] = []


class GroupReportTable(RegisterTable):
    group = tables.Column(verbose_name=_("KUB"), accessor="group__name",
                          linkify=lambda record: reverse("delivery:group_detail", args=[record.group_id]))
    kecamatan = tables.Column(verbose_name=_("Kecamatan"), accessor="group__kelurahan__kecamatan__name")
    period = tables.DateColumn(verbose_name=_("Month"), format="m-Y")
    meeting_held = tables.BooleanColumn(verbose_name=_("Meeting held"))
    present_count = tables.Column(verbose_name=_("Members present"))
    sales_rupiah = tables.Column(verbose_name=_("Sales (Rp)"))
    cash_balance_rupiah = tables.Column(verbose_name=_("Cash balance (Rp)"))
    problems = tables.Column(verbose_name=_("Problems"))
    recorded_at = LocalDateTimeColumn(verbose_name=_("Recorded at"))

    class Meta(RegisterTable.Meta):
        model = GroupReport
        fields = ()
        sequence = ("group", "kecamatan", "period", "meeting_held", "present_count", "sales_rupiah",
                    "cash_balance_rupiah", "problems", "recorded_at")


class GroupReportRegister(RegisterModelAdmin):
    model = GroupReport
    register_key = "group_reports"
    register_name = _("KUB monthly reports")
    export_slug = "laporan-kub"
    menu_icon = "doc-full"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = GroupReportTable
    filterset_class = GroupReportFilterSet
    search_help = _("Search KUB name")
    search_fields = (search.name("group__name"),)
    list_select_related = ("group__kelurahan__kecamatan",)
    inspect_view_enabled = True
    inspect_view_fields = ("group", "period", "meeting_held", "members_present", "sales_rupiah",
                           "cash_balance_rupiah", "problems", "recorded_at")
    export_filename_prefixes = {"kecamatan": "kec"}
    export_columns = (
        ExportColumn("group__name", "Nama KUB"),
        ExportColumn("group__kelurahan__kecamatan__name", "Kecamatan"),
        ExportColumn("period", _("Month"), kind=DATE),
        ExportColumn("meeting_held"),
        ExportColumn("present_count", _("Members present"), kind=NUMBER),
        ExportColumn("sales_rupiah", kind=MONEY),
        ExportColumn("cash_balance_rupiah", kind=MONEY),
        ExportColumn("problems"),
        ExportColumn("recorded_at", kind=DATETIME),
    )

    def get_register_queryset(self, user) -> QuerySet:
        return super().get_register_queryset(user).annotate(present_count=Count("members_present"))

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return access.group_reports.scope(user, queryset)
