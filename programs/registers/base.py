"""The reusable register: a wagtail-modeladmin ModelAdmin whose index is our table view.

A register declares its table, filters, search fields and export columns; the query that the admin
list, the xlsx export and `manage.py export_register` run is built in one place (`RegisterQuery`),
so what an editor filters on screen is exactly what lands in the spreadsheet.
"""

from collections.abc import Mapping, Sequence
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdmin

from applicants.identity import age_band, mask_identity, mask_numbers_in_text

from .search import SearchField, apply_search
from .tables import IDENTITY_COLUMN_TYPES
from .xlsx import ExportColumn

SEARCH_PARAM = "q"
SORT_PARAM = "sort"
PAGE_PARAM = "p"
PER_PAGE_PARAM = "per_page"
# Query parameters that are not filters (they never reach the FilterSet or the Info sheet).
CONTROL_PARAMS = {SEARCH_PARAM, SORT_PARAM, PAGE_PARAM, PER_PAGE_PARAM}

_registry: dict[str, "RegisterModelAdmin"] = {}


def get_register(key: str) -> "RegisterModelAdmin":
    """The registered register for a command-line key such as "applicants" (KeyError if unknown)."""
    _load_hooks()
    return _registry[key]


def register_keys() -> list[str]:
    _load_hooks()
    return sorted(_registry)


def _load_hooks() -> None:
    # Registers are instantiated by wagtail_hooks modules; importing them fills the registry.
    from wagtail import hooks

    hooks.search_for_hooks()


