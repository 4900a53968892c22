"""Ranking a completed class and proposing capital awards for places 1-3 (ties at place 3 go to a person)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from applicants.models import Applicant, CapitalAward, Enrolment, Interview
from programs.models import CapitalPackage, Cohort


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
        return _("The only participant who passed.") if not above else ""
    word = _("higher than") if not above else _("lower than")
    if row.final_score != other.final_score:
        return _("Final score %(a)s, %(w)s rank %(p)s (%(b)s).") % {
            "a": row.final_score, "w": word, "p": other.place, "b": other.final_score}
    if row.attendance != other.attendance:
        return _("Same final score; attendance %(a)s%%, %(w)s rank %(p)s (%(b)s%%).") % {
            "a": row.attendance, "w": word, "p": other.place, "b": other.attendance}
    if row.interview_score != other.interview_score:
        return _("Same score and attendance; interview score %(a)s, %(w)s rank %(p)s (%(b)s).") % {
            "a": row.interview_score, "w": word, "p": other.place, "b": other.interview_score}
    if row.submitted_at != other.submitted_at:
        return _("Same score, attendance and interview; applied %(w)s than rank %(p)s.") % {
            "w": _("earlier") if not above else _("later"), "p": other.place}
    return _("Exactly tied with rank %(p)s: a staff decision is needed.") % {"p": other.place}


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
    # The places still to fill: 1-3, or after cancellations the free places among graduates who never
    # had an award. A group equal on every key across the last free place goes to a person.
    live, cancelled = _award_holders(cohort)
    if cancelled:
        candidates = [r for r in rows if r.enrolment.pk not in live and r.enrolment.pk not in cancelled]
        tied = _boundary_tie(candidates, 3 - len(live))
    else:
        tied = _boundary_tie(rows, 3)
    for r in tied:
        r.tied = True
    return Ranking(rows=rows, tie_at_third=bool(tied), tied=tied)


def _award_holders(cohort: Cohort) -> tuple[set[int], set[int]]:
    """Enrolment ids with a live award, and those whose only awards were cancelled."""
    live, cancelled = set(), set()
    for enrolment_id, state in CapitalAward.objects.filter(enrolment__cohort=cohort).values_list(
            "enrolment_id", "state"):
        (cancelled if state == CapitalAward.State.CANCELLED else live).add(enrolment_id)
    return live, cancelled - live


def _boundary_tie(rows: list[RankRow], slots: int) -> list[RankRow]:
    if slots <= 0 or len(rows) <= slots or rows[slots - 1].key != rows[slots].key:
        return []
    return [r for r in rows if r.key == rows[slots - 1].key]


def propose_top3(cohort: Cohort, user, package: CapitalPackage, tie_picks: Iterable[int] = (),
                 second_award_reasons: dict[int, str] | None = None) -> list[CapitalAward]:
    """Award proposals for places 1-3. With a tie at place 3, only the untied places are proposed until
    an editor picks from the tied participants (`tie_picks` enrolment ids). A graduate whose household
    already has a package needs an override reason in `second_award_reasons` (enrolment id -> reason);
    without one the whole set is refused, the error keyed `second_award_reason-<enrolment id>`."""
    if cohort.status != Cohort.Status.COMPLETED:
        raise ValidationError(_("The class has not finished yet."))
    if package.program_id != cohort.program_id:
        raise ValidationError(_("The package is not for this class's program."))
    ranking = rank_cohort(cohort)
    picked: list[RankRow] = []
    picks = [int(p) for p in tie_picks]
    if picks:
        tied_by_id = {r.enrolment.pk: r for r in ranking.tied}
        if not ranking.tie_at_third or any(p not in tied_by_id for p in picks):
            raise ValidationError(_("The choice must be among the participants tied at rank 3."))
        for p in dict.fromkeys(picks):
            row = tied_by_id[p]
            row.reason = _("Chosen by staff among exactly tied participants.")
            picked.append(row)
    awards_here = CapitalAward.objects.filter(enrolment__cohort=cohort)
    live = set(awards_here.exclude(state=CapitalAward.State.CANCELLED).values_list("enrolment_id", flat=True))
    cancelled = {
        a.enrolment_id: a for a in awards_here.filter(state=CapitalAward.State.CANCELLED).order_by("cancelled_at")
    }
    if len(live) >= 3:
        raise ValidationError(_("This class has already been proposed: %(n)s "
                                "business capital proposals are still open.")
                              % {"n": len(live)})
    if cancelled:
        # A cancelled award frees its place: the next ranked graduate who never had one is proposed,
        # and the reason names whom they replace.
        chosen = _replacements(ranking, live, cancelled, picked)
    else:
        chosen = list(ranking.decided) + picked
        if len(chosen) > 3:
            raise ValidationError(_("Too many participants selected for the remaining ranks."))
    to_propose = [
        (row.place if cancelled else place, row) for place, row in enumerate(chosen, start=1)
        if row.enrolment.pk not in live and row.enrolment.pk not in cancelled
    ]
    if not to_propose and ranking.tie_at_third:
        raise ValidationError(_("The next graduates are equal on every criterion: choose among those "
                                "marked ⚠ before proposing."))
    if not to_propose:
        raise ValidationError(_("There is no next graduate to propose."))
    # Checked for all before any is written: a restricted person among the three refuses the whole set.
    Applicant.ensure_processing_allowed_for(row.enrolment.application.applicant_id for _place, row in to_propose)
    reasons = second_award_reasons or {}
    errors, awards = {}, []
    with transaction.atomic():
        for place, row in to_propose:
            try:
                awards.append(CapitalAward.propose(
                    user=user, package=package, enrolment=row.enrolment, place=place, reason=row.reason,
                    second_award_reason=reasons.get(row.enrolment.pk, ""),
                ))
            except ValidationError as exc:
                if not hasattr(exc, "error_dict") or "second_award_reason" not in exc.error_dict:
                    raise
                name = row.enrolment.application.applicant.full_name
                errors[f"second_award_reason-{row.enrolment.pk}"] = [
                    f"{name}: {message}" for message in exc.message_dict["second_award_reason"]
                ]
        if errors:
            raise ValidationError(errors)  # rolls back the proposals of this set
    return awards


def _replacements(ranking: Ranking, live: set[int], cancelled: dict, picked: list[RankRow]) -> list[RankRow]:
    """Rows to propose after cancellations: ranked graduates with no award at all, until three are live.

    A tie across the last free place is never broken by list order: only the places above it are
    filled, plus the graduates an editor picked from the tie."""
    free = [r for r in ranking.rows if r.enrolment.pk not in live and r.enrolment.pk not in cancelled]
    slots = max(0, 3 - len(live))
    rows = [r for r in free[:slots] if not r.tied] + picked
    if len(rows) > slots:
        raise ValidationError(_("Too many participants selected for the remaining ranks."))
    replaced = [a for a in cancelled.values() if a.enrolment_id not in live]
    chosen = []
    for row in rows:
        gone = replaced.pop(0) if replaced else None
        if gone is not None:
            row.reason = _("Next at rank %(p)s; replaces %(name)s (cancelled: %(why)s).") % {
                "p": row.place, "name": gone.enrolment.application.applicant.full_name, "why": gone.cancelled_reason}
        chosen.append(row)
    return chosen
