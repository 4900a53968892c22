"""Admin views for the welfare register: upload an extract, follow its import, read the preview and
confirm (or cancel) it, read the batch report, download rejected rows, re-run the eligibility check, and
override one application's eligibility with a reason.

The upload request only checks the file quickly and stores it; the import runs as a background task
(applicants.welfare.jobs). The import's own pages (progress, confirm, cancel) belong to the editor who
uploaded it: anyone else gets a 404, as for background exports.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput

from applicants.allocation.services import earlier_for
from applicants.enums import Register
from applicants.models import Application, WelfareImportBatch
from applicants.privacy import access
from applicants.privacy.gates import GatedViewMixin, object_in_scope
from applicants.welfare import jobs
from applicants.welfare.eligibility import PREVIEW_MOVES, check_open_applications
from applicants.welfare.importer import (
    ImportStateError,
    RegisterFileError,
    cancel_import,
    check_file,
    confirm_import,
    write_rejections_xlsx,
)

logger = logging.getLogger(__name__)

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
    file = forms.FileField(label=gettext_lazy("Register file (.xlsx or .csv)"))
    register = forms.ChoiceField(label=gettext_lazy("Register"), choices=Register.choices, initial=Register.DTSEN)
    as_of = forms.DateField(
        label=gettext_lazy("Data as of"), required=False, widget=AdminDateInput,
        help_text=gettext_lazy("The date the file's data refers to. Leave empty for today."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run only"), required=False,
        help_text=gettext_lazy("Check the file and report rejected rows without replacing the current register."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in {".csv", ".xlsx"}:
            raise ValidationError(_("Unsupported file type: upload an .xlsx or .csv file."))
        limit = max_upload_bytes()
        if upload.size > limit:
            raise ValidationError(
                _("The file is too large (maximum %(mb)s MB).") % {"mb": limit // (1024 * 1024)}
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None and cleaned.get("register"):
            try:
                with _local_copy(upload) as path:
                    check_file(path, upload.name, cleaned["register"])
            except RegisterFileError as exc:
                self.add_error("file", str(exc))
            except Exception:  # noqa: BLE001 - a file no check foresaw: a message, never a 500
                logger.exception("welfare upload check failed for %s", upload.name)
                self.add_error("file", _("The file cannot be read as a register extract (.xlsx or .csv)."))
        return cleaned


class _local_copy:
    """The upload as a file on disk for the quick checks (removed afterwards; its path is never shown)."""

    def __init__(self, upload):
        self.upload = upload

    def __enter__(self) -> Path:
        if hasattr(self.upload, "temporary_file_path"):
            self.path, self.owned = Path(self.upload.temporary_file_path()), False
        else:
            with tempfile.NamedTemporaryFile(
                delete=False, suffix=Path(self.upload.name).suffix.lower(), prefix="register-"
            ) as handle:
                for chunk in self.upload.chunks():
                    handle.write(chunk)
            self.path, self.owned = Path(handle.name), True
        return self.path

    def __exit__(self, *exc_info):
        if self.owned:
            self.path.unlink(missing_ok=True)
        self.upload.seek(0)


class UploadView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    form_class = UploadForm
    template_name = "applicants/welfare/upload.html"
    page_title = gettext_lazy("Import welfare register")
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        # Wagtail's default trail is "Home" alone, which the header shows instead of the page's title.
        return [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The user's own imports still running: each leads to its report page, where progress is live.
        context["running_batches"] = [
            (batch, progress_data(batch)) for batch in WelfareImportBatch.objects.filter(
                uploaded_by=self.request.user, state=WelfareImportBatch.State.PROCESSING
            ).order_by("-created_at")[:10]
        ]
        context["current_batches"] = WelfareImportBatch.objects.filter(state=WelfareImportBatch.State.CURRENT)
        context["recent_batches"] = WelfareImportBatch.objects.select_related("uploaded_by")[:10]
        context["max_upload_mb"] = max_upload_bytes() // (1024 * 1024)
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        batch = jobs.start_import(
            upload, register=form.cleaned_data["register"], as_of=form.cleaned_data["as_of"],
            user=self.request.user, dry_run=form.cleaned_data["dry_run"],
        )
        messages.info(self.request, _("File received; it is being imported in the background."))
        return redirect("welfare:report", pk=batch.pk)


def own_batch(request, pk) -> WelfareImportBatch:
    """The batch if `request.user` uploaded it; 404 otherwise (another editor's job is not theirs to see)."""
    batch = WelfareImportBatch.objects.filter(pk=pk, uploaded_by=request.user).first()
    if batch is None:
        raise Http404
    return batch


def progress_data(batch: WelfareImportBatch) -> dict:
    return {
        "state": batch.state, "state_label": str(batch.get_state_display()),
        "rows_read": batch.rows_read, "rows_accepted": batch.rows_accepted,
        "rows_rejected": batch.rows_rejected + batch.rows_duplicate,
        "percent": batch.percent, "seconds_left": batch.seconds_left(),
        "queued": batch.state == WelfareImportBatch.State.PROCESSING and batch.started_at is None,
        "done": batch.state != WelfareImportBatch.State.PROCESSING,
    }


class ProgressView(PermissionRequiredMixin, View):
    """Small JSON the report page polls while the import runs."""

    def get(self, request, pk):
        return JsonResponse(progress_data(own_batch(request, pk)))


class ReportView(PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "applicants/welfare/report.html"
    page_title = gettext_lazy("Register import report")
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return [{"url": reverse("welfare:upload"), "label": UploadView.page_title},
                {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = get_object_or_404(WelfareImportBatch.objects.select_related("uploaded_by"), pk=self.kwargs["pk"])
        State = WelfareImportBatch.State
        is_owner = batch.uploaded_by_id == self.request.user.pk
        preview = batch.preview or {}
        context.update(
            batch=batch,
            rejections=batch.rejections.order_by("row_number")[:REPORT_ROWS],
            report_rows=REPORT_ROWS,
            can_check=self.request.user.has_perm(CHECK_PERMISSION),
            is_owner=is_owner,
            running=batch.state == State.PROCESSING,
            progress=progress_data(batch),
            can_confirm=is_owner and batch.state == State.READY,
            preview=preview,
            preview_labels=[PREVIEW_LABELS[key] for key in PREVIEW_MOVES],
            preview_rows=[
                (row["kecamatan"], [row.get(key, 0) for key in (*PREVIEW_MOVES, "unchanged")])
                for row in preview.get("per_kecamatan", [])
            ],
            preview_totals=[preview.get("totals", {}).get(key, 0) for key in (*PREVIEW_MOVES, "unchanged")],
        )
        return context


PREVIEW_LABELS = {
    "demoted": gettext_lazy("Verified → not found/not eligible"),
    "promoted": gettext_lazy("Not eligible → verified"),
    "new_verified": gettext_lazy("New → verified"),
    "new_not_eligible": gettext_lazy("New → not found/not eligible"),
}


@require_POST
def confirm_view(request, pk):
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    batch = own_batch(request, pk)
    try:
        counts = confirm_import(batch, request.user)
    except ImportStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The register is now current. %(checked)s applications in the "
              "file's kelurahan were rechecked; %(changed)s changed status.")
            % {"checked": counts.get("checked", 0), "changed": counts.get("status_changed", 0)},
        )
    return redirect("welfare:report", pk=batch.pk)


@require_POST
def cancel_view(request, pk):
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    batch = own_batch(request, pk)
    try:
        cancel_import(batch, request.user)
    except ImportStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("Import cancelled; the current register is unchanged."))
    return redirect("welfare:report", pk=batch.pk)


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
            _("%(checked)s applications checked; %(changed)s changed status.")
            % {"checked": counts.get("checked", 0), "changed": counts.get("status_changed", 0)},
        )
        return redirect(reverse("welfare:upload"))


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Override reason"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: the DTSEN data update is still being processed at the kelurahan."),
    )