class RegisterModelAdmin(ModelAdmin):
    """Declare a register with a few attributes; see docs/registers.md.

    Required: `model`, `register_key`, `register_name`, `table_class`, `filterset_class`.
    """

    register_key: str = ""  # command-line name, e.g. "applicants"
    register_name = ""  # what people read: menu, page title, Info sheet
    export_slug: str = ""  # file name prefix, e.g. "pendaftar"
    table_class = None
    filterset_class = None
    search_fields: Sequence[SearchField] = ()
    search_help = _("Cari")
    export_columns: Sequence[ExportColumn] = ()
    list_select_related: Sequence[str] = ()
    list_per_page = 50
    per_page_choices = (25, 50, 100, 200)
    # The permission that shows full NIK/KK; others see ************0017. None: never masked.
    identity_permission: str | None = None
    identity_fields: Sequence[str] = ()  # model fields masked in the inspect view, e.g. ("nik", "kk_number")
    birth_date_fields: Sequence[str] = ()  # shown as an age band in the inspect view, e.g. ("birth_date",)
    # Short prefixes for file-name parts, e.g. {"kecamatan": "kec"} -> "kec-cipondoh".
    export_filename_prefixes: Mapping[str, str] = {}
    # Actions on selected / all filtered rows (programs.registers.bulk.BulkAction), each permission-checked.
    bulk_actions: Sequence = ()

    def __init__(self, parent=None):
        from .views import RegisterIndexView, RegisterInspectView

        if self.index_view_class is ModelAdmin.index_view_class:
            self.index_view_class = RegisterIndexView
        if self.inspect_view_class is ModelAdmin.inspect_view_class:
            self.inspect_view_class = RegisterInspectView
        super().__init__(parent)
        if self.register_key:
            _registry[self.register_key] = self

    # --- what a register may override ---------------------------------------------------------
    def get_menu_label(self):
        return self.menu_label or self.register_name or super().get_menu_label()

    def scope_queryset(self, user, queryset: QuerySet) -> QuerySet:
        """Narrow rows to what `user` may see (role, kecamatan restriction). None = the command line."""
        return queryset

    def get_register_queryset(self, user) -> QuerySet:
        """Rows this user may list and export; the object views (inspect/edit/delete) obey it too."""
        qs = self.model._default_manager.all()
        if self.list_select_related:
            qs = qs.select_related(*self.list_select_related)
        return qs if user is None else self.scope_queryset(user, qs)

    def _check_in_scope(self, request, instance_pk) -> None:
        """A direct URL to a row outside the user's scope is refused like a list that hides it."""
        if not self.scope_queryset(request.user, self.model._default_manager.filter(pk=instance_pk)).exists():
            raise PermissionDenied

    def inspect_view(self, request, instance_pk):
        self._check_in_scope(request, instance_pk)
        return super().inspect_view(request, instance_pk)

    def edit_view(self, request, instance_pk):
        self._check_in_scope(request, instance_pk)
        return super().edit_view(request, instance_pk)

    def delete_view(self, request, instance_pk):
        self._check_in_scope(request, instance_pk)
        return super().delete_view(request, instance_pk)

    def history_view(self, request, instance_pk):
        # modeladmin's HistoryView checks no permission at all: the history names the person.
        if not self.permission_helper.user_can_list(request.user):
            raise PermissionDenied
        self._check_in_scope(request, instance_pk)
        return super().history_view(request, instance_pk)

    def user_sees_identity(self, user) -> bool:
        """No user means the command line (someone with shell access to the server): full numbers."""
        return self.identity_permission is None or user is None or user.has_perm(self.identity_permission)

    def identity_mask(self, user):
        """The function that masks NIK/KK for this user, or None when they may see full numbers."""
        return None if self.user_sees_identity(user) else mask_identity

    def birth_date_mask(self, user):
        """The function that turns a birth date into an age band for this user, or None (full date).

        Masked together with NIK/KK: the full date beside the last NIK digits rebuilds the NIK."""
        if self.user_sees_identity(user):
            return None
        today = timezone.localdate()
        return lambda value: age_band(value, today) if value else value

    def bulk_actions_for(self, user) -> list:
        """The bulk actions this user may run (none for the command line)."""
        return [action for action in self.bulk_actions if user is not None and action.allowed(user)]

    def get_bulk_action(self, name: str):
        return next((action for action in self.bulk_actions if action.name == name), None)

    def bound_export_columns(self) -> list[ExportColumn]:
        return [column.bind(self.model) for column in self.export_columns]

    def query(self, params: QueryDict | Mapping, user=None, request=None) -> "RegisterQuery":
        return RegisterQuery(self, params, user=user, request=request)

    def register_indexing(self):
        """No Wagtail reference index for registers: it would add a background task to every save of
        a personal-data row (including each public-form submission) for a "usage" count nobody reads."""

    # --- URLs: the modeladmin ones plus export and export-job status ----------------------------
    def get_admin_urls_for_registration(self):
        from .bulk import RegisterBulkActionView
        from .views import RegisterExportView

        urls = super().get_admin_urls_for_registration()
        return urls + (
            re_path(
                self.url_helper._get_action_url_pattern("export"),  # not object-specific
                RegisterExportView.as_view(model_admin=self),
                name=self.url_helper.get_action_url_name("export"),
            ),
            re_path(
                self.url_helper._get_action_url_pattern("bulk"),
                RegisterBulkActionView.as_view(model_admin=self),
                name=self.url_helper.get_action_url_name("bulk"),
            ),
        )

    @property
    def bulk_url(self) -> str:
        return reverse(self.url_helper.get_action_url_name("bulk"))

    @property
    def export_url(self) -> str:
        return reverse(self.url_helper.get_action_url_name("export"))


