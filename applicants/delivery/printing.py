"""Documents the office prints, signs and files: daftar hadir, daftar penerima modal usaha, berita acara
serah terima. Print-ready HTML with the site's letterhead (programs.Letterhead) and a print stylesheet.

Each is behind the same gate and scope as the screen it comes from, and every print is logged.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone

from applicants.delivery.views.common import AWARD_CHANGE, AWARD_VIEW, CHANGE, VIEW
from applicants.models import CapitalAward, Enrolment
from applicants.privacy import access
from applicants.privacy.access import refuse
from applicants.privacy.audit import log_personal_data_access
from applicants.privacy.gates import gate
from programs.models import CohortSession, Intake, Letterhead


def _render(request, template, context):
    return TemplateResponse(request, f"applicants/delivery/print/{template}", {
        "letterhead": Letterhead.for_print(request), "today": timezone.localdate(), **context})


@gate(VIEW, write_permissions=[CHANGE])
def attendance_sheet(request, pk):
    """Daftar hadir of one session with a signature column per participant."""
    session = get_object_or_404(CohortSession.objects.select_related("cohort__program", "cohort__intake"), pk=pk)
    enrolments = access.enrolments.scope(
        request.user,
        session.cohort.enrolments.exclude(status="withdrawn")
        .select_related("application__applicant__kelurahan").order_by("application__applicant__full_name"),
    )
    rows = list(enrolments)
    log_personal_data_access(request.user, Enrolment, "cetak daftar hadir",
                             filters={"pertemuan": session.pk}, rows=len(rows))
    return _render(request, "attendance.html", {
        "session": session, "cohort": session.cohort, "enrolments": rows,
        "instructors": list(session.cohort.instructors.all())})


@gate(AWARD_VIEW, write_permissions=[AWARD_CHANGE])
def award_list(request):
    """Daftar penerima modal usaha of one intake (approved or handed over), ready to sign."""
    intake_id = request.GET.get("intake", "")
    intake = Intake.objects.filter(pk=intake_id).first() if intake_id.isdigit() else None
    awards = access.awards.scope(request.user, CapitalAward.objects.filter(
        state__in=[CapitalAward.State.APPROVED, CapitalAward.State.HANDED_OVER],
    ).select_related("package", "group__kelurahan", "enrolment__cohort",
                     "enrolment__application__applicant__kelurahan").order_by("enrolment__cohort__name", "place", "pk"))
    if intake is not None:
        awards = awards.filter(intake=intake)
    rows = list(awards)
    log_personal_data_access(request.user, CapitalAward, "cetak daftar penerima",
                             filters=request.GET, rows=len(rows))
    return _render(request, "award_list.html", {
        "intake": intake, "awards": rows, "total": sum(a.value_rupiah for a in rows)})


@gate(AWARD_VIEW, write_permissions=[AWARD_CHANGE])
def handover_record(request, pk):
    """Berita acara serah terima of one approved award: two parties, the package, signatures."""
    award = get_object_or_404(CapitalAward.objects.select_related(
        "intake", "package", "group__kelurahan", "group__chair__application__applicant",
        "enrolment__cohort", "enrolment__application__applicant__kelurahan"), pk=pk)
    if not access.awards.scope(request.user, CapitalAward.objects.filter(pk=pk)).exists():
        return refuse(request)
    if award.state not in (CapitalAward.State.APPROVED, CapitalAward.State.HANDED_OVER):
        return refuse(request)
    log_personal_data_access(request.user, CapitalAward, "cetak berita acara", filters={"award": pk}, rows=1)
    person = award.enrolment.application.applicant if award.enrolment_id else None
    if person is None and award.group.chair_id:
        person = award.group.chair.application.applicant
    return _render(request, "handover.html", {"award": award, "person": person})
