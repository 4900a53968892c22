"""Delivery registers: classes, participants, attendance, capital awards, KUB groups, follow-ups.

Read-only tables over programs.registers (filters, search, sorting, xlsx export, `export_register`
keys). The work itself (attendance grid, ranking, award approval, group forming, recording a
follow-up) stays on the /admin/pelaksanaan/ screens, linked from each table's action column.
Person-linked rows are narrowed with the application access scope (applicants.privacy.access).
"""

from __future__ import annotations

import datetime

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applicants.delivery.services import add_months
from applicants.models import Attendance, BusinessGroup, CapitalAward, Enrolment, FollowUp
from applicants.privacy import access
from applicants.privacy.access import scope_by_kelurahan, scope_via_application, sees_everything
from programs.models import Cohort, CohortSession, Instructor, Intake, Program
from programs.registers import search
from programs.registers.base import RegisterModelAdmin
from programs.registers.filters import (
    DATE_INPUT,
    DateTimeFromFilter,
    DateTimeToFilter,
    RegisterFilterSet,
    kecamatan_filter,
    kelurahan_filter,
)
from programs.registers.permissions import ReadOnlyRegisterPermissionHelper
from programs.registers.tables import ChoiceDisplayColumn, IdentityColumn, LocalDateTimeColumn, RegisterTable
from programs.registers.xlsx import DATETIME, IDENTITY, MONEY, NUMBER, ExportColumn

IDENTITY_PERMISSION = "applicants.view_full_identity"
PERSON = "person"
GROUP = "group"


def _cohort_url(cohort_id: int) -> str:
    return reverse("delivery:cohort_detail", args=[cohort_id])


def _cohorts():
    return Cohort.objects.select_related("intake").order_by("-start_date", "name")


# --- Classes (kelas) -------------------------------------------------------------------------------
class CohortFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(label=_("Gelombang"), queryset=Intake.objects.all())
    program = django_filters.ModelChoiceFilter(label=_("Program"), queryset=Program.objects.all())
    instructor = django_filters.ModelChoiceFilter(
        label=_("Instruktur"), field_name="instructors", queryset=Instructor.objects.select_related("skill")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Cohort.Status.choices)
    start_from = django_filters.DateFilter(
        label=_("Mulai sejak"), field_name="start_date", lookup_expr="gte", widget=DATE_INPUT
    )
    end_to = django_filters.DateFilter(
        label=_("Selesai sampai"), field_name="end_date", lookup_expr="lte", widget=DATE_INPUT
    )

    class Meta:
        model = Cohort
        fields: list[str] = []


class CohortTable(RegisterTable):
    name = tables.Column(verbose_name=_("Kelas"), linkify=lambda record: _cohort_url(record.pk))
    intake = tables.Column(verbose_name=_("Gelombang"), accessor="intake__name")
    program = tables.Column(verbose_name=_("Program"), accessor="program__name")
    instructors = tables.Column(verbose_name=_("Instruktur"), accessor="pk", orderable=False)
    venue = tables.Column(verbose_name=_("Tempat"))
    start_date = tables.DateColumn(verbose_name=_("Mulai"), format="d-m-Y")
    end_date = tables.DateColumn(verbose_name=_("Selesai"), format="d-m-Y")
    capacity = tables.Column(verbose_name=_("Kapasitas"))
    participant_count = tables.Column(verbose_name=_("Peserta"))
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


class CohortRegister(RegisterModelAdmin):
    model = Cohort
    register_key = "cohorts"
    register_name = _("Kelas")
    export_slug = "kelas"
    menu_icon = "group"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = CohortTable
    filterset_class = CohortFilterSet
    search_help = _("Cari nama kelas atau tempat")
    search_fields = (search.name("name"), search.name("venue"))
    list_select_related = ("intake", "program")
    export_columns = (
        ExportColumn("name", "Kelas"),
        ExportColumn("intake__name", "Gelombang"),
        ExportColumn("program__name", "Program"),
        ExportColumn("venue"),
        ExportColumn("start_date"),
        ExportColumn("end_date"),
        ExportColumn("capacity"),
        ExportColumn("participant_count", "Peserta", kind=NUMBER),
        ExportColumn("min_attendance_pct"),
        ExportColumn("min_final_score"),
        ExportColumn("status"),
    )

    def get_register_queryset(self, user) -> QuerySet:
        return (
            super().get_register_queryset(user)
            .annotate(participant_count=Count("enrolments", filter=~Q(enrolments__status=Enrolment.Status.WITHDRAWN)))
            .prefetch_related("instructors")
        )


