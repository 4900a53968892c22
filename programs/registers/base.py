"""The reusable register: a wagtail-modeladmin ModelAdmin whose index is our table view.

A register declares its table, filters, search fields and export columns; the rows that the admin
list, the xlsx export and `manage.py export_register` show are built in one place (`query.py`).
How identity numbers are masked and normalised is told to the register by the app that owns them
(`use_identity_rules`, called from `applicants.apps`): the toolkit never imports that app.
"""

import re
from collections.abc import Callable, Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.urls import re_path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdmin

from . import search
from .bulk import RegisterBulkActionView
from .query import (  # noqa: F401 - re-exported: registers and the command import them from here
    CONTROL_PARAMS,
    OBJECT_ID,
    PAGE_PARAM,
    PER_PAGE_PARAM,
    SEARCH_PARAM,
    SORT_PARAM,
    RegisterQuery,
    add_register,
    get_register,
    register_keys,
)
from .search import SearchField
from .views import RegisterExportView, RegisterIndexView, RegisterInspectView
from .xlsx import ExportColumn


def mask_every_digit(number: str) -> str:
    """The mask until an app tells the registers its own: nothing of the number is shown."""
    return "*" * len(number or "")


def hide_birth_date(value) -> str:
    """The birth-date mask until an app tells the registers its own: nothing of the date is shown."""
    return ""


def mask_digits_in_text(text) -> str:
    """The free-text mask until an app tells the registers its own: every digit hidden."""
    return re.sub(r"[^\W_]", lambda m: "*" if m.group(0).isdigit() else m.group(0), "" if text is None else str(text))


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
    search_help = _("Search")
    export_columns: Sequence[ExportColumn] = ()
    list_select_related: Sequence[str] = ()
    list_per_page = 50
    per_page_choices = (25, 50, 100, 200)
    # The permission that shows full NIK/KK; others see ************0017. None: never masked.
    identity_permission: str | None = None
    identity_fields: Sequence[str] = ()  # model fields masked in the inspect view, e.g. ("nik", "kk_number")
    birth_date_fields: Sequence[str] = ()  # shown as the injected birth-date mask gives (an age band)
    # Short prefixes for file-name parts, e.g. {"kecamatan": "kec"} -> "kec-cipondoh".
    export_filename_prefixes: Mapping[str, str] = {}
    # Actions on selected / all filtered rows (programs.registers.bulk.BulkAction), each permission-checked.
    bulk_actions: Sequence = ()
    index_view_class = RegisterIndexView
    inspect_view_class = RegisterInspectView
    # Identity rules, injected by the app that owns identity numbers (`use_identity_rules`); until
    # then masking hides every digit, NIK search compares the digits as typed, phone search finds nobody.
    identity_masker: Callable[[str], str] = staticmethod(mask_every_digit)
    identity_normaliser: Callable[[str], str] = staticmethod(search.strip_separators)
    phone_normaliser: Callable[[str], str] | None = None
    birth_date_masker: Callable = staticmethod(hide_birth_date)
    text_masker: Callable[[str], str] = staticmethod(mask_digits_in_text)

    def __init__(self, parent=None):
        super().__init__(parent)
        if self.register_key:
            add_register(self)

    @classmethod
    def use_identity_rules(
        cls,
        *,
        masker: Callable[[str], str],
        normaliser: Callable[[str], str],
        phone_normaliser: Callable[[str], str] | None = None,
        birth_date_masker: Callable | None = None,
        text_masker: Callable[[str], str] | None = None,
    ) -> None:
        """Tell this register class (and its subclasses) how NIK/KK are masked and typed numbers read.

        `normaliser` turns a typed NIK/KK into its stored form (16 ASCII digits, or anything else to
        mean "not a NIK"); `phone_normaliser` turns a typed phone number into the stored form, raising
        ValueError or ValidationError for a term that is not one. `birth_date_masker` turns a birth date
        into what a masked reader sees (with the full date beside the last digits a NIK can be rebuilt);
        `text_masker` masks identity numbers inside free text (search terms in files and the audit log).
        """
        cls.identity_masker = staticmethod(masker)
        cls.identity_normaliser = staticmethod(normaliser)
        cls.phone_normaliser = staticmethod(phone_normaliser) if phone_normaliser else None
        if birth_date_masker is not None:
            cls.birth_date_masker = staticmethod(birth_date_masker)
        if text_masker is not None:
            cls.text_masker = staticmethod(text_masker)

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

    def object_pk(self, instance_pk: str):
        """The primary key an object URL names, or 404 for a value no row can have ("abc", "-1", 10^20)."""
        pk_field = self.model._meta.pk
        if isinstance(pk_field, (models.AutoField, models.BigAutoField, models.IntegerField)):
            if not OBJECT_ID.fullmatch(str(instance_pk)):
                raise Http404
            return int(instance_pk)
        try:
            return pk_field.to_python(instance_pk)
        except ValidationError:
            raise Http404 from None

    def _check_in_scope(self, request, instance_pk) -> None:
        """A direct URL to a row outside the user's scope is refused like a list that hides it."""
        rows = self.model._default_manager.filter(pk=self.object_pk(instance_pk))
        if not self.scope_queryset(request.user, rows).exists():
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
        return None if self.user_sees_identity(user) else self.identity_masker

    def birth_date_mask(self, user):
        """The function that shows a birth date to this user (an age band), or None for the full date.

        Masked together with NIK/KK: the full date beside the last NIK digits rebuilds the NIK."""
        return None if self.user_sees_identity(user) else self.birth_date_masker

    def search_preparers(self) -> dict[str, Callable]:
        """How this register reads a typed identity number or phone number (see `search`)."""
        return {
            search.IDENTITY: lambda term: search.identity_term(term, self.identity_normaliser),
            search.PHONE: lambda term: search.phone_term(term, self.phone_normaliser),
        }

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
