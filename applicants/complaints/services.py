"""Receiving complaints and objections, finding them again for the sender, and appeals.

One submission is one transaction, and the ticket number is derived from an id read inside it (as the
application reference is, applicants.intake.services): one INSERT per ticket on the one SQLite write lock.
Lookups by the public (an application to tie a complaint to, a ticket to show its state) run the same
query and the same comparison whichever part is wrong, so a refusal tells nothing about which part.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from applicants import identity
from applicants.models import Application, Ticket
from applicants.models.complaints import OPEN_STATES, new_check_code
from applicants.privacy import access

SUBMIT_ACTION = "sigap.ticket.submit"
APPEAL_ACTION = "sigap.ticket.appeal"
_NO_MATCH_NIK = "0" * 16


def find_application(reference: str, nik: str) -> Application | None:
    """The application only when its reference and its applicant's NIK both match."""
    reference = "".join(str(reference or "").split()).upper()
    nik = identity.normalise_digits(nik)
    application = (
        Application.objects.select_related("applicant__kelurahan").filter(reference=reference).first()
        if reference else None
    )
    stored = application.applicant.nik if application is not None else _NO_MATCH_NIK
    matches = constant_time_compare(stored, nik)
    return application if (application is not None and matches) else None


def find_ticket(number: str, secret: str) -> Ticket | None:
    """The ticket when `secret` is its check code, or the NIK of the application it is tied to."""
    number = "".join(str(number or "").split()).upper()
    ticket = (
        Ticket.objects.select_related("application__applicant").filter(number=number).first() if number else None
    )
    if ticket is None:
        # The same work as a hit: a hash and a comparison, so timing does not tell a number exists.
        Ticket(check_code_hash="0$0").check_code_matches(secret)
        constant_time_compare(_NO_MATCH_NIK, identity.normalise_digits(secret))
        return None
    code_ok = ticket.check_code_matches(secret)
    stored_nik = ticket.application.applicant.nik if ticket.application_id else _NO_MATCH_NIK
    digits = identity.normalise_digits(secret)
    nik_ok = ticket.application_id is not None and identity.is_ascii_digits(digits, 16) and constant_time_compare(
        stored_nik, digits
    )
    return ticket if (code_ok or nik_ok) else None


def submit_ticket(cleaned_data: dict[str, Any], *, user=None, appeal_of: Ticket | None = None) -> tuple[Ticket, str]:
    """Store one complaint; returns (ticket, check code). The code is shown once and stored hashed.

    `cleaned_data`: kind, category, description, and application (already matched by reference and NIK)
    or kecamatan, with the optional contact_name and contact_phone (E.164)."""
    application = cleaned_data.get("application")
    kecamatan = application.applicant.kelurahan.kecamatan if application is not None else cleaned_data.get("kecamatan")
    if kecamatan is None:
        raise ValidationError({"kecamatan": _("Choose the kecamatan the complaint is about.")})
    now = timezone.now()
    code = new_check_code()
    ticket = Ticket(
        kind=cleaned_data["kind"], category=cleaned_data["category"],
        description=(cleaned_data.get("description") or "").strip(), application=application,
        contact_name=" ".join((cleaned_data.get("contact_name") or "").split()),
        contact_phone=cleaned_data.get("contact_phone") or "", kecamatan=kecamatan, created_at=now,
        due_at=Ticket.deadline_for(cleaned_data["category"], now), appeal_of=appeal_of,
    )
    ticket.set_check_code(code)
    with transaction.atomic():
        ticket.pk = _next_ticket_id()
        if ticket.pk is not None:
            ticket.number = _number(now, ticket.pk)
            ticket.save(force_insert=True)
        else:
            ticket.number = f"ADU-TMP-{code}"
            ticket.save(force_insert=True)
            ticket.number = _number(now, ticket.pk)
            Ticket.objects.filter(pk=ticket.pk).update(number=ticket.number)
        log(ticket, SUBMIT_ACTION, user=user, data={
            "kind": ticket.kind, "category": ticket.category, "appeal_of": appeal_of.number if appeal_of else None,
            "channel": "admin" if user is not None else "public",
        })
    return ticket, code


def open_appeal(original: Ticket, description: str, *, user=None) -> tuple[Ticket, str]:
    """An appeal against an answered or closed ticket: a new linked ticket, one open appeal at a time."""
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Write why you disagree with the answer.")})
    if not original.may_be_appealed:
        raise ValidationError(_("Only an answered or closed complaint can be appealed."), code="state")
    if original.appeals.exclude(state=Ticket.State.CLOSED).exists():
        raise ValidationError(_("An appeal against this complaint is already being handled."), code="open_appeal")
    data = {
        "kind": original.kind, "category": original.category, "description": description,
        "application": original.application, "kecamatan": original.kecamatan,
        "contact_name": original.contact_name, "contact_phone": original.contact_phone,
    }
    try:
        with transaction.atomic():
            ticket, code = submit_ticket(data, user=user, appeal_of=original)
            log(original, APPEAL_ACTION, user=user, data={"appeal": ticket.number})
    except IntegrityError:  # another appeal was opened at the same moment (ticket_one_open_appeal)
        raise ValidationError(
            _("An appeal against this complaint is already being handled."), code="open_appeal"
        ) from None
    return ticket, code


def open_summary(user) -> dict[str, int]:
    """Open and overdue tickets this user may see (the admin home panel): one query."""
    visible = access.tickets.scope(user, Ticket.objects.filter(state__in=OPEN_STATES))
    return visible.aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=timezone.now())),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
    )


def _number(moment, pk: int) -> str:
    return f"ADU-{timezone.localtime(moment).year}-{pk:06d}"


def _next_ticket_id() -> int | None:
    """The id the next ticket will get, read inside the write transaction (as for applications)."""
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # AUTOINCREMENT ids are never reused and the IMMEDIATE transaction holds the write lock.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            return (row[0] if row else 0) + 1
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            return cursor.fetchone()[0]
    return None
