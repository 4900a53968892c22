"""The demo's graduation step: certificates for closed classes and register checks, idempotent."""

import pytest

from applicants.graduation import demo
from applicants.models import Certificate, RegisterOutcomeCheck
from tests.factories import EnrolmentFactory, UserFactory, WelfareImportBatchFactory

pytestmark = pytest.mark.django_db


def test_demo_issues_certificates_and_checks_graduates_once():
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    EnrolmentFactory.create_batch(2, graduate=True)
    EnrolmentFactory(graduate=True, failed=True)
    WelfareImportBatchFactory()
    assert demo.seed() == {"certificates": 2, "register_checks": 2}
    assert demo.seed() == {"certificates": 0, "register_checks": 0}
    assert Certificate.objects.count() == 2 and RegisterOutcomeCheck.objects.count() == 2
