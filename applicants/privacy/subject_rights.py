"""Data-subject rights under UU PDP 27/2022: a copy of everything stored about a resident, and
restriction of processing.

Decisions (docs/privacy.md):
- The export includes the interviewer's note and scores: they are personal data *about the resident*.
  It names no staff member (interviewer, importer, log users): their identity is the staff's own data.
- While `Applicant.processing_restricted` is set, no workflow step may change the person's records:
  every status change calls `ensure_processing_allowed()` first.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

RESTRICT_ACTION = "sigap.restrict_processing"
LIFT_ACTION = "sigap.lift_restriction"
SUBJECT_EXPORT_ACTION = "sigap.subject_export"

_APPLICANT_FIELDS = [
    "nik", "kk_number", "full_name", "birth_date", "sex", "phone", "address", "rt", "rw",
    "household_size", "occupation", "processing_restricted", "anonymised_at", "created_at", "updated_at",
]
_APPLICATION_FIELDS = [
    "reference", "status", "source", "dtks_self_report", "motivation", "consent_at", "submitted_at",
    "eligibility", "eligibility_checked_at", "eligibility_override", "eligibility_override_reason",
    "decision_reason", "status_changed_at",
]
_INTERVIEW_FIELDS = [
    "scheduled_at", "place", "attendance", "score_motivation", "score_readiness", "score_business_potential",
    "score_household_need", "decision", "reason_code", "note", "recorded_at",
]
_RECORD_FIELDS = ["nik", "kk_number", "full_name", "birth_date", "sex", "address", "rt", "rw", "desil", "bansos"]


def _fields(obj, names) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _log_entries(applicant, application_ids) -> list[dict[str, Any]]:
    ct_applicant = ContentType.objects.get_for_model(type(applicant))
    from applicants.models import Application, Interview

    ct_application = ContentType.objects.get_for_model(Application)
    ct_interview = ContentType.objects.get_for_model(Interview)
    interview_ids = Interview.objects.filter(application_id__in=application_ids).values_list("pk", flat=True)
    entries = ModelLogEntry.objects.filter(
        Q(content_type=ct_applicant, object_id=str(applicant.pk))
        | Q(content_type=ct_application, object_id__in=[str(pk) for pk in application_ids])
        | Q(content_type=ct_interview, object_id__in=[str(pk) for pk in interview_ids])
    ).order_by("timestamp")
    result = []
    for entry in entries:
        try:
            label = str(log_registry.get_action_label(entry.action))
        except KeyError:
            label = entry.action
        result.append({"waktu": entry.timestamp, "tindakan": label, "objek": str(entry.object_verbose_name)})
    return result


def subject_data(applicant) -> dict[str, Any]:
    """Everything stored about one person, as plain data (what `export_subject_data` serialises)."""
    from applicants.models import Application

    applications = list(
        Application.objects.filter(applicant=applicant)
        .select_related("intake", "program", "program_alt", "consent_version", "eligibility_record__batch")
        .prefetch_related("interviews__recommended_program")
        .order_by("submitted_at")
    )
    person = _fields(applicant, _APPLICANT_FIELDS)
    person["kelurahan"] = str(applicant.kelurahan)
    out_apps = []
    for app in applications:
        item = _fields(app, _APPLICATION_FIELDS)
        item.update(
            intake=str(app.intake),
            program=str(app.program),
            program_alt=str(app.program_alt) if app.program_alt else None,
            consent_version=app.consent_version.version if app.consent_version else None,
            consent_text=app.consent_version.text if app.consent_version else None,
        )
        record = app.eligibility_record
        item["eligibility_evidence"] = (
            {
                "register": record.batch.get_register_display(),
                "data_per": record.batch.as_of,
                **_fields(record, _RECORD_FIELDS),
            }
            if record
            else None
        )
        item["interviews"] = [
            {
                **_fields(interview, _INTERVIEW_FIELDS),
                "recommended_program": str(interview.recommended_program) if interview.recommended_program else None,
            }
            for interview in app.interviews.all()
        ]
        out_apps.append(item)
    return {
        "dibuat_pada": timezone.now(),
        "keterangan": _(
            "Salinan data pribadi yang disimpan Dinas Sosial Kota Tangerang (Sigap Kerja) sesuai UU 27/2022."
        ),
        "pendaftar": person,
        "pendaftaran": out_apps,
        "riwayat": _log_entries(applicant, [a.pk for a in applications]),
        "kelulusan": _graduation_data(applicant),
    }


def _graduation_data(applicant) -> dict[str, Any]:
    """Certificates, register checks after graduation and contact attempts (names no staff member)."""
    from applicants.models import Certificate, ContactAttempt, RegisterOutcomeCheck

    person = Q(enrolment__application__applicant=applicant)
    return {
        "sertifikat": list(Certificate.objects.filter(person).order_by("issued_at").values(
            "number", "state", "issued_at", "withdrawn_at", "withdrawal_reason")),
        "cek_register": list(RegisterOutcomeCheck.objects.filter(person).order_by("as_of").values(
            "register", "as_of", "nik_found", "kk_found", "desil_then", "desil_now", "bansos_raw",
            "bansos_programs", "receives_bansos")),
        "upaya_kontak": list(ContactAttempt.objects.filter(application__applicant=applicant)
                             .order_by("attempted_at").values("purpose", "milestone", "channel", "result", "note",
                                                               "attempted_at")),
    }


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            return timezone.localtime(o).isoformat() if timezone.is_aware(o) else o.isoformat()
        return super().default(o)


def export_subject_data(applicant, user=None) -> bytes:
    """A UTF-8 JSON file of everything stored about the person (access request), and log that it was made."""
    payload = json.dumps(subject_data(applicant), cls=_Encoder, ensure_ascii=False, indent=2).encode("utf-8")
    log(applicant, SUBJECT_EXPORT_ACTION, user=user, data={})
    return payload


def ensure_processing_allowed(applicant) -> None:
    """Refuse any workflow or status change for a person whose processing is restricted or who was
    anonymised by retention (their record only feeds the figures now)."""
    if applicant.anonymised_at:
        raise ValidationError(
            _("Data pendaftar ini sudah dianonimkan karena melewati masa retensi dan tidak dapat diproses lagi."),
            code="anonymised",
        )
    if applicant.processing_restricted:
        raise ValidationError(
            _(
                "Pemrosesan data pendaftar ini sedang dibatasi atas permintaan yang bersangkutan (UU PDP). "
                "Status dan data tidak dapat diubah sampai pembatasan dicabut."
            ),
            code="processing_restricted",
        )


def restrict_processing(applicant, user, reason: str) -> None:
    """Freeze the person's records (data-subject request or dispute), with the reason in the audit log."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Alasan pembatasan wajib diisi."), code="required")
    with transaction.atomic():
        type(applicant).objects.filter(pk=applicant.pk).update(processing_restricted=True)
        applicant.processing_restricted = True
        log(applicant, RESTRICT_ACTION, user=user, data={"reason": reason})


def lift_restriction(applicant, user, reason: str = "") -> None:
    with transaction.atomic():
        type(applicant).objects.filter(pk=applicant.pk).update(processing_restricted=False)
        applicant.processing_restricted = False
        log(applicant, LIFT_ACTION, user=user, data={"reason": (reason or "").strip()})
