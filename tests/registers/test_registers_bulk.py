"""Bulk actions on the Pendaftar register: confirmation, permission, scope, and the workflow per row."""

import datetime
import re

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus
from applicants.models import Application, Enrolment, Interview, StaffProfile
from applicants.privacy.roles import AUDITOR, EDITOR
from programs.models import Kelurahan
from tests.factories import ApplicationFactory, CohortFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/applicants/application/"
BULK = "/admin/applicants/application/bulk/"
S = ApplicationStatus


@pytest.fixture
def editor(client):
    user = UserFactory(username="bulk-editor", is_staff=True, groups=[EDITOR])
    client.force_login(user)
    return user


def post(client, action, *, selected=(), scope="selected", querystring="", confirm=False, **data):
    payload = {"action": action, "scope": scope, "querystring": querystring, "selected": [str(pk) for pk in selected],
               **data}
    if confirm:
        payload["confirm"] = "1"
    return client.post(BULK, payload)


def test_list_shows_checkboxes_and_bulk_actions_to_editors_only(client, editor):
    ApplicationFactory(status=S.SUBMITTED)
    body = client.get(LIST).content.decode()
    assert 'name="selected"' in body and 'data-register-bulk' in body and "csrfmiddlewaretoken" in body
    for label in ("Ubah status", "Jadwalkan wawancara", "Daftarkan ke kelas"):
        assert label in body
    client.force_login(UserFactory(username="bulk-auditor", is_staff=True, groups=[AUDITOR]))
    body = client.get(LIST).content.decode()
    assert 'name="selected"' not in body and "data-register-bulk" not in body


def test_confirmation_shows_the_row_count_and_changes_nothing(client, editor):
    apps = ApplicationFactory.create_batch(3, status=S.SUBMITTED)
    response = post(client, "status", selected=[a.pk for a in apps[:2]])
    assert response.status_code == 200
    assert re.search(rb'data-bulk-count="2"', response.content)
    assert set(Application.objects.values_list("status", flat=True)) == {S.SUBMITTED}


def test_change_status_on_selected_rows_goes_through_the_workflow_and_reports_refusals(client, editor):
    submitted = ApplicationFactory.create_batch(2, status=S.SUBMITTED)
    rejected = ApplicationFactory(status=S.REJECTED)
    untouched = ApplicationFactory(status=S.SUBMITTED)
    response = post(client, "status", selected=[*(a.pk for a in submitted), rejected.pk], confirm=True,
                    status=S.VERIFIED)
    assert response.status_code == 200
    assert re.search(rb'data-bulk-done="2" data-bulk-refused="1"', response.content)
    assert "sudah final" in response.content.decode()  # the workflow's own reason
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in submitted] == [S.VERIFIED, S.VERIFIED]
    assert statuses[rejected.pk] == S.REJECTED and statuses[untouched.pk] == S.SUBMITTED
    assert ModelLogEntry.objects.filter(action="sigap.application.verify", user=editor).count() == 2


def test_change_status_on_all_filtered_rows_uses_the_list_query(client, editor):
    submitted = ApplicationFactory.create_batch(3, status=S.SUBMITTED)
    other = ApplicationFactory(status=S.VERIFIED)
    response = post(client, "status", scope="all", querystring="status=submitted", confirm=True,
                    status=S.NOT_ELIGIBLE, reason="not_in_register")
    assert re.search(rb'data-bulk-done="3"', response.content)
    assert set(Application.objects.filter(pk__in=[a.pk for a in submitted]).values_list("status", flat=True)) == {
        S.NOT_ELIGIBLE
    }
    other.refresh_from_db()
    assert other.status == S.VERIFIED


def test_bulk_actions_refuse_get_and_users_without_the_permission(client, editor):
    app = ApplicationFactory(status=S.SUBMITTED)
    assert client.get(BULK).status_code == 405
    client.force_login(UserFactory(username="bulk-auditor2", is_staff=True, groups=[AUDITOR]))
    response = post(client, "status", selected=[app.pk], confirm=True, status=S.VERIFIED)
    assert response.status_code == 403
    app.refresh_from_db()
    assert app.status == S.SUBMITTED


def test_bulk_action_needs_a_csrf_token(editor):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(editor)
    app = ApplicationFactory(status=S.SUBMITTED)
    response = csrf_client.post(BULK, {"action": "status", "selected": [app.pk], "confirm": "1", "status": "verified"})
    assert response.status_code == 403
    app.refresh_from_db()
    assert app.status == S.SUBMITTED


def test_rows_outside_the_editors_kecamatan_are_not_touched(client, editor):
    kel_a = Kelurahan.objects.filter(kecamatan__name="Cipondoh").first()
    kel_b = Kelurahan.objects.filter(kecamatan__name="Karawaci").first()
    StaffProfile.objects.create(user=editor).kecamatan.add(kel_a.kecamatan)
    inside = ApplicationFactory(status=S.SUBMITTED, applicant__kelurahan=kel_a)
    outside = ApplicationFactory(status=S.SUBMITTED, applicant__kelurahan=kel_b)
    response = post(client, "status", selected=[inside.pk, outside.pk], confirm=True, status=S.VERIFIED)
    assert re.search(rb'data-bulk-done="1" data-bulk-refused="0"', response.content)
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert (inside.status, outside.status) == (S.VERIFIED, S.SUBMITTED)


def test_schedule_interviews_for_selected_rows_uses_the_scheduling_service(client, editor):
    verified = ApplicationFactory.create_batch(2, status=S.VERIFIED)
    submitted = ApplicationFactory(status=S.SUBMITTED, eligibility="not_found")
    interviewer = UserFactory(interviewer=True)
    start = timezone.localtime() + datetime.timedelta(days=3)
    response = post(
        client, "schedule", selected=[*(a.pk for a in verified), submitted.pk], confirm=True,
        start=start.strftime("%Y-%m-%dT%H:%M"), slot_minutes=30, place="Aula Kelurahan", interviewer=interviewer.pk,
    )
    assert re.search(rb'data-bulk-done="2" data-bulk-refused="1"', response.content), response.content[-3000:]
    interviews = list(Interview.objects.order_by("scheduled_at"))
    assert {i.application_id for i in interviews} == {a.pk for a in verified}
    assert interviews[1].scheduled_at - interviews[0].scheduled_at == datetime.timedelta(minutes=30)
    assert Application.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_schedule_form_errors_are_shown_on_the_confirmation_page(client, editor):
    app = ApplicationFactory(status=S.VERIFIED)
    response = post(client, "schedule", selected=[app.pk], confirm=True, place="")
    assert response.status_code == 200 and b"error-message" in response.content
    assert not Interview.objects.exists()


def test_enrol_accepted_applications_in_a_class(client, editor):
    cohort = CohortFactory()
    accepted = ApplicationFactory(accepted=True, intake=cohort.intake, program=cohort.program)
    not_yet = ApplicationFactory(intake=cohort.intake, program=cohort.program, status=S.VERIFIED)
    response = post(client, "enrol", selected=[accepted.pk, not_yet.pk], confirm=True, cohort=cohort.pk)
    assert re.search(rb'data-bulk-done="1" data-bulk-refused="1"', response.content)
    assert Enrolment.objects.get().application_id == accepted.pk
    accepted.refresh_from_db()
    assert accepted.status == S.ENROLLED
    assert "Hanya pendaftar berstatus diterima" in response.content.decode()
