"""The application status workflow: one table of allowed moves, guarded methods, an audit-log entry each.

`Application` inherits `ApplicationWorkflowMixin`, so every status change anywhere in the project goes
through `transition_to()` (or a named method that calls it): the precondition is checked, the status is
changed with a compare-and-set update (two editors cannot both move the same application), and Wagtail's
audit log records who, when, from, to and why.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from applicants.enums import ApplicationStatus, DecisionReason
from applicants.privacy.roles import is_interviewer

S = ApplicationStatus

# Every allowed move, in one place. A status missing from a set cannot be reached from that status;
# the guards in `_guard()` add the preconditions that depend on more than the current status.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.VERIFIED, S.NOT_ELIGIBLE, S.INTERVIEW_SCHEDULED, S.WITHDRAWN}),
    S.VERIFIED: frozenset({S.NOT_ELIGIBLE, S.INTERVIEW_SCHEDULED, S.WITHDRAWN}),
    S.NOT_ELIGIBLE: frozenset({S.VERIFIED, S.INTERVIEW_SCHEDULED, S.WITHDRAWN}),
    # interview_scheduled -> interview_scheduled is a reschedule; -> rejected only for a no-show.
    S.INTERVIEW_SCHEDULED: frozenset({S.INTERVIEW_SCHEDULED, S.INTERVIEWED, S.REJECTED, S.WITHDRAWN}),
    S.INTERVIEWED: frozenset({S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN}),
    S.WAITLISTED: frozenset({S.ACCEPTED, S.REJECTED, S.WITHDRAWN}),  # a seat may be offered later
    S.ACCEPTED: frozenset({S.ENROLLED, S.WITHDRAWN}),
    S.ENROLLED: frozenset({S.WITHDRAWN}),  # a trainee may still drop out
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
FINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)

# Audit-log action per target status (registered with Indonesian labels in interview_hooks.py).
LOG_ACTIONS: dict[str, tuple[str, str]] = {
    S.VERIFIED: ("sigap.application.verify", gettext_lazy("Pendaftaran: terverifikasi")),
    S.NOT_ELIGIBLE: ("sigap.application.not_eligible", gettext_lazy("Pendaftaran: tidak memenuhi syarat")),
    S.INTERVIEW_SCHEDULED: (
        "sigap.application.schedule_interview", gettext_lazy("Pendaftaran: wawancara dijadwalkan")
    ),
    S.INTERVIEWED: ("sigap.application.interviewed", gettext_lazy("Pendaftaran: sudah diwawancara")),
    S.ACCEPTED: ("sigap.application.accept", gettext_lazy("Pendaftaran: diterima")),
    S.WAITLISTED: ("sigap.application.waitlist", gettext_lazy("Pendaftaran: daftar tunggu")),
    S.REJECTED: ("sigap.application.reject", gettext_lazy("Pendaftaran: tidak diterima")),
    S.ENROLLED: ("sigap.application.enrol", gettext_lazy("Pendaftaran: masuk kelas")),
    S.WITHDRAWN: ("sigap.application.withdraw", gettext_lazy("Pendaftaran: mengundurkan diri")),
}
RESCHEDULE_ACTION = ("sigap.application.reschedule_interview", gettext_lazy("Pendaftaran: wawancara dijadwal ulang"))


# The reason a resident reads for each outcome of the register check (applicants.enums.Eligibility).
ELIGIBILITY_REASONS: dict[str, str] = {
    "not_found": DecisionReason.NOT_IN_REGISTER,
    "kk_mismatch": DecisionReason.KK_MISMATCH,
    "desil_too_high": DecisionReason.DESIL_TOO_HIGH,
}

# What a resident reads while only the automatic register check has found them missing: not a decision.
MACHINE_CHECK_TEXT: dict[str, str] = {
    "not_found": gettext_lazy(
        "Data Anda belum kami temukan di DTSEN (data kesejahteraan dari kelurahan). Ini belum keputusan "
        "akhir: petugas Dinsos akan memeriksa ulang dan menghubungi Anda. Bila keluarga Anda termasuk kurang "
        "mampu tetapi belum terdata, mintalah kelurahan mengusulkan Anda masuk DTSEN."
    ),
    "kk_mismatch": gettext_lazy(
        "Nomor KK Anda berbeda dengan data DTSEN. Ini belum keputusan akhir: petugas Dinsos akan memeriksa "
        "ulang dan menghubungi Anda. Bawa Kartu Keluarga terbaru ke kelurahan agar data DTSEN diperbarui."
    ),
    "desil_too_high": gettext_lazy(
        "Menurut data DTSEN, tingkat kesejahteraan keluarga Anda di atas batas program ini. Ini belum "
        "keputusan akhir: petugas Dinsos akan memeriksa ulang. Bila keadaan keluarga Anda sudah berubah, "
        "mintalah kelurahan memperbarui data DTSEN."
    ),
}

# Targets whose preconditions depend on the status alone, so a whole queryset can move at once.
BULK_TARGETS = frozenset({S.VERIFIED, S.NOT_ELIGIBLE})


class TransitionError(ValidationError):
    """A refused status change; the message is Indonesian and meant for the staff member."""


def _label(status: str) -> str:
    return str(S(status).label)


class ApplicationWorkflowMixin:
    """Status state machine for `Application` (needs its `status`, `status_changed_at`, `decision_reason`,
    `eligibility_override` fields and the `interviews` relation)."""

    # --- Guarding save() ------------------------------------------------------------------------
    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_status = instance.__dict__.get("status")
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "status" in fields:
            self._saved_status = self.__dict__.get("status")

    def save(self, *args, **kwargs):
        """Refuse a status changed by assignment: status moves only through `transition_to()`.

        New rows may start in any status (imports, fixtures); `QuerySet.update()` is not guarded, so bulk
        status changes must use `bulk_transition()`, which writes the audit entries too."""
        saved = getattr(self, "_saved_status", None)
        update_fields = kwargs.get("update_fields")
        writes_status = update_fields is None or "status" in update_fields
        if saved is not None and writes_status and self.status != saved:
            raise TransitionError(
                _("Status tidak boleh diubah langsung; gunakan tindakan alur pendaftaran."), code="direct_status"
            )
        super().save(*args, **kwargs)
        self._saved_status = self.status

    # --- Reading the state ---------------------------------------------------------------------
    def allowed_transitions(self) -> frozenset[str]:
        return TRANSITIONS.get(self.status, frozenset())

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def latest_interview(self):
        return self.interviews.order_by("-scheduled_at", "-pk").first()

    def active_interview(self):
        """The interview still waiting to happen (attendance 'scheduled'), if any."""
        return self.interviews.filter(attendance="scheduled").order_by("-scheduled_at").first()

    def has_interview_outcome(self) -> bool:
        """True once an interviewer recorded that the applicant came (rubric and all)."""
        return self.interviews.filter(attendance="came", recorded_at__isnull=False).exists()

    def processing_error(self) -> str | None:
        """Why this person's records may not move at all (restricted under UU PDP, or anonymised); None if
        they may. Reads `self.applicant`: select_related("applicant") in loops to keep one query."""
        try:
            self.applicant.ensure_processing_allowed()
        except ValidationError as exc:
            return " ".join(exc.messages)
        return None

    def ensure_processing_allowed(self) -> None:
        """Raise TransitionError (code `processing_restricted` / `anonymised`) when processing is refused."""
        try:
            self.applicant.ensure_processing_allowed()
        except ValidationError as exc:
            raise TransitionError(" ".join(exc.messages), code=exc.error_list[0].code) from exc

    def transition_error(self, new_status: str, reason: str = "") -> str | None:
        """Why `new_status` is refused now, in Indonesian; None when the move is allowed."""
        processing = self.processing_error()
        if processing:
            return processing
        if new_status not in TRANSITIONS:
            return _("Status «%(status)s» tidak dikenal.") % {"status": new_status}
        if new_status not in self.allowed_transitions():
            if self.is_final:
                return _("Pendaftaran berstatus «%(old)s» sudah final dan tidak bisa diubah lagi.") % {
                    "old": _label(self.status)
                }
            return _("Status tidak bisa diubah dari «%(old)s» ke «%(new)s».") % {
                "old": _label(self.status), "new": _label(new_status)
            }
        if reason and reason not in DecisionReason.values:
            return _("Kode alasan «%(reason)s» tidak ada dalam daftar alasan.") % {"reason": reason}
        return self._guard(new_status, reason)

    def _guard(self, new_status: str, reason: str) -> str | None:
        # Past the register's decision only with a written reason: the override (which sets
        # eligibility_override) verifies against a negative result; a reason code is needed to declare
        # not eligible someone the register found.
        if new_status == S.VERIFIED and self.eligibility in ELIGIBILITY_REASONS and not self.eligibility_override:
            return _(
                "Hasil cek register: %(result)s. Untuk tetap meloloskan pendaftar, gunakan «Kecualikan hasil "
                "cek kelayakan» di halaman pendaftaran dan tulis alasannya."
            ) % {"result": DecisionReason(ELIGIBILITY_REASONS[self.eligibility]).label}
        if new_status == S.NOT_ELIGIBLE and self.eligibility == "verified" and not reason:
            return _(
                "Pendaftar tercatat di DTSEN/DTKS. Pilih alasan dari daftar untuk menyatakan tidak memenuhi syarat."
            )
        if new_status == S.INTERVIEW_SCHEDULED and self.status not in (S.VERIFIED, S.INTERVIEW_SCHEDULED):
            if not self.eligibility_override:
                return _(
                    "Pendaftar belum terverifikasi di DTSEN/DTKS. Wawancara hanya bisa dijadwalkan "
                    "bila petugas memberi pengecualian kelayakan."
                )
        if new_status in (S.INTERVIEWED, S.ACCEPTED, S.WAITLISTED) and not self.has_interview_outcome():
            return _("Belum ada hasil wawancara: catat dulu hasil wawancara (hadir dan nilai).")
        if new_status == S.REJECTED:
            if not reason:
                return _("Pilih alasan penolakan dari daftar.")
            if self.status == S.INTERVIEW_SCHEDULED:
                latest = self.latest_interview()
                if reason != DecisionReason.NO_SHOW or latest is None or latest.attendance != "no_show":
                    return _(
                        "Sebelum wawancara, pendaftar hanya bisa ditolak dengan alasan «Tidak hadir "
                        "wawancara» setelah ketidakhadirannya dicatat."
                    )
        return None

    def can_transition_to(self, new_status: str, reason: str = "") -> bool:
        return self.transition_error(new_status, reason) is None

    # --- Changing the state --------------------------------------------------------------------
    def transition_to(self, new_status: str, user=None, reason: str = "", note: str = "", *, data=None) -> None:
        """Check, change and log one status move. Raises TransitionError (Indonesian message) if refused.

        A restricted or anonymised applicant is refused first (Applicant.ensure_processing_allowed)."""
        self.ensure_processing_allowed()
        if new_status == S.NOT_ELIGIBLE and not reason:
            # A person confirming the register's negative result records it as their decision's reason.
            reason = ELIGIBILITY_REASONS.get(self.eligibility, "")
        error = self.transition_error(new_status, reason)
        if error:
            raise TransitionError(error, code="transition")
        old_status = self.status
        now = timezone.now()
        with transaction.atomic():
            # Compare-and-set: refuse when someone else moved the application since we read it.
            # The applicant conditions repeat ensure_processing_allowed in SQL, in case a restriction
            # was set after this object was read.
            updated = type(self).objects.filter(
                pk=self.pk, status=old_status,
                applicant__processing_restricted=False, applicant__anonymised_at__isnull=True,
            ).update(
                status=new_status, status_changed_at=now, decision_reason=reason
            )
            if not updated:
                raise TransitionError(
                    _("Status pendaftaran ini baru saja diubah orang lain. Muat ulang halaman."),
                    code="stale",
                )
            self.status, self.status_changed_at, self.decision_reason = new_status, now, reason
            self._saved_status = new_status
            action = RESCHEDULE_ACTION[0] if old_status == new_status else LOG_ACTIONS[new_status][0]
            log(
                self, action, user=user,
                data={"from": old_status, "to": new_status, "reason": reason, "note": note, **(data or {})},
            )

    def mark_verified(self, user=None, note: str = "") -> None:
        self.transition_to(S.VERIFIED, user, note=note)

    def mark_not_eligible(self, user=None, reason: str = "", note: str = "") -> None:
        self.transition_to(S.NOT_ELIGIBLE, user, reason=reason, note=note)

    def schedule_interview(
        self, scheduled_at: datetime.datetime, place: str, interviewer, user=None, *, allow_reschedule: bool = True,
        duration_minutes: int = 20,
    ):
        """Create the interview and move to interview_scheduled. A second call reschedules: the waiting
        interview is marked 'rescheduled' and a new one is created (history is kept)."""
        self.ensure_processing_allowed()
        if self.status == S.INTERVIEW_SCHEDULED and not allow_reschedule:
            raise TransitionError(_("Sudah punya jadwal wawancara."), code="already_scheduled")
        error = self.transition_error(S.INTERVIEW_SCHEDULED)
        if error:
            raise TransitionError(error, code="transition")
        if not is_interviewer(interviewer):
            raise TransitionError(
                _("%(user)s bukan pewawancara (grup «Pewawancara»).") % {"user": interviewer}, code="interviewer"
            )
        if timezone.is_naive(scheduled_at):
            scheduled_at = timezone.make_aware(scheduled_at)
        if scheduled_at <= timezone.now():
            raise TransitionError(_("Waktu wawancara sudah lewat."), code="past")
        if not place.strip():
            raise TransitionError(_("Tempat wawancara wajib diisi."), code="place")
        Interview = self.interviews.model
        with transaction.atomic():
            previous = self.interviews.filter(attendance=Interview.Attendance.SCHEDULED)
            previous_ids = list(previous.values_list("pk", flat=True))
            previous.update(attendance=Interview.Attendance.RESCHEDULED)
            interview = Interview.objects.create(
                application=self, scheduled_at=scheduled_at, place=place.strip(), interviewer=interviewer,
                duration_minutes=duration_minutes,
            )
            self.transition_to(
                S.INTERVIEW_SCHEDULED, user,
                data={
                    "interview": interview.pk,
                    "scheduled_at": timezone.localtime(scheduled_at).isoformat(),
                    "place": interview.place,
                    "interviewer": interviewer.pk,
                    "replaces": previous_ids,
                },
            )
        return interview

    def mark_interviewed(self, user=None, note: str = "") -> None:
        self.transition_to(S.INTERVIEWED, user, note=note)

    def accept(self, user=None, note: str = "", reason: str = "") -> None:
        self.transition_to(S.ACCEPTED, user, reason=reason, note=note)

    def waitlist(self, user=None, reason: str = "", note: str = "") -> None:
        self.transition_to(S.WAITLISTED, user, reason=reason, note=note)

    def reject(self, user=None, reason: str = "", note: str = "") -> None:
        self.transition_to(S.REJECTED, user, reason=reason, note=note)

    def withdraw(self, user=None, note: str = "") -> None:
        self.transition_to(S.WITHDRAWN, user, note=note)

    def enrol(self, user=None, note: str = "") -> None:
        self.transition_to(S.ENROLLED, user, note=note)

    # --- What the resident reads ---------------------------------------------------------------
    def public_status_text(self) -> str:
        """The status in plain Indonesian for the resident's status-check page (no staff jargon)."""
        status = self.status
        if status == S.SUBMITTED:
            return _("Pendaftaran Anda sudah kami terima dan sedang diperiksa petugas.")
        if status == S.VERIFIED:
            return _("Data Anda sudah dicek dan sesuai. Tunggu jadwal wawancara dari petugas.")
        if status == S.NOT_ELIGIBLE:
            if not self.decision_reason:
                # Only the automatic register check has spoken: say what happens next, not "rejected".
                return str(MACHINE_CHECK_TEXT.get(self.eligibility, MACHINE_CHECK_TEXT["not_found"]))
            text = _("Mohon maaf, Anda belum memenuhi syarat program ini.")
            after = _("Bila data Anda di DTSEN sudah diperbarui kelurahan, hubungi Dinsos agar diperiksa lagi.")
            return f"{text} {self._public_reason()} {after}".replace("  ", " ").strip()
        if status == S.INTERVIEW_SCHEDULED:
            interview = self.active_interview()
            if interview is None:
                return _("Anda akan dijadwalkan wawancara lagi. Petugas akan menghubungi Anda.")
            local = timezone.localtime(interview.scheduled_at)
            return _(
                "Anda dijadwalkan wawancara pada %(date)s pukul %(time)s WIB di %(place)s. "
                "Bawa KTP dan Kartu Keluarga."
            ) % {"date": format_date_id(local.date()), "time": local.strftime("%H.%M"), "place": interview.place}
        if status == S.INTERVIEWED:
            return _("Wawancara sudah selesai. Hasil seleksi sedang diputuskan.")
        if status == S.ACCEPTED:
            return _("Selamat, Anda diterima. Petugas akan menghubungi Anda untuk jadwal pelatihan.")
        if status == S.WAITLISTED:
            return _("Anda masuk daftar tunggu. Bila ada tempat kosong, petugas akan menghubungi Anda.")
        if status == S.REJECTED:
            text = _("Mohon maaf, Anda belum dapat diterima pada gelombang ini.")
            return f"{text} {self._public_reason()}".strip()
        if status == S.ENROLLED:
            return _("Anda sudah terdaftar di kelas pelatihan.")
        if status == S.WITHDRAWN:
            return _("Pendaftaran Anda sudah dibatalkan (mengundurkan diri).")
        return _label(status)

    def _public_reason(self) -> str:
        reason = self.decision_reason
        if not reason and self.status == S.NOT_ELIGIBLE:
            reason = ELIGIBILITY_REASONS.get(self.eligibility, "")
        if reason in DecisionReason.values:
            return _("Alasan: %(reason)s.") % {"reason": DecisionReason(reason).label}
        return ""


