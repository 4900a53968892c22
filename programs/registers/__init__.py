"""Generic register machinery: one filtered table + xlsx export that every register reuses.

Public API (see docs/registers.md):

- `RegisterModelAdmin` (base.py): declare `table_class`, `filterset_class`, `search_fields`,
  `export_columns`, `list_select_related`, `register_key`, `register_name`, `export_slug`. How NIK/KK
  are masked and read is injected with `RegisterModelAdmin.use_identity_rules(...)` by the app that
  owns them: this package imports nothing from `applicants`.
- `search`: `name()`, `nik()`, `phone()`, `reference()` search-field helpers.
- `filters`: `RegisterFilterSet`, `DateTimeFromFilter`/`DateTimeToFilter`, `AgeBandFilter`.
- `xlsx`: the one xlsx writer (`write_xlsx`, `Sheet`, `Column`, `xlsx_download`), `ExportColumn` and
  the cell kinds (`MONEY`, `IDENTITY`, ...).
- `query`: the query parameters, `RegisterQuery`, and `get_register(key)` / `register_keys()`, the
  registers behind `manage.py export_register KEY`.

Import submodules directly (`from programs.registers.base import RegisterModelAdmin`): this package
is imported while apps load, so it must not import models at package level.
"""
