"""seed_demo builds the whole funnel (register, eligibility, interviews, decisions, delivery) idempotently."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Count

from applicants.enums import ApplicationStatus
from applicants.models import Application, Interview, WelfareImportBatch
from applicants.workflow import TransitionError

# Rows that record when something happened rather than what the demo holds.
VOLATILE = {"sessions.session", "wagtailusers.userprofile"}


def _counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model.objects.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in VOLATILE
    }


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_rows_in_every_model_and_fills_every_funnel_status():
    _seed()
    first = _counts()
    statuses_first = dict(Application.objects.values_list("status").annotate(n=Count("pk")))
    _seed()
    assert _counts() == first
    assert dict(Application.objects.values_list("status").annotate(n=Count("pk"))) == statuses_first

    # Every step of the funnel shows on the demo screens.
    assert set(statuses_first) == set(ApplicationStatus.values)
    assert 280 <= first["applicants.applicant"] <= 320
    assert WelfareImportBatch.objects.filter(state="current").count() == 1
    assert first["applicants.welfarerecord"] > 0.7 * first["applicants.applicant"]
    assert first["applicants.welfarerejection"] >= 1
    interviews = Interview.objects.all()
    assert set(interviews.values_list("interviewer__username", flat=True)) == {"pewawancara"}
    assert {"scheduled", "came", "no_show"} <= set(interviews.values_list("attendance", flat=True))
    # Decisions came from recorded interviews: every accepted/waitlisted/enrolled one has an outcome.
    decided = Application.objects.filter(status__in=["accepted", "waitlisted", "enrolled", "interviewed"])
    assert not decided.exclude(interviews__attendance="came").exists()
    assert not Application.objects.filter(status="rejected", decision_reason="").exists()
    for label in ("programs.cohort", "applicants.enrolment", "applicants.capitalaward", "applicants.businessgroup"):
        assert first[label] > 0, label


@pytest.mark.django_db
def test_demo_statuses_cannot_be_set_by_assignment():
    """The guard the demo relies on: only workflow methods move a status."""
    from applicants.intake.demo import seed_applicants

    seed_applicants(3, status="submitted")
    application = Application.objects.first()
    application.status = ApplicationStatus.ACCEPTED
    with pytest.raises(TransitionError):
        application.save()


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_under_production_settings(settings, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "portal.settings.production")
    settings.SETTINGS_MODULE = "portal.settings.production"
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Application.objects.exists()
