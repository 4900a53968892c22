"""Follow-ups of graduates at 3, 6 and 12 months after their class ended."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from applicants.models import Applicant, Enrolment, FollowUp


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
        raise ValidationError(_("Follow-ups are for graduates only."))
    Applicant.ensure_processing_allowed_for([enrolment.application.applicant_id])
    opens = followup_opens_on(enrolment, milestone)
    if timezone.localdate() < opens:
        raise ValidationError(_(
            "The %(m)s-month follow-up is due on %(due)s; it can be recorded from %(opens)s."
        ) % {"m": milestone, "due": add_months(enrolment.cohort.end_date, milestone).strftime("%d-%m-%Y"),
             "opens": opens.strftime("%d-%m-%Y")})
    with transaction.atomic():
        record, _created = FollowUp.objects.update_or_create(
            enrolment=enrolment, milestone=milestone, defaults={**answers, "recorded_by": user}
        )
        log(record, "sigap.followup", user=user, data={"milestone": milestone})
    return record
