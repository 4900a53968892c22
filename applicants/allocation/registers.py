"""Registers of earlier-recipient lists: the imported lists (no personal data) and their rows (read-only)."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applicants.models import RecipientListBatch, RecipientListRecord
from applicants.privacy import access
from applicants.privacy.roles import IDENTITY_PERMISSION
from programs.models import Kecamatan
from programs.registers import search
from programs.registers.base import RegisterModelAdmin
from programs.registers.filters import DateTimeFromFilter, DateTimeToFilter, RegisterFilterSet
from programs.registers.permissions import ReadOnlyRegisterPermissionHelper
from programs.registers.tables import ChoiceDisplayColumn, IdentityColumn, LocalDateTimeColumn, RegisterTable
from programs.registers.xlsx import DATETIME, IDENTITY, ExportColumn


class RecipientListFilterSet(RegisterFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=RecipientListBatch.State.choices)
    uploaded_from = DateTimeFromFilter(label=_("Uploaded from"), field_name="created_at")
    uploaded_to = DateTimeToFilter(label=_("Uploaded until"), field_name="created_at")

    class Meta:
        model = RecipientListBatch
        fields: list[str] = []


class RecipientListTable(RegisterTable):
    created_at = LocalDateTimeColumn(
        verbose_name=_("Uploaded"), linkify=lambda record: reverse("allocation:report", args=[record.pk])
    )
    file_name = tables.Column(verbose_name=_("File"))
    program = tables.Column(verbose_name=_("Program"))
    year = tables.Column(verbose_name=_("Year"))
    state = ChoiceDisplayColumn(verbose_name=_("State"))
    rows_accepted = tables.Column(verbose_name=_("Accepted"))
    rows_rejected = tables.Column(verbose_name=_("Rejected"))
    rows_duplicate = tables.Column(verbose_name=_("Duplicates"))
    uploaded_by = tables.Column(verbose_name=_("By"), accessor="uploaded_by__username")

    class Meta(RegisterTable.Meta):
        model = RecipientListBatch
        fields = ()
        sequence = ("created_at", "file_name", "program", "year", "state", "rows_accepted", "rows_rejected",
                    "rows_duplicate", "uploaded_by")


class RecipientListRegister(RegisterModelAdmin):
    """Imported lists of earlier recipients (PENA, KUBE...) and what became of their rows."""

    model = RecipientListBatch
    register_key = "recipient-lists"
    register_name = _("Earlier-recipient lists")
    export_slug = "daftar-penerima-program-lain"
    menu_icon = "upload"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = RecipientListTable
    filterset_class = RecipientListFilterSet
    search_help = _("Search file name or program")
    search_fields = (search.name("file_name"), search.name("program"))
    list_select_related = ("uploaded_by",)
    export_columns = (
        ExportColumn("created_at", "Diunggah", kind=DATETIME),
        ExportColumn("file_name"),
        ExportColumn("file_sha256", "SHA-256"),
        ExportColumn("program"),
        ExportColumn("year"),
        ExportColumn("state"),
        ExportColumn("rows_read"),
        ExportColumn("rows_accepted"),
        ExportColumn("rows_rejected"),
        ExportColumn("rows_duplicate"),
        ExportColumn("uploaded_by__username", "Diunggah oleh"),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return access.recipient_batches.scope(user, queryset)


class RecipientRecordFilterSet(RegisterFilterSet):
    batch = django_filters.ModelChoiceFilter(label=_("List"), queryset=RecipientListBatch.objects.all())
    kecamatan = django_filters.ModelChoiceFilter(label=_("Kecamatan"), queryset=Kecamatan.objects.all())
    year = django_filters.NumberFilter(label=_("Year"))

    class Meta:
        model = RecipientListRecord
        fields: list[str] = []


class RecipientRecordTable(RegisterTable):
    batch = tables.Column(
        verbose_name=_("List"), accessor="batch__file_name", order_by=("batch__created_at", "row_number"),
        linkify=lambda record: reverse("allocation:report", args=[record.batch_id]),
    )
    row_number = tables.Column(verbose_name=_("Row"))
    nik = IdentityColumn(verbose_name=_("NIK"))
    kk_number = IdentityColumn(verbose_name=_("KK number"))
    full_name = tables.Column(verbose_name=_("Name"))
    program = tables.Column(verbose_name=_("Program"))
    year = tables.Column(verbose_name=_("Year"))
    kecamatan = tables.Column(verbose_name=_("Kecamatan"), accessor="kecamatan__name")

    class Meta(RegisterTable.Meta):
        model = RecipientListRecord
        fields = ()
        sequence = ("batch", "row_number", "nik", "kk_number", "full_name", "program", "year", "kecamatan")


class RecipientRecordRegister(RegisterModelAdmin):
    """Rows of the imported lists, searchable by exact NIK/KK or name; NIK/KK masked for most."""

    model = RecipientListRecord
    register_key = "recipient-records"
    register_name = _("Earlier recipients of other programs")
    export_slug = "penerima-program-lain"
    menu_icon = "table"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = RecipientRecordTable
    filterset_class = RecipientRecordFilterSet
    search_help = _("Search NIK or KK number (16 digits, exact) or name")
    search_fields = (search.nik("nik"), search.nik("kk_number"), search.name("full_name"))
    list_select_related = ("batch", "kecamatan")
    identity_permission = IDENTITY_PERMISSION
    identity_fields = ("nik", "kk_number")
    export_columns = (
        ExportColumn("batch__file_name", "Daftar"),
        ExportColumn("row_number", "Baris"),
        ExportColumn("nik", "NIK", kind=IDENTITY),
        ExportColumn("kk_number", "Nomor KK", kind=IDENTITY),
        ExportColumn("full_name", "Nama"),
        ExportColumn("program", "Program"),
        ExportColumn("year", "Tahun"),
        ExportColumn("kecamatan__name", "Kecamatan"),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        """Editors and auditors (full reach), narrowed to their kecamatan if restricted; nobody else."""
        return access.recipient_records.scope(user, queryset)
