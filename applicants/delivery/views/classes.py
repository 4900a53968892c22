"""The class page and what hangs off it: sessions, enrolment, withdrawal, attendance, scores, completion,
ranking and top-3 proposals, the printable attendance sheet and the participants' xlsx."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.widgets import AdminDateInput

from applicants.allocation.services import AWARD, earlier_participation
from applicants.delivery import services
from applicants.delivery.views.common import (
    AWARD_CHANGE,
    CHANGE,
    PAGE_SIZE,
    VIEW,
    Counter,
    render,
    show_errors,
)
from applicants.enums import ApplicationStatus
from applicants.models import Application, Attendance, Enrolment
from applicants.privacy import access
from applicants.privacy.audit import log_personal_data_access
from applicants.privacy.gates import gate, object_in_scope
from applicants.privacy.masking import mask_export_rows
from programs.models import CapitalPackage, Cohort, CohortSession, Kelurahan
from programs.registers.xlsx import IDENTITY, NUMBER, TEXT, Column, Sheet, xlsx_download

COHORT_REGISTER_URL_NAME = "programs_cohort_modeladmin_index"


class SessionForm(forms.ModelForm):
    class Meta:
        model = CohortSession
        fields = ["number", "date", "topic"]
        widgets = {"date": AdminDateInput}


@gate(VIEW, write_permissions=[CHANGE])
def cohort_list_moved(request):
    return redirect(COHORT_REGISTER_URL_NAME)


def _participants(user, cohort):
    """The class's participants this user may see, by name (withdrawn ones included)."""
    return access.enrolments.scope(
        user, cohort.enrolments.select_related("application__applicant__kelurahan").order_by(
            "application__applicant__full_name"
        )
    )


