"""A class's meetings generated from a schedule (e.g. every weekday from start to end), then edited one by one.

Sessions hold no personal data; the screens sit with the other class screens behind the same gate.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.widgets import AdminDateInput
from wagtail.log_actions import log

from applicants.delivery.views.common import CHANGE
from applicants.delivery.views.common import render as _render
from applicants.privacy import access
from applicants.privacy.access import refuse
from applicants.privacy.gates import gate
from applicants.selection.calendar import WEEKDAYS
from programs.models import Cohort, CohortSession, Holiday

DATE = AdminDateInput
MAX_GENERATED = 120  # a class of a few months; more is a typo in the dates


def generate_sessions(cohort: Cohort, *, weekdays: set[int], first: datetime.date, last: datetime.date,
                      topic: str = "", skip_holidays: bool = True, user=None) -> list[CohortSession]:
    """Create one session per chosen weekday from `first` to `last` (inside the class's dates).

    Days that already have a session are left alone, so running it again adds only what is missing;
    numbers continue after the last existing session."""
    if cohort.status == Cohort.Status.COMPLETED:
        raise ValidationError(_("The class has finished; no sessions can be added."))
    errors = {}
    if not weekdays:
        errors["weekdays"] = _("Choose at least one day.")
    if last < first:
        errors["last"] = _("The “to” date cannot be before the “from” date.")
    if first < cohort.start_date or last > cohort.end_date:
        errors["last" if last > cohort.end_date else "first"] = _(
            "Sessions must fall between the class's start and end dates (%(a)s to %(b)s)."
        ) % {"a": cohort.start_date.strftime("%d-%m-%Y"), "b": cohort.end_date.strftime("%d-%m-%Y")}
    if errors:
        raise ValidationError(errors)
    holidays = Holiday.dates_between(first, last) if skip_holidays else set()
    taken = set(cohort.sessions.values_list("date", flat=True))
    days = []
    day = first
    while day <= last:
        if day.weekday() in weekdays and day not in holidays and day not in taken:
            days.append(day)
        day += datetime.timedelta(days=1)
    if len(days) > MAX_GENERATED:
        raise ValidationError({"last": _("More than %(n)s sessions; check the dates.") % {"n": MAX_GENERATED}})
    with transaction.atomic():
        start = (cohort.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
        sessions = CohortSession.objects.bulk_create(
            CohortSession(cohort=cohort, number=start + i, date=d, topic=topic[:200]) for i, d in enumerate(days)
        )
        log(cohort, "sigap.sessions.generate", user=user, data={"sessions": len(sessions)})
    return sessions


class GenerateForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Session days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4], required=False,
    )
    first = forms.DateField(label=gettext_lazy("From date"), widget=DATE)
    last = forms.DateField(label=gettext_lazy("To date"), widget=DATE)
    topic = forms.CharField(label=gettext_lazy("Topic (optional, can be changed per session)"), required=False,
                            max_length=200)
    skip_holidays = forms.BooleanField(label=gettext_lazy("Skip holidays"), required=False, initial=True)


class SessionEditForm(forms.ModelForm):
    class Meta:
        model = CohortSession
        fields = ["date", "topic"]
        widgets = {"date": AdminDateInput}

    def clean_date(self):
        day = self.cleaned_data["date"]
        cohort = self.instance.cohort
        if not cohort.start_date <= day <= cohort.end_date:
            raise ValidationError(_("The date must fall between the class's start and end dates."))
        if cohort.sessions.exclude(pk=self.instance.pk).filter(date=day).exists():
            raise ValidationError(_("There is already another session on this date."))
        return day


@gate(CHANGE, write_permissions=[CHANGE])
def cohort_generate_sessions(request, pk):
    cohort = get_object_or_404(Cohort, pk=pk)
    if not access.whole_cohort_visible(request.user, cohort):
        return refuse(request)
    if cohort.status == Cohort.Status.COMPLETED:
        return _render(request, "session_generate.html", _("Create session schedule: %(c)s") % {"c": cohort.name},
                       {"cohort": cohort, "locked": True}, icon="date")
    form = GenerateForm(request.POST or None, initial={"first": cohort.start_date, "last": cohort.end_date})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sessions = generate_sessions(cohort, weekdays=set(data["weekdays"]), first=data["first"],
                                         last=data["last"], topic=data["topic"],
                                         skip_holidays=data["skip_holidays"], user=request.user)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("%(n)s sessions created.") % {"n": len(sessions)})
            return redirect("delivery:cohort_detail", pk=cohort.pk)
    return _render(request, "session_generate.html", _("Create session schedule: %(c)s") % {"c": cohort.name},
                   {"form": form, "cohort": cohort}, icon="date")


@gate(CHANGE, write_permissions=[CHANGE])
def session_edit(request, pk):
    session = get_object_or_404(CohortSession.objects.select_related("cohort"), pk=pk)
    if not access.whole_cohort_visible(request.user, session.cohort):
        return refuse(request)
    if session.cohort.status == Cohort.Status.COMPLETED:
        return _render(request, "session_edit.html", str(session),
                       {"session": session, "cohort": session.cohort, "locked": True}, icon="date")
    form = SessionEditForm(request.POST or None, instance=session)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            if session.held:
                messages.error(request, _("A session that has taken place (has attendance) cannot be deleted."))
            else:
                session.delete()
                messages.success(request, _("Session deleted."))
            return redirect("delivery:cohort_detail", pk=session.cohort_id)
        if form.is_valid():
            if session.held and form.cleaned_data["date"] > timezone.localdate():
                form.add_error("date", _("This session has already taken place; "
                                         "its date cannot be moved to the future."))
            else:
                form.save()
                messages.success(request, _("Session saved."))
                return redirect("delivery:cohort_detail", pk=session.cohort_id)
    return _render(request, "session_edit.html", str(session),
                   {"form": form, "session": session, "cohort": session.cohort}, icon="date")
