"""Bulk actions of the Pendaftar register: change status, schedule interviews, enrol in a class.

Each one goes through the same methods as a single edit (Application.transition_to, the interview
scheduling service, delivery_services.enrol), so every rule and audit-log entry applies per row and a
refused row is reported with the workflow's own reason. The generic mechanism (selection, scope,
confirmation, CSRF, permission) is `programs.registers.bulk`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput

from applicants.delivery import services as delivery_services
from applicants.enums import ApplicationStatus, DecisionReason
from applicants.selection import services as interviews
from applicants.selection.forms import InterviewerChoiceField
from applicants.workflow import TransitionError
from programs.models import Cohort
from programs.registers.bulk import BulkAction, BulkResult

S = ApplicationStatus
# Moves an editor may make in bulk; the others need an interview outcome or a class and have their own action.
BULK_STATUS_TARGETS = (S.VERIFIED, S.NOT_ELIGIBLE, S.WITHDRAWN, S.REJECTED)


def _label(application) -> str:
    return f"{application.reference or application.pk} · {application.applicant.full_name}"


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"), choices=[(s.value, s.label) for s in BULK_STATUS_TARGETS]
    )
    reason = forms.ChoiceField(
        label=_("Reason (required when not accepted)"), choices=[("", "---"), *DecisionReason.choices], required=False
    )
    note = forms.CharField(label=_("Notes"), max_length=255, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


def change_status(request, queryset, data) -> BulkResult:
    """Application.transition_to per row; refused rows keep their status and show the workflow's reason."""
    result = BulkResult()
    for application in queryset:
        if data["status"] == S.WITHDRAWN and application.status == S.ENROLLED:
            # A trainee withdraws through the class (frees the seat, offers it to the waiting list).
            result.refused.append(
                (_label(application), str(_("Class participant: withdraw them from the class page.")))
            )
            continue
        try:
            application.transition_to(data["status"], request.user, reason=data.get("reason", ""),
                                      note=data.get("note", ""))
        except TransitionError as exc:
            result.refused.append((_label(application), " ".join(exc.messages)))
        else:
            result.done += 1
    return result


class ScheduleForm(forms.Form):
    start = forms.DateTimeField(label=_("Start (WIB)"), widget=AdminDateTimeInput())
    slot_minutes = forms.IntegerField(label=_("Duration per person (minutes)"), min_value=5, max_value=240, initial=20)
    place = forms.CharField(label=_("Venue"), max_length=200)
    interviewer = InterviewerChoiceField(label=_("Interviewer"), queryset=None)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = interviews.interviewer_users()


def schedule_interviews(request, queryset, data) -> BulkResult:
    """The existing bulk scheduling service: consecutive slots, skipped rows with the workflow's reason."""
    try:
        outcome = interviews.schedule_bulk(
            queryset, start=data["start"], slot_minutes=data["slot_minutes"], place=data["place"],
            interviewer=data["interviewer"], user=request.user,
        )
    except ValidationError as exc:
        return BulkResult(refused=[("-", " ".join(exc.messages))])
    return BulkResult(
        done=len(outcome.scheduled),
        refused=[(_label(application), reason) for application, reason in outcome.skipped],
    )


class EnrolForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("Class"), queryset=Cohort.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = (
            Cohort.objects.exclude(status=Cohort.Status.COMPLETED).select_related("intake", "program")
            .order_by("-start_date", "name")
        )


def enrol_in_cohort(request, queryset, data) -> BulkResult:
    """delivery_services.bulk_enrol: only accepted applications of the class's intake and program get in."""
    outcome = delivery_services.bulk_enrol(queryset, data["cohort"], request.user)
    return BulkResult(
        done=len(outcome.enrolled),
        refused=[(_label(application), reason) for application, reason in outcome.refused],
    )


APPLICATION_BULK_ACTIONS = (
    BulkAction(
        name="status", label=_("Change status"), permission="applicants.change_application",
        handler=change_status, form_class=StatusForm,
        help_text=_("Each row goes through the application workflow rules; rows that may not be changed are reported."),
    ),
    BulkAction(
        name="schedule", label=_("Schedule interview"), permission="applicants.add_interview",
        handler=schedule_interviews, form_class=ScheduleForm, max_rows=interviews.BULK_LIMIT,
        help_text=_("Consecutive slots from the chosen time; verified (or overridden) applicants only."),
    ),
    BulkAction(
        name="enrol", label=_("Enrol in class"), permission="applicants.add_enrolment",
        handler=enrol_in_cohort, form_class=EnrolForm, max_rows=200,
        help_text=_("Accepted applicants only; a full class refuses the rest."),
    ),
)