class OverrideView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    permission_required = CHECK_PERMISSION
    permission_policy = access.applications
    policy_action = "change"
    form_class = OverrideForm
    template_name = "applicants/welfare/override.html"
    page_title = gettext_lazy("Override eligibility check")
    header_icon = "success"

    def get_breadcrumbs_items(self):
        return [{"url": "", "label": self.get_page_title()}]

    def load_object(self, request, **kwargs):
        # An editor limited to some kecamatan may not override (or read) applications outside them.
        self.application = object_in_scope(
            request, access.applications,
            Application.objects.select_related("applicant__kelurahan", "eligibility_record__batch"), pk=kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(application=self.application, earlier=earlier_for(self.application), **kwargs)

    def form_valid(self, form):
        try:
            self.application.override_eligibility(self.request.user, form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error("reason" if hasattr(exc, "error_dict") else None, " ".join(exc.messages))
            return self.form_invalid(form)
        messages.success(self.request, _("Override recorded; the application is now verified."))
        return redirect("applicants_application_modeladmin_inspect", self.application.pk)


urlpatterns = [
    path("", UploadView.as_view(), name="upload"),
    path("impor/<int:pk>/", ReportView.as_view(), name="report"),
    path("impor/<int:pk>/kemajuan.json", ProgressView.as_view(), name="progress"),
    path("impor/<int:pk>/konfirmasi/", confirm_view, name="confirm"),
    path("impor/<int:pk>/batalkan/", cancel_view, name="cancel"),
    path("impor/<int:pk>/baris-ditolak.xlsx", RejectionsDownloadView.as_view(), name="rejections_xlsx"),
    path("cek-kelayakan/", RecheckView.as_view(), name="recheck"),
    path("pendaftaran/<int:pk>/kecualikan/", OverrideView.as_view(), name="override"),
]
