"""Bulk actions on a register's selected rows or on all its filtered rows.

A register declares `bulk_actions = (BulkAction(...), ...)`. The list shows checkboxes and an action
picker; a POST (CSRF-protected) goes to the register's `bulk/` URL with the chosen action, the
selected ids (or "all filtered rows") and the list's query string. The view rebuilds the rows with
the same `RegisterQuery` the list and the export use, so the register's `scope_queryset` applies and
an id outside the user's scope is silently not part of the set. A confirmation page says how many
rows will be affected (and shows the action's form, if any); only the confirming POST runs the
handler, which must go through the same model/service methods as a single edit and report refused
rows with their reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.defaults import permission_denied
from wagtail.admin import messages
from wagtail_modeladmin.views import WMABaseView

from .query import OBJECT_ID

SELECTED = "selected"
ALL = "all"


@dataclass
class BulkResult:
    """What a bulk action did: rows changed, and rows refused with the reason (in Indonesian)."""

    done: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    message: str = ""


@dataclass(frozen=True)
class BulkAction:
    """`handler(request, queryset, data) -> BulkResult`; `data` is the form's cleaned_data ({} without form).

    `form_class` (optional) asks for parameters on the confirmation page (e.g. the class to enrol in);
    it is instantiated as `form_class(data=None|POST, user=request.user)`.
    """

    name: str
    label: str
    permission: str
    handler: Callable[[HttpRequest, QuerySet, dict], BulkResult]
    form_class: type[forms.Form] | None = None
    max_rows: int = 1000
    help_text: str = ""

    def allowed(self, user) -> bool:
        return bool(user and user.has_perm(self.permission))

    def make_form(self, user, data=None):
        return self.form_class(data=data, user=user) if self.form_class else None


def _refuse(request):
    # A real 403 (a raised PermissionDenied inside Wagtail admin URLs becomes a dashboard redirect).
    return permission_denied(request, PermissionDenied())


class RegisterBulkActionView(WMABaseView):
    """POST only: confirm (count + optional form), then run the action and show its result."""

    http_method_names = ["post"]
    confirm_template = "registers/bulk_confirm.html"
    result_template = "registers/bulk_result.html"

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_list(user)

    def post(self, request, *args, **kwargs):
        register = self.model_admin
        action = register.get_bulk_action(request.POST.get("action", ""))
        if action is None or not action.allowed(request.user):
            return _refuse(request)
        querystring = request.POST.get("querystring", "")
        scope = request.POST.get("scope", SELECTED)
        selected = [value for value in request.POST.getlist(SELECTED) if OBJECT_ID.fullmatch(value)]
        list_url = register.url_helper.index_url + (f"?{querystring}" if querystring else "")
        query = register.query(QueryDict(querystring), user=request.user, request=request)
        queryset = query.queryset
        if scope != ALL:
            queryset = queryset.filter(pk__in=selected)
        count = queryset.count()
        if not count:
            messages.warning(request, _("No rows selected."))
            return redirect(list_url)
        context = {
            "register": register, "action": action, "count": count, "scope": scope, "selected": selected,
            "querystring": querystring, "list_url": list_url, "filters_applied": query.describe_filters(),
            "search_term": query.search_term, "too_many": count > action.max_rows,
        }
        form = action.make_form(request.user, request.POST if "confirm" in request.POST else None)
        if "confirm" not in request.POST or count > action.max_rows or (form is not None and not form.is_valid()):
            return self.render(self.confirm_template, form=form, **context)
        result = action.handler(request, queryset, form.cleaned_data if form is not None else {})
        messages.success(
            request,
            _("%(action)s: %(done)s rows succeeded, %(refused)s refused.")
            % {"action": action.label, "done": result.done, "refused": len(result.refused)},
        )
        return self.render(self.result_template, result=result, **context)

    def render(self, template, **context):
        return TemplateResponse(self.request, template, self.get_context_data(**context))

    def get_page_title(self):
        return self.model_admin.get_menu_label()
