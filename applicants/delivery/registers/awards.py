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
    intake = django_filters.ModelChoiceFilter(label=_("Gelombang"), queryset=Intake.objects.all())
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), field_name="package__program", queryset=Program.objects.all()
    )
    cohort = django_filters.ModelChoiceFilter(label=_("Kelas"), field_name="enrolment__cohort", queryset=cohorts())
    state = django_filters.ChoiceFilter(label=_("Status"), choices=CapitalAward.State.choices)
    recipient = RecipientTypeFilter(label=_("Penerima"), choices=[(PERSON, _("Perorangan")), (GROUP, _("KUB"))])

    class Meta:
        model = CapitalAward
        fields: list[str] = []


class AwardTable(RegisterTable):
    recipient = tables.Column(
        verbose_name=_("Penerima"), accessor="pk",
        order_by=("enrolment__application__applicant__full_name", "group__name"),
        linkify=lambda record: reverse("delivery:award_detail", args=[record.pk]),
    )
    recipient_type = tables.Column(verbose_name=_("Jenis"), accessor="group_id", orderable=False)
    cohort = tables.Column(verbose_name=_("Kelas"), accessor="enrolment__cohort__name")
    package = tables.Column(verbose_name=_("Paket"), accessor="package__name")
    value_rupiah = tables.Column(verbose_name=_("Nilai (Rp)"))
    place = tables.Column(verbose_name=_("Peringkat"))
    state = ChoiceDisplayColumn(verbose_name=_("Status"))
    proposed_at = LocalDateTimeColumn(verbose_name=_("Diusulkan"))
    handed_over_on = tables.DateColumn(verbose_name=_("Diserahkan"), format="d-m-Y")

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
        return _("KUB") if record.group_id else _("Perorangan")

    def render_value_rupiah(self, value):
        return f"Rp {value:,.0f}".replace(",", ".")


class AwardRegister(RegisterModelAdmin):
    model = CapitalAward
    register_key = "awards"
    register_name = _("Modal usaha")
    export_slug = "modal-usaha"
    menu_icon = "tag"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = AwardTable
    filterset_class = AwardFilterSet
    search_help = _("Cari nama penerima, nama KUB atau NIK")
    search_fields = (
        search.name("enrolment__application__applicant__full_name"),
        search.name("group__name"),
        search.nik("enrolment__application__applicant__nik"),
    )
    list_select_related = ("enrolment__application__applicant", "enrolment__cohort", "group", "package", "intake")
    identity_permission = IDENTITY_PERMISSION
    export_columns = (
        ExportColumn("intake__name", _("Gelombang")),
        ExportColumn("enrolment__application__reference", _("No. pendaftaran")),
        ExportColumn("enrolment__application__applicant__full_name", _("Nama penerima")),
        ExportColumn("enrolment__application__applicant__nik", "NIK", kind=IDENTITY),
        ExportColumn("group__name", "KUB"),
        ExportColumn("enrolment__cohort__name", _("Kelas")),
        ExportColumn("package__name", _("Paket")),
        ExportColumn("value_rupiah", _("Nilai (Rp)"), kind=MONEY),
        ExportColumn("place", _("Peringkat")),
        ExportColumn("ranking_reason", _("Alasan peringkat"), width=40),
        ExportColumn("state", _("Status")),
        ExportColumn("proposed_at", _("Diusulkan"), kind=DATETIME),
        ExportColumn("approved_at", _("Disetujui"), kind=DATETIME),
        ExportColumn("handed_over_on", _("Tanggal serah terima")),
        ExportColumn("handover_number", _("Nomor berita acara")),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return access.awards.scope(user, queryset)