class RegisterQuery:
    """The filtered, searched and sorted rows of a register for given query parameters."""

    def __init__(self, register: RegisterModelAdmin, params, user=None, request=None):
        self.register = register
        if not isinstance(params, QueryDict):
            data = QueryDict(mutable=True)
            for key, value in params.items():
                if isinstance(value, (list, tuple)):
                    data.setlist(key, [str(v) for v in value])
                else:
                    data[key] = str(value)
            params = data
        self.params = params
        self.user = user
        self.request = request
        self.search_term = (params.get(SEARCH_PARAM) or "").strip()
        self.sort = params.get(SORT_PARAM) or ""
        self.masked = register.identity_mask(user) is not None
        if self.masked and self._sorts_on_identity(self.sort):
            self.sort = ""  # the order of NIKs or birth dates ranks people by birth date

    def _sorts_on_identity(self, sort: str) -> bool:
        column = self.register.table_class.base_columns.get(sort.lstrip("-")) if sort else None
        return isinstance(column, IDENTITY_COLUMN_TYPES)

    @cached_property
    def filterset(self):
        data = self.params.copy()
        for key in CONTROL_PARAMS:
            data.pop(key, None)
        return self.register.filterset_class(
            data, queryset=self.register.get_register_queryset(self.user), request=self.request
        )

    @cached_property
    def table(self):
        """The register's table over the whole matching set, ordered (not paginated yet)."""
        queryset = apply_search(self.filterset.qs, self.register.search_fields, self.search_term)
        kwargs = {}
        if self.request is not None and self.register.bulk_actions_for(self.user):
            # Row checkboxes for bulk actions, first column; the value is the primary key.
            import django_tables2 as tables

            meta_sequence = list(self.register.table_class._meta.sequence or ["..."])
            kwargs = {
                "extra_columns": [("selected", tables.CheckBoxColumn(accessor="pk", orderable=False))],
                "sequence": ["selected", *(name for name in meta_sequence if name != "selected")],
            }
        table = self.register.table_class(
            queryset, order_by=self.sort or None, request=self.request, identity_masked=self.masked, **kwargs
        )
        table.identity_mask = self.register.identity_mask(self.user)
        table.birth_date_mask = self.register.birth_date_mask(self.user)
        ordered = table.data.data
        # A unique last key makes pages and exports deterministic when sort values repeat.
        ordering = list(ordered.query.order_by) or list(ordered.model._meta.ordering)
        if "pk" not in ordering and "-pk" not in ordering:
            ordering.append("-pk" if ordering and str(ordering[0]).startswith("-") else "pk")
        table.data.data = ordered.order_by(*ordering)
        return table

    @property
    def queryset(self) -> QuerySet:
        return self.table.data.data

    def describe_filters(self) -> list[tuple[str, str]]:
        return self.filterset.describe()

    def info_lines(self) -> list[tuple[str, str]]:
        # pgettext: "Register"/"Filter" are msgids Wagtail's catalogs already translate differently.
        lines = [(pgettext("register export", "Register"), str(self.register.register_name))]
        filters = self.describe_filters()
        lines += [(f"{pgettext('register export', 'Filter')}: {label}", value) for label, value in filters] or [
            (pgettext("register export", "Filter"), gettext("(tanpa filter)"))
        ]
        if self.search_term:
            lines.append((gettext("Pencarian"), self.loggable_search_term()))
        if self.sort:
            lines.append((gettext("Urutan"), self.sort_text()))
        return lines

    def loggable_search_term(self) -> str:
        """The search as written to files and the audit log: a NIK/KK in it masked (auditors read the
        log; a masked user's export must not carry a number they could not see on screen)."""
        return mask_numbers_in_text(self.search_term)

    def loggable_params(self) -> dict[str, list[str]]:
        return {key: [mask_numbers_in_text(value) for value in self.params.getlist(key)] for key in self.params}

    def sort_text(self) -> str:
        name = self.sort.lstrip("-")
        try:
            header = str(self.table.columns[name].header)
        except KeyError:
            header = name
        direction = gettext("menurun") if self.sort.startswith("-") else gettext("menaik")
        return f"{header} ({direction})"

    def filename(self, day) -> str:
        """`pendaftar_2026-11-23_kec-cipondoh.xlsx`: what is inside, readable in a downloads folder."""
        parts = [self.register.export_slug or slugify(str(self.register.register_name)), day.isoformat()]
        if self.filterset.is_bound and self.filterset.form.is_valid():
            from .filters import display_value

            for name, value in self.filterset.form.cleaned_data.items():
                if value in (None, "", [], ()):
                    continue
                text = display_value(self.filterset.form.fields[name], value)
                prefix = self.register.export_filename_prefixes.get(name, "")
                parts.append(slugify(f"{prefix} {text}" if prefix else text)[:40])
        if self.search_term:
            parts.append("pencarian")  # never the term itself: it may be a NIK
        name = "_".join(part for part in parts if part)
        return name[:150] + ".xlsx"
