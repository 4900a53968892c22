"""Staff screens for certificates under /admin/kelulusan/: issue (one graduate or a class), the
certificate page with its history and withdrawal, and the print-ready certificate.

Gated like the other delivery writes (applicants.privacy.gates): reading needs view_application,
writing change_application; records named in the URL go through their access policy.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import ModelLogEntry

from applicants.delivery.views.common import AWARD_CHANGE, AWARD_VIEW
from applicants.graduation.board import EVIDENCE_LABELS, MILESTONES, graduation_board, register_fact_at
from applicants.graduation.certificates import issue_for_cohort, qr_svg, verification_path
from applicants.graduation.contacts import record_attempt
from applicants.models import Certificate, Enrolment, FollowUp, Interview
from applicants.privacy import access
from applicants.privacy.audit import log_personal_data_access
from applicants.privacy.downloads import serve_private_file
from applicants.privacy.gates import OutOfScope, gate, object_in_scope
from programs.models import Cohort, Intake
from programs.registers.xlsx import NUMBER, TEXT, Column, Sheet, xlsx_download

VIEW = "applicants.view_application"
CHANGE = "applicants.change_application"


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@gate(CHANGE, write_permissions=[CHANGE])
@require_POST
def enrolment_issue(request, pk):
    enrolment = object_in_scope(request, access.enrolments, pk=pk)
    try:
        certificate = Certificate.issue(enrolment, request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("delivery:cohort_detail", pk=enrolment.cohort_id)
    messages.success(request, _("Certificate %(n)s issued.") % {"n": certificate.number})
    return redirect("graduation:certificate_detail", pk=certificate.pk)


@gate(CHANGE, write_permissions=[CHANGE])
@require_POST
def cohort_issue(request, pk):
    """Class-wide issuance needs every participant in the user's scope (like completion and top-3)."""
    cohort = Cohort.objects.filter(pk=pk).first()
    if cohort is None:
        return redirect("delivery:cohort_list")
    if not access.whole_cohort_visible(request.user, cohort):
        return access.refuse(request)
    result = issue_for_cohort(cohort, request.user)
    messages.success(request, _("%(n)s certificates issued.") % {"n": len(result.issued)})
    for enrolment, reason in result.refused:
        messages.warning(request, f"{enrolment.application.applicant.full_name}: {reason}")
    return redirect("delivery:cohort_detail", pk=cohort.pk)


def _certificate(request, pk) -> Certificate:
    return object_in_scope(request, access.certificates, Certificate.objects.select_related(
        "enrolment__application__applicant", "enrolment__cohort__program", "enrolment__cohort__intake",
        "issued_by", "withdrawn_by"), pk=pk)


@gate(VIEW, write_permissions=[CHANGE])
def certificate_detail(request, pk):
    certificate = _certificate(request, pk)
    if request.method == "POST":
        try:
            certificate.withdraw(request.user, request.POST.get("reason", ""))
        except ValidationError as exc:
            certificate.refresh_from_db()
            _errors(request, exc)
        else:
            messages.success(request, _("Certificate %(n)s revoked.") % {"n": certificate.number})
            return redirect("graduation:certificate_detail", pk=certificate.pk)
    history = ModelLogEntry.objects.for_instance(certificate).select_related("user").order_by("-timestamp")
    title = _("Certificate %(n)s") % {"n": certificate.number}
    return TemplateResponse(request, "applicants/graduation/certificate_detail.html", {
        "page_title": title, "header_title": title, "header_icon": "doc-full",
        "certificate": certificate, "history": history, "can_change": request.user.has_perm(CHANGE),
        "verify_url": request.build_absolute_uri(verification_path(certificate)),
    })


@gate(VIEW)
def certificate_print(request, pk):
    """The printable certificate: A4 landscape, the Dinsos letterhead and the QR code."""
    certificate = _certificate(request, pk)
    if not certificate.is_valid:
        raise OutOfScope  # a withdrawn certificate is never printed again
    url = request.build_absolute_uri(verification_path(certificate))
    return TemplateResponse(request, "applicants/graduation/certificate_print.html", {
        "certificate": certificate, "enrolment": certificate.enrolment, "cohort": certificate.enrolment.cohort,
        "applicant": certificate.enrolment.application.applicant, "verify_url": url, "qr": qr_svg(url),
    })



# --- the graduation board and one graduate's outcomes -------------------------------------------------

