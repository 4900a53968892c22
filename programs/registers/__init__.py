"""Generic register machinery: one filtered table + xlsx export that every register reuses.

Public API (see docs/registers.md):

- `RegisterModelAdmin` (base.py): declare `table_class`, `filterset_class`, `search_fields`,
  `export_columns`, `list_select_related`, `register_key`, `register_name`, `export_slug`.
- `search`: `name()`, `nik()`, `phone()`, `reference()` search-field helpers.
- `filters`: `RegisterFilterSet`, `DateTimeFromFilter`/`DateTimeToFilter`, `AgeBandFilter`.
- `xlsx`: `ExportColumn` and the cell kinds (`MONEY`, `IDENTITY`, ...).
- `get_register(key)`: the register behind `manage.py export_register KEY`.

Import submodules directly (`from programs.registers.base import RegisterModelAdmin`): this package
is imported while apps load, so it must not import models at package level.
"""