def bulk_transition(
    queryset, new_status: str, user=None, reason: str = "", note: str = "", chunk_size: int = 2000
) -> int:
    """Move every application of `queryset` that may go to `new_status` (verified / not eligible), in
    chunks, with one audit entry per application. For the eligibility check after a register import;
    returns how many moved. Applications whose status does not allow the move are left alone, and so are
    those of applicants whose processing is restricted or who were anonymised (the same rule as
    `ensure_processing_allowed`, applied in SQL: no query per row)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    if new_status not in BULK_TARGETS:
        raise ValueError(f"bulk_transition only supports {sorted(BULK_TARGETS)}")
    if reason and reason not in DecisionReason.values:
        raise TransitionError(_("Kode alasan «%(reason)s» tidak ada dalam daftar alasan.") % {"reason": reason})
    model = queryset.model
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    action = LOG_ACTIONS[new_status][0]
    sources = [old for old, targets in TRANSITIONS.items() if new_status in targets and old != new_status]
    queryset = queryset.filter(applicant__processing_restricted=False, applicant__anonymised_at__isnull=True)
    # The same rule as _guard, in SQL: never past the register's result without the override or a reason.
    if new_status == S.VERIFIED:
        queryset = queryset.exclude(Q(eligibility__in=list(ELIGIBILITY_REASONS)) & Q(eligibility_override=False))
    elif new_status == S.NOT_ELIGIBLE and not reason:
        queryset = queryset.exclude(eligibility="verified")
    moved = 0
    for old_status in sources:
        while True:
            # Each round takes the next chunk still in `old_status`; moved rows drop out of the filter.
            # Read and write in one short transaction (SQLite IMMEDIATE: nobody changes them between).
            with transaction.atomic():
                rows = list(
                    queryset.filter(status=old_status).order_by("pk").values_list("pk", "reference")[:chunk_size]
                )
                if not rows:
                    break
                now = timezone.now()
                moved += model.objects.filter(pk__in=[pk for pk, _ref in rows], status=old_status).update(
                    status=new_status, status_changed_at=now, decision_reason=reason
                )
                ModelLogEntry.objects.bulk_create(
                    ModelLogEntry(
                        content_type=content_type, object_id=str(pk), label=ref or f"#{pk}", action=action,
                        timestamp=now, user=user,
                        data={"from": old_status, "to": new_status, "reason": reason, "note": note},
                    )
                    for pk, ref in rows
                )
    return moved


_MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]
_DAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


def format_date_id(day: datetime.date) -> str:
    """'Senin, 7 Desember 2026': spelled out so it reads the same on every phone, whatever its locale."""
    return f"{_DAYS_ID[day.weekday()]}, {day.day} {_MONTHS_ID[day.month - 1]} {day.year}"
