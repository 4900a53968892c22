"""Admin views for the welfare register: upload an extract, read the batch report, download rejected rows,
re-run the eligibility check, and override one application's eligibility with a reason.

The import runs inside the upload request for now (about a minute per million CSV rows); moving it to
a django-tasks background task is the next step when extracts grow (docs/welfare-register.md).
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput

from applicants.enums import Register
from applicants.models import Application, WelfareImportBatch
from applicants.privacy import access
from applicants.privacy.gates import GatedViewMixin, object_in_scope
from applicants.welfare.eligibility import check_open_applications
from applicants.welfare.importer import RegisterFileError, import_register, write_rejections_xlsx

IMPORT_PERMISSION = "applicants.add_welfareimportbatch"
CHECK_PERMISSION = "applicants.change_application"
REPORT_ROWS = 50


def max_upload_bytes() -> int:
    return int(getattr(settings, "WELFARE_IMPORT_MAX_UPLOAD_MB", 200)) * 1024 * 1024


class PermissionRequiredMixin(GatedViewMixin):
    """The admin gate: whoever may import reads the import reports and rejected rows. Imports are
    city-wide and rejected rows carry no kecamatan to narrow by: users limited to some kecamatan are
    refused (access.welfare_batches "add")."""

    permission_required = IMPORT_PERMISSION
    permission_policy = access.welfare_batches
    policy_action = "add"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Berkas register (.xlsx atau .csv)"))
    register = forms.ChoiceField(label=gettext_lazy("Register"), choices=Register.choices, initial=Register.DTSEN)
    as_of = forms.DateField(
        label=gettext_lazy("Data per tanggal"), required=False, widget=AdminDateInput,
        help_text=gettext_lazy("Tanggal kondisi data pada berkas. Kosongkan untuk hari ini."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Uji coba saja"), required=False,
        help_text=gettext_lazy("Periksa berkas dan laporkan baris ditolak tanpa mengganti register yang berlaku."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in {".csv", ".xlsx"}:
            raise ValidationError(_("Jenis berkas tidak didukung: unggah berkas .xlsx atau .csv."))
        limit = max_upload_bytes()
        if upload.size > limit:
            raise ValidationError(
                _("Berkas terlalu besar (maksimum %(mb)s MB).") % {"mb": limit // (1024 * 1024)}
            )
        if suffix == ".xlsx":
            try:
                with zipfile.ZipFile(upload) as archive:
                    unpacked = sum(info.file_size for info in archive.infolist())
            except zipfile.BadZipFile:
                raise ValidationError(_("Berkas .xlsx rusak atau bukan berkas Excel.")) from None
            finally:
                upload.seek(0)
            if unpacked > 10 * limit:  # a zip bomb unpacks to far more than any real extract
                raise ValidationError(_("Isi berkas .xlsx terlalu besar setelah dibuka."))
        return upload


def _save_upload(upload) -> Path:
    with tempfile.NamedTemporaryFile(
        delete=False, suffix=Path(upload.name).suffix.lower(), prefix="register-"
    ) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return Path(handle.name)


class UploadView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    form_class = UploadForm
    template_name = "applicants/welfare/upload.html"
    page_title = gettext_lazy("Impor register kesejahteraan")
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["current_batches"] = WelfareImportBatch.objects.filter(state=WelfareImportBatch.State.CURRENT)
        context["recent_batches"] = WelfareImportBatch.objects.select_related("uploaded_by")[:10]
        context["max_upload_mb"] = max_upload_bytes() // (1024 * 1024)
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        temp_path = _save_upload(upload)
        try:
            batch = import_register(
                temp_path, file_name=upload.name, register=form.cleaned_data["register"],
                as_of=form.cleaned_data["as_of"], user=self.request.user, dry_run=form.cleaned_data["dry_run"],
            )
        except RegisterFileError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        finally:
            temp_path.unlink(missing_ok=True)
        if batch.state == WelfareImportBatch.State.DRY_RUN:
            messages.info(self.request, _("Uji coba selesai: register yang berlaku tidak berubah."))
        else:
            messages.success(self.request, _("Register diimpor dan kini berlaku; kelayakan pendaftar dicek ulang."))
        return redirect("welfare:report", pk=batch.pk)


class ReportView(PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "applicants/welfare/report.html"
    page_title = gettext_lazy("Laporan impor register")
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = get_object_or_404(WelfareImportBatch.objects.select_related("uploaded_by"), pk=self.kwargs["pk"])
        context.update(
            batch=batch,
            rejections=batch.rejections.order_by("row_number")[:REPORT_ROWS],
            report_rows=REPORT_ROWS,
            can_check=self.request.user.has_perm(CHECK_PERMISSION),
        )
        return context


class RejectionsDownloadView(PermissionRequiredMixin, View):
    def get(self, request, pk):
        batch = get_object_or_404(WelfareImportBatch, pk=pk)
        handle = tempfile.TemporaryFile()
        write_rejections_xlsx(batch, handle)
        handle.seek(0)
        return FileResponse(
            handle, as_attachment=True, filename=f"baris-ditolak-{batch.register}-{batch.pk}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class RecheckView(PermissionRequiredMixin, View):
    permission_required = CHECK_PERMISSION
    policy_action = "change"

    def post(self, request):
        counts = check_open_applications(user=request.user)
        messages.success(
            request,
            _("%(checked)s pendaftaran dicek; %(changed)s berubah status.")
            % {"checked": counts.get("checked", 0), "changed": counts.get("status_changed", 0)},
        )
        return redirect(reverse("welfare:upload"))


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Alasan pengecualian"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Misalnya: pembaruan data DTSEN masih diproses di kelurahan."),
    )


class OverrideView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    permission_required = CHECK_PERMISSION
    permission_policy = access.applications
    policy_action = "change"
    form_class = OverrideForm
    template_name = "applicants/welfare/override.html"
    page_title = gettext_lazy("Kecualikan hasil cek kelayakan")
    header_icon = "success"

    def load_object(self, request, **kwargs):
        # An editor limited to some kecamatan may not override (or read) applications outside them.
        self.application = object_in_scope(
            request, access.applications,
            Application.objects.select_related("applicant__kelurahan", "eligibility_record__batch"), pk=kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(application=self.application, **kwargs)

    def form_valid(self, form):
        try:
            self.application.override_eligibility(self.request.user, form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Pengecualian dicatat; pendaftaran kini terverifikasi."))
        return redirect("welfare:override", pk=self.application.pk)


urlpatterns = [
    path("", UploadView.as_view(), name="upload"),
    path("impor/<int:pk>/", ReportView.as_view(), name="report"),
    path("impor/<int:pk>/baris-ditolak.xlsx", RejectionsDownloadView.as_view(), name="rejections_xlsx"),
    path("cek-kelayakan/", RecheckView.as_view(), name="recheck"),
    path("pendaftaran/<int:pk>/kecualikan/", OverrideView.as_view(), name="override"),
]
