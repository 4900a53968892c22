"""Staff screens for certificates under /admin/kelulusan/: issue (one graduate or a class), the
certificate page with its history and withdrawal, and the print-ready certificate.

Gated like the other delivery writes (applicants.privacy.gates): reading needs view_application,
writing change_application; records named in the URL go through their access policy.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import ModelLogEntry

from applicants.graduation.certificates import issue_for_cohort, qr_svg, verification_path
from applicants.models import Certificate
from applicants.privacy import access
from applicants.privacy.gates import OutOfScope, gate, object_in_scope
from programs.models import Cohort

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
    messages.success(request, _("Sertifikat %(n)s diterbitkan.") % {"n": certificate.number})
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
    messages.success(request, _("%(n)s sertifikat diterbitkan.") % {"n": len(result.issued)})
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
            messages.success(request, _("Sertifikat %(n)s dicabut.") % {"n": certificate.number})
            return redirect("graduation:certificate_detail", pk=certificate.pk)
    history = ModelLogEntry.objects.for_instance(certificate).select_related("user").order_by("-timestamp")
    title = _("Sertifikat %(n)s") % {"n": certificate.number}
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

