"""Retention never anonymises people who took part in training under the not-enrolled rule (graduates,
dropouts), only after the archive period."""

import datetime

import pytest
from django.utils import timezone

from applicants.enums import ApplicationStatus
from applicants.models import Applicant, Application, Enrolment
from applicants.privacy.retention import apply_retention
from tests.factories import ApplicantFactory, ApplicationFactory, CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def ago(years):
    return NOW - datetime.timedelta(days=365 * years + 10)


@pytest.fixture
def trained(settings):
    settings.RETENTION_NOT_ENROLLED_YEARS = 2
    settings.RETENTION_ARCHIVE_YEARS = 10
    cohort = CohortFactory()

    def person(name, submitted, application_status, enrolment_status=None):
        application = ApplicationFactory(
            applicant=ApplicantFactory(full_name=name), intake=cohort.intake, program=cohort.program,
            status=application_status, submitted_at=submitted,
        )
        if enrolment_status:
            EnrolmentFactory(cohort=cohort, application=application, status=enrolment_status)
        return application.applicant

    return {
        "graduate": person("Lulusan", ago(4), ApplicationStatus.ENROLLED, Enrolment.Status.COMPLETED),
        "not_passed": person("Tidak Lulus", ago(4), ApplicationStatus.ENROLLED, Enrolment.Status.NOT_COMPLETED),
        "dropout": person("Mundur", ago(4), ApplicationStatus.WITHDRAWN, Enrolment.Status.WITHDRAWN),
        "never_trained": person("Ditolak", ago(4), ApplicationStatus.REJECTED),
        "old_graduate": person("Lulusan Lama", ago(11), ApplicationStatus.ENROLLED, Enrolment.Status.COMPLETED),
    }


def _anonymised():
    return set(Applicant.objects.filter(anonymised_at__isnull=False).values_list("full_name", flat=True))


def test_people_placed_in_a_class_are_kept_past_the_not_enrolled_period(trained):
    report = apply_retention(now=NOW)
    assert report.not_enrolled == 1
    assert Applicant.objects.get(pk=trained["never_trained"].pk).anonymised_at is not None
    kept = {"graduate", "not_passed", "dropout"}
    assert not Applicant.objects.filter(pk__in=[trained[k].pk for k in kept], anonymised_at__isnull=False).exists()


def test_graduates_are_anonymised_only_by_the_archive_rule(trained):
    report = apply_retention(now=NOW)
    assert report.archived == 1
    assert Applicant.objects.get(pk=trained["old_graduate"].pk).anonymised_at is not None
    # The enrolment and application rows stay, so "participants trained" stays true.
    assert Enrolment.objects.filter(application__applicant=trained["old_graduate"],
                                    status=Enrolment.Status.COMPLETED).exists()
    assert Application.objects.filter(applicant=trained["old_graduate"]).count() == 1
