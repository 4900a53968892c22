"""The demo's graduation step: certificates for closed classes, asset states, register checks and a
later extract that makes some graduates register-verified leavers; idempotent."""

import datetime

import pytest
from django.utils import timezone

from applicants.graduation import demo
from applicants.graduation.board import LEFT_REGISTER, graduation_board
from applicants.models import Certificate, FollowUp, RegisterOutcomeCheck, WelfareImportBatch
from programs.models import Kelurahan
from tests.factories import (
    CapitalAwardFactory,
    EnrolmentFactory,
    FollowUpFactory,
    UserFactory,
    WelfareImportBatchFactory,
    WelfareRecordFactory,
)

pytestmark = pytest.mark.django_db


def test_demo_issues_certificates_and_checks_graduates_once():
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    EnrolmentFactory.create_batch(2, graduate=True)
    EnrolmentFactory(graduate=True, failed=True)
    WelfareImportBatchFactory()
    first = demo.seed()
    assert (first["certificates"], first["register_checks"]) == (2, 2)
    again = demo.seed()
    assert (again["certificates"], again["register_checks"], again["later_register_rows"]) == (0, 0, 0)
    assert Certificate.objects.count() == 2


def test_the_later_extract_makes_a_graduate_a_register_verified_leaver(monkeypatch):
    monkeypatch.setattr(demo, "LEFT_SHARE", 1.0)
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    graduate = EnrolmentFactory(graduate=True)
    today = timezone.localdate()
    batch = WelfareImportBatchFactory(as_of=today - datetime.timedelta(days=30))
    person = graduate.application.applicant
    kelurahan = Kelurahan.objects.order_by("code").first()  # extracts name each row's kelurahan
    WelfareRecordFactory(batch=batch, nik=person.nik, kk_number=person.kk_number, desil=2, bansos="PKH",
                         kelurahan=kelurahan)
    WelfareRecordFactory(batch=batch, desil=3, bansos="BPNT", kelurahan=kelurahan)  # someone else: repeated unchanged

    summary = demo.seed(today=today)

    assert summary["later_register_rows"] == 2
    later = WelfareImportBatch.objects.get(file_name=demo.LATER_REGISTER_FILE)
    assert later.state == WelfareImportBatch.State.CURRENT and later.as_of == today
    assert list(later.records.order_by("bansos").values_list("bansos", flat=True)) == ["", "BPNT"]
    checks = list(RegisterOutcomeCheck.objects.filter(enrolment=graduate).order_by("as_of")
                  .values_list("receives_bansos", flat=True))
    assert checks == [True, False]
    _rows, total = graduation_board(UserFactory(editor=True))
    assert total.evidence[LEFT_REGISTER] == 1
    assert demo.seed(today=today)["later_register_rows"] == 0  # imported once


def test_asset_states_are_recorded_only_for_individual_package_recipients():
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    award = CapitalAwardFactory()
    award.state = award.State.HANDED_OVER
    award.save()
    recipient = FollowUpFactory(enrolment=award.enrolment)
    other = FollowUpFactory()
    assert demo.seed()["asset_states"] == 1
    recipient.refresh_from_db()
    other.refresh_from_db()
    assert recipient.asset_state in FollowUp.AssetState.values and other.asset_state == ""