@gate(VIEW, write_permissions=[CHANGE])
def cohort_detail(request, pk):
    cohort = get_object_or_404(Cohort.objects.select_related("intake", "program"), pk=pk)
    whole_class = access.whole_cohort_visible(request.user, cohort)
    can_change = request.user.has_perm(CHANGE) and whole_class
    session_form = SessionForm(request.POST or None, prefix="s") if can_change else None
    row_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not can_change:
            return access.refuse(request)
        action = request.POST.get("action")
        try:
            if action == "add_session" and session_form.is_valid():
                session = session_form.save(commit=False)
                session.cohort = cohort
                session.save()
                messages.success(request, _("Session added."))
            elif action == "scores":
                scores = {}
                for key, value in request.POST.items():
                    if key.startswith("score-"):
                        scores[int(key[6:])] = int(value) if value.strip() else None
                services.save_scores(cohort, scores, request.user)
                messages.success(request, _("Final scores saved."))
            elif action == "start":
                cohort.status = Cohort.Status.RUNNING
                cohort.save(update_fields=["status"])
            elif action == "complete":
                counts = services.complete_cohort(cohort, request.user, request.POST.get("early_reason", ""))
                messages.success(request, _("Class completed: %(completed)s passed, %(not_completed)s did not pass.")
                                 % counts)
                if counts.get("restricted"):
                    messages.warning(request, _("%(restricted)s participants not processed: their data processing "
                                                "is restricted (UU PDP) or they have been anonymised.") % counts)
            elif action == "propose":
                if not request.user.has_perm(AWARD_CHANGE):
                    return access.refuse(request)
                package = get_object_or_404(CapitalPackage, pk=request.POST.get("package"))
                awards = services.propose_top3(cohort, request.user, package, request.POST.getlist("tie_pick"),
                                               second_award_reasons=_second_award_reasons(request.POST))
                messages.success(request, _("%(n)s business capital proposals created.") % {"n": len(awards)})
            return redirect("delivery:cohort_detail", pk=cohort.pk)
        except (ValidationError, ValueError) as exc:
            show_errors(request, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                row_errors = exc.message_dict
    enrolments = _participants(request.user, cohort).annotate(
        n_awards=Count("awards", filter=~Q(awards__state="cancelled"))
    )
    # The ranking names the whole class: only for users who may see every participant.
    ranking = services.rank_cohort(cohort) if cohort.status == Cohort.Status.COMPLETED and whole_class else None
    if ranking:
        # What each graduate or their household received before, and the override field where the
        # rule needs one (CapitalAward.check_second_award), with its error next to it.
        earlier = earlier_participation([row.enrolment.application for row in ranking.rows])
        for row in ranking.rows:
            row.earlier = earlier.get(row.enrolment.application_id, [])
            row.second_award_error = " ".join(row_errors.get(f"second_award_reason-{row.enrolment.pk}", []))
            row.second_award_input = row.second_award_error or any(e.kind == AWARD for e in row.earlier)
            row.second_award_value = request.POST.get(f"second_award_reason-{row.enrolment.pk}", "")
    return render(request, "cohort_detail.html", cohort.name, {
        "cohort": cohort,
        "enrolments": enrolments,
        "sessions": cohort.sessions.all(),
        "session_form": session_form,
        "ranking": ranking,
        "packages": CapitalPackage.objects.filter(program=cohort.program, active=True, for_groups=False),
        "can_change": can_change,
        "whole_class": whole_class,
    })


def _second_award_reasons(post) -> dict[int, str]:
    """enrolment id -> the override reason typed on its ranking row."""
    reasons = {}
    for key, value in post.items():
        number = key.removeprefix("second_award_reason-")
        if number != key and number.isascii() and number.isdigit() and value.strip():
            reasons[int(number)] = value
    return reasons


@gate(CHANGE, write_permissions=[CHANGE])
def cohort_enrol(request, pk):
    """Accepted applicants of the class's intake whose first choice or recommended program matches."""
    cohort = get_object_or_404(Cohort.objects.select_related("intake", "program"), pk=pk)
    candidates = access.applications.scope(
        request.user,
        Application.objects.filter(intake=cohort.intake, status=ApplicationStatus.ACCEPTED)
        .filter(Q(program=cohort.program) | Q(interviews__recommended_program=cohort.program,
                                               interviews__decision="accept"))
        .select_related("applicant__kelurahan", "program")
        .distinct()
        .order_by("submitted_at"),
    )
    q = request.GET.get("q", "").strip()
    if q:
        candidates = candidates.filter(Q(reference__iexact=q) | Q(applicant__full_name__icontains=q))
    kel = request.GET.get("kelurahan", "")
    if kel.isascii() and kel.isdigit():
        candidates = candidates.filter(applicant__kelurahan_id=kel)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("application") if i.isascii() and i.isdigit()]
        result = services.bulk_enrol(candidates.filter(pk__in=ids), cohort, request.user)
        if result.enrolled:
            messages.success(request, _("%(n)s participants enrolled.") % {"n": len(result.enrolled)})
        for application, reason in result.refused:
            messages.error(request, f"{application}: {reason}")
        return redirect("delivery:cohort_detail", pk=cohort.pk)
    taken = cohort.enrolments.exclude(status="withdrawn").count()
    kelurahan = access.in_reach_area(request.user, Kelurahan.objects.filter(quotas__intake=cohort.intake)).order_by(
        "name"
    )
    return render(request, "cohort_enrol.html", _("Enrol participants: %(c)s") % {"c": cohort.name}, {
        "cohort": cohort, "candidates": candidates[:PAGE_SIZE], "free": max(0, cohort.capacity - taken), "q": q,
        "kelurahan_options": kelurahan, "kelurahan": kel,
    })


