from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicPagesConfig(AppConfig):
    name = "public_pages"
    verbose_name = _("Halaman publik")

    def ready(self):
        from . import signals  # noqa: F401  (Django's idiom: connect the receivers once the apps are ready)

        signals.connect()
