"""The application status workflow: one table of allowed moves, guarded methods, an audit-log entry each.

`Application` inherits `ApplicationWorkflowMixin`, so every status change anywhere in the project goes
through `transition_to()` (or a named method that calls it): the precondition is checked, the status is
changed with a compare-and-set update (two editors cannot both move the same application), and Wagtail's
audit log records who, when, from, to and why.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from applicants.enums import ApplicationStatus, DecisionReason
from applicants.privacy.roles import is_interviewer

S = ApplicationStatus

# Every allowed move, in one place. A status missing from a set cannot be reached from that status;
# the guards in `_guard()` add the preconditions that depend on more than the current status.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.VERIFIED, S.NOT_ELIGIBLE, S.INTERVIEW_SCHEDULED, S.WITHDRAWN}),
    S.VERIFIED: frozenset({S.NOT_ELIGIBLE, S.INTERVIEW_SCHEDULED, S.WITHDRAWN}),
    S.NOT_ELIGIBLE: frozenset({S.VERIFIED, S.INTERVIEW_SCHEDULED, S.WITHDRAWN}),
    # interview_scheduled -> interview_scheduled is a reschedule; -> rejected only for a no-show.
    S.INTERVIEW_SCHEDULED: frozenset({S.INTERVIEW_SCHEDULED, S.INTERVIEWED, S.REJECTED, S.WITHDRAWN}),
    S.INTERVIEWED: frozenset({S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN}),
    S.WAITLISTED: frozenset({S.ACCEPTED, S.REJECTED, S.WITHDRAWN}),  # a seat may be offered later
    S.ACCEPTED: frozenset({S.ENROLLED, S.WITHDRAWN}),
    S.ENROLLED: frozenset({S.WITHDRAWN}),  # a trainee may still drop out
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
FINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)

# Audit-log action per target status (registered with Indonesian labels in interview_hooks.py).
LOG_ACTIONS: dict[str, tuple[str, str]] = {
    S.VERIFIED: ("sigap.application.verify", gettext_lazy("Application: verified")),
    S.NOT_ELIGIBLE: ("sigap.application.not_eligible", gettext_lazy("Application: not eligible")),
    S.INTERVIEW_SCHEDULED: (
        "sigap.application.schedule_interview", gettext_lazy("Application: interview scheduled")
    ),
    S.INTERVIEWED: ("sigap.application.interviewed", gettext_lazy("Application: interviewed")),
    S.ACCEPTED: ("sigap.application.accept", gettext_lazy("Application: accepted")),
    S.WAITLISTED: ("sigap.application.waitlist", gettext_lazy("Application: waitlisted")),
    S.REJECTED: ("sigap.application.reject", gettext_lazy("Application: not accepted")),
    S.ENROLLED: ("sigap.application.enrol", gettext_lazy("Application: enrolled in a class")),
    S.WITHDRAWN: ("sigap.application.withdraw", gettext_lazy("Application: withdrawn")),
}
RESCHEDULE_ACTION = ("sigap.application.reschedule_interview", gettext_lazy("Application: interview rescheduled"))


# The reason a resident reads for each outcome of the register check (applicants.enums.Eligibility).
ELIGIBILITY_REASONS: dict[str, str] = {
    "not_found": DecisionReason.NOT_IN_REGISTER,
    "kk_mismatch": DecisionReason.KK_MISMATCH,
    "desil_too_high": DecisionReason.DESIL_TOO_HIGH,
}

# What a resident reads while only the automatic register check has found them missing: not a decision.
MACHINE_CHECK_TEXT: dict[str, str] = {
    "not_found": gettext_lazy(
        "We have not yet found your data in DTSEN (the welfare data from the kelurahan). This "
        "is not a final decision: Dinsos staff will check again and contact you. If your family "
        "is low-income but not yet recorded, ask your kelurahan to propose you for DTSEN."
    ),
    "kk_mismatch": gettext_lazy(
        "Your KK number differs from the DTSEN data. This is not a final decision: Dinsos staff will check again "
        "and contact you. Take your latest Kartu Keluarga to the kelurahan so that the DTSEN data is updated."
    ),
    "desil_too_high": gettext_lazy(
        "According to the DTSEN data, your family's welfare level is above this program's "
        "limit. This is not a final decision: Dinsos staff will check again. If your "
        "family's situation has changed, ask the kelurahan to update the DTSEN data."
    ),
}

# Targets whose preconditions depend on the status alone, so a whole queryset can move at once.
BULK_TARGETS = frozenset({S.VERIFIED, S.NOT_ELIGIBLE})


class TransitionError(ValidationError):
    """A refused status change; the message is Indonesian and meant for the staff member."""


def _label(status: str) -> str:
    return str(S(status).label)


class ApplicationWorkflowMixin:
    """Status state machine for `Application` (needs its `status`, `status_changed_at`, `decision_reason`,
    `eligibility_override` fields and the `interviews` relation)."""

    # --- Guarding save() ------------------------------------------------------------------------
    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_status = instance.__dict__.get("status")
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "status" in fields:
            self._saved_status = self.__dict__.get("status")

    def save(self, *args, **kwargs):
        """Refuse a status changed by assignment: status moves only through `transition_to()`.

        New rows may start in any status (imports, fixtures); `QuerySet.update()` is not guarded, so bulk
        status changes must use `bulk_transition()`, which writes the audit entries too."""
        saved = getattr(self, "_saved_status", None)
        update_fields = kwargs.get("update_fields")
        writes_status = update_fields is None or "status" in update_fields
        if saved is not None and writes_status and self.status != saved:
            raise TransitionError(
                _("The status cannot be changed directly; use the application workflow actions."), code="direct_status"
            )
        super().save(*args, **kwargs)
        self._saved_status = self.status

    # --- Reading the state ---------------------------------------------------------------------
    def allowed_transitions(self) -> frozenset[str]:
        return TRANSITIONS.get(self.status, frozenset())

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def latest_interview(self):
        return self.interviews.order_by("-scheduled_at", "-pk").first()

    def active_interview(self):
        """The interview still waiting to happen (attendance 'scheduled'), if any."""
        return self.interviews.filter(attendance="scheduled").order_by("-scheduled_at").first()

    def has_interview_outcome(self) -> bool:
        """True once an interviewer recorded that the applicant came (rubric and all)."""
        return self.interviews.filter(attendance="came", recorded_at__isnull=False).exists()

    def processing_error(self) -> str | None:
        """Why this person's records may not move at all (restricted under UU PDP, or anonymised); None if
        they may. Reads `self.applicant`: select_related("applicant") in loops to keep one query."""
        try:
            self.applicant.ensure_processing_allowed()
        except ValidationError as exc:
            return " ".join(exc.messages)
        return None

    def ensure_processing_allowed(self) -> None:
        """Raise TransitionError (code `processing_restricted` / `anonymised`) when processing is refused."""
        try:
            self.applicant.ensure_processing_allowed()
        except ValidationError as exc:
            raise TransitionError(" ".join(exc.messages), code=exc.error_list[0].code) from exc

    def transition_error(self, new_status: str, reason: str = "") -> str | None:
        """Why `new_status` is refused now, in Indonesian; None when the move is allowed."""
        processing = self.processing_error()
        if processing:
            return processing
        if new_status not in TRANSITIONS:
            return _("Unknown status “%(status)s”.") % {"status": new_status}
        if new_status not in self.allowed_transitions():
            if self.is_final:
                return _("An application with status “%(old)s” is final and can no longer be changed.") % {
                    "old": _label(self.status)
                }
            return _("The status cannot change from “%(old)s” to “%(new)s”.") % {
                "old": _label(self.status), "new": _label(new_status)
            }
        if reason and reason not in DecisionReason.values:
            return _("Reason code “%(reason)s” is not in the list of reasons.") % {"reason": reason}
        return self._guard(new_status, reason)

    def _guard(self, new_status: str, reason: str) -> str | None:
        # Past the register's decision only with a written reason: the override (which sets
        # eligibility_override) verifies against a negative result; a reason code is needed to declare
        # not eligible someone the register found.
        if new_status == S.VERIFIED and self.eligibility in ELIGIBILITY_REASONS and not self.eligibility_override:
            return _(
                "Register check result: %(result)s. To let the applicant through anyway, use "
                "“Override eligibility check” on the application page and give the reason."
            ) % {"result": DecisionReason(ELIGIBILITY_REASONS[self.eligibility]).label}
        if new_status == S.NOT_ELIGIBLE and self.eligibility == "verified" and not reason:
            return _(
                "The applicant is recorded in DTSEN/DTKS. Choose a reason from the list to mark them as not eligible."
            )
        if new_status == S.INTERVIEW_SCHEDULED and self.status not in (S.VERIFIED, S.INTERVIEW_SCHEDULED):
            if not self.eligibility_override:
                return _(
                    "The applicant is not yet verified in DTSEN/DTKS. An interview "
                    "can only be scheduled if staff grant an eligibility override."
                )
        if new_status in (S.INTERVIEWED, S.ACCEPTED, S.WAITLISTED) and not self.has_interview_outcome():
            return _("No interview result yet: record the interview result first (attendance and score).")
        if new_status == S.REJECTED:
            if not reason:
                return _("Choose a rejection reason from the list.")
            if self.status == S.INTERVIEW_SCHEDULED:
                latest = self.latest_interview()
                if reason != DecisionReason.NO_SHOW or latest is None or latest.attendance != "no_show":
                    return _(
                        "Before the interview, an applicant can only be rejected with the reason "
                        "“Did not attend the interview”, after their absence has been recorded."
                    )
        return None

    def can_transition_to(self, new_status: str, reason: str = "") -> bool:
        return self.transition_error(new_status, reason) is None

    # --- Changing the state --------------------------------------------------------------------
    def transition_to(self, new_status: str, user=None, reason: str = "", note: str = "", *, data=None) -> None:
        """Check, change and log one status move. Raises TransitionError (Indonesian message) if refused.

        A restricted or anonymised applicant is refused first (Applicant.ensure_processing_allowed)."""
        self.ensure_processing_allowed()
        if new_status == S.NOT_ELIGIBLE and not reason:
            # A person confirming the register's negative result records it as their decision's reason.
            reason = ELIGIBILITY_REASONS.get(self.eligibility, "")
        error = self.transition_error(new_status, reason)
        if error:
            raise TransitionError(error, code="transition")
        old_status = self.status
        now = timezone.now()
        with transaction.atomic():
            # Compare-and-set: refuse when someone else moved the application since we read it.
            # The applicant conditions repeat ensure_processing_allowed in SQL, in case a restriction
            # was set after this object was read.
            updated = type(self).objects.filter(
                pk=self.pk, status=old_status,
                applicant__processing_restricted=False, applicant__anonymised_at__isnull=True,
            ).update(
                status=new_status, status_changed_at=now, decision_reason=reason
            )
            if not updated:
                raise TransitionError(
                    _("The status of this application was just changed by someone else. Reload the page."),
                    code="stale",
                )
            self.status, self.status_changed_at, self.decision_reason = new_status, now, reason
            self._saved_status = new_status
            action = RESCHEDULE_ACTION[0] if old_status == new_status else LOG_ACTIONS[new_status][0]
            log(
                self, action, user=user,
                data={"from": old_status, "to": new_status, "reason": reason, "note": note, **(data or {})},
            )

    def mark_verified(self, user=None, note: str = "") -> None:
        self.transition_to(S.VERIFIED, user, note=note)

    def mark_not_eligible(self, user=None, reason: str = "", note: str = "") -> None:
        self.transition_to(S.NOT_ELIGIBLE, user, reason=reason, note=note)

    def schedule_interview(
        self, scheduled_at: datetime.datetime, place: str, interviewer, user=None, *, allow_reschedule: bool = True,
        duration_minutes: int = 20,
    ):
        """Create the interview and move to interview_scheduled. A second call reschedules: the waiting
        interview is marked 'rescheduled' and a new one is created (history is kept)."""
        self.ensure_processing_allowed()
        if self.status == S.INTERVIEW_SCHEDULED and not allow_reschedule:
            raise TransitionError(_("Already has an interview scheduled."), code="already_scheduled")
        error = self.transition_error(S.INTERVIEW_SCHEDULED)
        if error:
            raise TransitionError(error, code="transition")
        if not is_interviewer(interviewer):
            raise TransitionError(
                _("%(user)s is not an interviewer (group “Pewawancara”).") % {"user": interviewer}, code="interviewer"
            )
        if timezone.is_naive(scheduled_at):
            scheduled_at = timezone.make_aware(scheduled_at)
        if scheduled_at <= timezone.now():
            raise TransitionError(_("The interview time has already passed."), code="past")
        if not place.strip():
            raise TransitionError(_("Interview venue is required."), code="place")
        Interview = self.interviews.model
        with transaction.atomic():
            previous = self.interviews.filter(attendance=Interview.Attendance.SCHEDULED)
            previous_ids = list(previous.values_list("pk", flat=True))
            previous.update(attendance=Interview.Attendance.RESCHEDULED)
            interview = Interview.objects.create(
                application=self, scheduled_at=scheduled_at, place=place.strip(), interviewer=interviewer,
                duration_minutes=duration_minutes,
            )
            self.transition_to(
                S.INTERVIEW_SCHEDULED, user,
                data={
                    "interview": interview.pk,
                    "scheduled_at": timezone.localtime(scheduled_at).isoformat(),
                    "place": interview.place,
                    "interviewer": interviewer.pk,
                    "replaces": previous_ids,
                },
            )
        return interview

    def mark_interviewed(self, user=None, note: str = "") -> None:
        self.transition_to(S.INTERVIEWED, user, note=note)

    def accept(self, user=None, note: str = "", reason: str = "") -> None:
        self.transition_to(S.ACCEPTED, user, reason=reason, note=note)

    def waitlist(self, user=None, reason: str = "", note: str = "") -> None:
        self.transition_to(S.WAITLISTED, user, reason=reason, note=note)

    def reject(self, user=None, reason: str = "", note: str = "") -> None:
        self.transition_to(S.REJECTED, user, reason=reason, note=note)

    def withdraw(self, user=None, note: str = "") -> None:
        self.transition_to(S.WITHDRAWN, user, note=note)

    def enrol(self, user=None, note: str = "") -> None:
        self.transition_to(S.ENROLLED, user, note=note)

    # --- What the resident reads ---------------------------------------------------------------
    def public_status_text(self) -> str:
        """The status in plain Indonesian for the resident's status-check page (no staff jargon)."""
        status = self.status
        if status == S.SUBMITTED:
            return _("We have received your application and our staff are checking it.")
        if status == S.VERIFIED:
            return _("Your data has been checked and is in order. Please "
                     "wait for the interview schedule from our staff.")
        if status == S.NOT_ELIGIBLE:
            if not self.decision_reason:
                # Only the automatic register check has spoken: say what happens next, not "rejected".
                return str(MACHINE_CHECK_TEXT.get(self.eligibility, MACHINE_CHECK_TEXT["not_found"]))
            text = _("We are sorry, you do not yet meet the requirements of this program.")
            after = _("If the kelurahan has updated your DTSEN data, contact Dinsos to have it checked again.")
            return f"{text} {self._public_reason()} {after}".replace("  ", " ").strip()
        if status == S.INTERVIEW_SCHEDULED:
            interview = self.active_interview()
            if interview is None:
                return _("You will be scheduled for another interview. Our staff will contact you.")
            local = timezone.localtime(interview.scheduled_at)
            return _(
                "Your interview is scheduled for %(date)s at %(time)s "
                "WIB at %(place)s. Bring your KTP and Kartu Keluarga."
            ) % {"date": format_date_id(local.date()), "time": local.strftime("%H.%M"), "place": interview.place}
        if status == S.INTERVIEWED:
            return _("The interview is finished. The selection result is being decided.")
        if status == S.ACCEPTED:
            return _("Congratulations, you have been accepted. Our staff will contact you about the training schedule.")
        if status == S.WAITLISTED:
            return _("You are on the waiting list. If a place becomes free, our staff will contact you.")
        if status == S.REJECTED:
            text = _("We are sorry, we cannot accept you in this intake.")
            return f"{text} {self._public_reason()}".strip()
        if status == S.ENROLLED:
            return _("You are enrolled in a training class.")
        if status == S.WITHDRAWN:
            return _("Your application has been cancelled (withdrawn).")
        return _label(status)

    def _public_reason(self) -> str:
        reason = self.decision_reason
        if not reason and self.status == S.NOT_ELIGIBLE:
            reason = ELIGIBILITY_REASONS.get(self.eligibility, "")
        if reason in DecisionReason.values:
            return _("Reason: %(reason)s.") % {"reason": DecisionReason(reason).label}
        return ""


