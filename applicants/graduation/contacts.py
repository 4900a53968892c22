"""Recording each try to reach a person (interview invitation or follow-up) and reading them back
for the follow-up due list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from applicants.models import Applicant, ContactAttempt, Enrolment, FollowUp, Interview
from applicants.selection.services import whatsapp_link


def record_attempt(user, *, channel: str, result: str, note: str = "", interview: Interview | None = None,
                   enrolment: Enrolment | None = None, milestone: int | None = None) -> ContactAttempt:
    """One attempt for an interview invitation (`interview`) or a follow-up (`enrolment` + `milestone`)."""
    errors = {}
    if channel not in ContactAttempt.Channel.values:
        errors["channel"] = _("Choose the contact method: WhatsApp, phone or visit.")
    if result not in ContactAttempt.Result.values:
        errors["result"] = _("Choose the outcome: reached, no answer, wrong number or moved away.")
    if (interview is None) == (enrolment is None):
        errors["purpose"] = _("A contact attempt is for one interview invitation or one follow-up.")
    if enrolment is not None and (enrolment.status != Enrolment.Status.COMPLETED
                                  or milestone not in FollowUp.Milestone.values):
        errors["milestone"] = _("Follow-ups are for graduates only, at the 3, 6 or 12-month stage.")
    if errors:
        raise ValidationError(errors)
    application = interview.application if interview is not None else enrolment.application
    Applicant.ensure_processing_allowed_for([application.applicant_id])
    attempt = ContactAttempt(
        application=application, interview=interview, enrolment=enrolment,
        purpose=ContactAttempt.Purpose.INTERVIEW if interview is not None else ContactAttempt.Purpose.FOLLOWUP,
        milestone=milestone if enrolment is not None else None, channel=channel, result=result,
        note=(note or "").strip()[:255], recorded_by=user if getattr(user, "pk", None) else None,
    )
    with transaction.atomic():
        attempt.save()
        log(attempt, "sigap.contact_attempt", user=user,
            data={"purpose": attempt.purpose, "channel": channel, "result": result})
    return attempt


def followup_message(enrolment: Enrolment, milestone: int) -> str:
    return str(_(
        "Dear Sir/Madam, this is Dinas Sosial Kota Tangerang. We would like to hear how you are "
        "doing %(m)s months after the training (class %(cohort)s). When may we contact you?"
    ) % {"m": milestone, "cohort": enrolment.cohort.name})


def attach_attempts(due: Sequence) -> None:
    """Give each due follow-up (`.enrolment`, `.milestone`) its `attempts` so far (one query) and its
    WhatsApp click-to-chat link."""
    by_key = defaultdict(list)
    for attempt in ContactAttempt.objects.filter(
        enrolment_id__in={d.enrolment.pk for d in due}, purpose=ContactAttempt.Purpose.FOLLOWUP
    ).order_by("attempted_at", "pk"):
        by_key[(attempt.enrolment_id, attempt.milestone)].append(attempt)
    for d in due:
        d.attempts = by_key.get((d.enrolment.pk, d.milestone), [])
        d.whatsapp = whatsapp_link(d.enrolment.application.applicant.phone,
                                   followup_message(d.enrolment, d.milestone))


def attempts_by_interview(interviews) -> dict[int, list[ContactAttempt]]:
    """The invitation attempts of a page of interviews, in one query."""
    by_interview = defaultdict(list)
    for attempt in ContactAttempt.objects.filter(interview_id__in=[i.pk for i in interviews]).order_by(
        "attempted_at", "pk"
    ):
        by_interview[attempt.interview_id].append(attempt)
    return by_interview


def contact_choices() -> dict:
    """The choices the contact-attempt form offers (template context)."""
    return {"contact_channels": ContactAttempt.Channel.choices, "contact_results": ContactAttempt.Result.choices}
