"""The printable daily interview schedule, one page per interviewer and place.

The interviewer holds it during the conversation, so it carries what the talk needs and nothing more:
motivation, household size, occupation, both program choices and the welfare-register evidence. No NIK or
KK. Interviewers print only their own interviews (applicants.privacy.access); every print is logged.
"""

from __future__ import annotations

import datetime
from itertools import groupby

from django import forms
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from applicants.models import Interview
from applicants.privacy import access
from applicants.privacy.access import NONE, reach, refuse
from applicants.privacy.audit import log_personal_data_access
from applicants.selection.calendar import normalise_place
from applicants.selection.forms import InterviewerChoiceField
from applicants.selection.services import interviewer_users
from programs.models import Letterhead


class PrintFilterForm(forms.Form):
    # The printable sheet stands outside the admin layout (no admin scripts): the browser's date input.
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    interviewer = InterviewerChoiceField(label=_("Interviewer"), queryset=None, required=False)
    place = forms.CharField(label=_("Venue"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = interviewer_users()


class DailySchedulePrintView(View):
    """GET ?date=YYYY-MM-DD[&interviewer=ID][&place=...]: print-ready HTML with a print stylesheet."""

    template_name = "applicants/interviews/print_schedule.html"

    def get(self, request):
        if not request.user.has_perm("applicants.view_interview") or reach(request.user) == NONE:
            return refuse(request)
        form = PrintFilterForm(request.GET or {"date": timezone.localdate().isoformat()})
        groups = []
        if form.is_valid():
            data = form.cleaned_data
            start = timezone.make_aware(datetime.datetime.combine(data["date"], datetime.time.min))
            interviews = access.interviews.scope(
                request.user,
                Interview.objects.filter(
                    attendance=Interview.Attendance.SCHEDULED, scheduled_at__gte=start,
                    scheduled_at__lt=start + datetime.timedelta(days=1),
                ).select_related(
                    "interviewer", "application__applicant__kelurahan", "application__program",
                    "application__program_alt", "application__eligibility_record__batch", "application__intake",
                ),
            )
            if data["interviewer"]:
                interviews = interviews.filter(interviewer=data["interviewer"])
            rows = list(interviews)
            if data["place"]:
                rows = [i for i in rows if normalise_place(i.place) == normalise_place(data["place"])]
            rows.sort(key=lambda i: (i.interviewer_id, normalise_place(i.place), i.scheduled_at))
            for (_who, _room), items in groupby(rows, key=lambda i: (i.interviewer_id, normalise_place(i.place))):
                items = list(items)
                groups.append({"interviewer": items[0].interviewer, "place": items[0].place, "rows": items})
            log_personal_data_access(request.user, Interview, "cetak jadwal wawancara",
                                     filters=request.GET, rows=len(rows))
        return TemplateResponse(request, self.template_name, {
            "form": form, "groups": groups, "letterhead": Letterhead.for_print(request),
            "today": timezone.localdate(),
        })
