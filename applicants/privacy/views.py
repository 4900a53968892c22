"""Admin views for data-subject rights: download a person's data, restrict or lift their processing.

Editors only (`applicants.change_applicant`), and only for applicants inside their access scope.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from applicants.privacy import access
from applicants.privacy.gates import GatedViewMixin, object_in_scope
from applicants.privacy.masking import display_identity
from applicants.privacy.subject_rights import export_subject_data, lift_restriction, restrict_processing

PERMISSION = "applicants.change_applicant"


class _EditorApplicantMixin(GatedViewMixin):
    """Loads the applicant named in the URL, or refuses (403) users without the right or the scope."""

    permission_required = PERMISSION
    write_permissions = (PERMISSION,)

    def load_object(self, request, **kwargs):
        self.applicant = object_in_scope(request, access.applicants, pk=kwargs["pk"])


class SubjectDataExportView(_EditorApplicantMixin, View):
    """A JSON file of everything stored about the person (UU PDP access request)."""

    def get(self, request, pk):
        payload = export_subject_data(self.applicant, user=request.user)
        response = HttpResponse(payload, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="data-pribadi-{self.applicant.pk}.json"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store"
        return response


class RestrictionForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, required=False
    )

    def __init__(self, *args, restricted: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.restricted = restricted
        self.fields["reason"].required = not restricted


class RestrictionView(_EditorApplicantMixin, WagtailAdminTemplateMixin, FormView):
    """Restrict processing (reason required) or lift the restriction; both go to the audit log."""

    template_name = "applicants/admin/restriction.html"
    form_class = RestrictionForm
    header_icon = "lock"

    def get_page_title(self):
        if self.applicant.processing_restricted:
            return _("Cabut pembatasan pemrosesan")
        return _("Batasi pemrosesan data")

    def get_page_subtitle(self):
        return self.applicant.full_name

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "restricted": self.applicant.processing_restricted}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["applicant"] = self.applicant
        context["nik"] = display_identity(self.applicant.nik, self.request.user)
        return context

    def form_valid(self, form):
        reason = form.cleaned_data["reason"]
        if self.applicant.processing_restricted:
            lift_restriction(self.applicant, self.request.user, reason)
            messages.success(self.request, _("Pembatasan pemrosesan dicabut."))
        else:
            restrict_processing(self.applicant, self.request.user, reason)
            messages.success(self.request, _("Pemrosesan data pendaftar ini dibatasi."))
        return redirect("sigap_subject_restriction", pk=self.applicant.pk)
