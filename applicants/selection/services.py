"""Interview services: who may interview, bulk scheduling in slots, recording outcomes, WhatsApp links.

Every status change goes through the workflow methods on `Application` (applicants/workflow.py); this
module only adds the multi-step operations around them. Nothing here sends a message: staff click the
wa.me link themselves.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.enums import ApplicationStatus, DecisionReason
from applicants.identity import parse_nik
from applicants.models import Application, Interview
from applicants.privacy import access
from applicants.privacy.roles import INTERVIEWER
from applicants.selection.calendar import (
    DEFAULT_SPAN_DAYS,
    Bookings,
    OfficeHours,
    clash_error,
    normalise_place,
    office_slots,
)
from applicants.workflow import TransitionError, format_date_id

S = ApplicationStatus
BULK_LIMIT = 200  # one bulk action holds the database write lock; keep it short


# --- Who ----------------------------------------------------------------------------------------
def interviewer_users() -> QuerySet:
    """Active users who may be given interviews: members of "Pewawancara" and superusers."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name=INTERVIEWER) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def can_record_outcome(user, interview: Interview) -> bool:
    """Interviewers record their own interviews, editors every one (the interview policy's change rule)."""
    return access.interviews.may_change(user, interview)


# --- WhatsApp click-to-chat --------------------------------------------------------------------
def whatsapp_link(phone_e164: str, text: str) -> str:
    """`https://wa.me/<digits>?text=<urlencoded>`: wa.me wants the international number without '+'."""
    digits = "".join(ch for ch in phone_e164 if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def salutation(applicant) -> str:
    """"Bapak" or "Ibu" from the sex the NIK encodes (birth day + 40 for women); both when it cannot tell."""
    try:
        sex = parse_nik(applicant.nik).sex
    except ValidationError:
        sex = applicant.sex
    return {"L": _("Mr"), "P": _("Ms")}.get(sex, _("Mr/Ms"))


def invitation_text(interview: Interview) -> str:
    application = interview.application
    local = timezone.localtime(interview.scheduled_at)
    return _(
        "Dear %(salutation)s %(name)s,\n"
        "Dinas Sosial Kota Tangerang invites you to an interview for the Sigap Kerja skills training:\n"
        "Day/date: %(date)s\n"
        "Time: %(time)s WIB\n"
        "Venue: %(place)s\n"
        "Application number: %(reference)s\n"
        "Please bring your KTP and Kartu Keluarga. Reply to this message if you cannot attend. Thank you."
    ) % {
        "salutation": salutation(application.applicant),
        "name": application.applicant.full_name,
        "date": format_date_id(local.date()),
        "time": local.strftime("%H.%M"),
        "place": interview.place,
        "reference": application.reference or f"#{application.pk}",
    }


def interview_whatsapp_link(interview: Interview) -> str:
    return whatsapp_link(interview.application.applicant.phone, invitation_text(interview))


# --- Scheduling ----------------------------------------------------------------------------------
def schedule_one(application, when: datetime.datetime, place: str, interviewer, user) -> Interview:
    """Schedule (or reschedule) one interview: the interviewer and the room are checked free and booked
    in one transaction, holding both locks, so two editors at the same instant cannot double-book."""
    with transaction.atomic():
        check_free(application, when, interviewer, place)
        return application.schedule_interview(when, place, interviewer, user)


def check_free(application, when: datetime.datetime, interviewer, place: str, field_name: str = "scheduled_at",
               minutes: int = 20) -> None:
    """Refuse one (re)scheduled interview at a time its interviewer or its room is already taken.

    Inside a transaction, also takes the room's and the interviewer's locks until it ends: call it in
    the transaction that writes the interview."""
    if not connection.get_autocommit():
        _lock_calendar(interviewer, place)
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    error = clash_error(when, minutes, interviewer, place, exclude_application=application)
    if error:
        raise ValidationError({field_name: error})


@dataclass
class BulkScheduleResult:
    scheduled: list[Interview] = field(default_factory=list)
    skipped: list[tuple[Application, str]] = field(default_factory=list)


def bulk_candidates(intake, kelurahan=None, program=None) -> QuerySet:
    """Applications a bulk action considers: not yet interviewed or decided, oldest first.

    Not-eligible applications are included on purpose: the workflow refuses those without an override,
    and the staff member sees them listed as skipped with the reason.
    """
    qs = Application.objects.filter(
        intake=intake, status__in=[S.SUBMITTED, S.VERIFIED, S.NOT_ELIGIBLE, S.INTERVIEW_SCHEDULED]
    )
    if kelurahan is not None:
        qs = qs.filter(applicant__kelurahan=kelurahan)
    if program is not None:
        qs = qs.filter(program=program)
    return qs.select_related("applicant", "intake").order_by("submitted_at", "pk")


def schedule_bulk(
    applications, *, start: datetime.datetime, slot_minutes: int, place: str, interviewer, user,
    hours: OfficeHours | None = None, last_day: datetime.date | None = None,
) -> BulkScheduleResult:
    """Give each application the next free office-hours slot from `start` through `schedule_interview`.

    Slots skip evenings, breaks, non-working days, holidays and every time the interviewer or the room
    already has an interview. Applications the workflow refuses are skipped with its reason and take no
    slot. When the applications do not fit before the end of `last_day` nothing is scheduled and the
    ValidationError says how many fit. One transaction: every listed interview is created or none.
    """
    plan = plan_bulk(applications, start=start, slot_minutes=slot_minutes, place=place, interviewer=interviewer,
                     hours=hours, last_day=last_day)
    result = BulkScheduleResult(skipped=list(plan.skipped))
    with transaction.atomic():
        _lock_calendar(interviewer, place)
        for application, when in plan.slots:
            try:
                with transaction.atomic():
                    interview = application.schedule_interview(
                        when, place, interviewer, user, allow_reschedule=False, duration_minutes=slot_minutes
                    )
            except TransitionError as exc:
                result.skipped.append((application, " ".join(exc.messages)))
                continue
            result.scheduled.append(interview)
    return result


@dataclass
class BulkPlan:
    slots: list[tuple[Application, datetime.datetime]] = field(default_factory=list)
    skipped: list[tuple[Application, str]] = field(default_factory=list)
    last_day: datetime.date | None = None


def plan_bulk(
    applications, *, start: datetime.datetime, slot_minutes: int, place: str, interviewer,
    hours: OfficeHours | None = None, last_day: datetime.date | None = None,
) -> BulkPlan:
    """The slots a bulk action would give (no write): the preview and `schedule_bulk` share it."""
    if slot_minutes < 5 or slot_minutes > 240:
        raise ValidationError(_("Duration per person must be 5 to 240 minutes."))
    hours = hours or OfficeHours()
    hour_errors = hours.errors()
    if hour_errors:
        raise ValidationError(hour_errors)
    applications = list(applications[: BULK_LIMIT + 1]) if isinstance(applications, QuerySet) else list(applications)
    if len(applications) > BULK_LIMIT:
        raise ValidationError(
            _("Too many applicants (more than %(limit)s). Narrow the filter.") % {"limit": BULK_LIMIT}
        )
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    if start <= timezone.now():
        raise ValidationError({"start": _("The start time has passed. Choose a time in the future.")})
    last_day = last_day or timezone.localtime(start).date() + datetime.timedelta(days=DEFAULT_SPAN_DAYS - 1)
    if last_day < timezone.localtime(start).date():
        raise ValidationError({"last_day": _("The last date cannot be before the start date.")})
    plan = BulkPlan(last_day=last_day)
    ready = []
    for application in applications:
        error = (
            _("Already has an interview scheduled.")
            if application.status == S.INTERVIEW_SCHEDULED
            else application.transition_error(S.INTERVIEW_SCHEDULED) or application.processing_error()
        )
        if error:
            plan.skipped.append((application, str(error)))
        else:
            ready.append(application)
    if not ready:
        return plan
    bookings = Bookings(interviewer, place, start, _end_of(last_day))
    slots = office_slots(start, last_day, slot_minutes, hours)
    for application in ready:
        when = next((t for t in slots if bookings.is_free(t, slot_minutes)), None)
        if when is None:
            raise ValidationError(
                _("Only %(fit)s of %(total)s applicants fit into working hours up to "
                  "%(day)s. Add days, interviewers or venues, or shorten the duration.")
                % {"fit": len(plan.slots), "total": len(ready), "day": format_date_id(last_day)}
            )
        bookings.book(when, slot_minutes)
        plan.slots.append((application, when))
    return plan


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def _lock_calendar(interviewer, place: str) -> None:
    """Two editors booking one interviewer or one room at once: PostgreSQL serialises them on a
    transaction lock named after the room (rooms are typed text, so no row to lock) and then on the
    interviewer's user row, always in that order (SQLite already runs write transactions one at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_room_lock_key(place)])
    if connection.features.has_select_for_update and interviewer is not None:
        get_user_model().objects.select_for_update().filter(pk=interviewer.pk).first()


def _room_lock_key(place: str) -> int:
    digest = hashlib.blake2b(f"sigap-room:{normalise_place(place)}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# --- Outcomes ------------------------------------------------------------------------------------
DECISION_TO_STATUS = {
    Interview.Decision.ACCEPT: S.ACCEPTED,
    Interview.Decision.WAITLIST: S.WAITLISTED,
    Interview.Decision.REJECT: S.REJECTED,
}


@dataclass
class Outcome:
    attendance: str
    scores: dict[str, int | None] = field(default_factory=dict)
    recommended_program: object | None = None
    decision: str = ""
    reason_code: str = ""
    note: str = ""
    new_scheduled_at: datetime.datetime | None = None
    new_place: str = ""

    def errors(self, intake) -> dict[str, str]:
        """Field -> Indonesian message for an outcome that does not hang together (form and service)."""
        A, D = Interview.Attendance, Interview.Decision
        errors: dict[str, str] = {}
        if self.attendance not in (A.CAME, A.NO_SHOW, A.RESCHEDULED):
            errors["attendance"] = _("Choose attendance.")
        if self.attendance == A.CAME:
            for name in Interview.SCORE_FIELDS:
                if self.scores.get(name) not in (1, 2, 3, 4, 5):
                    errors[f"score_{name}"] = _("Give a score from 1 to 5.")
            if self.recommended_program is not None and not intake.programs.filter(
                pk=self.recommended_program.pk
            ).exists():
                errors["recommended_program"] = _("This program is not offered in this intake.")
        if self.attendance == A.NO_SHOW and self.decision not in ("", D.REJECT):
            errors["decision"] = _("An applicant who did not attend can only be rejected or rescheduled.")
        if self.attendance == A.NO_SHOW and self.decision == D.REJECT and self.reason_code != DecisionReason.NO_SHOW:
            errors["reason_code"] = _("For a no-show, choose the reason “Did not attend interview”.")
        if self.attendance == A.RESCHEDULED:
            if self.new_scheduled_at is None:
                errors["new_scheduled_at"] = _("Enter the new interview time.")
            if self.decision:
                errors["decision"] = _("The decision is made after the interview, not when rescheduling.")
        if self.decision == D.REJECT and not self.reason_code:
            errors["reason_code"] = _("Choose a rejection reason.")
        if self.reason_code and self.reason_code not in DecisionReason.values:
            errors["reason_code"] = _("The reason is not in the list.")
        return errors


def record_outcome(interview: Interview, outcome: Outcome, user) -> Interview:
    """Store what happened at the interview and move the application along the workflow.

    - came: rubric stored; the application goes interview_scheduled -> interviewed, then to
      accepted / waitlisted / rejected when a decision is given (a decision may also come later).
    - no_show: the application stays interview_scheduled so staff can offer a new time; with decision
      "reject" and reason "Tidak hadir wawancara" it is rejected at once.
    - rescheduled: a new interview is created at `new_scheduled_at` (same interviewer).
    Raises PermissionDenied when `user` may not record this interview, ValidationError otherwise.
    """
    if not can_record_outcome(user, interview):
        raise PermissionDenied
    application = interview.application
    A = Interview.Attendance
    if interview.attendance != A.SCHEDULED and not (
        interview.attendance == A.CAME and application.status == S.INTERVIEWED
    ):
        raise ValidationError(_("The outcome of this interview has already been recorded and a decision made."))
    errors = outcome.errors(application.intake)
    if outcome.attendance in (A.CAME, A.NO_SHOW) and interview.scheduled_at > timezone.now():
        errors.setdefault("attendance", _(
            "This interview is scheduled for %(at)s WIB; its outcome can only be recorded "
            "after that time. If the schedule has changed, choose “Rescheduled”."
        ) % {"at": timezone.localtime(interview.scheduled_at).strftime("%d-%m-%Y %H.%M")})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if outcome.attendance == A.RESCHEDULED:
            check_free(application, outcome.new_scheduled_at, interview.interviewer,
                       outcome.new_place or interview.place, "new_scheduled_at", interview.duration_minutes)
            application.schedule_interview(
                outcome.new_scheduled_at, outcome.new_place or interview.place, interview.interviewer, user
            )
            interview.refresh_from_db()
            interview.note = outcome.note
            interview.recorded_by, interview.recorded_at = user, timezone.now()
            interview.save(update_fields=["note", "recorded_by", "recorded_at"])
            return interview

        interview.attendance = outcome.attendance
        interview.note = outcome.note
        interview.recorded_by, interview.recorded_at = user, timezone.now()
        if outcome.attendance == A.CAME:
            for name in Interview.SCORE_FIELDS:
                setattr(interview, f"score_{name}", outcome.scores.get(name))
            interview.recommended_program = outcome.recommended_program
        interview.decision = outcome.decision
        interview.reason_code = outcome.reason_code
        interview.full_clean(exclude=["application", "interviewer"])
        interview.save()

        if outcome.attendance == A.CAME:
            if application.status == S.INTERVIEW_SCHEDULED:
                application.mark_interviewed(user)
            if outcome.decision:
                application.transition_to(
                    DECISION_TO_STATUS[outcome.decision], user, reason=outcome.reason_code, note=outcome.note,
                    data={"interview": interview.pk},
                )
        elif outcome.attendance == A.NO_SHOW and outcome.decision == Interview.Decision.REJECT:
            application.reject(user, reason=DecisionReason.NO_SHOW, note=outcome.note)
    return interview
