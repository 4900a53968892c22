"""Multi-step delivery operations: enrol, withdraw and re-offer seats, attendance, completion, ranking,
top-3 proposals, KUB formation and the follow-ups due in a month.

Views call these; the rules that concern a single record live on the models in `delivery.py`.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from applicants.enums import ApplicationStatus
from applicants.models import (
    Application,
    Attendance,
    BusinessGroup,
    CapitalAward,
    Enrolment,
    FollowUp,
    GroupMembership,
    Interview,
)
from programs.models import CapitalPackage, Cohort, CohortSession


class CohortFull(ValidationError):
    """The class has no free seat (raised inside the enrolment transaction)."""


# --- Enrolment --------------------------------------------------------------------------------


def eligible_programs(application: Application) -> set[int]:
    """Programs an accepted application may be enrolled in: first choice and the interviewer's recommendation."""
    ids = {application.program_id}
    ids.update(
        pid
        for pid in application.interviews.filter(decision=Interview.Decision.ACCEPT).values_list(
            "recommended_program_id", flat=True
        )
        if pid
    )
    return ids


def _lock_cohort(cohort_id: int) -> Cohort:
    # SQLite runs every atomic() as BEGIN IMMEDIATE (settings): writers are already serialized.
    # PostgreSQL needs the row lock so two transactions cannot both count the last free seat.
    qs = Cohort.objects.all()
    if connection.features.has_select_for_update:
        qs = qs.select_for_update()
    return qs.get(pk=cohort_id)


def enrol(application: Application, cohort: Cohort, user) -> Enrolment:
    """Place an accepted application in a class, refusing when the class is full (checked in the transaction)."""
    with transaction.atomic():
        cohort = _lock_cohort(cohort.pk)
        application = Application.objects.select_related("applicant").get(pk=application.pk)
        if application.status != ApplicationStatus.ACCEPTED:
            raise ValidationError(_("Hanya pendaftar berstatus diterima yang dapat didaftarkan ke kelas."))
        if application.intake_id != cohort.intake_id:
            raise ValidationError(_("Kelas ini milik gelombang lain."))
        if cohort.program_id not in eligible_programs(application):
            raise ValidationError(_("Program kelas bukan pilihan pertama atau rekomendasi pewawancara."))
        if cohort.status == Cohort.Status.COMPLETED:
            raise ValidationError(_("Kelas sudah selesai."))
        taken = cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN).count()
        if taken >= cohort.capacity:
            raise CohortFull(_("Kelas %(name)s sudah penuh.") % {"name": cohort.name})
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(application=application, cohort=cohort, enrolled_by=user)
        except IntegrityError as exc:
            raise ValidationError(_("Pendaftar ini sudah terdaftar di kelas lain.")) from exc
        application.enrol(user, note=cohort.name)
        log(enrolment, "sigap.enrol", user=user, data={"cohort": cohort.name, "application": str(application)})
    return enrolment


@dataclass
class BulkResult:
    enrolled: list[Enrolment] = field(default_factory=list)
    refused: list[tuple[Application, str]] = field(default_factory=list)


def bulk_enrol(applications: Iterable[Application], cohort: Cohort, user) -> BulkResult:
    """Enrol each application in its own short transaction (keeps the SQLite write lock brief)."""
    result = BulkResult()
    for application in applications:
        try:
            result.enrolled.append(enrol(application, cohort, user))
        except ValidationError as exc:
            result.refused.append((application, " ".join(exc.messages)))
    return result


def longest_waiting(intake_id: int, program_id: int) -> Application | None:
    """The waitlisted application of this intake and program that has waited longest."""
    return (
        Application.objects.filter(intake_id=intake_id, status=ApplicationStatus.WAITLISTED)
        # Restricted (UU PDP) or anonymised people cannot be moved: the seat goes to the next one.
        .filter(applicant__processing_restricted=False, applicant__anonymised_at__isnull=True)
        .filter(Q(program_id=program_id) | Q(interviews__recommended_program_id=program_id))
        .order_by("status_changed_at", "submitted_at", "pk")
        .select_related("applicant")
        .first()
    )


