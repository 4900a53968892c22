"""Base table and columns for registers (django-tables2), styled as Wagtail admin listings."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.text import capfirst


class RegisterTable(tables.Table):
    """Base class: Wagtail's `listing` look; the register view sets `identity_mask` and
    `birth_date_mask` per user (None: shown in full).

    Staff choose the columns they see (`?cols=`, the "Kolom" panel): every column but those in
    `always_shown` (row links and actions) may be hidden; `hidden_by_default` keeps a wide register
    within a 1366 px screen until someone asks for more.
    """

    identity_mask = None
    birth_date_mask = None
    always_shown: tuple[str, ...] = ("selected", "actions")
    hidden_by_default: tuple[str, ...] = ()

    @classmethod
    def choosable_columns(cls) -> dict[str, str]:
        """{name: header} of the columns a user may show or hide, in declaration order."""
        return {
            name: capfirst(str(column.verbose_name or name.replace("_", " ")))
            for name, column in cls.base_columns.items() if name not in cls.always_shown
        }

    def __init__(self, *args, identity_masked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if identity_masked:
            # The order of NIKs or birth dates ranks people by birth date: no sort links for them.
            for bound in self.columns:
                if isinstance(bound.column, IDENTITY_COLUMN_TYPES):
                    bound.column.orderable = False

    class Meta:
        attrs = {"class": "listing register-table"}
        template_name = "registers/table.html"
        orderable = True


class IdentityColumn(tables.Column):
    """NIK/KK: shown in full only to users allowed to (RegisterModelAdmin.identity_permission)."""

    def render(self, value, table):
        mask = getattr(table, "identity_mask", None)
        return mask(value) if mask else value


class BirthDateColumn(tables.Column):
    """A birth date: `d-m-Y` for users who see full identity, else what `table.birth_date_mask` gives
    (an age band). With the full date beside the region and the last NIK digits, a NIK can be rebuilt."""

    def render(self, value, table):
        mask = getattr(table, "birth_date_mask", None)
        return mask(value) if mask else value.strftime("%d-%m-%Y")


# Columns whose order is itself identity data: sorting on them would rank people by birth date.
IDENTITY_COLUMN_TYPES = (IdentityColumn, BirthDateColumn)


class LocalDateTimeColumn(tables.Column):
    def render(self, value):
        return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")


class ChoiceDisplayColumn(tables.Column):
    """Shows a choice field's label without an extra query (Django's get_FOO_display)."""

    def render(self, value, record, bound_column):
        accessor = bound_column.accessor
        obj = record
        *parents, field = str(accessor).split("__")
        for part in parents:
            obj = getattr(obj, part)
        display = getattr(obj, f"get_{field}_display", None)
        return display() if display else value
