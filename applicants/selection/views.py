"""Wagtail admin views for interviews: my schedule, all interviews, scheduling (one or bulk), outcomes.

Thin views: permissions and ownership here, every rule in the workflow methods and `interviews.py`.
Every list and URL is narrowed by `applicants.privacy.access` (interviewers: their own interviews; a kecamatan
restriction applies to everyone; comms reach nothing), and refusals are real 403s.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from applicants.allocation.services import earlier_for
from applicants.graduation.contacts import attempts_by_interview
from applicants.models import Application, Interview
from applicants.privacy import access
from applicants.privacy.gates import GatedViewMixin, OutOfScope, object_in_scope
from applicants.selection import services
from applicants.selection.forms import (
    BulkScheduleForm,
    OutcomeForm,
    ScheduleFilterForm,
    ScheduleForm,
    StatusChangeForm,
)
from applicants.selection.printing import DailySchedulePrintView

app_name = "sigap_interviews"

WRITE_PERMISSIONS = ("applicants.add_interview", "applicants.change_interview", "applicants.change_application")
_INTERVIEW_RELATED = ("application__applicant__kelurahan", "application__program", "application__intake", "interviewer")


class InterviewAdminView(GatedViewMixin, WagtailAdminTemplateMixin, View):
    """Base: the one admin gate (a model permission, some reach, a write permission for POSTs); the
    header looks like the rest of the admin."""

    write_permissions = WRITE_PERMISSIONS
    header_icon = "calendar"
    breadcrumbs_items = []

    def render(self, **context):
        return TemplateResponse(self.request, self.get_template_names(), self.get_context_data(**context))


def _rows(request, interviews):
    """Interviews with the WhatsApp link and whether this user may record the outcome."""
    with_links = request.user.has_perm("applicants.change_interview")
    interviews = list(interviews)
    attempts = attempts_by_interview(interviews)
    return [
        {
            "interview": interview,
            "wa_link": services.interview_whatsapp_link(interview) if with_links else "",
            "attempts": attempts.get(interview.pk, []),
            "can_record": services.can_record_outcome(request.user, interview)
            and interview.attendance == Interview.Attendance.SCHEDULED,
        }
        for interview in interviews
    ]


def _load_application(view, request, application_id):
    """Set `view.application`; 404 when it does not exist, 403 when outside the user's policy."""
    view.application = object_in_scope(
        request, access.applications, Application.objects.select_related("applicant", "intake", "program"),
        pk=application_id,
    )


class MyScheduleView(InterviewAdminView):
    """'Jadwal wawancara saya': the interviewer's interviews still waiting for an outcome."""

    permission_required = "applicants.view_interview"
    page_title = gettext_lazy("My interview schedule")
    template_name = "applicants/interviews/my_schedule.html"

    def get(self, request):
        qs = access.interviews.scope(
            request.user,
            Interview.objects.filter(interviewer=request.user, attendance=Interview.Attendance.SCHEDULED)
            .select_related(*_INTERVIEW_RELATED)
            .order_by("scheduled_at"),
        )
        return self.render(rows=_rows(request, qs[:200]))


class AllInterviewsView(InterviewAdminView):
    """Every interview, for editors and auditors, filtered by intake, date and interviewer."""

    permission_required = "applicants.view_application"
    page_title = gettext_lazy("All interviews")
    template_name = "applicants/interviews/all_interviews.html"

    def get(self, request):
        form = ScheduleFilterForm(request.GET or None)
        qs = access.interviews.scope(
            request.user, Interview.objects.select_related(*_INTERVIEW_RELATED).order_by("-scheduled_at", "-pk")
        )
        if form.is_valid():
            data = form.cleaned_data
            if data["intake"]:
                qs = qs.filter(application__intake=data["intake"])
            if data["interviewer"]:
                qs = qs.filter(interviewer=data["interviewer"])
            if data["date"]:
                start = timezone.make_aware(datetime.datetime.combine(data["date"], datetime.time.min))
                qs = qs.filter(scheduled_at__gte=start, scheduled_at__lt=start + datetime.timedelta(days=1))
        page = Paginator(qs, 50).get_page(request.GET.get("p"))
        query = request.GET.copy()
        query.pop("p", None)
        return self.render(
            filter_form=form, page_obj=page, rows=_rows(request, page.object_list), query=query.urlencode(),
            can_schedule=request.user.has_perm("applicants.add_interview"),
        )