def withdraw(enrolment: Enrolment, user, reason: str = "") -> Application | None:
    """Withdraw a participant and offer the seat to the longest-waiting waitlisted applicant; return them."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_related("cohort", "application__applicant").get(pk=enrolment.pk)
        if enrolment.status != Enrolment.Status.ACTIVE:
            raise ValidationError(_("Hanya peserta aktif yang dapat mengundurkan diri."))
        now = timezone.now()
        enrolment.status, enrolment.withdrawn_at, enrolment.withdrawal_reason = (
            Enrolment.Status.WITHDRAWN, now, reason[:255],
        )
        enrolment.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
        application = enrolment.application
        application.withdraw(user, note=reason)
        log(enrolment, "sigap.withdraw", user=user, data={"reason": reason})
        offered = longest_waiting(enrolment.cohort.intake_id, enrolment.cohort.program_id)
        if offered is not None:
            offered.transition_to(
                ApplicationStatus.ACCEPTED, user, note=_("Kursi kosong ditawarkan"),
                data={"cohort": enrolment.cohort.name},
            )
            log(offered, "sigap.seat_offered", user=user,
                data={"cohort": enrolment.cohort.name, "vacated_by": str(application)})
    return offered


# --- Attendance and completion ----------------------------------------------------------------


def save_attendance(session: CohortSession, marks: Mapping[int, str], user) -> int:
    """Save a whole session's grid in one transaction: {enrolment_id: mark}. Returns rows written."""
    valid = set(Attendance.Mark.values)
    enrolment_ids = set(
        session.cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN).values_list("pk", flat=True)
    )
    if session.date > timezone.localdate():
        raise ValidationError(_("Pertemuan ini baru pada %(day)s; kehadiran dicatat pada hari itu atau sesudahnya.")
                              % {"day": session.date.strftime("%d-%m-%Y")})
    marks = {int(k): v for k, v in marks.items() if v}
    unknown = set(marks) - enrolment_ids
    bad = {v for v in marks.values() if v not in valid}
    if unknown or bad:
        raise ValidationError(_("Data kehadiran tidak valid."))
    now = timezone.now()
    with transaction.atomic():
        existing = {a.enrolment_id: a for a in session.attendance.filter(enrolment_id__in=marks)}
        to_update, to_create = [], []
        for enrolment_id, mark in marks.items():
            row = existing.get(enrolment_id)
            if row is None:
                to_create.append(Attendance(enrolment_id=enrolment_id, session=session, mark=mark,
                                            recorded_by=user, recorded_at=now))
            elif row.mark != mark:
                row.mark, row.recorded_by, row.recorded_at = mark, user, now
                to_update.append(row)
        Attendance.objects.bulk_create(to_create)
        Attendance.objects.bulk_update(to_update, ["mark", "recorded_by", "recorded_at"])
        if not session.held:
            session.held = True
            session.save(update_fields=["held"])
        log(session, "sigap.attendance", user=user, data={"rows": len(to_create) + len(to_update)})
    return len(to_create) + len(to_update)


def attendance_pct(present: int, excused: int, held: int) -> Decimal:
    """Present sessions over held sessions, where documented excused absences (izin) leave the denominator.

    Someone excused for every held session has 0 % (nothing attended)."""
    counted = held - excused
    if counted <= 0:
        return Decimal("0.00")
    return (Decimal(present) * 100 / counted).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def last_session_day(cohort: Cohort) -> datetime.date:
    """The day of the class's last meeting: its last session, or its end date when it has none."""
    last = cohort.sessions.order_by("-date").values_list("date", flat=True).first()
    return max(last, cohort.end_date) if last else cohort.end_date


def complete_cohort(cohort: Cohort, user, early_reason: str = "") -> dict[str, int]:
    """Apply the completion rule to every active participant and close the class (once: awards build on it).

    Not before the last meeting's day: a class closed early (a venue lost, a force majeure) needs the
    reason, which is logged with the closing."""
    if cohort.status == Cohort.Status.COMPLETED:
        raise ValidationError(_("Kelas sudah diselesaikan."))
    last_day = last_session_day(cohort)
    early_reason = (early_reason or "").strip()
    if timezone.localdate() < last_day and not early_reason:
        raise ValidationError({"early_reason": _(
            "Pertemuan terakhir kelas ini %(day)s. Untuk menyelesaikan lebih awal, tulis alasannya."
        ) % {"day": last_day.strftime("%d-%m-%Y")}})
    held = cohort.sessions.filter(held=True).count()
    rows = (
        cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN)
        .annotate(
            n_present=Count("attendance", filter=Q(attendance__mark="present", attendance__session__held=True)),
            n_excused=Count("attendance", filter=Q(attendance__mark="excused", attendance__session__held=True)),
        )
    )
    counts = {"completed": 0, "not_completed": 0}
    with transaction.atomic():
        changed = []
        for enrolment in rows:
            pct = attendance_pct(enrolment.n_present, enrolment.n_excused, held)
            passed = (
                pct >= cohort.min_attendance_pct
                and enrolment.final_score is not None
                and enrolment.final_score >= cohort.min_final_score
            )
            enrolment.attendance_pct = pct
            enrolment.status = Enrolment.Status.COMPLETED if passed else Enrolment.Status.NOT_COMPLETED
            counts[enrolment.status] += 1
            changed.append(enrolment)
        Enrolment.objects.bulk_update(changed, ["attendance_pct", "status"])
        cohort.status = Cohort.Status.COMPLETED
        cohort.save(update_fields=["status"])
        log(cohort, "sigap.cohort.complete", user=user,
            data={**counts, **({"early_reason": early_reason[:255]} if early_reason else {})})
    return counts


