"""The person columns every register of an application's rows exports, declared once."""

from django.utils.translation import gettext_lazy as _

from programs.registers.xlsx import IDENTITY, ExportColumn


def application_person_columns(application_path: str = "application") -> tuple[ExportColumn, ...]:
    """Reference, name, NIK (masked for readers without full identity), phone, kelurahan and kecamatan of
    the application at `application_path` (e.g. "application", "enrolment__application")."""
    person = f"{application_path}__applicant"
    return (
        ExportColumn(f"{application_path}__reference", _("Application no.")),
        ExportColumn(f"{person}__full_name", _("Name")),
        ExportColumn(f"{person}__nik", "NIK", kind=IDENTITY),
        ExportColumn(f"{person}__phone", _("Mobile number")),
        ExportColumn(f"{person}__kelurahan__name", _("Kelurahan")),
        ExportColumn(f"{person}__kelurahan__kecamatan__name", _("Kecamatan")),
    )