# --- Participants (enrolments) ---------------------------------------------------------------------
class EnrolmentFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(
        label=_("Gelombang"), field_name="cohort__intake", queryset=Intake.objects.all()
    )
    cohort = django_filters.ModelChoiceFilter(label=_("Kelas"), queryset=_cohorts())
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
    full_name = tables.Column(verbose_name=_("Nama"), accessor="application__applicant__full_name")
    nik = IdentityColumn(verbose_name=_("NIK"), accessor="application__applicant__nik")
    reference = tables.Column(
        verbose_name=_("No. pendaftaran"), accessor="application__reference",
        linkify=lambda record: reverse("applicants_application_modeladmin_inspect", args=[record.application_id]),
    )
    kelurahan = tables.Column(verbose_name=_("Kelurahan"), accessor="application__applicant__kelurahan__name")
    cohort = tables.Column(
        verbose_name=_("Kelas"), accessor="cohort__name", linkify=lambda record: _cohort_url(record.cohort_id)
    )
    program = tables.Column(verbose_name=_("Program"), accessor="cohort__program__name")
    status = ChoiceDisplayColumn(verbose_name=_("Status"))
    attendance_pct = tables.Column(verbose_name=_("Kehadiran (%)"))
    final_score = tables.Column(verbose_name=_("Nilai akhir"))
    enrolled_at = LocalDateTimeColumn(verbose_name=_("Didaftarkan"))

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
    register_name = _("Peserta")
    export_slug = "peserta"
    menu_icon = "user"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = EnrolmentTable
    filterset_class = EnrolmentFilterSet
    search_help = _("Cari nama, NIK atau nomor pendaftaran")
    search_fields = (
        search.name("application__applicant__full_name"),
        search.nik("application__applicant__nik"),
        search.reference("application__reference"),
    )
    list_select_related = ("application__applicant__kelurahan__kecamatan", "cohort__program", "cohort__intake")
    identity_permission = IDENTITY_PERMISSION
    export_filename_prefixes = {"kecamatan": "kec", "kelurahan": "kel"}
    export_columns = (
        ExportColumn("application__reference", "No. pendaftaran"),
        ExportColumn("application__applicant__full_name", "Nama"),
        ExportColumn("application__applicant__nik", "NIK", kind=IDENTITY),
        ExportColumn("application__applicant__phone", "Nomor HP"),
        ExportColumn("application__applicant__kelurahan__name", "Kelurahan"),
        ExportColumn("application__applicant__kelurahan__kecamatan__name", "Kecamatan"),
        ExportColumn("cohort__intake__name", "Gelombang"),
        ExportColumn("cohort__name", "Kelas"),
        ExportColumn("cohort__program__name", "Program"),
        ExportColumn("status", "Status"),
        ExportColumn("attendance_pct", "Kehadiran (%)", kind=NUMBER),
        ExportColumn("final_score", "Nilai akhir"),
        ExportColumn("enrolled_at", "Didaftarkan", kind=DATETIME),
        ExportColumn("withdrawal_reason", "Alasan mundur"),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return scope_via_application(user, queryset, "application")


# --- Attendance --------------------------------------------------------------------------------------
class AttendanceFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(
        label=_("Gelombang"), field_name="session__cohort__intake", queryset=Intake.objects.all()
    )
    cohort = django_filters.ModelChoiceFilter(label=_("Kelas"), field_name="session__cohort", queryset=_cohorts())
    session = django_filters.ModelChoiceFilter(
        label=_("Pertemuan"), queryset=CohortSession.objects.select_related("cohort").order_by("cohort", "number")
    )
    mark = django_filters.ChoiceFilter(label=_("Kehadiran"), choices=Attendance.Mark.choices)

    class Meta:
        model = Attendance
        fields: list[str] = []


class AttendanceTable(RegisterTable):
    date = tables.DateColumn(verbose_name=_("Tanggal"), accessor="session__date", format="d-m-Y")
    cohort = tables.Column(
        verbose_name=_("Kelas"), accessor="session__cohort__name",
        linkify=lambda record: _cohort_url(record.session.cohort_id),
    )
    number = tables.Column(verbose_name=_("Pertemuan"), accessor="session__number")
    full_name = tables.Column(verbose_name=_("Nama"), accessor="enrolment__application__applicant__full_name")
    nik = IdentityColumn(verbose_name=_("NIK"), accessor="enrolment__application__applicant__nik")
    mark = ChoiceDisplayColumn(verbose_name=_("Kehadiran"))
    recorded_at = LocalDateTimeColumn(verbose_name=_("Dicatat"))
    actions = tables.Column(verbose_name=_("Aksi"), accessor="pk", orderable=False)

    class Meta(RegisterTable.Meta):
        model = Attendance
        fields = ()
        sequence = ("date", "cohort", "number", "full_name", "nik", "mark", "recorded_at", "actions")

    def render_actions(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("delivery:session_attendance", args=[record.session_id]), _("Isi absensi")
        )


class AttendanceRegister(RegisterModelAdmin):
    model = Attendance
    register_key = "attendance"
    register_name = _("Absensi")
    export_slug = "absensi"
    menu_icon = "tick"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = AttendanceTable
    filterset_class = AttendanceFilterSet
    search_help = _("Cari nama atau NIK")
    search_fields = (
        search.name("enrolment__application__applicant__full_name"),
        search.nik("enrolment__application__applicant__nik"),
    )
    list_select_related = ("session__cohort", "enrolment__application__applicant")
    identity_permission = IDENTITY_PERMISSION
    export_columns = (
        ExportColumn("session__cohort__name", "Kelas"),
        ExportColumn("session__number", "Pertemuan"),
        ExportColumn("session__date", "Tanggal"),
        ExportColumn("enrolment__application__applicant__full_name", "Nama"),
        ExportColumn("enrolment__application__applicant__nik", "NIK", kind=IDENTITY),
        ExportColumn("mark", "Kehadiran"),
        ExportColumn("recorded_at", "Dicatat", kind=DATETIME),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return scope_via_application(user, queryset, "enrolment__application")


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
    cohort = django_filters.ModelChoiceFilter(label=_("Kelas"), field_name="enrolment__cohort", queryset=_cohorts())
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
        ExportColumn("intake__name", "Gelombang"),
        ExportColumn("enrolment__application__reference", "No. pendaftaran"),
        ExportColumn("enrolment__application__applicant__full_name", "Nama penerima"),
        ExportColumn("enrolment__application__applicant__nik", "NIK", kind=IDENTITY),
        ExportColumn("group__name", "KUB"),
        ExportColumn("enrolment__cohort__name", "Kelas"),
        ExportColumn("package__name", "Paket"),
        ExportColumn("value_rupiah", "Nilai (Rp)", kind=MONEY),
        ExportColumn("place", "Peringkat"),
        ExportColumn("ranking_reason", "Alasan peringkat", width=40),
        ExportColumn("state", "Status"),
        ExportColumn("proposed_at", "Diusulkan", kind=DATETIME),
        ExportColumn("approved_at", "Disetujui", kind=DATETIME),
        ExportColumn("handed_over_on", "Tanggal serah terima"),
        ExportColumn("handover_number", "Nomor berita acara"),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        """Person awards by the application rule, KUB awards by the KUB rule (full reach, kecamatan)."""
        if sees_everything(user):
            return queryset
        level = access.reach(user)
        if level != access.ALL:  # interviewers: awards of people they interviewed; KUB awards need full reach
            return scope_via_application(user, queryset.filter(enrolment__isnull=False), "enrolment__application")
        person = Q(enrolment__isnull=False) & access._kecamatan_condition(
            user, "enrolment__application__applicant__kelurahan__kecamatan_id"
        )
        group = Q(group__isnull=False) & access._kecamatan_condition(user, "group__kelurahan__kecamatan_id")
        return queryset.filter(person | group)


# --- KUB groups -------------------------------------------------------------------------------------
class GroupFilterSet(RegisterFilterSet):
    intake = django_filters.ModelChoiceFilter(label=_("Gelombang"), queryset=Intake.objects.all())
    kecamatan = kecamatan_filter()
    kelurahan = kelurahan_filter()
    business_type = django_filters.CharFilter(label=_("Jenis usaha"), lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=BusinessGroup.Status.choices)

    class Meta:
        model = BusinessGroup
        fields: list[str] = []


class GroupTable(RegisterTable):
    name = tables.Column(verbose_name=_("Nama KUB"))
    intake = tables.Column(verbose_name=_("Gelombang"), accessor="intake__name")
    business_type = tables.Column(verbose_name=_("Jenis usaha"))
    kelurahan = tables.Column(verbose_name=_("Kelurahan"), accessor="kelurahan__name")
    kecamatan = tables.Column(verbose_name=_("Kecamatan"), accessor="kelurahan__kecamatan__name")
    chair = tables.Column(verbose_name=_("Ketua"), accessor="chair__application__applicant__full_name")
    member_count = tables.Column(verbose_name=_("Anggota aktif"))
    status = ChoiceDisplayColumn(verbose_name=_("Status"))
    created_at = LocalDateTimeColumn(verbose_name=_("Dibentuk"))
    actions = tables.Column(verbose_name=_("Aksi"), accessor="pk", orderable=False)

    class Meta(RegisterTable.Meta):
        model = BusinessGroup
        fields = ()
        sequence = (
            "name", "intake", "business_type", "kelurahan", "kecamatan", "chair", "member_count", "status",
            "created_at", "actions",
        )

    def render_actions(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("delivery:group_propose_award", args=[record.pk]), _("Usulkan modal")
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
    search_help = _("Cari nama KUB")
    search_fields = (search.name("name"),)
    list_select_related = ("intake", "kelurahan__kecamatan", "chair__application__applicant")
    export_filename_prefixes = {"kecamatan": "kec", "kelurahan": "kel"}
    export_columns = (
        ExportColumn("name", "Nama KUB"),
        ExportColumn("intake__name", "Gelombang"),
        ExportColumn("business_type"),
        ExportColumn("kelurahan__name", "Kelurahan"),
        ExportColumn("kelurahan__kecamatan__name", "Kecamatan"),
        ExportColumn("chair__application__applicant__full_name", "Ketua"),
        ExportColumn("member_count", "Anggota aktif", kind=NUMBER),
        ExportColumn("status"),
        ExportColumn("created_at", "Dibentuk", kind=DATETIME),
    )

    def get_register_queryset(self, user) -> QuerySet:
        return super().get_register_queryset(user).annotate(
            member_count=Count("memberships", filter=Q(memberships__active=True))
        )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return scope_by_kelurahan(user, queryset)


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
        label=_("Gelombang"), field_name="enrolment__cohort__intake", queryset=Intake.objects.all()
    )
    cohort = django_filters.ModelChoiceFilter(label=_("Kelas"), field_name="enrolment__cohort", queryset=_cohorts())
    milestone = django_filters.TypedChoiceFilter(label=_("Tahap"), choices=FollowUp.Milestone.choices, coerce=int)
    due_month = DueMonthFilter(label=_("Jatuh tempo (bulan)"))
    working_status = django_filters.ChoiceFilter(label=_("Status kerja"), choices=FollowUp.Working.choices)
    business_running = django_filters.BooleanFilter(label=_("Usaha masih berjalan"))
    receiving_bansos = django_filters.BooleanFilter(label=_("Masih menerima bansos"))
    recorded_from = DateTimeFromFilter(label=_("Dicatat sejak"), field_name="recorded_at")
    recorded_to = DateTimeToFilter(label=_("Dicatat sampai"), field_name="recorded_at")

    class Meta:
        model = FollowUp
        fields: list[str] = []


class FollowUpTable(RegisterTable):
    full_name = tables.Column(verbose_name=_("Nama"), accessor="enrolment__application__applicant__full_name")
    cohort = tables.Column(
        verbose_name=_("Kelas"), accessor="enrolment__cohort__name",
        linkify=lambda record: _cohort_url(record.enrolment.cohort_id),
    )
    milestone = ChoiceDisplayColumn(verbose_name=_("Tahap"))
    due_on = tables.Column(verbose_name=_("Jatuh tempo"), accessor="pk", order_by=("enrolment__cohort__end_date",))
    working_status = ChoiceDisplayColumn(verbose_name=_("Status kerja"))
    business_running = tables.BooleanColumn(verbose_name=_("Usaha berjalan"))
    income_band = ChoiceDisplayColumn(verbose_name=_("Penghasilan"))
    receiving_bansos = tables.BooleanColumn(verbose_name=_("Masih bansos"))
    recorded_at = LocalDateTimeColumn(verbose_name=_("Dicatat"))
    actions = tables.Column(verbose_name=_("Aksi"), accessor="pk", orderable=False)

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
        return format_html(
            '<a href="{}">{}</a>',
            reverse("delivery:followup_record", args=[record.enrolment_id, record.milestone]), _("Ubah"),
        )


class FollowUpRegister(RegisterModelAdmin):
    model = FollowUp
    register_key = "followups"
    register_name = _("Tindak lanjut")
    export_slug = "tindak-lanjut"
    menu_icon = "date"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = FollowUpTable
    filterset_class = FollowUpFilterSet
    search_help = _("Cari nama atau NIK")
    search_fields = (
        search.name("enrolment__application__applicant__full_name"),
        search.nik("enrolment__application__applicant__nik"),
    )
    list_select_related = ("enrolment__application__applicant", "enrolment__cohort")
    identity_permission = IDENTITY_PERMISSION
    export_columns = (
        ExportColumn("enrolment__application__reference", "No. pendaftaran"),
        ExportColumn("enrolment__application__applicant__full_name", "Nama"),
        ExportColumn("enrolment__application__applicant__nik", "NIK", kind=IDENTITY),
        ExportColumn("enrolment__application__applicant__phone", "Nomor HP"),
        ExportColumn("enrolment__cohort__name", "Kelas"),
        ExportColumn("enrolment__cohort__end_date", "Kelas selesai"),
        ExportColumn("milestone", "Tahap"),
        ExportColumn("working_status", "Status kerja"),
        ExportColumn("business_running", "Usaha masih berjalan"),
        ExportColumn("income_band", "Penghasilan per bulan"),
        ExportColumn("receiving_bansos", "Masih menerima bansos"),
        ExportColumn("note", "Catatan", width=40),
        ExportColumn("recorded_at", "Dicatat", kind=DATETIME),
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return scope_via_application(user, queryset, "enrolment__application")
