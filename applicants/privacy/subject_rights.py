"""Data-subject rights under UU PDP 27/2022: a copy of everything stored about a resident (a printable
document in Indonesian and a JSON file), and restriction of processing.

Decisions (docs/privacy.md):
- The copy includes the interviewer's note and scores, class scores and attendance, awards, KUB
  memberships and follow-up answers: they are personal data *about the resident*.
- It names no staff member (interviewer, importer, the users in the history): their identity is the
  staff's own personal data. The history says *which role* (Editor Dinsos, Pewawancara, Auditor,
  Administrator) viewed, changed or exported the person's data, and when.
- Register exports are in the history when they were searched by the person's NIK or KK (the export
  entry records the search); an export of a whole filtered list does not record which people it held.
- While `Applicant.processing_restricted` is set, no workflow step may change the person's records:
  every status change calls `Applicant.ensure_processing_allowed()` first.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Prefetch, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from applicants.models import (
    Application,
    Attendance,
    CapitalAward,
    DataSubjectRequest,
    Enrolment,
    FollowUp,
    GroupMembership,
    Interview,
    Ticket,
)

RESTRICT_ACTION = "sigap.restrict_processing"
LIFT_ACTION = "sigap.lift_restriction"
SUBJECT_EXPORT_ACTION = "sigap.subject_export"
REGISTER_EXPORT_ACTION = "sigap.register_export"

_APPLICANT_FIELDS = [
    "nik", "kk_number", "full_name", "birth_date", "sex", "phone", "address", "rt", "rw",
    "household_size", "occupation", "processing_restricted", "anonymised_at", "created_at", "updated_at",
]
_APPLICATION_FIELDS = [
    "reference", "status", "source", "dtks_self_report", "motivation", "consent_at", "submitted_at",
    "eligibility", "eligibility_checked_at", "eligibility_override", "eligibility_override_reason",
    "decision_reason", "status_changed_at", "contact_kk_number", "contact_phone", "contact_address", "contact_rt",
    "contact_rw", "contact_household_size", "contact_occupation",
]
_INTERVIEW_FIELDS = [
    "scheduled_at", "place", "attendance", "score_motivation", "score_readiness", "score_business_potential",
    "score_household_need", "decision", "reason_code", "note", "recorded_at",
]
_RECORD_FIELDS = ["nik", "kk_number", "full_name", "birth_date", "sex", "address", "rt", "rw", "desil", "bansos"]
_ENROLMENT_FIELDS = [
    "status", "final_score", "attendance_pct", "enrolled_at", "withdrawn_at", "withdrawal_reason",
    "publication_consent_at", "publication_consent_note",
]
_ATTENDANCE_FIELDS = ["mark", "recorded_at"]
_AWARD_FIELDS = [
    "value_rupiah", "place", "ranking_reason", "state", "proposed_at", "approved_at", "handed_over_on",
    "handover_number", "cancelled_reason", "cancelled_at",
]
_FOLLOWUP_FIELDS = ["milestone", "working_status", "business_running", "income_band", "receiving_bansos", "note",
                    "recorded_at"]
_MEMBERSHIP_FIELDS = ["active", "joined_at", "left_at"]
# The internal note is Dinsos's working note, not something the sender gave or was told; the rest is theirs.
_TICKET_FIELDS = ["number", "kind", "category", "description", "contact_name", "contact_phone", "state",
                  "created_at", "due_at", "decision_code", "answer", "answered_at", "closed_at"]
_REQUEST_FIELDS = ["kind", "requester_name", "channel", "details", "requested_at", "due_at", "status", "outcome",
                   "handled_at"]


# --- one record, two renderings: raw values for the JSON file, labelled text for the document -------------
@dataclass
class Record:
    title: str
    data: dict[str, Any]
    rows: list[tuple[str, str]]
    children: list[Section] = field(default_factory=list)


@dataclass
class Section:
    title: str
    records: list[Record]
    empty: str = ""
    # A section shown as one table (the history): column headings and rows of text.
    headers: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)


def _display(obj: models.Model, name: str) -> str:
    value = getattr(obj, name)
    if value is None or value == "":
        return "—"
    model_field = obj._meta.get_field(name)
    if model_field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return _when(value)
    if isinstance(value, datetime.date):
        return _when(value, "DATE_FORMAT")
    if name == "value_rupiah":
        return "Rp " + formats.number_format(value, force_grouping=True)
    return str(value)


# Fields whose models give no Indonesian verbose_name.
_LABELS = {
    "proposed_at": gettext_lazy("Proposed on"),
    "approved_at": gettext_lazy("Approved on"),
    "cancelled_at": gettext_lazy("Cancelled on"),
    "joined_at": gettext_lazy("Joined on"),
    "left_at": gettext_lazy("Left on"),
}


def _label(model_field) -> str:
    """First letter up, the rest as written ("NIK", "nomor KK" -> "Nomor KK")."""
    text = str(_LABELS.get(model_field.name, model_field.verbose_name))
    return text[:1].upper() + text[1:]


def _when(moment, fmt: str = "DATETIME_FORMAT") -> str:
    if moment is None:
        return "—"
    if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, fmt)


def _record(title: str, obj: models.Model, names: list[str], extra: list[tuple[str, str, Any]] = ()) -> Record:
    """`extra`: (json key, label, value) pairs that are not model fields (names of related records)."""
    data = {name: getattr(obj, name) for name in names}
    rows = [(_label(obj._meta.get_field(name)), _display(obj, name)) for name in names]
    for key, label, value in extra:
        data[key] = value
        if value is None or value == "":
            text = "—"
        elif isinstance(value, datetime.date):
            text = _when(value, "DATE_FORMAT") if not isinstance(value, datetime.datetime) else _when(value)
        else:
            text = str(value)
        rows.append((label, text))
    return Record(title=title, data=data, rows=rows)


# --- collecting ------------------------------------------------------------------------------------------
def _applications(applicant):
    return list(
        Application.objects.filter(applicant=applicant)
        .select_related("intake", "program", "program_alt", "consent_version", "eligibility_record__batch")
        .prefetch_related("interviews__recommended_program")
        .order_by("submitted_at", "pk")
    )


def _enrolments(applicant):
    return list(
        Enrolment.objects.filter(application__applicant=applicant)
        .select_related("cohort__program", "cohort__intake", "application")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("session").order_by("session__number")),
            Prefetch("followups", queryset=FollowUp.objects.order_by("milestone")),
            Prefetch("awards", queryset=CapitalAward.objects.select_related("package").order_by("proposed_at")),
        )
        .order_by("enrolled_at", "pk")
    )


def _memberships(applicant):
    return list(
        GroupMembership.objects.filter(applicant=applicant)
        .select_related("group__kelurahan", "group__intake")
        .prefetch_related(
            Prefetch("group__awards", queryset=CapitalAward.objects.select_related("package").order_by("proposed_at")),
            "held_accounts", "reports_present",
        )
        .order_by("joined_at", "pk")
    )


def _award_record(award) -> Record:
    return _record(award.package.name, award, _AWARD_FIELDS, [("package", _("Package"), award.package.name)])


def _role_labels(user_ids) -> dict[int, str]:
    """The role each staff member acted in (their group names), never their name."""
    users = get_user_model().objects.filter(pk__in=set(user_ids)).prefetch_related("groups")
    labels = {}
    for user in users:
        groups = sorted(group.name for group in user.groups.all())
        labels[user.pk] = _("Administrator") if user.is_superuser else (", ".join(groups) or _("Staff"))
    return labels


def _history(applicant, applications, enrolments, memberships) -> list[dict[str, Any]]:
    """Who (as a role) did what with the person's records, from Wagtail's audit log."""
    objects = [(applicant._meta.model, [applicant.pk]), (Application, [a.pk for a in applications]),
               (Interview, [i.pk for a in applications for i in a.interviews.all()]),
               (Enrolment, [e.pk for e in enrolments]),
               (CapitalAward, [w.pk for e in enrolments for w in e.awards.all()]),
               (GroupMembership, [m.pk for m in memberships])]
    condition = Q()
    for model, ids in objects:
        if ids:
            condition |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=[str(i) for i in ids])
    searches = [applicant.nik, applicant.kk_number]
    condition |= Q(action=REGISTER_EXPORT_ACTION, data__search__in=searches)
    entries = list(ModelLogEntry.objects.filter(condition).order_by("timestamp", "pk"))
    roles = _role_labels(entry.user_id for entry in entries if entry.user_id)
    log_registry.scan_for_actions()  # get_action_label() does not load the hooks' actions itself
    result = []
    for entry in entries:
        try:
            label = str(log_registry.get_action_label(entry.action))
        except KeyError:
            label = entry.action
        if entry.action == REGISTER_EXPORT_ACTION:
            what = _("%(name)s register export (searched by your NIK/KK)") % {
                "name": (entry.data or {}).get("register_name", "")
            }
        else:
            what = str(entry.object_verbose_name).capitalize()
        result.append({
            "waktu": entry.timestamp,
            "tindakan": label,
            "objek": what,
            "peran": roles.get(entry.user_id, _("System")) if entry.user_id else _("System"),
        })
    return result


@dataclass
class SubjectCopy:
    """Everything stored about one person, ready to be written as JSON or shown as a document."""

    applicant: Any
    generated_at: datetime.datetime
    sections: list[Section]
    data: dict[str, Any]


def collect(applicant) -> SubjectCopy:
    applications = _applications(applicant)
    enrolments = _enrolments(applicant)
    memberships = _memberships(applicant)
    requests = list(DataSubjectRequest.objects.filter(applicant=applicant).order_by("requested_at", "pk"))
    history = _history(applicant, applications, enrolments, memberships)

    person = _record(_("Personal details"), applicant, _APPLICANT_FIELDS,
                     [("kelurahan", _("Kelurahan"), str(applicant.kelurahan))])

    app_records = []
    consents: dict[str, dict[str, Any]] = {}
    for app in applications:
        consent = app.consent_version
        record = _record(
            _("Application %(reference)s") % {"reference": app.reference or app.pk}, app, _APPLICATION_FIELDS,
            [("intake", _("Intake"), str(app.intake)), ("program", _("Program"), str(app.program)),
             ("program_alt", _("Second-choice program"), str(app.program_alt) if app.program_alt else None),
             ("consent_version", _("Consent version"), consent.version if consent else None)],
        )
        record.data["consent_text"] = consent.text if consent else None
        if consent:
            consents[consent.version] = {"versi": consent.version, "berlaku_sejak": consent.published_at,
                                         "teks": consent.text, "disetujui_pada": app.consent_at}
        evidence = app.eligibility_record
        if evidence:
            proof = _record(_("Eligibility evidence (welfare register data)"), evidence, _RECORD_FIELDS,
                            [("register", _("Register"), evidence.batch.get_register_display()),
                             ("data_per", _("Data as of"), evidence.batch.as_of)])
            record.data["eligibility_evidence"] = proof.data
            record.children.append(Section(proof.title, [proof]))
        else:
            record.data["eligibility_evidence"] = None
        interviews = []
        for interview in app.interviews.all():
            item = _record(
                _("Interview %(date)s") % {"date": _when(interview.scheduled_at, "DATE_FORMAT")},
                interview, _INTERVIEW_FIELDS,
                [("recommended_program", _("Suggested program"),
                  str(interview.recommended_program) if interview.recommended_program else None)],
            )
            interviews.append(item)
        record.data["interviews"] = [item.data for item in interviews]
        if interviews:
            record.children.append(Section(_("Interviews"), interviews))
        app_records.append(record)

    training = []
    for enrolment in enrolments:
        record = _record(
            f"{enrolment.cohort.program} · {enrolment.cohort.name}", enrolment, _ENROLMENT_FIELDS,
            [("cohort", _("Class"), enrolment.cohort.name), ("program", _("Program"), str(enrolment.cohort.program)),
             ("reference", _("Application number"), enrolment.application.reference)],
        )
        attendance = [
            _record(_("Session %(number)s (%(date)s)") % {"number": mark.session.number,
                                                            "date": formats.date_format(mark.session.date)},
                    mark, _ATTENDANCE_FIELDS, [("session", _("Session no."), mark.session.number),
                                               ("date", _("Date"), mark.session.date)])
            for mark in enrolment.attendance.all()
        ]
        followups = [_record(followup.get_milestone_display(), followup, _FOLLOWUP_FIELDS)
                     for followup in enrolment.followups.all()]
        awards = [_award_record(award) for award in enrolment.awards.all()]
        record.data.update(kehadiran=[r.data for r in attendance], tindak_lanjut=[r.data for r in followups],
                           modal_usaha=[r.data for r in awards])
        for title, records in ((_("Attendance"), attendance), (_("Business capital"), awards),
                               (_("Follow-up after training"), followups)):
            if records:
                record.children.append(Section(title, records))
        training.append(record)

    groups = []
    for membership in memberships:
        group = membership.group
        record = _record(
            group.name, membership, _MEMBERSHIP_FIELDS,
            [("group", _("KUB name"), group.name), ("business_type", _("Business type"), group.business_type),
             ("kelurahan", _("Kelurahan"), str(group.kelurahan)), ("group_status", _("KUB status"),
                                                                   group.get_status_display()),
             # What the group's records say about this member: holding its account, meetings attended.
             ("account_holder", _("Holder of the group account"),
              ", ".join(account.bank for account in membership.held_accounts.all()) or str(_("no"))),
             ("meetings_attended", _("Monthly meetings attended"),
              ", ".join(p.strftime("%m-%Y") for p in sorted(r.period for r in membership.reports_present.all())))],
        )
        awards = [_award_record(award) for award in group.awards.all()]
        record.data["modal_usaha"] = [r.data for r in awards]
        if awards:
            record.children.append(Section(_("KUB business capital"), awards))
        groups.append(record)

    request_records = [_record(str(request.get_kind_display()), request, _REQUEST_FIELDS) for request in requests]
    ticket_records = [
        _record(ticket.number, ticket, _TICKET_FIELDS,
                [("appeal_of", _("Appeal against"), ticket.appeal_of.number if ticket.appeal_of_id else None)])
        for ticket in Ticket.objects.filter(application__applicant=applicant).select_related("appeal_of")
        .order_by("created_at", "pk")
    ]
    consent_records = [
        Record(title=_("Version %(version)s") % {"version": item["versi"]}, data=item,
               rows=[(_("Effective from"), _when(item["berlaku_sejak"], "DATE_FORMAT")),
                     (_("You consented on"), _when(item["disetujui_pada"])),
                     (_("Consent text"), item["teks"])])
        for item in consents.values()
    ]
    history_table = [[_when(entry["waktu"]), entry["peran"], entry["tindakan"], entry["objek"]] for entry in history]
    now = timezone.now()
    sections = [
        Section(_("Personal details"), [person]),
        Section(_("Application"), app_records, _("No applications.")),
        Section(_("Training"), training, _("No classes attended yet.")),
        Section(_("Joint business group (KUB)"), groups, _("Not a KUB member.")),
        Section(_("Consents you have given"), consent_records, _("None.")),
        Section(_("Your requests as the data subject"), request_records, _("None.")),
        Section(_("Your complaints and objections"), ticket_records, _("None.")),
        Section(_("History: who viewed, changed or exported your data"), [], _("None."),
                headers=[_("Time"), _("By (role)"), _("Action"), _("Data")], table=history_table),
    ]
    data = {
        "dibuat_pada": now,
        "keterangan": _(
            "Copy of the personal data held by Dinas Sosial Kota Tangerang (Sigap Kerja) under Law No. 27 of 2022."
        ),
        "pendaftar": person.data,
        "pendaftaran": [r.data for r in app_records],
        "pelatihan": [r.data for r in training],
        "kub": [r.data for r in groups],
        "persetujuan": list(consents.values()),
        "permintaan": [r.data for r in request_records],
        "pengaduan": [r.data for r in ticket_records],
        "riwayat": history,
        "kelulusan": _graduation_data(applicant),
    }
    return SubjectCopy(applicant=applicant, generated_at=now, sections=sections, data=data)


def subject_data(applicant) -> dict[str, Any]:
    """Everything stored about one person, as plain data (what `export_subject_data` serialises)."""
    return collect(applicant).data


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
    log(applicant, SUBJECT_EXPORT_ACTION, user=user, data={"format": "json"})
    return payload


def subject_document(applicant, user=None) -> SubjectCopy:
    """The same copy for the printable document (HTML), logged like the JSON file."""
    copy = collect(applicant)
    log(applicant, SUBJECT_EXPORT_ACTION, user=user, data={"format": "html"})
    return copy


def restrict_processing(applicant, user, reason: str) -> None:
    """Freeze the person's records (data-subject request or dispute), with the reason in the audit log."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Restriction reason is required."), code="required")
    with transaction.atomic():
        type(applicant).objects.filter(pk=applicant.pk).update(processing_restricted=True)
        applicant.processing_restricted = True
        log(applicant, RESTRICT_ACTION, user=user, data={"reason": reason})


def lift_restriction(applicant, user, reason: str = "") -> None:
    with transaction.atomic():
        type(applicant).objects.filter(pk=applicant.pk).update(processing_restricted=False)
        applicant.processing_restricted = False
        log(applicant, LIFT_ACTION, user=user, data={"reason": (reason or "").strip()})
