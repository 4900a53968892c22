"""Data-subject requests (UU PDP 27/2022): who asked what, when it is due, what was done and by whom.

The deadline is computed when the request is registered (SUBJECT_REQUEST_DEADLINE_HOURS per kind) and
stored, so a later change of the setting never rewrites the history of a request.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from applicants.models.people import Applicant

__all__ = ["DataSubjectRequest"]

REQUEST_ACTION = "sigap.subject_request"
REQUEST_DONE_ACTION = "sigap.subject_request_done"
REQUEST_REFUSED_ACTION = "sigap.subject_request_refused"


class DataSubjectRequest(models.Model):
    class Kind(models.TextChoices):
        ACCESS = "access", _("Access / copy of data")
        RECTIFICATION = "rectification", _("Data correction")
        RESTRICTION = "restriction", _("Restriction of processing")
        ERASURE = "erasure", _("Data erasure")

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone / WhatsApp")

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Completed")
        REFUSED = "refused", _("Rejected")

    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="subject_requests", verbose_name=_("applicant")
    )
    kind = models.CharField(_("request type"), max_length=14, choices=Kind.choices)
    requester_name = models.CharField(
        _("requester name"), max_length=150,
        help_text=_(
            "The person making the request: the data subject or their representative (state the relationship)."
        ),
    )
    channel = models.CharField(_("received via"), max_length=10, choices=Channel.choices)
    details = models.TextField(_("request details"), max_length=2000)
    requested_at = models.DateTimeField(_("received on"), default=timezone.now)
    due_at = models.DateTimeField(_("deadline"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(_("action taken"), max_length=2000, blank=True)
    handled_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("resolved by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["status", "due_at"]
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", handled_at__isnull=True)
                | (Q(status__in=["done", "refused"], handled_at__isnull=False) & ~Q(outcome="")),
                name="subject_request_closed_with_outcome",
            ),
            models.CheckConstraint(condition=Q(due_at__gte=models.F("requested_at")), name="subject_request_due_after"),
            models.CheckConstraint(
                condition=Q(kind__in=["access", "rectification", "restriction", "erasure"]),
                name="subject_request_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.requested_at:%d-%m-%Y}"

    @staticmethod
    def deadline_for(kind: str, requested_at: datetime.datetime) -> datetime.datetime:
        return requested_at + datetime.timedelta(hours=settings.SUBJECT_REQUEST_DEADLINE_HOURS[kind])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at < timezone.now()

    @classmethod
    def register(cls, *, applicant, kind, requester_name, channel, details, user, requested_at=None):
        """Record a request as received (a date in the future is refused) and log it on the person."""
        requested_at = requested_at or timezone.now()
        if requested_at > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError({"requested_at": _("The date received cannot be in the future.")})
        request = cls(
            applicant=applicant, kind=kind, requester_name=(requester_name or "").strip(), channel=channel,
            details=(details or "").strip(), requested_at=requested_at, recorded_by=user,
            due_at=cls.deadline_for(kind, requested_at) if kind in cls.Kind.values else requested_at,
        )
        request.full_clean()
        with transaction.atomic():
            request.save()
            log(applicant, REQUEST_ACTION, user=user, data={"request": request.pk, "kind": kind})
        return request

    def close(self, *, user, outcome: str, refused: bool = False) -> None:
        """Done or refused, with what was done (or why not); once closed a request stays closed."""
        outcome = (outcome or "").strip()
        if not outcome:
            raise ValidationError({"outcome": _("Describe the action taken or the reason for rejection.")})
        with transaction.atomic():
            status = self.Status.REFUSED if refused else self.Status.DONE
            now = timezone.now()
            # Compare-and-set: two staff closing the same request at once cannot both succeed.
            changed = type(self).objects.filter(pk=self.pk, status=self.Status.OPEN).update(
                status=status, outcome=outcome, handled_at=now, handled_by=user
            )
            if not changed:
                raise ValidationError(_("This request is already closed."), code="closed")
            self.status, self.outcome, self.handled_at, self.handled_by = status, outcome, now, user
            action = REQUEST_REFUSED_ACTION if refused else REQUEST_DONE_ACTION
            log(self.applicant, action, user=user, data={"request": self.pk, "kind": self.kind})
