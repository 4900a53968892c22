from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Pendaftar")

    def ready(self):
        from applicants.privacy import login_security as security  # noqa: F401  (connects the lock-out event receiver)
        from applicants.privacy import security_events  # noqa: F401  (connects the export-event receiver)