class ScheduleView(InterviewAdminView):
    """Schedule one application, or reschedule it when it already has an interview waiting."""

    permission_required = "applicants.add_interview"
    page_title = gettext_lazy("Schedule interview")
    template_name = "applicants/interviews/schedule_form.html"

    def load_object(self, request, **kwargs):
        _load_application(self, request, kwargs["application_id"])

    def get(self, request, application_id):
        active = self.application.active_interview()
        initial = {}
        if active:
            initial = {"place": active.place, "interviewer": active.interviewer_id}
        return self.render(form=ScheduleForm(initial=initial), application=self.application, active=active)

    def post(self, request, application_id):
        form = ScheduleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                interview = services.schedule_one(
                    self.application, data["scheduled_at"], data["place"], data["interviewer"], request.user
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return TemplateResponse(
                    request, "applicants/interviews/schedule_result.html",
                    self.get_context_data(rows=_rows(request, [interview]), skipped=[]),
                )
        return self.render(form=form, application=self.application, active=self.application.active_interview())


class BulkScheduleView(InterviewAdminView):
    """Filter applications, preview the slots, then schedule them all in one transaction."""

    permission_required = "applicants.add_interview"
    page_title = gettext_lazy("Bulk schedule interviews")
    template_name = "applicants/interviews/bulk_schedule.html"

    def get(self, request):
        return self.render(form=BulkScheduleForm(user=request.user))

    def post(self, request):
        form = BulkScheduleForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render(form=form)
        data = form.cleaned_data
        # Only applications this user may see are ever offered or scheduled (kecamatan restriction).
        candidates = access.applications.scope(
            request.user, services.bulk_candidates(data["intake"], data["kelurahan"], data["program"])
        )
        plan_args = {
            "start": data["start"], "slot_minutes": data["slot_minutes"], "place": data["place"],
            "interviewer": data["interviewer"], "hours": form.office_hours(), "last_day": data["last_day"],
        }
        try:
            if "confirm" not in request.POST:
                return self.render(form=form, preview=self._preview(candidates, plan_args))
            result = services.schedule_bulk(candidates, user=request.user, **plan_args)
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.render(form=form)
        messages.success(
            request,
            _("%(count)s interviews scheduled, %(skipped)s skipped.")
            % {"count": len(result.scheduled), "skipped": len(result.skipped)},
        )
        return TemplateResponse(
            request, "applicants/interviews/schedule_result.html",
            self.get_context_data(rows=_rows(request, result.scheduled), skipped=result.skipped),
        )

    def _preview(self, candidates, plan_args):
        """What the bulk action would do, without writing: planned time or the reason it is skipped."""
        candidates = list(candidates[: services.BULK_LIMIT + 1])
        if len(candidates) > services.BULK_LIMIT:
            return {"rows": [], "too_many": True, "limit": services.BULK_LIMIT}
        plan = services.plan_bulk(candidates, **plan_args)
        when = {application.pk: at for application, at in plan.slots}
        errors = {application.pk: reason for application, reason in plan.skipped}
        rows = [{"application": a, "when": when.get(a.pk), "error": errors.get(a.pk, "")} for a in candidates]
        return {"rows": rows, "too_many": False, "limit": services.BULK_LIMIT, "last_day": plan.last_day}


def _form_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError next to the field it names, the rest above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class OutcomeView(InterviewAdminView):
    """Record what happened. Interviewers only for their own interviews; editors for all (403 otherwise)."""

    permission_required = "applicants.change_interview"
    page_title = gettext_lazy("Interview outcome")
    template_name = "applicants/interviews/outcome_form.html"

    def load_object(self, request, **kwargs):
        self.interview = object_in_scope(
            request, access.interviews, Interview.objects.select_related(*_INTERVIEW_RELATED), pk=kwargs["pk"]
        )
        if not services.can_record_outcome(request.user, self.interview):
            raise OutOfScope

    def get_context_data(self, **kwargs):
        # What the person or their household received before: evidence for the interviewer's judgement.
        return super().get_context_data(earlier=earlier_for(self.interview.application), **kwargs)

    def get(self, request, pk):
        return self.render(form=OutcomeForm(interview=self.interview), interview=self.interview)

    def post(self, request, pk):
        form = OutcomeForm(request.POST, interview=self.interview)
        if form.is_valid():
            try:
                services.record_outcome(self.interview, form.outcome(), request.user)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request, _("Interview outcome for %(ref)s saved.") % {"ref": self.interview.application}
                )
                return redirect(reverse("sigap_interviews:mine"))
        return self.render(form=form, interview=self.interview)


class StatusChangeView(InterviewAdminView):
    """Editors move an application by hand along the workflow (accept from the waitlist, withdraw...)."""

    permission_required = "applicants.change_application"
    page_title = gettext_lazy("Change application status")
    template_name = "applicants/interviews/status_form.html"

    def load_object(self, request, **kwargs):
        _load_application(self, request, kwargs["application_id"])

    def get(self, request, application_id):
        return self.render(form=StatusChangeForm(application=self.application), **self._context())

    def post(self, request, application_id):
        form = StatusChangeForm(request.POST, application=self.application)
        if form.is_valid():
            data = form.cleaned_data
            try:
                self.application.transition_to(data["new_status"], request.user, data["reason"], data["note"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Status of %(ref)s is now: %(status)s.")
                    % {"ref": self.application, "status": self.application.get_status_display()},
                )
                return redirect(reverse("sigap_interviews:status", args=[self.application.pk]))
        return self.render(form=form, **self._context())

    def _context(self):
        can_schedule = self.request.user.has_perm("applicants.add_interview") and self.application.can_transition_to(
            "interview_scheduled"
        )
        return {"application": self.application, "can_schedule": can_schedule}


urlpatterns = [
    path("", MyScheduleView.as_view(), name="mine"),
    path("semua/", AllInterviewsView.as_view(), name="all"),
    path("jadwalkan/<int:application_id>/", ScheduleView.as_view(), name="schedule"),
    path("jadwalkan-sekaligus/", BulkScheduleView.as_view(), name="bulk"),
    path("<int:pk>/hasil/", OutcomeView.as_view(), name="outcome"),
    path("status/<int:application_id>/", StatusChangeView.as_view(), name="status"),
    path("cetak/", DailySchedulePrintView.as_view(), name="print"),
]
