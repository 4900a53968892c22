"""The follow-ups due in a month (a work list) and recording one graduate's answers."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants.delivery import services
from applicants.delivery.views.common import CHANGE, VIEW, render
from applicants.graduation.contacts import attach_attempts, contact_choices
from applicants.models import Enrolment, FollowUp
from applicants.privacy import access
from applicants.privacy.gates import gate, object_in_scope

YES_NO_NOT_ASKED = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No")),
                    ("not_asked", gettext_lazy("Not asked"))]
_ANSWER = {"yes": True, "no": False, "not_asked": None}


class AnswerField(forms.TypedChoiceField):
    """Yes / no / not asked, each chosen on purpose: nothing is preselected for a new answer."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(choices=YES_NO_NOT_ASKED, coerce=_ANSWER.get, empty_value="", **kwargs)

    def prepare_value(self, value):
        return {True: "yes", False: "no", None: "not_asked"}.get(value, value)


class FollowUpForm(forms.ModelForm):
    business_running = AnswerField(label=gettext_lazy("Business still running"))
    receiving_bansos = AnswerField(label=gettext_lazy("Still receiving bansos"))

    class Meta:
        model = FollowUp
        fields = ["working_status", "business_running", "income_band", "receiving_bansos", "asset_state", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            for name in ("business_running", "receiving_bansos"):
                self.initial[name] = ""


def _month(value: str | None) -> datetime.date:
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@gate(VIEW, write_permissions=[CHANGE])
def followup_due(request):
    month = _month(request.GET.get("month"))
    due = services.due_followups(month.year, month.month, scope=lambda qs: access.enrolments.scope(request.user, qs))
    attach_attempts(due)
    return render(request, "followup_due.html", _("Follow-ups due"), {
        "month": month, "due": due, "done": sum(1 for d in due if d.record), **contact_choices()})


@gate(CHANGE, write_permissions=[CHANGE])
def followup_record(request, enrolment_pk, milestone):
    enrolment = object_in_scope(
        request, access.enrolments, Enrolment.objects.select_related("application__applicant", "cohort"),
        pk=enrolment_pk, status=Enrolment.Status.COMPLETED,
    )
    if milestone not in FollowUp.Milestone.values:
        raise Http404
    existing = FollowUp.objects.filter(enrolment=enrolment, milestone=milestone).first()
    form = FollowUpForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_followup(enrolment, milestone, request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Follow-up saved."))
            due_on = services.add_months(enrolment.cohort.end_date, milestone)
            return redirect(f"{reverse('delivery:followup_due')}?month={due_on:%Y-%m}")
    return render(request, "followup_form.html", _("%(m)s-month follow-up") % {"m": milestone}, {
        "enrolment": enrolment, "form": form, "milestone": milestone})
