"""Storage for private uploads (signed handover documents): outside MEDIA_ROOT, no public URL.

Files are only ever served by permission-checked views (`delivery_views.award_document`).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Rooted at settings.PRIVATE_MEDIA_ROOT, read at each use so tests and deployments can move it."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):  # pragma: no cover - defensive: there is no public URL
        raise ValueError("Private files have no public URL; use the permission-checked view.")


def private_storage() -> PrivateStorage:
    """Callable for FileField(storage=...) so migrations don't freeze a path."""
    return PrivateStorage()
