"""Complaints and objections (pengaduan dan sanggahan) from residents, and their handling by Dinsos staff.

A ticket may name an application (then the sender proved it with the applicant's NIK) or nobody at all
(anonymous). Its state moves only through the methods below, each checked and logged in Wagtail's audit
log; the deadline is computed from the category's service level when the ticket is received and stored,
so a later change of `COMPLAINT_SLA_DAYS` never rewrites a ticket's history. The check code that lets
the sender read the answer is stored only as a salted hash.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from applicants.models.people import Application
from programs.models import Kecamatan

__all__ = ["Ticket"]

# No 0/O, 1/I/L: the code is read off a phone screen and typed again.
CHECK_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_CODE_LENGTH = 10
OPEN_STATES = ("received", "in_review")


def new_check_code() -> str:
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


def hash_check_code(code: str, salt: str | None = None) -> str:
    """`salt$sha256(salt + code)`: the code has ~49 bits and the status page is rate limited, so a fast
    hash is enough; it is salted so equal codes never look equal in a backup."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{normalise_check_code(code)}".encode()).hexdigest()
    return f"{salt}${digest}"


def normalise_check_code(code: str) -> str:
    return "".join(str(code or "").split()).replace("-", "").upper()


class Ticket(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        OBJECTION = "objection", _("Objection")

    class Category(models.TextChoices):
        REJECTION = "rejection", _("Rejection of an application")
        INTERVIEW = "interview", _("Interview")
        CLASS = "class", _("Class (training)")
        CAPITAL = "capital_package", _("Capital package")
        WRONG_RECIPIENT = "wrong_recipient", _("Suspected wrong recipient")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_REVIEW = "in_review", _("In review")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("Upheld: Dinsos corrects it")
        PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
        NOT_UPHELD = "not_upheld", _("Not upheld: the decision stands")
        REFERRED = "referred", _("Referred to another office")
        NOT_ENOUGH_INFORMATION = "not_enough_information", _("Not enough information to check")

    number = models.CharField(_("ticket number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    description = models.TextField(_("description"), max_length=3000)
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
        verbose_name=_("application"),
    )
    contact_name = models.CharField(_("sender's name"), max_length=150, blank=True)
    contact_phone = models.CharField(_("sender's mobile number"), max_length=16, blank=True)
    kecamatan = models.ForeignKey(
        Kecamatan, on_delete=models.PROTECT, related_name="+", verbose_name=_("kecamatan")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RECEIVED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assigned to"),
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("deadline"))
    decision_code = models.CharField(_("decision"), max_length=24, choices=Decision.choices, blank=True)
    answer = models.TextField(_("answer to the sender"), max_length=3000, blank=True)
    internal_note = models.TextField(_("internal note"), max_length=3000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    appeal_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals",
        verbose_name=_("appeal against"),
    )
    check_code_hash = models.CharField(max_length=90, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["complaint", "objection"]), name="ticket_kind_valid"),
            models.CheckConstraint(
                condition=Q(category__in=["rejection", "interview", "class", "capital_package", "wrong_recipient",
                                          "other"]),
                name="ticket_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["received", "in_review", "answered", "closed"]), name="ticket_state_valid"
            ),
            # Answered and closed tickets carry the decision and the answer the sender reads (retention
            # empties the answer of an old closed ticket, and says so in anonymised_at).
            models.CheckConstraint(
                condition=Q(state__in=["received", "in_review"])
                | (~Q(decision_code="") & Q(answered_at__isnull=False)
                   & (~Q(answer="") | Q(anonymised_at__isnull=False))),
                name="ticket_answered_with_decision",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False), name="ticket_closed_has_date"
            ),
            models.CheckConstraint(condition=Q(due_at__gte=F("created_at")), name="ticket_due_after_created"),
            models.CheckConstraint(condition=~Q(appeal_of=F("pk")), name="ticket_not_own_appeal"),
            models.CheckConstraint(
                condition=Q(contact_phone="") | Q(contact_phone__startswith="+62"), name="ticket_phone_e164"
            ),
            # One appeal at a time against a ticket: a second waits until the first is closed.
            models.UniqueConstraint(
                fields=["appeal_of"], condition=Q(appeal_of__isnull=False) & ~Q(state="closed"),
                name="ticket_one_open_appeal",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["kecamatan", "state"]),
        ]

    def __str__(self) -> str:
        return self.number

    # --- rules ------------------------------------------------------------------------------------
    @staticmethod
    def deadline_for(category: str, created_at: datetime.datetime) -> datetime.datetime:
        days = settings.COMPLAINT_SLA_DAYS
        return created_at + datetime.timedelta(days=days.get(category, days["default"]))

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    @property
    def is_anonymous(self) -> bool:
        return self.application_id is None and not self.contact_name and not self.contact_phone

    def set_check_code(self, code: str) -> None:
        self.check_code_hash = hash_check_code(code)

    def check_code_matches(self, code: str) -> bool:
        salt, _sep, _digest = (self.check_code_hash or "$").partition("$")
        return bool(salt) and constant_time_compare(hash_check_code(code, salt), self.check_code_hash)

    def public_state_text(self) -> str:
        """What the sender reads on the status page for each state."""
        return str({
            self.State.RECEIVED: _("Your complaint has been received and is waiting to be reviewed."),
            self.State.IN_REVIEW: _("Dinsos staff are reviewing your complaint."),
            self.State.ANSWERED: _("Dinsos has answered your complaint."),
            self.State.CLOSED: _("Your complaint has been answered and closed."),
        }[self.state])

    @property
    def may_be_appealed(self) -> bool:
        return self.state in (self.State.ANSWERED, self.State.CLOSED) and self.anonymised_at is None

    # --- state moves (each one compare-and-set, logged) ----------------------------------------------
    def _move(self, user, *, allowed_from, to, action: str, data: dict | None = None, **fields) -> None:
        with transaction.atomic():
            changed = type(self).objects.filter(pk=self.pk, state__in=allowed_from).update(state=to, **fields)
            if not changed:
                current = type(self).objects.filter(pk=self.pk).values_list("state", flat=True).first()
                raise ValidationError(
                    _("This complaint is now \"%(state)s\"; that step is not possible from here.")
                    % {"state": self.State(current).label if current else "-"},
                    code="state",
                )
            previous = self.state
            self.state = to
            for name, value in fields.items():
                setattr(self, name, value)
            log(self, action, user=user, data={"from": previous, "to": to, **(data or {})})

    def take_in_review(self, user) -> None:
        self._move(user, allowed_from=[self.State.RECEIVED], to=self.State.IN_REVIEW, action="sigap.ticket.review")

    def assign(self, user, assignee) -> None:
        """Give the ticket to a staff member (None: nobody); closed tickets keep who handled them."""
        if self.state == self.State.CLOSED:
            raise ValidationError(_("A closed complaint cannot be assigned."), code="state")
        with transaction.atomic():
            changed = type(self).objects.filter(pk=self.pk).exclude(state=self.State.CLOSED).update(
                assignee=assignee
            )
            if not changed:
                raise ValidationError(_("A closed complaint cannot be assigned."), code="state")
            self.assignee = assignee
            log(self, "sigap.ticket.assign", user=user,
                data={"assignee": assignee.pk if assignee else None,
                      "assignee_name": (assignee.get_full_name() or assignee.get_username()) if assignee else ""})

    def give_answer(self, user, *, decision_code: str, answer: str, internal_note: str = "") -> None:
        """The decision and the answer the sender reads; both required."""
        answer = (answer or "").strip()
        errors = {}
        if decision_code not in self.Decision.values:
            errors["decision_code"] = _("Choose the decision.")
        if not answer:
            errors["answer"] = _("Write the answer the sender will read.")
        if errors:
            raise ValidationError(errors)
        fields = {"decision_code": decision_code, "answer": answer, "answered_at": timezone.now()}
        note = (internal_note or "").strip()
        if note:
            fields["internal_note"] = note
        self._move(user, allowed_from=list(OPEN_STATES), to=self.State.ANSWERED, action="sigap.ticket.answer",
                   data={"decision": decision_code}, **fields)

    def close(self, user) -> None:
        self._move(user, allowed_from=[self.State.ANSWERED], to=self.State.CLOSED, action="sigap.ticket.close",
                   closed_at=timezone.now())

    def save_note(self, user, note: str) -> None:
        """The internal note (staff only; never on the status page)."""
        note = (note or "").strip()
        with transaction.atomic():
            type(self).objects.filter(pk=self.pk).update(internal_note=note)
            self.internal_note = note
            log(self, "sigap.ticket.note", user=user, data={})