def bulk_transition(
    queryset, new_status: str, user=None, reason: str = "", note: str = "", chunk_size: int = 2000
) -> int:
    """Move every application of `queryset` that may go to `new_status` (verified / not eligible), in
    chunks, with one audit entry per application. For the eligibility check after a register import;
    returns how many moved. Applications whose status does not allow the move are left alone, and so are
    those of applicants whose processing is restricted or who were anonymised (the same rule as
    `ensure_processing_allowed`, applied in SQL: no query per row)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    if new_status not in BULK_TARGETS:
        raise ValueError(f"bulk_transition only supports {sorted(BULK_TARGETS)}")
    if reason and reason not in DecisionReason.values:
        raise TransitionError(_("Reason code “%(reason)s” is not in the list of reasons.") % {"reason": reason})
    model = queryset.model
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    action = LOG_ACTIONS[new_status][0]
    sources = [old for old, targets in TRANSITIONS.items() if new_status in targets and old != new_status]
    queryset = queryset.filter(applicant__processing_restricted=False, applicant__anonymised_at__isnull=True)
    # The same rule as _guard, in SQL: never past the register's result without the override or a reason.
    if new_status == S.VERIFIED:
        queryset = queryset.exclude(Q(eligibility__in=list(ELIGIBILITY_REASONS)) & Q(eligibility_override=False))
    elif new_status == S.NOT_ELIGIBLE and not reason:
        queryset = queryset.exclude(eligibility="verified")
    moved = 0
    for old_status in sources:
        while True:
            # Each round takes the next chunk still in `old_status`; moved rows drop out of the filter.
            # Read and write in one short transaction (SQLite IMMEDIATE: nobody changes them between).
            with transaction.atomic():
                rows = list(
                    queryset.filter(status=old_status).order_by("pk").values_list("pk", "reference")[:chunk_size]
                )
                if not rows:
                    break
                now = timezone.now()
                moved += model.objects.filter(pk__in=[pk for pk, _ref in rows], status=old_status).update(
                    status=new_status, status_changed_at=now, decision_reason=reason
                )
                ModelLogEntry.objects.bulk_create(
                    ModelLogEntry(
                        content_type=content_type, object_id=str(pk), label=ref or f"#{pk}", action=action,
                        timestamp=now, user=user,
                        data={"from": old_status, "to": new_status, "reason": reason, "note": note},
                    )
                    for pk, ref in rows
                )
    return moved


_MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]
_DAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


def format_date_id(day: datetime.date) -> str:
    """'Senin, 7 Desember 2026': spelled out so it reads the same on every phone, whatever its locale."""
    return f"{_DAYS_ID[day.weekday()]}, {day.day} {_MONTHS_ID[day.month - 1]} {day.year}"
