from django.apps import AppConfig
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Applicants")

    def ready(self):
        # Imported in ready(): these modules import models, which cannot happen while apps load.
        from applicants import identity
        from applicants.privacy import login_security as security  # noqa: F401  (connects the lock-out event receiver)
        from applicants.privacy import security_events  # noqa: F401  (connects the export-event receiver)
        from programs.registers.base import RegisterModelAdmin

        # The register toolkit (programs.registers) never imports applicants: it is told here how NIK/KK
        # are masked and how typed NIK/KK and phone numbers are read, so one rule serves every register.
        RegisterModelAdmin.use_identity_rules(
            masker=identity.mask_identity,
            normaliser=identity.normalise_digits,
            phone_normaliser=identity.parse_mobile,
            birth_date_masker=lambda value: identity.age_band(value, timezone.localdate()),
            text_masker=identity.mask_numbers_in_text,
        )
