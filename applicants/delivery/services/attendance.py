"""Attendance grids, final scores and the completion rule of a class."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from applicants.models import Applicant, Attendance, Enrolment
from programs.models import Cohort, CohortSession


def save_attendance(session: CohortSession, marks: Mapping[int, str], user) -> int:
    """Save a whole session's grid in one transaction: {enrolment_id: mark}. Returns rows written."""
    valid = set(Attendance.Mark.values)
    enrolment_ids = set(
        session.cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN).values_list("pk", flat=True)
    )
    if session.date > timezone.localdate():
        raise ValidationError(_("This session is not until %(day)s; attendance is recorded on that day or later.")
                              % {"day": session.date.strftime("%d-%m-%Y")})
    marks = {int(k): v for k, v in marks.items() if v}
    unknown = set(marks) - enrolment_ids
    bad = {v for v in marks.values() if v not in valid}
    if unknown or bad:
        raise ValidationError(_("Invalid attendance data."))
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
        # Only rows that change are writes: an unchanged mark of a restricted person is no processing.
        changed_ids = [row.enrolment_id for row in to_create + to_update]
        Applicant.ensure_processing_allowed_for(
            Enrolment.objects.filter(pk__in=changed_ids).values_list("application__applicant_id", flat=True)
        )
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
        raise ValidationError(_("The class has already been completed."))
    last_day = last_session_day(cohort)
    early_reason = (early_reason or "").strip()
    if timezone.localdate() < last_day and not early_reason:
        raise ValidationError({"early_reason": _(
            "The last session of this class is on %(day)s. To complete it early, give a reason."
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
    frozen = set(
        Applicant.objects.filter(applications__enrolments__cohort=cohort)
        .filter(Q(processing_restricted=True) | Q(anonymised_at__isnull=False)).values_list("pk", flat=True)
    )
    with transaction.atomic():
        changed = []
        for enrolment in rows.select_related("application"):
            if enrolment.application.applicant_id in frozen:
                # Restricted (UU PDP) or anonymised: left as it was, reported, never silently completed.
                counts["restricted"] = counts.get("restricted", 0) + 1
                continue
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
    rows = list(cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN).filter(pk__in=scores)
                .select_related("application"))
    for row in rows:
        value = scores[row.pk]
        if value is not None and not 0 <= int(value) <= 100:
            raise ValidationError(_("The score must be between 0 and 100."))
    rows = [row for row in rows if row.final_score != scores[row.pk]]  # unchanged scores are no write
    Applicant.ensure_processing_allowed_for(row.application.applicant_id for row in rows)
    for row in rows:
        row.final_score = scores[row.pk]
    with transaction.atomic():
        Enrolment.objects.bulk_update(rows, ["final_score"])
        log(cohort, "sigap.scores", user=user, data={"rows": len(rows)})