def save_scores(cohort: Cohort, scores: Mapping[int, int | None], user) -> None:
    """Final assessment scores for a class, in one transaction."""
    rows = list(cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN).filter(pk__in=scores))
    for row in rows:
        value = scores[row.pk]
        if value is not None and not 0 <= int(value) <= 100:
            raise ValidationError(_("Nilai harus 0 sampai 100."))
        row.final_score = value
    with transaction.atomic():
        Enrolment.objects.bulk_update(rows, ["final_score"])
        log(cohort, "sigap.scores", user=user, data={"rows": len(rows)})


# --- Ranking and top-3 proposals --------------------------------------------------------------


def interview_weighted_score(interview: Interview | None, intake) -> Decimal:
    """Weighted mean of the rubric with the intake's weights (0 when there is no scored interview)."""
    if interview is None:
        return Decimal("0")
    pairs = [
        (interview.score_motivation, intake.weight_motivation),
        (interview.score_readiness, intake.weight_readiness),
        (interview.score_business_potential, intake.weight_business_potential),
        (interview.score_household_need, intake.weight_household_need),
    ]
    pairs = [(s, w) for s, w in pairs if s is not None]
    total_weight = sum(w for _s, w in pairs)
    if not total_weight:
        return Decimal("0")
    return (Decimal(sum(s * w for s, w in pairs)) / total_weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class RankRow:
    enrolment: Enrolment
    final_score: int
    attendance: Decimal
    interview_score: Decimal
    submitted_at: datetime.datetime
    place: int = 0
    reason: str = ""
    tied: bool = False

    @property
    def key(self):
        return (-self.final_score, -self.attendance, -self.interview_score, self.submitted_at)


@dataclass
class Ranking:
    rows: list[RankRow]
    tie_at_third: bool
    tied: list[RankRow]

    @property
    def decided(self) -> list[RankRow]:
        """Places 1-3 that the rule decided on its own (excluding a tie that reaches place 3)."""
        return [r for r in self.rows[:3] if not r.tied]


def _reason(row: RankRow, other: RankRow | None, above: bool) -> str:
    if other is None:
        return _("Satu-satunya peserta lulus.") if not above else ""
    word = _("lebih tinggi dari") if not above else _("lebih rendah dari")
    if row.final_score != other.final_score:
        return _("Nilai akhir %(a)s, %(w)s peringkat %(p)s (%(b)s).") % {
            "a": row.final_score, "w": word, "p": other.place, "b": other.final_score}
    if row.attendance != other.attendance:
        return _("Nilai akhir sama; kehadiran %(a)s%%, %(w)s peringkat %(p)s (%(b)s%%).") % {
            "a": row.attendance, "w": word, "p": other.place, "b": other.attendance}
    if row.interview_score != other.interview_score:
        return _("Nilai dan kehadiran sama; skor wawancara %(a)s, %(w)s peringkat %(p)s (%(b)s).") % {
            "a": row.interview_score, "w": word, "p": other.place, "b": other.interview_score}
    if row.submitted_at != other.submitted_at:
        return _("Nilai, kehadiran dan wawancara sama; mendaftar lebih %(w)s dari peringkat %(p)s.") % {
            "w": _("awal") if not above else _("akhir"), "p": other.place}
    return _("Sama persis dengan peringkat %(p)s: perlu keputusan petugas.") % {"p": other.place}


def rank_cohort(cohort: Cohort) -> Ranking:
    """Rank completed participants: final score, attendance, interview score, earlier application.

    A group equal on every key that reaches place 3 is flagged for a human decision."""
    intake = cohort.intake
    enrolments = list(
        cohort.enrolments.filter(status=Enrolment.Status.COMPLETED)
        .select_related("application__applicant")
        .prefetch_related("application__interviews")
    )
    rows = []
    for e in enrolments:
        accepted = [i for i in e.application.interviews.all() if i.decision == Interview.Decision.ACCEPT]
        accepted.sort(key=lambda i: (i.recorded_at or i.scheduled_at))
        rows.append(RankRow(
            enrolment=e, final_score=e.final_score or 0, attendance=e.attendance_pct or Decimal("0"),
            interview_score=interview_weighted_score(accepted[-1] if accepted else None, intake),
            submitted_at=e.application.submitted_at,
        ))
    rows.sort(key=lambda r: r.key)
    for i, row in enumerate(rows):
        row.place = i + 1
        if i > 0 and rows[i - 1].key == row.key:
            row.place = rows[i - 1].place  # equal on every key: same place
    for i, row in enumerate(rows):
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        prev = rows[i - 1] if i > 0 else None
        row.reason = _reason(row, nxt, above=False) if nxt else _reason(row, prev, above=True)
    tied: list[RankRow] = []
    if len(rows) > 3 and rows[2].key == rows[3].key:
        tied = [r for r in rows if r.key == rows[2].key]
        for r in tied:
            r.tied = True
    return Ranking(rows=rows, tie_at_third=bool(tied), tied=tied)


def propose_top3(cohort: Cohort, user, package: CapitalPackage, tie_picks: Iterable[int] = ()) -> list[CapitalAward]:
    """Award proposals for places 1-3. With a tie at place 3, only the untied places are proposed until
    an editor picks from the tied participants (`tie_picks` enrolment ids)."""
    if cohort.status != Cohort.Status.COMPLETED:
        raise ValidationError(_("Kelas belum selesai."))
    if package.program_id != cohort.program_id:
        raise ValidationError(_("Paket bukan untuk program kelas ini."))
    ranking = rank_cohort(cohort)
    chosen = list(ranking.decided)
    picks = [int(p) for p in tie_picks]
    if picks:
        tied_by_id = {r.enrolment.pk: r for r in ranking.tied}
        if not ranking.tie_at_third or any(p not in tied_by_id for p in picks):
            raise ValidationError(_("Pilihan harus dari peserta yang nilainya sama di peringkat 3."))
        if len(chosen) + len(picks) > 3:
            raise ValidationError(_("Terlalu banyak peserta dipilih untuk sisa peringkat."))
        for p in picks:
            row = tied_by_id[p]
            row.reason = _("Dipilih petugas dari peserta dengan nilai sama persis.")
            chosen.append(row)
    awards_here = CapitalAward.objects.filter(enrolment__cohort=cohort)
    live = set(awards_here.exclude(state=CapitalAward.State.CANCELLED).values_list("enrolment_id", flat=True))
    cancelled = {
        a.enrolment_id: a for a in awards_here.filter(state=CapitalAward.State.CANCELLED).order_by("cancelled_at")
    }
    if len(live) >= 3:
        raise ValidationError(_("Kelas ini sudah diusulkan: %(n)s usulan modal usaha masih berjalan.")
                              % {"n": len(live)})
    if cancelled:
        # A cancelled award frees its place: the next ranked graduate who never had one is proposed,
        # and the reason names whom they replace.
        chosen = _replacements(ranking, live, cancelled)
    awards = []
    for place, row in enumerate(chosen, start=1):
        if row.enrolment.pk in live or row.enrolment.pk in cancelled:
            continue
        awards.append(CapitalAward.propose(user=user, package=package, enrolment=row.enrolment,
                                           place=row.place if cancelled else place, reason=row.reason))
    if not awards:
        raise ValidationError(_("Tidak ada lulusan berikutnya yang bisa diusulkan."))
    return awards


def _replacements(ranking: Ranking, live: set[int], cancelled: dict) -> list[RankRow]:
    """Rows to propose after cancellations: ranked graduates with no award at all, until three are live."""
    free = [r for r in ranking.rows if r.enrolment.pk not in live and r.enrolment.pk not in cancelled]
    replaced = [a for a in cancelled.values() if a.enrolment_id not in live]
    chosen = []
    for row in free[: max(0, 3 - len(live))]:
        gone = replaced.pop(0) if replaced else None
        if gone is not None:
            row.reason = _("Peringkat %(p)s berikutnya; menggantikan %(name)s (dibatalkan: %(why)s).") % {
                "p": row.place, "name": gone.enrolment.application.applicant.full_name, "why": gone.cancelled_reason}
        chosen.append(row)
    return chosen


# --- KUB --------------------------------------------------------------------------------------


def form_group(*, intake, name: str, business_type: str, kelurahan, enrolments: list[Enrolment], chair: Enrolment,
               user) -> BusinessGroup:
    """Create a KUB of graduates within the configured size bounds; each person in one active group only."""
    low, high = settings.KUB_MIN_MEMBERS, settings.KUB_MAX_MEMBERS
    ids = {e.pk for e in enrolments}
    if not low <= len(ids) <= high:
        raise ValidationError(_("KUB harus beranggotakan %(low)s sampai %(high)s orang.") % {"low": low, "high": high})
    if chair.pk not in ids:
        raise ValidationError({"chair": _("Ketua harus salah satu anggota.")})
    members = list(Enrolment.objects.filter(pk__in=ids).select_related("application", "cohort"))
    if any(m.status != Enrolment.Status.COMPLETED for m in members):
        raise ValidationError(_("Anggota KUB harus lulusan pelatihan."))
    if any(m.cohort.intake_id != intake.pk for m in members):
        raise ValidationError(_("Semua anggota harus dari gelombang yang sama."))
    try:
        with transaction.atomic():
            group = BusinessGroup.objects.create(
                intake=intake, name=name, business_type=business_type, kelurahan=kelurahan, chair=chair
            )
            GroupMembership.objects.bulk_create([
                GroupMembership(group=group, enrolment=m, applicant_id=m.application.applicant_id) for m in members
            ])
            log(group, "sigap.group.form", user=user, data={"members": len(members)})
    except IntegrityError as exc:
        raise ValidationError(_("Ada anggota yang sudah tergabung di KUB aktif lain, atau nama KUB sudah dipakai.")) \
            from exc
    return group


def leave_group(membership: GroupMembership, user) -> None:
    """End a membership (keeps the history). A group below the minimum stays visible for the editor."""
    membership.active, membership.left_at = False, timezone.now()
    with transaction.atomic():
        membership.save(update_fields=["active", "left_at"])
        log(membership.group, "sigap.group.leave", user=user, data={"enrolment": membership.enrolment_id})


# --- Follow-ups -------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class DueFollowUp:
    enrolment: Enrolment
    milestone: int
    due_on: datetime.date
    record: FollowUp | None


def due_followups(year: int, month: int, scope=None) -> list[DueFollowUp]:
    """Follow-ups falling due in a month, computed from class end dates (no rows created in advance).

    Two queries: graduates whose class ended 3, 6 or 12 months before the month, and their records.
    `scope(queryset)` narrows the graduates (the user's access scope, applied in SQL)."""
    first = datetime.date(year, month, 1)
    windows = {}
    cond = Q()
    for m in FollowUp.Milestone.values:
        start = add_months(first, -m)
        # end dates in [start, start + 1 month) give due dates in the month (day clamped at month end)
        end = add_months(start, 1)
        windows[m] = (start, end)
        cond |= Q(cohort__end_date__gte=start, cohort__end_date__lt=end)
    graduates = (
        Enrolment.objects.filter(cond, status=Enrolment.Status.COMPLETED)
        .select_related("cohort", "application__applicant__kelurahan")
        .prefetch_related("followups")
        .order_by("cohort__end_date", "application__applicant__full_name")
    )
    graduates = list(scope(graduates) if scope is not None else graduates)
    due = []
    for e in graduates:
        records = {f.milestone: f for f in e.followups.all()}
        for m, (start, end) in windows.items():
            if start <= e.cohort.end_date < end:
                due.append(DueFollowUp(e, m, add_months(e.cohort.end_date, m), records.get(m)))
    due.sort(key=lambda d: (d.due_on, d.milestone))
    return due


FOLLOWUP_EARLY_DAYS = 14  # a graduate reached a little before the due day still counts for that milestone


def followup_opens_on(enrolment: Enrolment, milestone: int) -> datetime.date:
    return add_months(enrolment.cohort.end_date, milestone) - datetime.timedelta(days=FOLLOWUP_EARLY_DAYS)


def record_followup(enrolment: Enrolment, milestone: int, user, **answers) -> FollowUp:
    if enrolment.status != Enrolment.Status.COMPLETED:
        raise ValidationError(_("Tindak lanjut hanya untuk lulusan."))
    opens = followup_opens_on(enrolment, milestone)
    if timezone.localdate() < opens:
        raise ValidationError(_(
            "Tindak lanjut %(m)s bulan jatuh tempo %(due)s; bisa dicatat mulai %(opens)s."
        ) % {"m": milestone, "due": add_months(enrolment.cohort.end_date, milestone).strftime("%d-%m-%Y"),
             "opens": opens.strftime("%d-%m-%Y")})
    with transaction.atomic():
        record, _created = FollowUp.objects.update_or_create(
            enrolment=enrolment, milestone=milestone, defaults={**answers, "recorded_by": user}
        )
        log(record, "sigap.followup", user=user, data={"milestone": milestone})
    return record
