"""Admin forms for interviews. Validation of the outcome lives in `interviews.Outcome.errors()` so the
form and the service refuse the same things."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput, AdminTimeInput

from applicants.enums import ApplicationStatus, DecisionReason
from applicants.models import Interview
from applicants.privacy.access import restricted_kecamatan_ids
from applicants.selection.calendar import WEEKDAYS, OfficeHours
from applicants.selection.services import Outcome, interviewer_users
from programs.models import Intake, Kelurahan, Program

SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
DEFAULT_HOURS = OfficeHours()


class InterviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class ScheduleForm(forms.Form):
    """Schedule (or reschedule) one application."""

    scheduled_at = forms.DateTimeField(label=_("Interview time (WIB)"), widget=AdminDateTimeInput())
    place = forms.CharField(label=_("Venue"), max_length=200)
    interviewer = InterviewerChoiceField(label=_("Interviewer"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = interviewer_users()


class OfficeHoursFormMixin(forms.Form):
    """Working days and hours; the defaults are the office's (Monday to Friday 08.00-16.00, break 12-13)."""

    last_day = forms.DateField(
        label=_("Last interview date"), required=False,
        widget=AdminDateInput,
        help_text=_("Leave empty for two weeks from the start. If not everyone fits, nothing is scheduled."),
    )
    working_days = forms.TypedMultipleChoiceField(
        label=_("Working days"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4], help_text=_("None ticked: Monday to Friday."),
    )
    day_start = forms.TimeField(label=_("Start time"), initial=DEFAULT_HOURS.day_start, required=False,
                                widget=AdminTimeInput)
    day_end = forms.TimeField(label=_("End time"), initial=DEFAULT_HOURS.day_end, required=False,
                              widget=AdminTimeInput)
    break_start = forms.TimeField(label=_("Break start"), initial=DEFAULT_HOURS.break_start, required=False,
                                  widget=AdminTimeInput)
    break_end = forms.TimeField(label=_("Break end"), initial=DEFAULT_HOURS.break_end, required=False,
                                widget=AdminTimeInput)

    def office_hours(self) -> OfficeHours:
        data = self.cleaned_data
        no_break = data.get("break_start") is None and data.get("break_end") is None and (
            "break_start" in self.data or "break_end" in self.data
        )
        return OfficeHours(
            working_days=frozenset(data.get("working_days") or DEFAULT_HOURS.working_days),
            day_start=data.get("day_start") or DEFAULT_HOURS.day_start,
            day_end=data.get("day_end") or DEFAULT_HOURS.day_end,
            break_start=None if no_break else data.get("break_start") or DEFAULT_HOURS.break_start,
            break_end=None if no_break else data.get("break_end") or DEFAULT_HOURS.break_end,
        )

    def clean(self):
        cleaned = super().clean()
        if not any(name in self.errors for name in ("day_start", "day_end", "break_start", "break_end")):
            for name, message in self.office_hours().errors().items():
                self.add_error(name, message)
        return cleaned


