"""Admin screens for earlier-recipient lists: upload one, read its import report, download its rejected rows.

The same gate as the welfare register's imports: importing and the report (rejected rows carry NIKs
of any kecamatan) are for editors without a kecamatan restriction (access.recipient_batches "add").
"""

from __future__ import annotations

import logging
import tempfile

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from django.views.generic import View as PlainView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from applicants.allocation import jobs
from applicants.allocation.importer import RegisterFileError, check_file
from applicants.models import RecipientListBatch
from applicants.models.allocation import EARLIEST_YEAR
from applicants.privacy import access
from applicants.privacy.gates import GatedViewMixin
from applicants.welfare.importer import write_rejections_xlsx  # same report shape: rejections with raw cells
from applicants.welfare.views import _local_copy, max_upload_bytes

logger = logging.getLogger(__name__)

IMPORT_PERMISSION = "applicants.add_recipientlistbatch"
REPORT_ROWS = 50


class ImportGate(GatedViewMixin):
    permission_required = IMPORT_PERMISSION
    permission_policy = access.recipient_batches
    policy_action = "add"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("List file (.xlsx or .csv)"))
    program = forms.CharField(
        label=gettext_lazy("Program"), max_length=60,
        help_text=gettext_lazy("E.g. PENA or KUBE; used for rows without a program column."),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=EARLIEST_YEAR,
        help_text=gettext_lazy("Used for rows without a year column."),
    )

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year + 1:
            raise ValidationError(_("The year cannot be later than next year."))
        return year

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Unsupported file type: upload an .xlsx or .csv file."))
        limit = max_upload_bytes()
        if upload.size > limit:
            raise ValidationError(_("The file is too large (maximum %(mb)s MB).") % {"mb": limit // (1024 * 1024)})
        try:
            with _local_copy(upload) as local:
                check_file(local, upload.name)
        except RegisterFileError as exc:
            raise ValidationError(str(exc)) from None
        except Exception:  # noqa: BLE001 - a file no check foresaw: a message, never a 500
            logger.exception("recipient list upload check failed for %s", upload.name)
            raise ValidationError(_("The file cannot be read as a list (.xlsx or .csv).")) from None
        return upload


class UploadView(ImportGate, WagtailAdminTemplateMixin, FormView):
    form_class = UploadForm
    template_name = "applicants/allocation/upload.html"
    page_title = gettext_lazy("Import earlier-recipient list")
    header_icon = "upload"

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            recent=RecipientListBatch.objects.select_related("uploaded_by")[:10],
            max_upload_mb=max_upload_bytes() // (1024 * 1024), **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        batch = jobs.start_import(data["file"], program=data["program"], year=data["year"], user=self.request.user)
        messages.info(self.request, _("The file was accepted and is being imported in the background."))
        return redirect("allocation:report", pk=batch.pk)


class ReportView(ImportGate, WagtailAdminTemplateMixin, TemplateView):
    template_name = "applicants/allocation/report.html"
    page_title = gettext_lazy("Earlier-recipient list import report")
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        batch = get_object_or_404(RecipientListBatch.objects.select_related("uploaded_by"), pk=self.kwargs["pk"])
        return super().get_context_data(
            batch=batch, rejections=batch.rejections.order_by("row_number")[:REPORT_ROWS], report_rows=REPORT_ROWS,
            running=batch.state == RecipientListBatch.State.PROCESSING, **kwargs,
        )


class RejectionsDownloadView(ImportGate, PlainView):
    def get(self, request, pk):
        batch = get_object_or_404(RecipientListBatch, pk=pk)
        handle = tempfile.TemporaryFile()
        write_rejections_xlsx(batch, handle)
        handle.seek(0)
        return FileResponse(
            handle, as_attachment=True, filename=f"baris-ditolak-daftar-penerima-{batch.pk}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


urlpatterns = [
    path("", UploadView.as_view(), name="upload"),
    path("impor/<int:pk>/", ReportView.as_view(), name="report"),
    path("impor/<int:pk>/baris-ditolak.xlsx", RejectionsDownloadView.as_view(), name="rejections_xlsx"),
]
