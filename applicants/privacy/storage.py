"""Private uploads (signed handover documents, ID photos): stored outside MEDIA_ROOT, never given a URL,
served only through a permission-checked view, and checked for real type and size on upload.

Use on a model: `models.FileField(storage=get_private_storage, upload_to=..., validators=[validate_private_upload])`
(a callable storage keeps the settings out of migrations), and serve with
`applicants.privacy.downloads.serve_private_file(...)` after the record's access policy allowed it.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_EXTENSIONS = {"pdf": "pdf", "jpg": "JPEG", "jpeg": "JPEG", "png": "PNG"}


class PrivateStorage(FileSystemStorage):
    """FileSystemStorage at settings.PRIVATE_MEDIA_ROOT (read at each use, so tests can override it)."""

    def __init__(self, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them with downloads.serve_private_file().")


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    return private_storage


def _sniff(upload, extension: str) -> bool:
    """True when the bytes are what the extension claims (PDF magic number, or an image Pillow can read)."""
    upload.seek(0)
    if extension == "pdf":
        ok = upload.read(5) == b"%PDF-"
    else:
        try:
            with Image.open(upload) as image:
                ok = image.format == ALLOWED_EXTENSIONS[extension]
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            ok = False
    upload.seek(0)
    return ok


def validate_private_upload(upload) -> None:
    """Only PDF, JPG and PNG up to PRIVATE_UPLOAD_MAX_MB, and the content must match the extension."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(_("Only PDF, JPG or PNG files can be uploaded."), code="file_type")
    max_mb = settings.PRIVATE_UPLOAD_MAX_MB
    if upload.size is not None and upload.size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("The maximum file size is %(max)s MB.") % {"max": max_mb}, code="file_size"
        )
    if not _sniff(upload, extension):
        raise ValidationError(
            _("The file content does not match its type (%(ext)s). Upload the original document.")
            % {"ext": extension.upper()},
            code="file_content",
        )
