"""Registers of the welfare register imports: batches and their accepted records (read-only)."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applicants.enums import Register
from applicants.models import WelfareImportBatch, WelfareRecord
from applicants.privacy import access
from applicants.privacy.roles import IDENTITY_PERMISSION
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
from programs.registers.tables import (
    BirthDateColumn,
    ChoiceDisplayColumn,
    IdentityColumn,
    LocalDateTimeColumn,
    RegisterTable,
)
from programs.registers.xlsx import BIRTH_DATE, DATETIME, IDENTITY, ExportColumn


# --- Welfare register import batches ---------------------------------------------------------------
class WelfareBatchFilterSet(RegisterFilterSet):
    register = django_filters.ChoiceFilter(label=_("Register"), choices=Register.choices)
    state = django_filters.ChoiceFilter(label=_("Status"), choices=WelfareImportBatch.State.choices)
    uploaded_from = DateTimeFromFilter(label=_("Uploaded from"), field_name="created_at")
    uploaded_to = DateTimeToFilter(label=_("Uploaded until"), field_name="created_at")

    class Meta:
        model = WelfareImportBatch
        fields: list[str] = []


class WelfareBatchTable(RegisterTable):
    created_at = LocalDateTimeColumn(
        verbose_name=_("Uploaded"), linkify=lambda record: reverse("welfare:report", args=[record.pk])
    )
    register = ChoiceDisplayColumn(verbose_name=_("Register"))
    as_of = tables.DateColumn(verbose_name=_("As of"), format="d-m-Y")
    file_name = tables.Column(verbose_name=_("File"))
    state = ChoiceDisplayColumn(verbose_name=_("Status"))
    rows_read = tables.Column(verbose_name=_("Read"))
    rows_accepted = tables.Column(verbose_name=_("Accepted"))
    rows_rejected = tables.Column(verbose_name=_("Rejected"))
    rows_duplicate = tables.Column(verbose_name=_("Duplicates"))
    uploaded_by = tables.Column(verbose_name=_("By"), accessor="uploaded_by__username")

    class Meta(RegisterTable.Meta):
        model = WelfareImportBatch
        fields = ()
        sequence = (
            "created_at", "register", "as_of", "file_name", "state", "rows_read", "rows_accepted",
            "rows_rejected", "rows_duplicate", "uploaded_by",
        )


class WelfareBatchRegister(RegisterModelAdmin):
    """Impor register: each uploaded DTSEN/DTKS extract and what became of its rows (no personal data)."""

    model = WelfareImportBatch
    register_key = "register-batches"
    register_name = _("DTSEN register imports")
    export_slug = "impor-register"
    menu_icon = "upload"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = WelfareBatchTable
    filterset_class = WelfareBatchFilterSet
    search_help = _("Search by file name")
    search_fields = (search.name("file_name"),)
    list_select_related = ("uploaded_by",)
    export_columns = (
        ExportColumn("created_at", _("Uploaded"), kind=DATETIME),
        ExportColumn("register"),
        ExportColumn("as_of", _("As of")),
        ExportColumn("file_name"),
        ExportColumn("file_sha256", "SHA-256"),
        ExportColumn("state"),
        ExportColumn("rows_read"),
        ExportColumn("rows_accepted"),
        ExportColumn("rows_rejected"),
        ExportColumn("rows_duplicate"),
        ExportColumn("uploaded_by__username", _("Uploaded by")),
        ExportColumn("finished_at", _("Completed"), kind=DATETIME),
    )


# --- Welfare register records --------------------------------------------------------------------
DESIL_CHOICES = [(n, str(n)) for n in range(1, 11)]


class WelfareRecordFilterSet(RegisterFilterSet):
    batch = django_filters.ModelChoiceFilter(label=_("Import"), queryset=WelfareImportBatch.objects.all())
    register = django_filters.ChoiceFilter(label=_("Register"), field_name="batch__register", choices=Register.choices)
    kecamatan = kecamatan_filter()
    kelurahan = kelurahan_filter()
    desil = django_filters.TypedChoiceFilter(label=_("Desil"), choices=DESIL_CHOICES, coerce=int)

    class Meta:
        model = WelfareRecord
        fields: list[str] = []


class WelfareRecordTable(RegisterTable):
    batch = tables.Column(
        verbose_name=_("Import"), accessor="batch__as_of", order_by=("batch__as_of", "row_number"),
        linkify=lambda record: reverse("welfare:report", args=[record.batch_id]),
    )
    row_number = tables.Column(verbose_name=_("Row"))
    nik = IdentityColumn(verbose_name=_("NIK"))
    kk_number = IdentityColumn(verbose_name=_("KK number"))
    full_name = tables.Column(verbose_name=_("Name"))
    birth_date = BirthDateColumn(verbose_name=_("Date of birth"))
    kelurahan = tables.Column(verbose_name=_("Kelurahan"), accessor="kelurahan__name")
    kecamatan = tables.Column(verbose_name=_("Kecamatan"), accessor="kelurahan__kecamatan__name")
    desil = tables.Column(verbose_name=_("Desil"))
    bansos = tables.Column(verbose_name=_("Bansos"), orderable=False)

    class Meta(RegisterTable.Meta):
        model = WelfareRecord
        fields = ()
        sequence = (
            "batch", "row_number", "nik", "kk_number", "full_name", "birth_date", "kelurahan", "kecamatan",
            "desil", "bansos",
        )

    def render_batch(self, value, record):
        return f"{record.batch.get_register_display()} {value:%d-%m-%Y}"


class WelfareRecordRegister(RegisterModelAdmin):
    """Register DTSEN: the imported rows, searchable by exact NIK/KK or name; NIK/KK masked for most."""

    model = WelfareRecord
    register_key = "register-records"
    register_name = _("DTSEN register")
    export_slug = "register-dtsen"
    menu_icon = "table"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = WelfareRecordTable
    filterset_class = WelfareRecordFilterSet
    search_help = _("Search by NIK or KK number (exactly 16 digits) or name")
    search_fields = (search.nik("nik"), search.nik("kk_number"), search.name("full_name"))
    list_select_related = ("batch", "kelurahan__kecamatan")
    identity_permission = IDENTITY_PERMISSION
    identity_fields = ("nik", "kk_number")
    export_filename_prefixes = {"kecamatan": "kec", "kelurahan": "kel"}
    export_columns = (
        ExportColumn("batch__register", _("Register")),
        ExportColumn("batch__as_of", _("As of")),
        ExportColumn("row_number", _("Row")),
        ExportColumn("nik", "NIK", kind=IDENTITY),
        ExportColumn("kk_number", _("KK number"), kind=IDENTITY),
        ExportColumn("full_name", _("Name")),
        ExportColumn("birth_date", _("Date of birth"), kind=BIRTH_DATE),
        ExportColumn("sex", _("Sex"), width=6),
        ExportColumn("address", _("Address")),
        ExportColumn("rt", _("RT"), width=6),
        ExportColumn("rw", _("RW"), width=6),
        ExportColumn("kelurahan__name", _("Kelurahan")),
        ExportColumn("kelurahan__kecamatan__name", _("Kecamatan")),
        ExportColumn("desil", _("Desil")),
        ExportColumn("bansos", _("Bansos")),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        """Editors and auditors (full reach), narrowed to their kecamatan if restricted; nobody else."""
        return access.welfare_records.scope(user, queryset)
