from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicPagesConfig(AppConfig):
    name = "public_pages"
    verbose_name = _("Public pages")

    def ready(self):
        from . import signals  # imported once the apps are ready: the receivers import the models

        signals.connect()
