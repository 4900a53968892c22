"""Build the demo portal: users, programs and intakes, pages, and the whole selection and delivery funnel.

After users, programs and pages: DEMO_APPLICANTS (300) synthetic applicants enter at "submitted"; a synthetic
welfare register batch is imported and checked; the `pewawancara` user interviews a share of the verified
ones and they are accepted, waitlisted or rejected (applicants.selection.demo); the accepted ones are
trained in classes with attendance, scores, awards, KUB and follow-ups (applicants.delivery.demo).
`--applicants N` sets how many synthetic applicants there are in total: up to 300 go through the funnel as
above, the rest are bulk-created with a ready-made mix of statuses (load tests, e.g. 100000).

Idempotent: running it twice gives the same site. Refuses to run with production settings.
"""

import logging
import os

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from programs.management.base import LoggingCommand
from programs.progress import PROGRESS, LogWriter

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "sigap-demo"  # noqa: S105 - documented demo credential, development only
DEMO_APPLICANTS = 300


class Command(LoggingCommand):
    help = "Isi portal dengan konten demo (idempoten). Hanya untuk pengembangan."

    def add_arguments(self, parser):
        parser.add_argument(
            "--applicants", type=int, default=DEMO_APPLICANTS,
            help=f"Jumlah pendaftar sintetis (bawaan {DEMO_APPLICANTS}); di atas {DEMO_APPLICANTS} "
                 "ditambahkan langsung dengan status campuran (uji beban, mis. 100000).",
        )

    def handle(self, *args, applicants=DEMO_APPLICANTS, **options):
        if _settings_module().endswith(".production") or not (settings.DEBUG or _is_test()):
            raise CommandError("seed_demo menolak berjalan di produksi (DJANGO_ENV=production).")
        # The demo generators are loaded only after the production refusal above.
        from applicants.allocation import demo as allocation_demo
        from applicants.complaints import demo as complaints_demo
        from applicants.delivery import demo as delivery_demo
        from applicants.graduation import demo as graduation_demo
        from applicants.intake import demo as applicants_demo
        from applicants.selection import demo as selection_demo
        from programs import demo as programs_demo
        from public_pages import demo as pages_demo

        summary = LogWriter(logger, logging.INFO)
        logger.log(PROGRESS, "seed_demo: users, programs and pages")
        with transaction.atomic():
            users = create_demo_users()
            programs_demo.seed()
            pages_demo.seed()
        funnel = min(applicants, DEMO_APPLICANTS)
        logger.log(PROGRESS, "seed_demo: %d applicants", applicants)
        created = applicants_demo.seed_applicants(funnel, status="submitted")
        if applicants > funnel:  # the same people first, then bulk rows with a ready-made status mix
            created += applicants_demo.seed_applicants(applicants, stdout=LogWriter(logger))
        logger.info(f"{created} pendaftar sintetis ditambahkan.")
        logger.log(PROGRESS, "seed_demo: register check, interviews and outcomes")
        selection_demo.seed(stdout=summary)
        logger.log(PROGRESS, "seed_demo: classes, attendance, awards, KUB and follow-ups")
        delivery_demo.seed(stdout=summary)
        logger.log(PROGRESS, "seed_demo: certificates")
        graduation_demo.seed(stdout=summary)
        logger.log(PROGRESS, "seed_demo: earlier recipients and returning applicants")
        allocation_demo.seed(stdout=summary)
        logger.log(PROGRESS, "seed_demo: complaints")
        complaints_demo.seed(stdout=summary)
        logger.info("Konten demo siap.")
        for username, role in users:
            logger.info(f"  {username:<12} {role:<16} kata sandi: {DEMO_PASSWORD}")


def _settings_module() -> str:
    # Under override_settings (and pytest-django's `settings` fixture) SETTINGS_MODULE reads None:
    # fall back to the environment variable that chose the module.
    return settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")


def _is_test() -> bool:
    return _settings_module().endswith(".test")


def create_demo_users():
    """admin (superuser), editor, pewawancara, humas, auditor, each in its role group."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from applicants.privacy import roles

    roles.sync_roles()
    User = get_user_model()
    spec = [
        ("admin", "Admin Sigap", None, True),
        ("editor", "Editor Dinsos", roles.EDITOR, False),
        ("pewawancara", "Pewawancara Dinsos", roles.INTERVIEWER, False),
        ("humas", "Humas Dinsos", roles.COMMS, False),
        ("auditor", "Auditor Inspektorat", roles.AUDITOR, False),
    ]
    result = []
    for username, full_name, group_name, is_super in spec:
        first, _space, last = full_name.partition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@sigap.example"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_superuser = is_super
        user.is_staff = is_super
        user.is_active = True
        user.save()
        if group_name:
            user.groups.set([Group.objects.get(name=group_name)])
        result.append((username, group_name or "superuser"))
    return result
