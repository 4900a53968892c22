"""The register list (replaces modeladmin's IndexView) and the xlsx export view."""

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail_modeladmin.views import InspectView, WMABaseView

from . import log_actions  # noqa: F401 - registers the export audit action
from .export import log_export, write_export
from .jobs import start_export_job
from .models import ExportJob
from .query import (
    COLUMNS_PARAM,
    MAX_SEARCH_LENGTH,
    OBJECT_ID,
    PAGE_PARAM,
    PER_PAGE_PARAM,
    SEARCH_PARAM,
    SORT_PARAM,
)
from .sealed import SEALED_SEARCH_PARAM, needs_sealing, seal


class RegisterIndexView(WMABaseView):
    """Filtered, searched, sorted, paginated table with a row count and an export link.

    Queries per page are fixed: one COUNT, one SELECT of the page rows (joined through
    `list_select_related`), plus the filter form's option lists (small reference tables).
    """

    template_name = "registers/index.html"

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_list(user)

    def get_template_names(self):
        # A register may extend registers/index.html (e.g. to add bulk-action buttons).
        return [self.model_admin.index_template_name or self.template_name]

    @cached_property
    def query(self):
        return self.model_admin.query(self.request.GET, user=self.request.user, request=self.request)

    def post(self, request, *args, **kwargs):
        """The list's form, posted so that a typed NIK/KK/phone number stays out of the URL (see
        `sealed`); answered with the list's GET address, the term sealed when it holds such digits."""
        params = request.POST.copy()
        params.pop("csrfmiddlewaretoken", None)
        params.pop(SEALED_SEARCH_PARAM, None)
        term = (params.get(SEARCH_PARAM) or "").strip()
        if needs_sealing(term):
            params.pop(SEARCH_PARAM)
            params[SEALED_SEARCH_PARAM] = seal(request, term[:MAX_SEARCH_LENGTH])
        query = urlencode([(key, value) for key, values in params.lists() for value in values if value != ""])
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path, status=303)

    def per_page(self) -> int:
        """One of the offered page sizes; anything else (-1, 10^20, "abc") is the default, noted."""
        value = self.request.GET.get(PER_PAGE_PARAM, "")
        offered = {str(choice): choice for choice in self.model_admin.per_page_choices}
        if value and value not in offered:
            self._note_ignored(gettext("rows per page"))
        return offered.get(value, self.model_admin.list_per_page)

    def _page(self, paginator: Paginator):
        """The asked page; a page that is no number shows the first, a page past the end the last."""
        value = self.request.GET.get(PAGE_PARAM, "")
        if not value:
            return paginator.page(1)
        number = int(value) if OBJECT_ID.fullmatch(value) else 0
        if number < 1:
            self._note_ignored(gettext("page"))
            return paginator.page(1)
        if number > paginator.num_pages:
            self._note_ignored(gettext("page"))
            return paginator.page(paginator.num_pages)
        return paginator.page(number)

    def _note_ignored(self, what: str) -> None:
        if what not in self.ignored:
            self.ignored.append(what)

    @cached_property
    def ignored(self) -> list[str]:
        return []

    def get_page_title(self):
        return self.model_admin.get_menu_label()

    def get_context_data(self, **kwargs):
        table = self.query.table
        column_choices = self.query.column_choices
        paginator = Paginator(table.rows, self.per_page())
        page = self._page(paginator)
        for what in self.query.ignored:
            self._note_ignored(what)
        if self.ignored:
            messages.warning(self.request, gettext("Unrecognised parameters ignored: %(what)s.")
                             % {"what": ", ".join(self.ignored)})
        table.paginator = paginator
        table.page = page
        params = self.request.GET.copy()
        params.pop(PAGE_PARAM, None)
        context = {
            "table": table,
            "filter_form": self.query.filterset.form,
            "column_choices": column_choices,
            "columns_param": COLUMNS_PARAM,
            "columns_chosen": COLUMNS_PARAM in self.request.GET,
            "search_term": self.query.search_term,
            "search_param": SEARCH_PARAM,
            "sort_param": SORT_PARAM,
            "sort_value": self.query.sort,  # a sort the table refused is not carried on
            "page_param": PAGE_PARAM,
            "per_page_param": PER_PAGE_PARAM,
            "per_page": self.per_page(),
            "per_page_choices": self.model_admin.per_page_choices,
            "paginator": paginator,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "result_count": paginator.count,
            "querystring": params.urlencode(),
            "filters_applied": self.query.describe_filters(),
            "export_url": self.model_admin.export_url,
            "export_querystring": self._export_querystring(),
            "user_can_create": self.permission_helper.user_can_create(self.request.user),
            "register": self.model_admin,
            "bulk_actions": self.model_admin.bulk_actions_for(self.request.user),
            "bulk_url": self.model_admin.bulk_url,
        }
        context.update(kwargs)
        return super().get_context_data(**context)

    def _export_querystring(self) -> str:
        params = self.request.GET.copy()
        params.pop(PAGE_PARAM, None)
        params.pop(PER_PAGE_PARAM, None)
        return params.urlencode()


