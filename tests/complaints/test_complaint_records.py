"""Complaints in the person's data copy, in retention, and in the demo."""

import datetime
import json

import pytest
from django.utils import timezone

from applicants.complaints import demo
from applicants.enums import ApplicationStatus
from applicants.models import Ticket
from applicants.privacy.retention import apply_retention, erase_applicant
from applicants.privacy.subject_rights import export_subject_data
from tests.factories import ApplicationFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_subject_access_copy_holds_the_persons_tickets_but_not_the_internal_note():
    application = ApplicationFactory()
    TicketFactory(application=application, answered=True, internal_note="Catatan petugas saja.")
    TicketFactory()  # someone else's anonymous ticket
    data = json.loads(export_subject_data(application.applicant))
    assert len(data["pengaduan"]) == 1
    ticket = data["pengaduan"][0]
    assert ticket["number"].startswith("ADU-") and ticket["answer"]
    assert "internal_note" not in ticket and "Catatan petugas" not in json.dumps(data)


def test_retention_anonymises_tickets_closed_long_ago_and_keeps_the_figures(settings):
    settings.RETENTION_COMPLAINT_YEARS = 2
    application = ApplicationFactory()
    old = TicketFactory(application=application, closed=True, contact_phone="+6281234567890", contact_name="Siti")
    Ticket.objects.filter(pk=old.pk).update(closed_at=timezone.now() - datetime.timedelta(days=3 * 365))
    recent = TicketFactory(closed=True)
    still_open = TicketFactory(overdue=True)
    assert apply_retention(dry_run=True).closed_tickets == 1
    report = apply_retention()
    assert report.closed_tickets == 1
    old.refresh_from_db()
    assert (old.description, old.contact_phone, old.contact_name, old.answer, old.application) == ("", "", "", "",
                                                                                                  None)
    assert old.anonymised_at and old.state == Ticket.State.CLOSED and old.decision_code and old.kecamatan_id
    assert not old.may_be_appealed
    for kept in (recent, still_open):
        kept.refresh_from_db()
        assert kept.description and kept.anonymised_at is None
    assert apply_retention().closed_tickets == 0  # idempotent


def test_erasure_of_a_person_clears_the_text_of_their_tickets():
    application = ApplicationFactory()
    ticket = TicketFactory(application=application, description="Rumah saya di Gang Mawar 3.")
    erase_applicant(application.applicant, UserFactory(editor=True))
    ticket.refresh_from_db()
    assert ticket.description == "" and ticket.anonymised_at is not None


def test_demo_has_tickets_in_every_state_one_overdue_and_one_appeal_and_runs_once():
    UserFactory(editor=True, username="editor")
    ApplicationFactory(status=ApplicationStatus.REJECTED, decision_reason="desil")
    assert demo.seed()["tickets"] == 5
    states = set(Ticket.objects.values_list("state", flat=True))
    assert {Ticket.State.RECEIVED, Ticket.State.IN_REVIEW, Ticket.State.CLOSED} <= states
    assert any(ticket.is_overdue for ticket in Ticket.objects.all())
    assert Ticket.objects.filter(appeal_of__isnull=False).count() == 1
    assert demo.seed()["tickets"] == 0 and Ticket.objects.count() == 5
