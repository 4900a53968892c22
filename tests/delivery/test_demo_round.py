"""seed_demo holds a round that ended over a year ago, so every follow-up milestone and every dashboard and
home-page figure has real numbers."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from applicants.dashboard import dashboard_context, public_figures
from applicants.models import BusinessGroup, Enrolment, FollowUp, GroupReport, GroupState, Interview, with_state
from applicants.selection import services as selection
from programs.models import Cohort


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_a_round_ended_over_a_year_ago_with_follow_ups_at_3_6_and_12_months():
    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    old = Cohort.objects.filter(status=Cohort.Status.COMPLETED, end_date__lt=today.replace(year=today.year - 1))
    assert old.exists()
    milestones = set(FollowUp.objects.filter(enrolment__cohort__in=old).values_list("milestone", flat=True))
    assert milestones == {3, 6, 12}
    figures = public_figures()
    assert figures["participants_trained"] and figures["packages_awarded"] and figures["businesses_running"]
    context = dashboard_context()
    assert all(f["n"] for f in context["followups"]) and len(context["followups"]) == 3
    # KUB groups are businesses: each has its plan and account, months of reports, and one stopped reporting.
    groups = with_state(BusinessGroup.objects.all())
    assert groups.exists() and not groups.filter(business_plan=None).exists() and not groups.filter(account=None)
    assert GroupReport.objects.values("group").distinct().count() == groups.count()
    assert groups.filter(state=GroupState.DORMANT).count() == 1 and groups.filter(state=GroupState.ACTIVE).exists()
    assert context["dormant_groups"]["count"] == 1
    assert not groups.filter(awards__state="approved").exclude(business_plan__isnull=False).exists()
    # The demo's history is in order: every outcome after its interview, every handover after its approval.
    assert not Interview.objects.exclude(recorded_at=None).filter(scheduled_at__gt=timezone.now()).exists()
    for enrolment in Enrolment.objects.filter(awards__state="handed_over").prefetch_related("awards"):
        for award in enrolment.awards.all():
            assert timezone.localdate(award.approved_at) <= award.handed_over_on <= today
    # The interviewer has interviews that already took place and await an outcome.
    due = Interview.objects.filter(attendance="scheduled", scheduled_at__lte=timezone.now())
    assert due.exists() and all(selection.can_record_outcome(i.interviewer, i) for i in due)