class RegisterExportView(WMABaseView):
    """GET with the list's query string: the same rows, all pages, as xlsx.

    Small exports stream from a temporary file in this request; above
    REGISTER_EXPORT_ASYNC_THRESHOLD rows the export becomes a background job (see `jobs`).
    """

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_list(user)

    def get(self, request, *args, **kwargs):
        register = self.model_admin
        query = register.query(request.GET, user=request.user, request=request)
        threshold = getattr(settings, "REGISTER_EXPORT_ASYNC_THRESHOLD", 20000)
        if threshold and query.queryset.count() > threshold:
            return start_export_job(request, register, query)
        file_name = query.filename(timezone.localdate())
        # Write-only openpyxl needs a real file; the temporary file is deleted when the response closes.
        tmp = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
        rows = write_export(query, tmp, user=request.user)
        tmp.seek(0)
        log_export(query, request.user, rows, file_name, channel="admin")
        return FileResponse(
            tmp,
            as_attachment=True,
            filename=file_name,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    def post(self, request, *args, **kwargs):
        raise PermissionDenied


class RegisterInspectView(InspectView):
    """modeladmin's inspect view, with the register's identity fields masked for users without access."""

    def get_field_display_value(self, field_name, field=None):
        value = super().get_field_display_value(field_name, field)
        mask = self.model_admin.identity_mask(self.request.user)
        if mask and field_name in self.model_admin.identity_fields and isinstance(value, str):
            return mask(value)
        if mask and field_name in self.model_admin.birth_date_fields:
            return self.model_admin.birth_date_mask(self.request.user)(getattr(self.instance, field_name))
        return value


class ExportJobView(TemplateView):
    """Progress of one background export, and its download link when done (owner only)."""

    template_name = "registers/export_job.html"

    def get(self, request, job_id):
        job = get_object_or_404(ExportJob, pk=job_id, user=request.user)
        return self.render_to_response({"job": job, "refresh": job.status in ("queued", "running")})


def export_job_download(request, job_id):
    """Only the user who asked for the export may download it; files stay out of MEDIA_ROOT."""
    job = get_object_or_404(ExportJob, pk=job_id, user=request.user, status=ExportJob.Status.DONE)
    path = Path(settings.PRIVATE_MEDIA_ROOT) / job.file_path
    if not path.is_file():
        raise Http404
    return FileResponse(
        open(path, "rb"),  # noqa: SIM115 - closed by FileResponse
        as_attachment=True,
        filename=job.file_name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@hooks.register("register_admin_urls")
def register_export_job_urls():
    return [
        path("registers/exports/<int:job_id>/", ExportJobView.as_view(), name="register_export_job"),
        path("registers/exports/<int:job_id>/download/", export_job_download, name="register_export_download"),
    ]