@gate(CHANGE, write_permissions=[CHANGE])
@require_POST
def enrolment_withdraw(request, pk):
    enrolment = object_in_scope(request, access.enrolments, pk=pk)
    try:
        offered = services.withdraw(enrolment, request.user, request.POST.get("reason", ""))
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        if offered:
            messages.success(request, _("Participant withdrew. The place was offered to %(name)s (%(ref)s).")
                             % {"name": offered.applicant.full_name, "ref": offered.reference})
        else:
            messages.info(request, _("Participant withdrew. No applicant is on the waiting list for this program."))
    return redirect("delivery:cohort_detail", pk=enrolment.cohort_id)


@gate(CHANGE, write_permissions=[CHANGE])
@require_POST
def enrolment_publication_consent(request, pk):
    """Record that a graduate agreed in writing to the publication of their story."""
    enrolment = object_in_scope(request, access.enrolments, pk=pk)
    try:
        enrolment.record_publication_consent(request.user, request.POST.get("note", ""))
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Publication consent recorded: their story may now be linked to a success story."))
    return redirect("delivery:cohort_detail", pk=enrolment.cohort_id)


@gate(VIEW, write_permissions=[CHANGE])
def session_attendance(request, pk):
    session = get_object_or_404(CohortSession.objects.select_related("cohort"), pk=pk)
    enrolments = list(_participants(request.user, session.cohort).exclude(status="withdrawn"))
    if request.method == "POST":
        # Only the rows shown (the user's scope) are read from the form.
        marks = {e.pk: request.POST.get(f"mark-{e.pk}", "") for e in enrolments}
        try:
            n = services.save_attendance(session, marks, request.user)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Attendance saved (%(n)s rows changed).") % {"n": n})
            return redirect("delivery:cohort_detail", pk=session.cohort_id)
    current = dict(session.attendance.values_list("enrolment_id", "mark"))
    # "Semua hadir" fills every row not yet marked with present; the editor then changes the exceptions.
    default = Attendance.Mark.PRESENT if request.GET.get("semua") == "hadir" else ""
    rows = [(e, current.get(e.pk, default)) for e in enrolments]
    return render(request, "session_attendance.html", str(session), {
        "session": session, "rows": rows, "marks": Attendance.Mark.choices, "all_present": bool(default),
        "today": timezone.localdate(), "can_change": request.user.has_perm(CHANGE)})


@gate(VIEW, write_permissions=[CHANGE])
def cohort_participants_xlsx(request, pk):
    cohort = get_object_or_404(Cohort.objects.select_related("intake", "program"), pk=pk)
    enrolments = _participants(request.user, cohort).exclude(status="withdrawn")
    columns = ["no", "nik", "name", "reference", "kelurahan", "phone", "status", "signature"]
    counter = Counter()
    rows = mask_export_rows(
        (
            (counter.next(), e.application.applicant.nik, e.application.applicant.full_name,
             e.application.reference or "", e.application.applicant.kelurahan.name, e.application.applicant.phone,
             e.get_status_display(), "")
            for e in enrolments.iterator(chunk_size=500)
        ),
        columns, request.user,
    )
    response = xlsx_download(f"peserta-kelas-{cohort.pk}.xlsx", Sheet(
        _("Participants"),
        [Column(_("No."), NUMBER, 5, number_format="0"), Column(_("NIK"), IDENTITY, 19), Column(_("Name"), TEXT, 28),
         Column(_("Application no."), TEXT, 16), Column(_("Kelurahan"), TEXT, 18), Column(_("Mobile no."), TEXT, 16),
         Column(_("Status"), TEXT, 14), Column(_("Signature"), TEXT, 22)],
        rows,
        heading=[[_("TRAINING PARTICIPANT LIST")], [f"{cohort.name} · {cohort.program} · {cohort.intake}"],
                 [f"{cohort.venue}, {cohort.start_date:%d-%m-%Y} s.d. {cohort.end_date:%d-%m-%Y}"], []],
        for_print=True,
    ))
    log_personal_data_access(request.user, Enrolment, "ekspor xlsx",
                             filters={"kelas": cohort.name, **request.GET.dict()}, rows=counter.value)
    return response
