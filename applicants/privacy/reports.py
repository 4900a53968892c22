"""Wagtail's Reports > Site history, through the access policies.

Wagtail lists every log entry of a content type to anyone holding any permission on that type, so a
kecamatan-restricted editor read every applicant's name there and an interviewer every interview's.
Log entries name a record by label and id only; narrowing them row by row would need the policy's
rule on a text `object_id` for each model, so a personal-data model's entries are shown only to users
for whom that model's policy adds no condition (`has_no_condition`), and hidden from everyone else.
Its export is xlsx only: Wagtail writes CSV cells as they are (formula injection), xlsx as strings.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.urls import path
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.audit_logging import LogEntriesView

from applicants.privacy.access import POLICIES


def hidden_content_type_ids(user) -> list[int]:
    """Content types of the personal-data models whose policy narrows what `user` sees."""
    models = [model for model, policy in POLICIES.items() if not policy.has_no_condition(user)]
    if not models:
        return []
    return [ct.pk for ct in ContentType.objects.get_for_models(*models, for_concrete_models=False).values()]


class ScopedSiteHistoryView(LogEntriesView):
    FORMATS = (LogEntriesView.FORMAT_XLSX,)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        hidden = self._hidden_content_type_ids
        return queryset.exclude(content_type_id__in=hidden) if hidden else queryset

    @property
    def _hidden_content_type_ids(self) -> list[int]:
        if not hasattr(self, "_hidden_ids"):
            self._hidden_ids = hidden_content_type_ids(self.request.user)
        return self._hidden_ids

    @property
    def csv_export_url(self):
        return self.xlsx_export_url


# Mounted by the root URLconf in front of Wagtail's admin URLs, at the same paths and under the same
# names, so every link Wagtail builds to the report reaches this view.
site_history_urlpatterns = [
    path("site-history/", require_admin_access(ScopedSiteHistoryView.as_view()), name="site_history"),
    path("site-history/results/", require_admin_access(ScopedSiteHistoryView.as_view(results_only=True)),
         name="site_history_results"),
]
