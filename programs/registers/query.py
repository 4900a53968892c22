"""What a register lists: the query parameters, the registry of registers and `RegisterQuery`.

The admin list, the xlsx export, bulk actions and `manage.py export_register` all build their rows
here, so what an editor filters on screen is exactly what lands in the spreadsheet. This module
sits below the views and `base.RegisterModelAdmin` (it knows a register only by the attributes it
reads), which keeps the toolkit free of import rings.
"""

import re
from collections.abc import Mapping
from functools import cached_property

import django_tables2 as tables
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext
from wagtail import hooks

from .filters import display_value
from .sealed import SEALED_SEARCH_PARAM, unseal
from .search import apply_search
from .tables import IDENTITY_COLUMN_TYPES

SEARCH_PARAM = "q"
SORT_PARAM = "sort"
PAGE_PARAM = "p"
PER_PAGE_PARAM = "per_page"
COLUMNS_PARAM = "cols"  # the table columns shown, repeated: ?cols=full_name&cols=status (none: the default set)
# Query parameters that are not filters (they never reach the FilterSet or the Info sheet).
CONTROL_PARAMS = {SEARCH_PARAM, SEALED_SEARCH_PARAM, SORT_PARAM, PAGE_PARAM, PER_PAGE_PARAM, COLUMNS_PARAM}
# An object id or page number as typed in a URL: ASCII digits only (int() would also take "١٢٣"), and
# short enough for a 64-bit integer column (a longer number overflowed SQLite's INTEGER: a 500).
OBJECT_ID = re.compile(r"[0-9]{1,18}")
# Longer search terms are cut: no NIK, name or reference is that long, and a term goes into SQL.
MAX_SEARCH_LENGTH = 100

_registry: dict = {}


def add_register(register) -> None:
    """Called by each RegisterModelAdmin as Wagtail instantiates it from a wagtail_hooks module."""
    _registry[register.register_key] = register


def get_register(key: str):
    """The registered register for a command-line key such as "applicants" (KeyError if unknown)."""
    hooks.search_for_hooks()  # registers are instantiated by wagtail_hooks modules
    return _registry[key]


def register_keys() -> list[str]:
    hooks.search_for_hooks()
    return sorted(_registry)


def _as_querydict(params) -> QueryDict:
    """The parameters as a QueryDict without NUL characters: nobody types one, and PostgreSQL refuses
    them in any text comparison (a DataError, so a 500, from a URL typed by hand)."""
    items = params.lists() if isinstance(params, QueryDict) else (
        (key, value if isinstance(value, (list, tuple)) else [value]) for key, value in params.items()
    )
    data = QueryDict(mutable=True)
    for key, values in items:
        data.setlist(key.replace("\x00", ""), [str(v).replace("\x00", "") for v in values])
    return data