def _board_filters(request) -> int | None:
    value = request.GET.get("intake", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@gate(VIEW)
def board(request):
    """Per round and kelurahan: graduates, reach at each follow-up, work, business, income, left bansos
    by evidence. `?format=xlsx` downloads the same figures."""
    intake_id = _board_filters(request)
    rows, total = graduation_board(request.user, intake_id=intake_id)
    if request.GET.get("format") == "xlsx":
        return _board_xlsx(request, rows, total, intake_id)
    title = _("Graduation board")
    return TemplateResponse(request, "applicants/graduation/board.html", {
        "page_title": title, "header_title": title, "header_icon": "table",
        "rows": rows, "total": total, "intakes": Intake.objects.order_by("-year", "name"),
        "intake_id": intake_id, "milestones": MILESTONES,
        "income_labels": list(FollowUp.IncomeBand.choices), "evidence_labels": list(EVIDENCE_LABELS.items()),
    })


def _board_xlsx(request, rows, total, intake_id):
    intake = Intake.objects.filter(pk=intake_id).first() if intake_id else None
    count = {"kind": NUMBER, "number_format": "0"}
    columns = [Column(_("Intake"), TEXT, 30), Column(_("Kelurahan"), TEXT, 20),
               Column(_("Graduates"), width=9, **count)]
    for m in MILESTONES:
        columns += [Column(_("Due %(m)s mo.") % {"m": m}, width=10, **count),
                    Column(_("Reached %(m)s mo.") % {"m": m}, width=10, **count)]
    columns += [Column(_("Working / in business"), width=10, **count), Column(_("Business running"), width=10, **count),
                Column(_("Capital asset in use"), width=12, **count),
                Column(_("Capital asset state recorded"), width=12, **count)]
    columns += [Column(str(label), width=12, **count) for _value, label in FollowUp.IncomeBand.choices]
    columns += [Column(str(label), width=18, **count) for label in EVIDENCE_LABELS.values()]

    def values(row):
        out = [row.intake, row.kelurahan, row.graduates]
        for m in MILESTONES:
            out += [row.due[m], row.reached[m]]
        out += [row.working, row.business_running, row.asset_in_use, row.asset_reported]
        return out + row.income_cells() + row.evidence_cells()

    response = xlsx_download("papan-kelulusan.xlsx", Sheet(
        _("Graduation board"), columns, [*(values(row) for row in rows), values(total)],
        heading=[[_("SIGAP KERJA PROGRAM GRADUATION BOARD")], [str(intake) if intake else _("All intakes")],
                 [_("Income and employment status from the latest follow-up; off bansos by its evidence.")],
                 [_("Printed %(d)s") % {"d": timezone.localdate().strftime("%d-%m-%Y")}], []],
        for_print=True,
    ))
    log_personal_data_access(request.user, Enrolment, "ekspor xlsx papan kelulusan", filters=request.GET,
                             rows=total.graduates)
    return response


@gate(VIEW)
def graduate_outcomes(request, pk):
    """One graduate: certificates, each follow-up's answers beside the register's facts at that date,
    and every register check with its batch and as-of date."""
    enrolment = object_in_scope(request, access.enrolments, Enrolment.objects.select_related(
        "application__applicant", "cohort__program", "cohort__intake"), pk=pk)
    followups = [(f, register_fact_at(enrolment, timezone.localtime(f.recorded_at).date()))
                 for f in enrolment.followups.order_by("milestone")]
    title = str(enrolment)
    return TemplateResponse(request, "applicants/graduation/graduate_outcomes.html", {
        "page_title": title, "header_title": title, "header_icon": "user",
        "enrolment": enrolment, "followups": followups,
        "checks": enrolment.register_checks.select_related("batch").order_by("-as_of", "-pk"),
        "certificates": enrolment.certificates.order_by("-issued_at"),
        "can_issue": request.user.has_perm(CHANGE) and enrolment.status == Enrolment.Status.COMPLETED
        and not enrolment.certificates.filter(state=Certificate.State.VALID).exists(),
    })


# --- contact attempts -----------------------------------------------------------------------------------

def _attempt_fields(request) -> dict:
    return {"channel": request.POST.get("channel", ""), "result": request.POST.get("result", ""),
            "note": request.POST.get("note", "")}


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    return redirect(target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else fallback)


@gate(CHANGE, write_permissions=[CHANGE])
@require_POST
def followup_attempt(request, enrolment_pk, milestone):
    enrolment = object_in_scope(request, access.enrolments, Enrolment.objects.select_related("application"),
                                pk=enrolment_pk)
    try:
        record_attempt(request.user, enrolment=enrolment, milestone=milestone, **_attempt_fields(request))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Contact attempt recorded."))
    return _back(request, reverse("delivery:followup_due"))


@gate(policy=access.interviews, action="change", write_permissions=["applicants.change_interview"])
@require_POST
def interview_attempt(request, pk):
    """The interviewer of the interview, or an editor, records a try at inviting the applicant."""
    interview = object_in_scope(request, access.interviews, Interview.objects.select_related("application"), pk=pk)
    if not access.interviews.may_change(request.user, interview):
        raise OutOfScope
    try:
        record_attempt(request.user, interview=interview, **_attempt_fields(request))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Contact attempt recorded."))
    return _back(request, reverse("wagtailadmin_home"))


@gate(AWARD_VIEW, write_permissions=[AWARD_CHANGE])
def award_photo(request, pk):
    """The handover photo, like the signed document: only after the award policy's check, logged."""
    award = object_in_scope(request, access.awards, pk=pk)
    if not award.handover_photo:
        raise Http404
    return serve_private_file(request, award.handover_photo, AWARD_VIEW,
                              allowed=lambda user: access.awards.in_scope(user, award), log_object=award)
