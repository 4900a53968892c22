"""The person columns every register of an application's rows exports, declared once."""

from programs.registers.xlsx import IDENTITY, ExportColumn


def application_person_columns(application_path: str = "application") -> tuple[ExportColumn, ...]:
    """Reference, name, NIK (masked for readers without full identity), phone, kelurahan and kecamatan of
    the application at `application_path` (e.g. "application", "enrolment__application")."""
    person = f"{application_path}__applicant"
    return (
        ExportColumn(f"{application_path}__reference", "No. pendaftaran"),
        ExportColumn(f"{person}__full_name", "Nama"),
        ExportColumn(f"{person}__nik", "NIK", kind=IDENTITY),
        ExportColumn(f"{person}__phone", "Nomor HP"),
        ExportColumn(f"{person}__kelurahan__name", "Kelurahan"),
        ExportColumn(f"{person}__kelurahan__kecamatan__name", "Kecamatan"),
    )
