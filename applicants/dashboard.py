"""Programme figures from the records: the per-intake funnel, kelurahan quotas, follow-up outcomes,
and the home-page figures. Aggregate queries only (a handful per panel, none per row).

Who sees the admin panel (docs/privacy.md): only users with `view_application` (comms never: no figure
below the kelurahan level for them). Every figure counts rows through the model's access policy
(applicants.privacy.access), so a user restricted to some kecamatan sees the figures of those kecamatan
only, like every list and export. `public_figures()` are city-wide totals for the public home page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applicants.enums import ApplicationStatus, Eligibility
from applicants.models import (
    Application,
    BusinessGroup,
    CapitalAward,
    Enrolment,
    FollowUp,
    GroupState,
    Interview,
    with_state,
)
from applicants.privacy import access
from programs.models import Intake, KelurahanQuota

FUNNEL_STEPS = [
    ("applied", _("Applied")),
    ("verified", _("Verified")),
    # the funnel's own word: the status label ("Sudah diwawancara") is longer than a bar's label
    ("interviewed", pgettext_lazy("dashboard funnel", "Interviewed")),
    ("accepted", _("Accepted")),
    ("enrolled", _("Joined a class")),
    ("completed", _("Passed")),
    ("awarded", _("Received capital")),
]
LIVE_AWARD_STATES = [CapitalAward.State.APPROVED, CapitalAward.State.HANDED_OVER]


@dataclass
class Bar:
    label: str
    value: int
    total: int

    @property
    def pct(self) -> float:
        return round(100 * self.value / self.total, 1) if self.total else 0.0

    @property
    def width(self) -> float:
        """Bar length on a 0-100 scale, capped so an over-quota bar stays inside the chart."""
        return min(self.pct, 100.0)


def funnel_by_intake(intakes=None, user=None) -> list[dict]:
    """One grouped query: each intake's counts for every funnel step (of `user`'s applications if given)."""
    enrolments = Enrolment.objects.filter(application=OuterRef("pk"))
    qs = (
        Application.objects.alias(
            _interviewed=Exists(Interview.objects.filter(application=OuterRef("pk"), attendance="came")),
            _enrolled=Exists(enrolments),
            _completed=Exists(enrolments.filter(status=Enrolment.Status.COMPLETED)),
            _awarded=Exists(CapitalAward.objects.filter(enrolment__application=OuterRef("pk"),
                                                        state__in=LIVE_AWARD_STATES)),
        )
        .values("intake")
        .annotate(
            applied=Count("pk"),
            verified=Count("pk", filter=Q(eligibility=Eligibility.VERIFIED) | Q(eligibility_override=True)),
            interviewed=Count("pk", filter=Q(_interviewed=True)),
            accepted=Count("pk", filter=Q(status__in=[ApplicationStatus.ACCEPTED, ApplicationStatus.ENROLLED])
                           | Q(_enrolled=True)),
            enrolled=Count("pk", filter=Q(_enrolled=True)),
            completed=Count("pk", filter=Q(_completed=True)),
            awarded=Count("pk", filter=Q(_awarded=True)),
        )
        .order_by()
    )
    if intakes is not None:
        qs = qs.filter(intake__in=intakes)
    if user is not None:
        qs = access.applications.scope(user, qs)
    counts = {row["intake"]: row for row in qs}
    intake_list = list(intakes) if intakes is not None else list(Intake.objects.filter(pk__in=counts))
    result = []
    for intake in intake_list:
        row = counts.get(intake.pk, {})
        total = row.get("applied", 0)
        result.append({
            "intake": intake,
            "bars": [Bar(str(label), row.get(key, 0), total) for key, label in FUNNEL_STEPS],
        })
    return result


def kelurahan_progress(intake: Intake, user=None) -> list[dict]:
    """Applications and enrolments per targeted kelurahan against its quota (two queries, three when
    `user` is limited to some kecamatan: then only their kelurahan are listed)."""
    quotas = KelurahanQuota.objects.filter(intake=intake).select_related("kelurahan__kecamatan")
    if user is not None:
        quotas = access.in_reach_area(user, quotas, "kelurahan__kecamatan_id")
    quotas = list(quotas)
    applications = Application.objects.filter(intake=intake)
    if user is not None:
        applications = access.applications.scope(user, applications)
    rows = (
        applications.filter(applicant__kelurahan__in=[q.kelurahan_id for q in quotas])
        .alias(_enrolled=Exists(Enrolment.objects.filter(application=OuterRef("pk"))))
        .values("applicant__kelurahan")
        .annotate(applied=Count("pk"), enrolled=Count("pk", filter=Q(_enrolled=True)))
        .order_by()
    )
    by_kel = {r["applicant__kelurahan"]: r for r in rows}
    return [
        {
            "kelurahan": q.kelurahan,
            "quota": q.quota,
            "bars": [
                Bar(str(_("Applicants")), by_kel.get(q.kelurahan_id, {}).get("applied", 0), q.quota),
                Bar(str(_("Participants")), by_kel.get(q.kelurahan_id, {}).get("enrolled", 0), q.quota),
            ],
        }
        for q in quotas
    ]


def followup_outcomes(user=None) -> list[dict]:
    """Per milestone: share working, share with a running business, share no longer on bansos (one query)."""
    followups = FollowUp.objects.all()
    if user is not None:
        followups = access.followups.scope(user, followups)
    rows = (
        followups.values("milestone")
        .annotate(
            n=Count("pk"),
            working=Count("pk", filter=~Q(working_status=FollowUp.Working.NOT_WORKING)),
            running=Count("pk", filter=Q(business_running=True)),
            off_bansos=Count("pk", filter=Q(receiving_bansos=False)),
        )
        .order_by("milestone")
    )
    return [
        {
            "milestone": FollowUp.Milestone(r["milestone"]).label,
            "n": r["n"],
            "bars": [
                Bar(str(_("Working / in business")), r["working"], r["n"]),
                Bar(str(_("Business running")), r["running"], r["n"]),
                Bar(str(_("No longer receiving bansos")), r["off_bansos"], r["n"]),
            ],
        }
        for r in rows
    ]


DORMANT_LISTED = 10


def dormant_groups(user=None) -> dict:
    """KUB groups that stopped reporting (state dormant), longest silent first, in one query: the
    count and the first `DORMANT_LISTED` of them with the month of their last reported meeting."""
    groups = with_state(BusinessGroup.objects.exclude(status=BusinessGroup.Status.DISSOLVED))
    if user is not None:
        groups = access.groups.scope(user, groups)
    rows = list(
        groups.filter(state=GroupState.DORMANT)
        .order_by(F("last_meeting").asc(nulls_first=True), "created_at", "pk")
        .values("pk", "name", "last_meeting", "kelurahan__name")
    )
    return {"count": len(rows), "rows": rows[:DORMANT_LISTED]}


def public_figures() -> dict[str, int]:
    """Home-page figures: participants trained, packages awarded (handed over), businesses running.

    'Businesses running' = graduates whose latest follow-up reports a running business."""
    latest = FollowUp.objects.filter(enrolment=OuterRef("pk")).order_by("-milestone")
    trained = Enrolment.objects.filter(status=Enrolment.Status.COMPLETED)
    return {
        "participants_trained": trained.count(),
        "packages_awarded": CapitalAward.objects.filter(state=CapitalAward.State.HANDED_OVER).count(),
        "businesses_running": trained.alias(
            _running=Subquery(latest.values("business_running")[:1])
        ).filter(_running=True).count(),
    }


def dashboard_context(max_intakes: int = 3, user=None) -> dict:
    """Everything the home-page panel shows, for the latest intakes, through `user`'s access policies
    (None: the command line and tests, every row)."""
    intakes = list(Intake.objects.order_by("-registration_opens")[:max_intakes])
    return {
        "funnels": funnel_by_intake(intakes, user),
        "kelurahan_intake": intakes[0] if intakes else None,
        "kelurahan_rows": kelurahan_progress(intakes[0], user) if intakes else [],
        "followups": followup_outcomes(user),
        "dormant_groups": dormant_groups(user),
        "restricted": user is not None and not access.sees_everything(user),
    }
