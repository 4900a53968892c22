"""JSON fixtures for backups that survive dangling references.

Wagtail keeps the audit log of a deleted page (PageLogEntry.page has no database constraint), so a plain
`dumpdata --natural-foreign` fails with "Page matching query does not exist" as soon as any page was ever
deleted. This format writes such a reference as the raw id instead of a natural key; loading is Django's
own JSON deserializer, which accepts either form.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import Deserializer  # noqa: F401 - the format's loader
from django.core.serializers.json import Serializer as JsonSerializer


class Serializer(JsonSerializer):
    def handle_fk_field(self, obj, field):
        try:
            super().handle_fk_field(obj, field)
        except ObjectDoesNotExist:
            self._current[field.name] = getattr(obj, field.get_attname())
