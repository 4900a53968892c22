from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Training programs")

    def ready(self):
        # Wagtail's admin views are imported by now; every csv they export goes through this guard.
        from programs.spreadsheets import guard_wagtail_csv_exports

        guard_wagtail_csv_exports()
