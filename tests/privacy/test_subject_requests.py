"""The register of data-subject requests: deadlines by kind, who may see and close them, and closing a
restriction or erasure request does what was asked, all or nothing."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.models import Applicant, CapitalAward, DataSubjectRequest, Enrolment
from applicants.privacy.retention import ANONYMOUS_NAME
from programs.models import Kecamatan, Kelurahan
from tests.factories import ApplicantFactory, CapitalPackageFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _new(applicant, user, kind="access", **extra):
    values = {"applicant": applicant, "kind": kind, "requester_name": "Siti Aminah (sendiri)", "channel": "letter",
              "details": "Mohon salinan seluruh data saya.", "user": user}
    return DataSubjectRequest.register(**{**values, **extra})


@pytest.fixture
def editor(django_user_model):
    return UserFactory(editor=True, username="editor-hak")


@pytest.fixture
def resident():
    return ApplicantFactory(full_name="Siti Aminah")


def _form(kind="access", **extra):
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return {"kind": kind, "requester_name": "Siti Aminah", "channel": "in_person",
            "details": "Minta data diperbaiki", "requested_at": now, **extra}


@pytest.mark.parametrize(("kind", "hours"), [("access", 72), ("rectification", 72), ("restriction", 72),
                                             ("erasure", 14 * 24)])
def test_deadline_follows_the_kind_and_is_kept_when_the_setting_changes(settings, resident, editor, kind, hours):
    received = timezone.now() - datetime.timedelta(hours=1)
    request = _new(resident, editor, kind, requested_at=received)
    assert request.due_at == received + datetime.timedelta(hours=hours)
    settings.SUBJECT_REQUEST_DEADLINE_HOURS = {**settings.SUBJECT_REQUEST_DEADLINE_HOURS, kind: 1}
    request.refresh_from_db()
    assert request.due_at == received + datetime.timedelta(hours=hours)
    assert ModelLogEntry.objects.filter(action="sigap.subject_request", object_id=str(resident.pk)).exists()


def test_editor_records_a_request_and_sees_its_deadline(client, resident, editor):
    client.force_login(editor)
    assert client.get(f"/admin/privasi/pendaftar/{resident.pk}/permintaan/baru/").status_code == 200
    response = client.post(f"/admin/privasi/pendaftar/{resident.pk}/permintaan/baru/", _form("rectification"))
    request = DataSubjectRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/privasi/permintaan/{request.pk}/")
    assert (request.kind, request.status, request.recorded_by) == ("rectification", "open", editor)
    page = client.get(response["Location"]).content.decode()
    assert "Perbaikan data" in page and "Batas waktu" in page and "Siti Aminah" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [({"kind": "hapus-semua"}, "kind", "pilihan"), ({"requester_name": ""}, "requester_name", "harus diisi"),
     ({"details": "   "}, "details", "harus diisi"), ({"requested_at": "kemarin"}, "requested_at", ""),
     ({"requested_at": "2099-01-01 10:00"}, "requested_at", "masa depan")],
)
def test_bad_request_form_shows_the_error_by_the_field_and_saves_nothing(client, resident, editor, change, field,
                                                                        message):
    client.force_login(editor)
    response = client.post(f"/admin/privasi/pendaftar/{resident.pk}/permintaan/baru/", _form(**change))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message.lower() in " ".join(errors[field]).lower()
    assert not DataSubjectRequest.objects.exists()


@pytest.mark.parametrize("role", ["auditor", "interviewer", "comms"])
def test_only_editors_record_requests(client, resident, django_user_model, role):
    client.force_login(UserFactory(**{role: True}))
    response = client.post(f"/admin/privasi/pendaftar/{resident.pk}/permintaan/baru/", _form())
    assert response.status_code == 403 and not DataSubjectRequest.objects.exists()


def test_list_is_scoped_to_the_kecamatan_and_read_only_for_auditors(client, editor, django_user_model):
    kecamatan = list(Kecamatan.objects.order_by("pk")[:2])
    here = ApplicantFactory(full_name="Warga Sini", kelurahan=Kelurahan.objects.filter(kecamatan=kecamatan[0]).first())
    there = ApplicantFactory(full_name="Warga Sana", kelurahan=Kelurahan.objects.filter(kecamatan=kecamatan[1]).first())
    mine, theirs = _new(here, editor), _new(there, editor, "erasure")
    local = UserFactory(editor=True, kecamatan=[kecamatan[0]])
    client.force_login(local)
    page = client.get("/admin/privasi/permintaan/").content.decode()
    assert "Warga Sini" in page and "Warga Sana" not in page
    assert client.get(f"/admin/privasi/permintaan/{theirs.pk}/").status_code == 403
    assert client.post(f"/admin/privasi/permintaan/{theirs.pk}/", {"result": "done", "outcome": "x"}).status_code == 403

    auditor = UserFactory(auditor=True)
    client.force_login(auditor)
    page = client.get("/admin/privasi/permintaan/").content.decode()
    assert "Warga Sini" in page and "Warga Sana" in page
    detail = client.get(f"/admin/privasi/permintaan/{mine.pk}/")
    assert detail.status_code == 200 and "Tutup permintaan" not in detail.content.decode()
    assert client.post(f"/admin/privasi/permintaan/{mine.pk}/", {"result": "done", "outcome": "x"}).status_code == 403
    mine.refresh_from_db()
    assert mine.status == "open"


@pytest.mark.parametrize("role", ["interviewer", "comms"])
def test_interviewers_and_comms_cannot_see_requests(client, resident, editor, django_user_model, role):
    request = _new(resident, editor)
    client.force_login(UserFactory(**{role: True}))
    assert client.get("/admin/privasi/permintaan/").status_code == 403
    assert client.get(f"/admin/privasi/permintaan/{request.pk}/").status_code == 403


def test_list_filters_overdue_and_ignores_nonsense_filters(client, resident, editor):
    late = _new(resident, editor, requested_at=timezone.now() - datetime.timedelta(days=4))
    ApplicantFactory(full_name="Tepat Waktu")
    on_time = _new(ApplicantFactory(full_name="Tepat Waktu B"), editor)
    client.force_login(editor)
    overdue = client.get("/admin/privasi/permintaan/?status=overdue")
    assert list(overdue.context["requests"]) == [late]
    assert "Lewat batas waktu" in overdue.content.decode()
    for query in ("status=semua'--", "kind=<script>", "p=999", "p=abc", "status=closed&kind=erasure"):
        response = client.get(f"/admin/privasi/permintaan/?{query}")
        assert response.status_code == 200, query
    assert set(client.get("/admin/privasi/permintaan/?status=open").context["requests"]) == {late, on_time}


def test_closing_needs_an_outcome_and_happens_once(client, resident, editor, django_user_model):
    request = _new(resident, editor)
    client.force_login(editor)
    response = client.post(f"/admin/privasi/permintaan/{request.pk}/", {"result": "done", "outcome": " "})
    assert response.status_code == 200 and "outcome" in response.context["form"].errors
    response = client.post(f"/admin/privasi/permintaan/{request.pk}/",
                           {"result": "done", "outcome": "Salinan diserahkan langsung."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.handled_by, request.outcome) == ("done", editor, "Salinan diserahkan langsung.")
    # A second editor with a stale page cannot close it again.
    other = UserFactory(editor=True)
    client.force_login(other)
    response = client.post(f"/admin/privasi/permintaan/{request.pk}/", {"result": "refused", "outcome": "Tidak."},
                           follow=True)
    assert response.status_code == 200 and "sudah ditutup" in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.handled_by) == ("done", editor)


def test_database_refuses_a_closed_request_without_outcome(resident, editor):
    request = _new(resident, editor)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataSubjectRequest.objects.filter(pk=request.pk).update(status="done", handled_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        DataSubjectRequest.objects.filter(pk=request.pk).update(due_at=request.requested_at - datetime.timedelta(1))


def test_closing_a_restriction_request_restricts_processing(client, resident, editor):
    request = _new(resident, editor, "restriction", details="Warga menyanggah data KK")
    client.force_login(editor)
    client.post(f"/admin/privasi/permintaan/{request.pk}/",
                {"result": "done", "outcome": "Pemrosesan dibatasi.", "apply_now": "on"})
    resident.refresh_from_db()
    assert resident.processing_restricted
    assert ModelLogEntry.objects.get(action="sigap.restrict_processing").data["reason"] == "Warga menyanggah data KK"


def test_closing_an_erasure_request_anonymises_the_person(client, resident, editor):
    request = _new(resident, editor, "erasure")
    client.force_login(editor)
    response = client.post(f"/admin/privasi/permintaan/{request.pk}/",
                           {"result": "done", "outcome": "Data dianonimkan.", "apply_now": "on"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.full_name == ANONYMOUS_NAME and resident.anonymised_at and resident.nik.startswith("X")
    assert ModelLogEntry.objects.filter(action="sigap.erasure", object_id=str(resident.pk), user=editor).exists()
    request.refresh_from_db()
    assert request.status == "done"


def test_erasure_of_an_award_recipient_is_refused_and_nothing_changes(client, editor, django_user_model):
    enrolment = EnrolmentFactory(status=Enrolment.Status.COMPLETED)
    applicant = enrolment.application.applicant
    award = CapitalAward.propose(user=editor, package=CapitalPackageFactory(), enrolment=enrolment, place=1)
    award.approve(UserFactory(editor=True))
    request = _new(applicant, editor, "erasure")
    client.force_login(editor)
    response = client.post(f"/admin/privasi/permintaan/{request.pk}/",
                           {"result": "done", "outcome": "Dihapus.", "apply_now": "on"})
    assert response.status_code == 200 and "modal usaha" in response.content.decode()
    assert "apply_now" in response.context["form"].errors
    request.refresh_from_db()
    assert request.status == "open"
    assert Applicant.objects.get(pk=applicant.pk).anonymised_at is None


def test_request_urls_typed_by_hand(client, editor):
    client.force_login(editor)
    assert client.get("/admin/privasi/permintaan/999999/").status_code == 404
    assert client.get("/admin/privasi/permintaan/abc/").status_code == 404
    assert client.get("/admin/privasi/pendaftar/999999/permintaan/baru/").status_code == 404
