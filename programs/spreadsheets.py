"""Wagtail's own csv exports (reports, snippet and viewset listings, form submissions) made formula-safe.

Wagtail's `SpreadsheetExportMixin` writes xlsx text cells as strings but csv cells as they are, so a
page title or a user's name beginning with "=" became a live formula in the downloaded file. Every
view that exports inherits the mixin, so the one place to fix is its csv row writer (Wagtail's own
three lines, with each value passed through `formula_safe`); the xlsx side is already safe.
"""

from __future__ import annotations

from wagtail.admin.views.mixins import SpreadsheetExportMixin

from programs.registers.xlsx import formula_safe


def _write_csv_row(self, writer, row_dict):
    return writer.writerow({
        field: formula_safe(self.preprocess_field_value(field, value, self.FORMAT_CSV))
        for field, value in row_dict.items()
    })


def guard_wagtail_csv_exports() -> None:
    SpreadsheetExportMixin.write_csv_row = _write_csv_row
