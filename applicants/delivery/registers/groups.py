"""Register of KUB joint business groups."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applicants.models import BusinessGroup
from applicants.privacy import access
from programs.models import Intake
from programs.registers import search
from programs.registers.base import RegisterModelAdmin
from programs.registers.filters import RegisterFilterSet, kecamatan_filter, kelurahan_filter
from programs.registers.permissions import ReadOnlyRegisterPermissionHelper
from programs.registers.tables import ChoiceDisplayColumn, LocalDateTimeColumn, RegisterTable
from programs.registers.xlsx import DATETIME, NUMBER, ExportColumn


# --- KUB groups -------------------------------------------------------------------------------------
class GroupFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(label=_("Intake"), queryset=Intake.objects.all())
    kecamatan = kecamatan_filter()
    kelurahan = kelurahan_filter()
    business_type = django_filters.CharFilter(label=_("Business type"), lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=BusinessGroup.Status.choices)

    class Meta:
        model = BusinessGroup
        fields: list[str] = []


class GroupTable(RegisterTable):
    name = tables.Column(verbose_name=_("KUB name"))
    intake = tables.Column(verbose_name=_("Intake"), accessor="intake__name")
    business_type = tables.Column(verbose_name=_("Business type"))
    kelurahan = tables.Column(verbose_name=_("Kelurahan"), accessor="kelurahan__name")
    kecamatan = tables.Column(verbose_name=_("Kecamatan"), accessor="kelurahan__kecamatan__name")
    chair = tables.Column(verbose_name=_("Chair"), accessor="chair__application__applicant__full_name")
    member_count = tables.Column(verbose_name=_("Active members"))
    status = ChoiceDisplayColumn(verbose_name=_("Status"))
    created_at = LocalDateTimeColumn(verbose_name=_("Formed"))
    actions = tables.Column(verbose_name=_("Actions"), accessor="pk", orderable=False)

    class Meta(RegisterTable.Meta):
        model = BusinessGroup
        fields = ()
        sequence = (
            "name", "intake", "business_type", "kelurahan", "kecamatan", "chair", "member_count", "status",
            "created_at", "actions",
        )

    def render_actions(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("delivery:group_propose_award", args=[record.pk]), _("Propose capital")
        )


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
        ExportColumn("created_at", _("Formed"), kind=DATETIME),
    )

    def get_register_queryset(self, user) -> QuerySet:
        return super().get_register_queryset(user).annotate(
            member_count=Count("memberships", filter=Q(memberships__active=True))
        )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return access.groups.scope(user, queryset)
