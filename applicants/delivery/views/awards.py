"""The award page (approve, hand over with the signed document, cancel), the document download and
the printable list of recipients with a signature column. The list itself is the award register."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.widgets import AdminDateInput
from wagtail.models import ModelLogEntry

from applicants.allocation.services import AWARD, earlier_for
from applicants.delivery.views.common import AWARD_CHANGE, AWARD_VIEW, Counter, render, show_errors
from applicants.models import CapitalAward
from applicants.privacy import access
from applicants.privacy.audit import log_personal_data_access
from applicants.privacy.downloads import serve_private_file
from applicants.privacy.gates import gate, object_in_scope
from applicants.privacy.masking import mask_export_rows
from programs.models import Intake
from programs.registers.xlsx import IDENTITY, MONEY, NUMBER, TEXT, Column, Sheet, xlsx_download

AWARD_REGISTER_URL_NAME = "applicants_capitalaward_modeladmin_index"


def _filtered_awards(request):
    qs = access.awards.scope(request.user, CapitalAward.objects.select_related(
        "intake", "package", "enrolment__application__applicant__kelurahan", "enrolment__cohort",
        "group__kelurahan", "proposed_by", "approved_by",
    ).order_by("intake", "enrolment__cohort__name", "place", "pk"))
    filters = {"intake": request.GET.get("intake", ""), "state": request.GET.get("state", ""),
               "kind": request.GET.get("kind", "")}
    if filters["intake"].isascii() and filters["intake"].isdigit():
        qs = qs.filter(intake_id=filters["intake"])
    else:
        filters["intake"] = ""
    if filters["state"] in CapitalAward.State.values:
        qs = qs.filter(state=filters["state"])
    if filters["kind"] == "person":
        qs = qs.filter(enrolment__isnull=False)
    elif filters["kind"] == "group":
        qs = qs.filter(group__isnull=False)
    return qs, filters


@gate(AWARD_VIEW, write_permissions=[AWARD_CHANGE])
def award_list_moved(request):
    """The old list URL: the printable sheet for `?format=xlsx`, otherwise the award register."""
    if request.GET.get("format") == "xlsx":
        return award_sheet(request)
    return redirect(AWARD_REGISTER_URL_NAME)


@gate(AWARD_VIEW, write_permissions=[AWARD_CHANGE])
def award_sheet(request) -> HttpResponse:
    """DAFTAR PENERIMA MODAL USAHA: rupiah values and a signature column, for the handover ceremony."""
    qs, filters = _filtered_awards(request)
    intake = Intake.objects.filter(pk=filters["intake"]).first() if filters["intake"] else None
    counter = Counter()

    def rows():
        for a in qs.iterator(chunk_size=500):
            i = counter.next()
            if a.enrolment_id:
                person = a.enrolment.application.applicant
                nik, name, kel, cls = person.nik, person.full_name, person.kelurahan.name, a.enrolment.cohort.name
            else:
                nik, name, kel, cls = "", a.group.name, a.group.kelurahan.name, a.group.business_type
            yield (i, nik, name, kel, cls, a.package.name, a.value_rupiah, a.get_state_display(),
                   a.handover_number, "")

    response = xlsx_download("daftar-penerima-modal-usaha.xlsx", Sheet(
        _("Capital recipients"),
        [Column(_("No."), NUMBER, 5, number_format="0"), Column(_("NIK"), IDENTITY, 19),
         Column(_("Recipient name"), TEXT, 28), Column(_("Kelurahan"), TEXT, 18),
         Column(_("Class / business type"), TEXT, 22), Column(_("Package"), TEXT, 24), Column(_("Value"), MONEY, 16),
         Column(_("Status"), TEXT, 12), Column(_("Handover record no."), TEXT, 18), Column(_("Signature"), TEXT, 22)],
        mask_export_rows(rows(), ["no", "nik", "name", "kelurahan", "cohort", "package", "value", "state",
                                  "handover_number", "signature"], request.user),
        heading=[[_("BUSINESS CAPITAL RECIPIENT LIST")], [str(intake) if intake else _("All intakes")],
                 [_("Printed %(d)s") % {"d": timezone.localdate().strftime("%d-%m-%Y")}], []],
        for_print=True,
    ))
    log_personal_data_access(request.user, CapitalAward, "ekspor xlsx", filters=request.GET, rows=counter.value)
    return response


class HandoverForm(forms.Form):
    handed_over_on = forms.DateField(label=_("Handover date"), widget=AdminDateInput)
    handover_number = forms.CharField(label=_("Handover record number"), max_length=80)
    handover_document = forms.FileField(label=_("Signed handover record (PDF/JPG/PNG, max. 10 MB)"),
                                        required=False)
    handover_photo = forms.FileField(label=_("Handover photo (JPG/PNG, max. 10 MB)"), required=False)


@gate(AWARD_VIEW, write_permissions=[AWARD_CHANGE])
def award_detail(request, pk):
    award = object_in_scope(request, access.awards, CapitalAward.objects.select_related(
        "intake", "package", "enrolment__application__applicant", "enrolment__cohort", "group", "second_award_by"),
        pk=pk)
    form = HandoverForm(request.POST or None, request.FILES or None)
    second_award_error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                award.approve(request.user, second_award_reason=request.POST.get("second_award_reason", ""))
            elif action == "cancel":
                award.cancel(request.user, request.POST.get("reason", ""))
            elif action == "hand_over":
                if not form.is_valid():
                    raise ValidationError(_("Check the handover details."))
                award.hand_over(request.user, on=form.cleaned_data["handed_over_on"],
                                number=form.cleaned_data["handover_number"],
                                document=form.cleaned_data["handover_document"],
                                photo=form.cleaned_data["handover_photo"])
            messages.success(request, _("Business capital status: %(s)s.") % {"s": award.get_state_display()})
            return redirect("delivery:award_detail", pk=award.pk)
        except ValidationError as exc:
            award.refresh_from_db()
            if hasattr(exc, "error_dict") and "second_award_reason" in exc.error_dict:
                second_award_error = " ".join(exc.message_dict["second_award_reason"])
            elif action == "hand_over" and hasattr(exc, "error_dict"):
                # The handover rules name their field (a date in the future, a missing number): the
                # refusal is shown next to it, the rest of what was typed kept.
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
                messages.error(request, _("Check the handover details."))
            else:
                show_errors(request, exc)
    history = ModelLogEntry.objects.for_instance(award).select_related("user").order_by("-timestamp")
    earlier = earlier_for(award.enrolment.application) if award.enrolment_id else []
    return render(request, "award_detail.html", str(award), {
        "award": award, "form": form, "history": history, "earlier": earlier,
        "needs_second_award_reason": award.state == CapitalAward.State.PROPOSED and not award.second_award_reason
        and any(e.kind == AWARD for e in earlier),
        "second_award_error": second_award_error,
        "second_award_value": request.POST.get("second_award_reason", "") if request.method == "POST" else "",
        "can_change": request.user.has_perm(AWARD_CHANGE)}, icon="tag")


@gate(AWARD_VIEW, write_permissions=[AWARD_CHANGE])
def award_document(request, pk):
    """The only way to read a signed handover document: after the policy check, never by public URL."""
    award = object_in_scope(request, access.awards, pk=pk)
    if not award.handover_document:
        raise Http404
    return serve_private_file(
        request, award.handover_document, AWARD_VIEW,
        allowed=lambda user: access.awards.in_scope(user, award), log_object=award,
    )
