"""Register of capital awards (modal usaha) to the best graduates and to KUB groups."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applicants.delivery.registers.common import cohorts
from applicants.models import CapitalAward
from applicants.privacy import access
from applicants.privacy.roles import IDENTITY_PERMISSION
from programs.models import Intake, Program
from programs.registers import search
from programs.registers.base import RegisterModelAdmin
from programs.registers.filters import RegisterFilterSet
from programs.registers.permissions import ReadOnlyRegisterPermissionHelper
from programs.registers.tables import ChoiceDisplayColumn, LocalDateTimeColumn, RegisterTable
from programs.registers.xlsx import DATETIME, IDENTITY, MONEY, ExportColumn

PERSON = "person"
GROUP = "group"


# --- Capital awards (modal usaha) ------------------------------------------------------------------
class RecipientTypeFilter(django_filters.ChoiceFilter):
    def filter(self, qs, value):
        if value == PERSON:
            return qs.filter(enrolment__isnull=False)
        if value == GROUP:
            return qs.filter(group__isnull=False)
        return qs


class AwardFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(label=_("Intake"), queryset=Intake.objects.all())
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), field_name="package__program", queryset=Program.objects.all()
    )
    cohort = django_filters.ModelChoiceFilter(label=_("Class"), field_name="enrolment__cohort", queryset=cohorts())
    state = django_filters.ChoiceFilter(label=_("Status"), choices=CapitalAward.State.choices)
    recipient = RecipientTypeFilter(label=_("Recipient"), choices=[(PERSON, _("Individual")), (GROUP, _("KUB"))])

    class Meta:
        model = CapitalAward
        fields: list[str] = []


class AwardTable(RegisterTable):
    recipient = tables.Column(
        verbose_name=_("Recipient"), accessor="pk",
        order_by=("enrolment__application__applicant__full_name", "group__name"),
        linkify=lambda record: reverse("delivery:award_detail", args=[record.pk]),
    )
    recipient_type = tables.Column(verbose_name=_("Type"), accessor="group_id", orderable=False)
    cohort = tables.Column(verbose_name=_("Class"), accessor="enrolment__cohort__name")
    package = tables.Column(verbose_name=_("Package"), accessor="package__name")
    value_rupiah = tables.Column(verbose_name=_("Value (Rp)"))
    place = tables.Column(verbose_name=_("Rank"))
    state = ChoiceDisplayColumn(verbose_name=_("Status"))
    proposed_at = LocalDateTimeColumn(verbose_name=_("Proposed"))
    handed_over_on = tables.DateColumn(verbose_name=_("Handed over"), format="d-m-Y")

    class Meta(RegisterTable.Meta):
        model = CapitalAward
        fields = ()
        sequence = (
            "recipient", "recipient_type", "cohort", "package", "value_rupiah", "place", "state", "proposed_at",
            "handed_over_on",
        )

    def render_recipient(self, record):
        return record.group.name if record.group_id else record.enrolment.application.applicant.full_name

    def render_recipient_type(self, record):
        return _("KUB") if record.group_id else _("Individual")

    def render_value_rupiah(self, value):
        return f"Rp {value:,.0f}".replace(",", ".")


class AwardRegister(RegisterModelAdmin):
    model = CapitalAward
    register_key = "awards"
    register_name = _("Business capital")
    export_slug = "modal-usaha"
    menu_icon = "tag"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = AwardTable
    filterset_class = AwardFilterSet
    search_help = _("Search recipient name, KUB name or NIK")
    search_fields = (
        search.name("enrolment__application__applicant__full_name"),
        search.name("group__name"),
        search.nik("enrolment__application__applicant__nik"),
    )
    list_select_related = ("enrolment__application__applicant", "enrolment__cohort", "group", "package", "intake")
    identity_permission = IDENTITY_PERMISSION
    export_columns = (
        ExportColumn("intake__name", _("Intake")),
        ExportColumn("enrolment__application__reference", _("Application no.")),
        ExportColumn("enrolment__application__applicant__full_name", _("Recipient name")),
        ExportColumn("enrolment__application__applicant__nik", "NIK", kind=IDENTITY),
        ExportColumn("group__name", "KUB"),
        ExportColumn("enrolment__cohort__name", _("Class")),
        ExportColumn("package__name", _("Package")),
        ExportColumn("value_rupiah", _("Value (Rp)"), kind=MONEY),
        ExportColumn("place", _("Rank")),
        ExportColumn("ranking_reason", _("Ranking reason"), width=40),
        ExportColumn("state", _("Status")),
        ExportColumn("proposed_at", _("Proposed"), kind=DATETIME),
        ExportColumn("approved_at", _("Approved"), kind=DATETIME),
        ExportColumn("handed_over_on", _("Handover date")),
        ExportColumn("handover_number", _("Handover record number")),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return access.awards.scope(user, queryset)
