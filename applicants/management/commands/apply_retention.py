"""`python manage.py apply_retention [--dry-run]`: anonymise/delete personal data past retention."""

import logging

from django.conf import settings
from django.utils.translation import gettext

from applicants.privacy.retention import apply_retention
from programs.management.base import LoggingCommand

logger = logging.getLogger(__name__)


class Command(LoggingCommand):
    help = "Menganonimkan data pribadi yang melewati masa retensi (UU PDP). Aman dijalankan berulang."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Hanya hitung, tidak mengubah apa pun.")

    def handle(self, *args, dry_run=False, **options):
        report = apply_retention(dry_run=dry_run)
        verb = "akan dianonimkan" if dry_run else "dianonimkan"
        deleted = "akan dihapus" if dry_run else "dihapus"
        marked = "akan ditandai gagal" if dry_run else "ditandai gagal"
        prefix = "[UJI COBA] " if dry_run else ""
        out = logger.info
        out(
            f"{prefix}Pendaftar tidak mengikuti pelatihan > {settings.RETENTION_NOT_ENROLLED_YEARS} tahun: "
            f"{report.not_enrolled} {verb}"
        )
        out(f"{prefix}Semua data > {settings.RETENTION_ARCHIVE_YEARS} tahun (arsip): {report.archived} {verb}")
        out(f"{prefix}Dilewati karena pemrosesan dibatasi: {report.skipped_restricted}")
        out(
            f"{prefix}Data register lama (> {settings.RETENTION_REGISTER_YEARS} tahun digantikan): "
            f"{report.register_batches} impor, {report.register_rows} baris dan "
            f"{report.register_rejections} baris ditolak {deleted}"
        )
        out(
            f"{prefix}Baris register yang ditolak (> {settings.RETENTION_REJECTED_ROWS_DAYS} hari): "
            f"{report.rejected_rows} {deleted}"
        )
        out(
            f"{prefix}Impor register tidak selesai (> {settings.RETENTION_UNFINISHED_IMPORT_HOURS} jam): "
            f"{report.unfinished_batches} {marked}"
        )
        out(prefix + gettext(
            "Earlier-recipient lists (rows > %(years)s years, rejected rows > %(days)s days): %(rows)s rows and "
            "%(rejections)s rejected rows"
        ) % {"years": settings.RETENTION_REGISTER_YEARS, "days": settings.RETENTION_REJECTED_ROWS_DAYS,
             "rows": report.recipient_list_rows, "rejections": report.recipient_list_rejections} + f" {deleted}")
        out(
            f"{prefix}Ekspor latar belakang (> {settings.RETENTION_EXPORT_DAYS} hari): "
            f"{report.export_jobs} tugas dan {report.export_files} berkas {deleted}"
        )
        out(
            f"{prefix}Catatan login petugas (> {settings.RETENTION_LOGIN_LOG_DAYS} hari) dan percobaan gagal "
            f"yang sudah kedaluwarsa: {report.login_records} {deleted}"
        )
        out(prefix + gettext("Complaints closed more than %(years)s years ago: %(count)s anonymised")
            % {"years": settings.RETENTION_COMPLAINT_YEARS, "count": report.closed_tickets})
        if not dry_run and not report.changed_anything:
            out("Tidak ada yang perlu diubah.")
