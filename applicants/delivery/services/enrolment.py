"""Enrolment in a class: placing accepted applicants (one short transaction each, the seat count
checked under a lock), withdrawal, and offering the freed seat to the longest-waiting applicant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from applicants.enums import ApplicationStatus
from applicants.models import Applicant, Application, Enrolment, Interview
from programs.models import Cohort


class CohortFull(ValidationError):
    """The class has no free seat (raised inside the enrolment transaction)."""


# --- Enrolment --------------------------------------------------------------------------------


def eligible_programs(application: Application) -> set[int]:
    """Programs an accepted application may be enrolled in: first choice and the interviewer's recommendation."""
    ids = {application.program_id}
    ids.update(
        pid
        for pid in application.interviews.filter(decision=Interview.Decision.ACCEPT).values_list(
            "recommended_program_id", flat=True
        )
        if pid
    )
    return ids


def _lock_cohort(cohort_id: int) -> Cohort:
    # SQLite runs every atomic() as BEGIN IMMEDIATE (settings): writers are already serialized.
    # PostgreSQL needs the row lock so two transactions cannot both count the last free seat.
    qs = Cohort.objects.all()
    if connection.features.has_select_for_update:
        qs = qs.select_for_update()
    return qs.get(pk=cohort_id)


def enrol(application: Application, cohort: Cohort, user) -> Enrolment:
    """Place an accepted application in a class, refusing when the class is full (checked in the transaction)."""
    with transaction.atomic():
        cohort = _lock_cohort(cohort.pk)
        application = Application.objects.select_related("applicant").get(pk=application.pk)
        Applicant.ensure_processing_allowed_for([application.applicant_id])
        if application.status != ApplicationStatus.ACCEPTED:
            raise ValidationError(_("Only accepted applicants can be enrolled in a class."))
        if application.intake_id != cohort.intake_id:
            raise ValidationError(_("This class belongs to another intake."))
        if cohort.program_id not in eligible_programs(application):
            raise ValidationError(_("The class's program is neither the first "
                                    "choice nor the interviewer's recommendation."))
        if cohort.status == Cohort.Status.COMPLETED:
            raise ValidationError(_("The class has finished."))
        taken = cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN).count()
        if taken >= cohort.capacity:
            raise CohortFull(_("Class %(name)s is full.") % {"name": cohort.name})
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(application=application, cohort=cohort, enrolled_by=user)
        except IntegrityError as exc:
            raise ValidationError(_("This applicant is already enrolled in another class.")) from exc
        application.enrol(user, note=cohort.name)
        log(enrolment, "sigap.enrol", user=user, data={"cohort": cohort.name, "application": str(application)})
    return enrolment


@dataclass
class BulkResult:
    enrolled: list[Enrolment] = field(default_factory=list)
    refused: list[tuple[Application, str]] = field(default_factory=list)


def bulk_enrol(applications: Iterable[Application], cohort: Cohort, user) -> BulkResult:
    """Enrol each application in its own short transaction (keeps the SQLite write lock brief)."""
    result = BulkResult()
    for application in applications:
        try:
            result.enrolled.append(enrol(application, cohort, user))
        except ValidationError as exc:
            result.refused.append((application, " ".join(exc.messages)))
    return result


def longest_waiting(intake_id: int, program_id: int) -> Application | None:
    """The waitlisted application of this intake and program that has waited longest."""
    return (
        Application.objects.filter(intake_id=intake_id, status=ApplicationStatus.WAITLISTED)
        # Restricted (UU PDP) or anonymised people cannot be moved: the seat goes to the next one.
        .filter(applicant__processing_restricted=False, applicant__anonymised_at__isnull=True)
        .filter(Q(program_id=program_id) | Q(interviews__recommended_program_id=program_id))
        .order_by("status_changed_at", "submitted_at", "pk")
        .select_related("applicant")
        .first()
    )


def withdraw(enrolment: Enrolment, user, reason: str = "") -> Application | None:
    """Withdraw a participant and offer the seat to the longest-waiting waitlisted applicant; return them."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_related("cohort", "application__applicant").get(pk=enrolment.pk)
        Applicant.ensure_processing_allowed_for([enrolment.application.applicant_id])
        if enrolment.status != Enrolment.Status.ACTIVE:
            raise ValidationError(_("Only active participants can withdraw."))
        now = timezone.now()
        enrolment.status, enrolment.withdrawn_at, enrolment.withdrawal_reason = (
            Enrolment.Status.WITHDRAWN, now, reason[:255],
        )
        enrolment.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
        application = enrolment.application
        application.withdraw(user, note=reason)
        log(enrolment, "sigap.withdraw", user=user, data={"reason": reason})
        offered = longest_waiting(enrolment.cohort.intake_id, enrolment.cohort.program_id)
        if offered is not None:
            offered.transition_to(
                ApplicationStatus.ACCEPTED, user, note=_("Vacant place offered"),
                data={"cohort": enrolment.cohort.name},
            )
            log(offered, "sigap.seat_offered", user=user,
                data={"cohort": enrolment.cohort.name, "vacated_by": str(application)})
    return offered
