"""`manage.py export_register REGISTER --output FILE.xlsx [--filter NAME=VALUE ...] [--search TEXT]`.

For scheduled reports. Filter names are the query parameters of the register's admin list, so a
bookmarked admin URL translates one-to-one. The export is recorded in Wagtail's audit log.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.http import QueryDict

from programs.management.base import LoggingCommand
from programs.progress import counted
from programs.registers.base import SEARCH_PARAM, SORT_PARAM, get_register, register_keys
from programs.registers.export import log_export, write_export

logger = logging.getLogger(__name__)


class Command(LoggingCommand):
    help = "Ekspor register (daftar yang sama dengan admin) ke berkas xlsx."

    def add_arguments(self, parser):
        parser.add_argument("register", help="applicants, interviews, cohorts, participants, awards, groups, "
                            "followups, register-records (yang sudah tersedia: lihat pesan galat)")
        parser.add_argument("--output", required=True, help="berkas .xlsx tujuan")
        parser.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                            help="filter seperti parameter URL daftar admin; boleh berulang")
        parser.add_argument("--search", default="", help="teks pencarian (nama, NIK, nomor HP, nomor pendaftaran)")
        parser.add_argument("--sort", default="", help="kolom urutan, mis. -submitted_at")
        parser.add_argument("--user", default="", help="nama pengguna yang dicatat sebagai pengekspor")

    def handle(self, *args, **options):
        try:
            register = get_register(options["register"])
        except KeyError:
            raise CommandError(
                f"Register tidak dikenal: {options['register']}. Tersedia: {', '.join(register_keys())}"
            ) from None
        params = QueryDict(mutable=True)
        known = set(register.filterset_class.base_filters)
        for item in options["filter"]:
            name, sep, value = item.partition("=")
            if not sep or name not in known:
                raise CommandError(f"Filter tidak dikenal: {item!r}. Filter yang ada: {', '.join(sorted(known))}")
            params.appendlist(name, value)
        if options["search"]:
            params[SEARCH_PARAM] = options["search"]
        if options["sort"]:
            params[SORT_PARAM] = options["sort"]
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Pengguna tidak ditemukan: {options['user']}")
        query = register.query(params, user=user)
        filterset = query.filterset
        if not filterset.is_valid():
            raise CommandError(f"Nilai filter tidak valid: {filterset.form.errors.as_text()}")
        output = options["output"]
        progress_label = f"{options['register']}: rows written"  # an operator's log line, not screen text
        with open(output, "wb") as fileobj:
            rows = write_export(query, fileobj, user=user,
                                progress=lambda items: counted(items, logger, progress_label))
        log_export(query, user, rows, output, channel="command")
        logger.info("%d rows exported to %s", rows, output)
