"""Streaming a private upload (signed handover documents, ID photos) after the permission and the
record's access policy allowed it; every download is logged as a personal-data view."""

from __future__ import annotations

import os
from collections.abc import Callable

from django.http import FileResponse, Http404, HttpResponse

from applicants.privacy.access import refuse
from applicants.privacy.audit import log_personal_data_access


def serve_private_file(
    request,
    fieldfile,
    permission: str,
    *,
    allowed: Callable[[object], bool] | None = None,
    log_object=None,
) -> HttpResponse:
    """Stream a private file as an attachment, after the permission and record check (else 403).

    `allowed(user)` is the record's policy, e.g. `lambda u: access.awards.in_scope(u, award)`: checked
    here again although the view's gate checked it, because a download is where a leak would end;
    `log_object` records the download in the audit log."""
    user = request.user
    if not user.is_authenticated or not user.has_perm(permission) or (allowed and not allowed(user)):
        return refuse(request)
    if not fieldfile or not fieldfile.storage.exists(fieldfile.name):
        raise Http404
    if log_object is not None:
        log_personal_data_access(user, log_object, "unduh berkas", {"berkas": os.path.basename(fieldfile.name)})
    response = FileResponse(
        fieldfile.storage.open(fieldfile.name, "rb"),
        as_attachment=True,
        filename=os.path.basename(fieldfile.name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