class BulkScheduleForm(OfficeHoursFormMixin, forms.Form):
    """Filter (intake, kelurahan, program) plus the slot plan for a bulk action."""

    intake = forms.ModelChoiceField(label=_("Intake"), queryset=Intake.objects.all())
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"), queryset=Kelurahan.objects.select_related("kecamatan"), required=False
    )
    program = forms.ModelChoiceField(label=_("Program choice"), queryset=Program.objects.all(), required=False)
    start = forms.DateTimeField(label=_("Start (WIB)"), widget=AdminDateTimeInput())
    slot_minutes = forms.IntegerField(label=_("Duration per person (minutes)"), min_value=5, max_value=240, initial=20)
    place = forms.CharField(label=_("Venue"), max_length=200)
    interviewer = InterviewerChoiceField(label=_("Interviewer"), queryset=None)

    field_order = ["intake", "kelurahan", "program", "start", "last_day", "slot_minutes", "place", "interviewer"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = interviewer_users()
        kecamatan_ids = restricted_kecamatan_ids(user)
        if kecamatan_ids:  # a restricted editor is offered only the kelurahan they may schedule
            self.fields["kelurahan"].queryset = self.fields["kelurahan"].queryset.filter(
                kecamatan_id__in=kecamatan_ids
            )


class ScheduleFilterForm(forms.Form):
    """The editors' list of all interviews: simple filters until the generic register arrives."""

    intake = forms.ModelChoiceField(label=_("Intake"), queryset=Intake.objects.all(), required=False)
    date = forms.DateField(label=_("Date"), required=False, widget=AdminDateInput)
    interviewer = InterviewerChoiceField(label=_("Interviewer"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = interviewer_users()


class OutcomeForm(forms.Form):
    A = Interview.Attendance

    attendance = forms.ChoiceField(
        label=_("Attendance"), widget=forms.RadioSelect,
        choices=[(A.CAME, A.CAME.label), (A.NO_SHOW, A.NO_SHOW.label), (A.RESCHEDULED, A.RESCHEDULED.label)],
    )
    score_motivation = forms.TypedChoiceField(
        label=_("Motivation"), choices=SCORE_CHOICES, coerce=int, required=False, widget=forms.RadioSelect
    )
    score_readiness = forms.TypedChoiceField(
        label=_("Readiness and free time"), choices=SCORE_CHOICES, coerce=int, required=False,
        widget=forms.RadioSelect,
    )
    score_business_potential = forms.TypedChoiceField(
        label=_("Business potential"), choices=SCORE_CHOICES, coerce=int, required=False, widget=forms.RadioSelect
    )
    score_household_need = forms.TypedChoiceField(
        label=_("Family need"), choices=SCORE_CHOICES, coerce=int, required=False, widget=forms.RadioSelect
    )
    recommended_program = forms.ModelChoiceField(
        label=_("Recommended program"), queryset=Program.objects.none(), required=False,
        help_text=_("May differ from the applicant's choice."),
    )
    decision = forms.ChoiceField(
        label=_("Decision"), required=False,
        choices=[("", _("Not decided yet"))] + list(Interview.Decision.choices),
    )
    reason_code = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", "---------")] + list(DecisionReason.choices),
        help_text=_("Required if not accepted. The applicant reads this sentence."),
    )
    note = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    new_scheduled_at = forms.DateTimeField(
        label=_("New time (if rescheduled)"), required=False, widget=AdminDateTimeInput()
    )
    new_place = forms.CharField(label=_("New venue (leave empty if unchanged)"), required=False, max_length=200)

    def __init__(self, *args, interview: Interview, **kwargs):
        self.interview = interview
        initial = kwargs.setdefault("initial", {})
        intake = interview.application.intake
        initial.setdefault(
            "recommended_program", interview.recommended_program_id or interview.application.program_id
        )
        if interview.attendance == Interview.Attendance.CAME:
            initial.setdefault("attendance", interview.attendance)
            for name in Interview.SCORE_FIELDS:
                initial.setdefault(f"score_{name}", getattr(interview, f"score_{name}"))
        super().__init__(*args, **kwargs)
        self.fields["recommended_program"].queryset = intake.programs.all()

    def outcome(self) -> Outcome:
        data = self.cleaned_data
        return Outcome(
            attendance=data.get("attendance", ""),
            scores={name: data.get(f"score_{name}") for name in Interview.SCORE_FIELDS},
            recommended_program=data.get("recommended_program"),
            decision=data.get("decision", ""),
            reason_code=data.get("reason_code", ""),
            note=data.get("note", ""),
            new_scheduled_at=data.get("new_scheduled_at"),
            new_place=data.get("new_place", ""),
        )

    def clean(self):
        cleaned = super().clean()
        for field, message in self.outcome().errors(self.interview.application.intake).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class StatusChangeForm(forms.Form):
    """An editor's manual move (e.g. waitlisted -> accepted, withdrawn); the workflow checks the rest."""

    # Moves with their own screens: scheduling (schedule view) and interviewed (outcome form).
    EXCLUDED = {"interview_scheduled", "interviewed"}

    new_status = forms.ChoiceField(label=_("New status"))
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", "---------")] + list(DecisionReason.choices),
        help_text=_("Required if not accepted. The applicant reads this sentence."),
    )
    note = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_status"].choices = [
            (status, ApplicationStatus(status).label)
            for status in ApplicationStatus.values
            if status in application.allowed_transitions() and status not in self.EXCLUDED
        ]