class RegisterQuery:
    """The filtered, searched and sorted rows of a register for given query parameters.

    Parameters nobody could have meant are dropped with a note in `ignored` (the list shows them as a
    message): a sort that is not one of the table's sortable columns, and a filter value the filter
    form refuses (a malformed date, an unknown choice). Unknown parameter names never reach a filter.
    """

    def __init__(self, register, params: QueryDict | Mapping, user=None, request=None):
        self.register = register
        self.params = _as_querydict(params)
        self.user = user
        self.request = request
        self.ignored: list[str] = []
        self._unseal_search()
        self.search_term = (self.params.get(SEARCH_PARAM) or "").replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]
        self.sort = self.params.get(SORT_PARAM) or ""
        self.masked = register.identity_mask(user) is not None

    def _unseal_search(self) -> None:
        """Replace a sealed search key (see `sealed`) by the term it stands for in this session, so the
        rest of the query, and an export job made from it, sees an ordinary search."""
        key = self.params.get(SEALED_SEARCH_PARAM)
        if key is None:
            return
        self.params.pop(SEALED_SEARCH_PARAM)
        term = unseal(self.request, key)
        if term is None:
            self.ignored.append(gettext("search (kept only in the session that typed it: type it again)"))
        else:
            self.params[SEARCH_PARAM] = term

    @cached_property
    def filterset(self):
        data = self.params.copy()
        for key in CONTROL_PARAMS:
            data.pop(key, None)
        filterset = self.register.filterset_class(
            data, queryset=self.register.get_register_queryset(self.user), request=self.request
        )
        filterset.qs  # noqa: B018 - builds the conditions now, so a value no condition fits is an error here
        if filterset.is_bound and not filterset.form.is_valid():
            # django-filter applies only the valid filters; say which values were not used.
            for name in filterset.form.errors:
                field = filterset.form.fields.get(name)
                self.ignored.append(str(field.label if field is not None and field.label else name))
        return filterset

    def _checked_sort(self, table_class) -> str | None:
        if not self.sort:
            return None
        name = self.sort[1:] if self.sort.startswith("-") else self.sort
        column = table_class.base_columns.get(name)
        orderable = table_class._meta.orderable if column is None or column.orderable is None else column.orderable
        # For a masked reader the order of NIKs or birth dates would rank people by birth date.
        if self.masked and isinstance(column, IDENTITY_COLUMN_TYPES):
            orderable = False
        if column is None or not orderable:
            self.ignored.append(gettext("ordering"))
            self.sort = ""
            return None
        return self.sort

    @cached_property
    def column_choices(self) -> list[tuple[str, str, bool]]:
        """[(name, header, shown)] for every column the user may show or hide, in table order.

        A name the table does not have is ignored (noted once); so is an empty choice (the default set
        then). The sorted column stays shown: a table sorted by a column nobody sees reads as unsorted.
        What a column shows is still decided by the column (masked NIK/KK, age bands) and the rows by
        the register's scope: choosing columns never widens what a user may see.
        """
        table_class = self.register.table_class
        choosable = table_class.choosable_columns()
        asked = [name for name in self.params.getlist(COLUMNS_PARAM) if name]
        shown = list(dict.fromkeys(name for name in asked if name in choosable))
        if set(asked) - set(choosable):
            self.ignored.append(gettext("columns"))
        if not shown:
            shown = [name for name in choosable if name not in table_class.hidden_by_default]
        sort_name = self.sort.lstrip("-")
        if sort_name in choosable and sort_name not in shown:
            shown.append(sort_name)
        return [(name, str(choosable[name]), name in shown) for name in choosable]

    @property
    def hidden_columns(self) -> list[str]:
        return [name for name, _header, shown in self.column_choices if not shown]

    @cached_property
    def table(self):
        """The register's table over the whole matching set, ordered (not paginated yet)."""
        queryset = apply_search(
            self.filterset.qs, self.register.search_fields, self.search_term, self.register.search_preparers()
        )
        kwargs = {}
        if self.request is not None and self.register.bulk_actions_for(self.user):
            # Row checkboxes for bulk actions, first column; the value is the primary key.
            meta_sequence = list(self.register.table_class._meta.sequence or ["..."])
            kwargs = {
                "extra_columns": [("selected", tables.CheckBoxColumn(accessor="pk", orderable=False))],
                "sequence": ["selected", *(name for name in meta_sequence if name != "selected")],
            }
        order_by = self._checked_sort(self.register.table_class)
        if self.hidden_columns:
            kwargs["exclude"] = self.hidden_columns
        # No `request=` to the table: django-tables2's RequestConfig would read `sort` and `per_page`
        # from the URL unchecked and paginate a second time (a negative page size raised there).
        table = self.register.table_class(queryset, order_by=order_by, identity_masked=self.masked, **kwargs)
        table.request = self.request
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
            (pgettext("register export", "Filter"), gettext("(no filter)"))
        ]
        if self.search_term:
            lines.append((gettext("Search query"), self.loggable_search_term()))
        if self.sort:
            lines.append((gettext("Ordering"), self.sort_text()))
        return lines

    def loggable_search_term(self) -> str:
        """The search as written to files and the audit log: a NIK/KK in it masked (auditors read the
        log; a masked user's export must not carry a number they could not see on screen)."""
        return self.register.text_masker(self.search_term)

    def loggable_params(self) -> dict[str, list[str]]:
        return {key: [self.register.text_masker(v) for v in self.params.getlist(key)] for key in self.params}

    def sort_text(self) -> str:
        name = self.sort.lstrip("-")
        try:
            header = str(self.table.columns[name].header)
        except KeyError:
            header = name
        direction = gettext("descending") if self.sort.startswith("-") else gettext("ascending")
        return f"{header} ({direction})"

    def filename(self, day) -> str:
        """`pendaftar_2026-11-23_kec-cipondoh.xlsx`: what is inside, readable in a downloads folder."""
        parts = [self.register.export_slug or slugify(str(self.register.register_name)), day.isoformat()]
        if self.filterset.is_bound:
            self.filterset.form.is_valid()  # a refused value is not in cleaned_data, nor in the name
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
