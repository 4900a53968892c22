"""Register of complaints and objections (Pengaduan): filters, overdue tickets marked, xlsx export.

Rows and exports go through the ticket access policy; the description is not exported (it is free text
a resident typed, read on the ticket's own page where the policy decides how much is shown)."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applicants.models import Ticket
from applicants.models.complaints import OPEN_STATES
from applicants.privacy import access
from applicants.privacy.roles import IDENTITY_PERMISSION
from programs.models import Kecamatan
from programs.registers import search
from programs.registers.base import RegisterModelAdmin
from programs.registers.filters import DateTimeFromFilter, DateTimeToFilter, RegisterFilterSet
from programs.registers.permissions import ReadOnlyRegisterPermissionHelper
from programs.registers.search import SearchField
from programs.registers.tables import ChoiceDisplayColumn, LocalDateTimeColumn, RegisterTable
from programs.registers.xlsx import DATETIME, IDENTITY, ExportColumn

OVERDUE = "1"


def ticket_url(ticket_id: int) -> str:
    return reverse("complaints:ticket_detail", args=[ticket_id])


def _ticket_number_term(term: str) -> str | None:
    text = "".join(term.split()).upper()
    return text if text.startswith("ADU-") else None


class OverdueFilter(django_filters.ChoiceFilter):
    def filter(self, qs, value):
        if value == OVERDUE:
            return qs.filter(state__in=OPEN_STATES, due_at__lt=timezone.now())
        return qs


class TicketFilterSet(RegisterFilterSet):
    state = django_filters.ChoiceFilter(label=_("Ticket status"), choices=Ticket.State.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Ticket.Kind.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Ticket.Category.choices)
    kecamatan = django_filters.ModelChoiceFilter(label=_("Kecamatan"), queryset=Kecamatan.objects.all())
    overdue = OverdueFilter(label=_("Deadline"), choices=[(OVERDUE, _("Overdue only"))])
    received_from = DateTimeFromFilter(label=_("Received from"), field_name="created_at")
    received_to = DateTimeToFilter(label=_("Received until"), field_name="created_at")

    class Meta:
        model = Ticket
        fields: list[str] = []


class DeadlineColumn(LocalDateTimeColumn):
    """The deadline, with an "overdue" tag on open tickets past it."""

    def render(self, value, record):
        text = super().render(value)
        if record.is_overdue:
            return format_html('{} <strong class="w-status w-status--label">{}</strong>', text, _("Overdue"))
        return text


class TicketTable(RegisterTable):
    number = tables.Column(verbose_name=_("Ticket"), linkify=lambda record: ticket_url(record.pk))
    kind = ChoiceDisplayColumn(verbose_name=_("Kind"))
    category = ChoiceDisplayColumn(verbose_name=_("Category"))
    kecamatan = tables.Column(verbose_name=_("Kecamatan"), accessor="kecamatan__name")
    state = ChoiceDisplayColumn(verbose_name=_("Ticket status"))
    created_at = LocalDateTimeColumn(verbose_name=_("Received"))
    due_at = DeadlineColumn(verbose_name=_("Deadline"))
    assignee = tables.Column(verbose_name=_("Assigned to"), accessor="assignee__username")
    appeal_of = tables.Column(verbose_name=_("Appeal against"), accessor="appeal_of__number")

    class Meta(RegisterTable.Meta):
        model = Ticket
        fields = ()
        sequence = ("number", "kind", "category", "kecamatan", "state", "created_at", "due_at", "assignee",
                    "appeal_of")
        row_attrs = {"class": lambda record: "ticket-overdue" if record.is_overdue else ""}


class TicketRegister(RegisterModelAdmin):
    model = Ticket
    register_key = "complaints"
    register_name = _("Complaints")
    export_slug = "pengaduan"
    menu_icon = "help"
    permission_helper_class = ReadOnlyRegisterPermissionHelper
    table_class = TicketTable
    filterset_class = TicketFilterSet
    search_help = _("Search ticket number, application number or mobile number")
    search_fields = (
        SearchField("number", "exact", _ticket_number_term),
        search.reference("application__reference"),
        search.phone("contact_phone"),
    )
    list_select_related = ("kecamatan", "assignee", "appeal_of")
    identity_permission = IDENTITY_PERMISSION
    export_filename_prefixes = {"kecamatan": "kec"}
    export_columns = (
        ExportColumn("number", "No. tiket"),
        ExportColumn("kind"),
        ExportColumn("category"),
        ExportColumn("kecamatan__name", "Kecamatan"),
        ExportColumn("state"),
        ExportColumn("created_at", kind=DATETIME),
        ExportColumn("due_at", kind=DATETIME),
        ExportColumn("assignee__username", "Petugas"),
        ExportColumn("decision_code"),
        ExportColumn("answered_at", kind=DATETIME),
        ExportColumn("closed_at", kind=DATETIME),
        ExportColumn("application__reference", "No. pendaftaran"),
        ExportColumn("appeal_of__number", "Banding atas"),
        ExportColumn("contact_phone", kind=IDENTITY),  # masked like a NIK for users without full identity
    )

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        return access.tickets.scope(user, queryset)
