"""The graduation board: what became of each round's graduates, per kelurahan, with the evidence named.

"Left bansos" is never one number: a graduate counts as left by self-report (their latest follow-up
answer), by the register (an earlier import listed them with bansos, the latest one without), or
both; a graduate with neither a follow-up answer nor register evidence is unknown. Counts are over
the graduates the user's access policy reaches (applicants.privacy.access).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.delivery.services.followups import add_months
from applicants.models import Enrolment, FollowUp, RegisterOutcomeCheck
from applicants.privacy import access

LEFT_BOTH = "both"
LEFT_REGISTER = "register"
LEFT_SELF_REPORT = "self_report"
NOT_LEFT = "not_left"
UNKNOWN = "unknown"
EVIDENCE_LABELS = {
    LEFT_BOTH: _("Off bansos: self-report and register"),
    LEFT_REGISTER: _("Off bansos: verified by register"),
    LEFT_SELF_REPORT: _("Off bansos: self-report only"),
    NOT_LEFT: _("Still receiving bansos"),
    UNKNOWN: _("Unknown (not yet reached, no register evidence)"),
}
MILESTONES = [m.value for m in FollowUp.Milestone]
WORKING = {FollowUp.Working.EMPLOYED, FollowUp.Working.OWN_BUSINESS}


def self_report(answer) -> bool | None:
    """A follow-up's "still receiving bansos" answer as True/False, None when not asked: accepts a
    boolean field or a yes/no/not-asked choice."""
    if answer in (True, "yes", "ya"):
        return True
    if answer in (False, "no", "tidak"):
        return False
    return None


def left_bansos_evidence(self_reported_receiving: bool | None, register_receiving: Iterable[bool | None]) -> str:
    """The evidence category of one graduate.

    `self_reported_receiving`: the latest follow-up's answer (None: never reached). `register_receiving`:
    the graduate's register checks, oldest first (None where the extract had no bansos column)."""
    known = [value for value in register_receiving if value is not None]
    register_left = bool(known) and known[-1] is False and any(known[:-1])
    self_left = self_reported_receiving is False
    if register_left and self_left:
        return LEFT_BOTH
    if register_left:
        return LEFT_REGISTER
    if self_left:
        return LEFT_SELF_REPORT
    if self_reported_receiving is True or (known and known[-1] is True):
        return NOT_LEFT
    return UNKNOWN


@dataclass
class BoardRow:
    intake: str
    kelurahan: str
    graduates: int = 0
    due: dict = field(default_factory=lambda: dict.fromkeys(MILESTONES, 0))
    reached: dict = field(default_factory=lambda: dict.fromkeys(MILESTONES, 0))
    working: int = 0
    business_running: int = 0
    income: dict = field(default_factory=lambda: dict.fromkeys(FollowUp.IncomeBand.values, 0))
    evidence: dict = field(default_factory=lambda: dict.fromkeys(EVIDENCE_LABELS, 0))
    # Capital assets: graduates whose latest follow-up that asked about the asset says it is in use,
    # over those whose asset state was recorded at all (a graduate never asked is not counted as lost).
    asset_in_use: int = 0
    asset_reported: int = 0

    def reach_share(self, milestone: int) -> float | None:
        """Share of graduates whose follow-up is due that were actually reached (None: none due yet)."""
        due = self.due[milestone]
        return self.reached[milestone] / due if due else None

    def milestone_cells(self) -> list[tuple[int, int, int, str]]:
        """(milestone, due, reached, share as text) for the board's table."""
        return [(m, self.due[m], self.reached[m],
                 "–" if self.reach_share(m) is None else f"{round(self.reach_share(m) * 100)} %")
                for m in MILESTONES]

    def asset_cell(self) -> str:
        """"in use / reported (share)" for the board's table."""
        if not self.asset_reported:
            return "–"
        return f"{self.asset_in_use} / {self.asset_reported} ({round(self.asset_in_use * 100 / self.asset_reported)} %)"

    def income_cells(self) -> list[int]:
        return [self.income.get(value, 0) for value in FollowUp.IncomeBand.values]

    def evidence_cells(self) -> list[int]:
        return [self.evidence[key] for key in EVIDENCE_LABELS]

    def add(self, other: BoardRow) -> None:
        self.graduates += other.graduates
        self.working += other.working
        self.business_running += other.business_running
        self.asset_in_use += other.asset_in_use
        self.asset_reported += other.asset_reported
        for target, source in ((self.due, other.due), (self.reached, other.reached),
                               (self.income, other.income), (self.evidence, other.evidence)):
            for key, value in source.items():
                target[key] += value


def graduation_board(user, intake_id: int | None = None, today: datetime.date | None = None
                     ) -> tuple[list[BoardRow], BoardRow]:
    """Rows per (round, kelurahan) and the total. Three queries, whatever the number of graduates."""
    today = today or timezone.localdate()
    graduates = access.enrolments.scope(user, Enrolment.objects.filter(status=Enrolment.Status.COMPLETED))
    if intake_id:
        graduates = graduates.filter(cohort__intake_id=intake_id)
    people = list(graduates.values_list(
        "pk", "cohort__intake__name", "application__applicant__kelurahan__name", "cohort__end_date",
    ).order_by("cohort__intake__year", "cohort__intake__name", "application__applicant__kelurahan__name"))
    ids = [row[0] for row in people]
    followups = defaultdict(dict)
    assets = defaultdict(dict)
    for enrolment_id, milestone, working, business, income, receiving, asset in FollowUp.objects.filter(
        enrolment_id__in=ids
    ).values_list("enrolment_id", "milestone", "working_status", "business_running", "income_band",
                  "receiving_bansos", "asset_state").iterator(chunk_size=2000):
        followups[enrolment_id][milestone] = (working, business, income, receiving)
        if asset:
            assets[enrolment_id][milestone] = asset
    checks = defaultdict(list)
    for enrolment_id, receives in RegisterOutcomeCheck.objects.filter(enrolment_id__in=ids).order_by(
        "as_of", "pk"
    ).values_list("enrolment_id", "receives_bansos").iterator(chunk_size=2000):
        checks[enrolment_id].append(receives)

    rows: dict[tuple[str, str], BoardRow] = {}
    for pk, intake_name, kelurahan_name, end_date, in people:
        row = rows.setdefault((intake_name, kelurahan_name), BoardRow(intake_name, kelurahan_name or "–"))
        row.graduates += 1
        answers = followups.get(pk, {})
        for milestone in MILESTONES:
            if add_months(end_date, milestone) <= today:
                row.due[milestone] += 1
                row.reached[milestone] += milestone in answers
        latest = answers[max(answers)] if answers else None
        if latest:
            working, business, income, _receiving = latest
            row.working += working in WORKING
            row.business_running += bool(business)
            row.income[income] = row.income.get(income, 0) + 1
        asset_states = assets.get(pk)
        if asset_states:
            row.asset_reported += 1
            row.asset_in_use += asset_states[max(asset_states)] == FollowUp.AssetState.IN_USE
        row.evidence[left_bansos_evidence(self_report(latest[3]) if latest else None, checks.get(pk, []))] += 1
    total = BoardRow(str(_("All")), "")
    for row in rows.values():
        total.add(row)
    return list(rows.values()), total


def register_fact_at(enrolment: Enrolment, day: datetime.date) -> RegisterOutcomeCheck | None:
    """What the register said about a graduate on `day`: the latest check of a batch as of that day."""
    return enrolment.register_checks.filter(as_of__lte=day).order_by("-as_of", "-pk").first()
