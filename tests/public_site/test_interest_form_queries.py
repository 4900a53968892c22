"""The interest form at /daftar/ under load: bounded queries per GET and POST, with every guarantee kept."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.enums import Register
from applicants.models import Applicant, Application, WelfareImportBatch, WelfareRecord
from programs.models import Program
from tests.factories import KELURAHAN_CODE, IntakeFactory, ProgramFactory, build_site, open_intake, valid_data

FORM = "/daftar/"


@pytest.fixture
def form_page(db):
    return build_site()


@pytest.fixture
def intake(form_page):
    return open_intake()


def _register(nik: str, kk_number: str, *, desil: int = 1) -> WelfareRecord:
    batch = WelfareImportBatch.objects.create(
        register=Register.DTSEN, as_of=datetime.date(2026, 10, 1), file_name="dtsen.csv", file_sha256="0" * 64,
        state=WelfareImportBatch.State.CURRENT,
    )
    return WelfareRecord.objects.create(batch=batch, row_number=2, nik=nik, kk_number=kk_number,
                                        full_name="WARGA", desil=desil)


def _warm(client, serial=900):
    """One resident first: the per-process site data and form choices are loaded by the first visit."""
    client.get(FORM)
    assert client.post(FORM, valid_data(serial=serial)).status_code == 302


def test_a_submission_runs_at_most_10_queries_and_stores_everything_at_once(
    client, intake, django_assert_max_num_queries
):
    data = valid_data(serial=7)
    _register(data["nik"], data["kk_number"])
    _warm(client)
    with django_assert_max_num_queries(10):
        response = client.post(FORM, data)
    assert response.status_code == 302 and response["Location"].endswith("/terima-kasih/")
    application = Application.objects.select_related("applicant").get(applicant__nik=data["nik"])
    # The reference is derived from the id in the same INSERT; the register check is stored with it.
    assert application.reference == f"SK-{intake.year}-{application.pk:06d}"
    assert application.status == "verified" and application.eligibility == "verified"
    assert application.eligibility_record.nik == data["nik"] and application.eligibility_checked_at
    entry = ModelLogEntry.objects.get(object_id=str(application.pk), action="sigap.eligibility_checked")
    assert entry.label == application.reference and entry.data["to"] == "verified"
    assert client.get(response["Location"]).content.decode().count(application.reference) >= 1


def test_a_resident_the_register_does_not_know_is_not_eligible_and_logged(client, intake):
    _register("3671010101900009", "3671019999999999")  # someone else
    data = valid_data(serial=8)
    assert client.post(FORM, data).status_code == 302
    application = Application.objects.get(applicant__nik=data["nik"])
    assert (application.status, application.eligibility) == ("not_eligible", "not_found")
    assert ModelLogEntry.objects.filter(object_id=str(application.pk), action="sigap.eligibility_checked").exists()


def test_same_nik_under_another_kk_is_a_kk_mismatch_with_the_row_as_evidence(client, intake):
    data = valid_data(serial=9)
    record = _register(data["nik"], "3671019999999999")
    assert client.post(FORM, data).status_code == 302
    application = Application.objects.get(applicant__nik=data["nik"])
    assert application.eligibility == "kk_mismatch" and application.eligibility_record_id == record.pk


def test_without_a_current_register_the_application_waits_and_nothing_is_logged(client, intake):
    data = valid_data(serial=10)
    assert client.post(FORM, data).status_code == 302
    application = Application.objects.get(applicant__nik=data["nik"])
    assert application.status == "submitted" and application.eligibility_checked_at is None
    assert application.reference == f"SK-{intake.year}-{application.pk:06d}"
    assert not ModelLogEntry.objects.filter(action="sigap.eligibility_checked").exists()


def test_references_stay_unique_and_follow_the_ids_after_a_deleted_application(client, intake):
    for serial in (11, 12):
        assert client.post(FORM, valid_data(serial=serial)).status_code == 302
    deleted = Application.objects.order_by("-pk").first()
    deleted_pk = deleted.pk
    deleted.delete()
    assert client.post(FORM, valid_data(serial=13)).status_code == 302
    references = list(Application.objects.values_list("pk", "reference"))
    assert len({reference for _pk, reference in references}) == 2
    assert max(pk for pk, _reference in references) > deleted_pk  # its id (and reference) is not reused
    assert all(reference == f"SK-{intake.year}-{pk:06d}" for pk, reference in references)


def test_the_form_renders_in_at_most_3_queries(client, intake, django_assert_max_num_queries):
    _warm(client)
    with django_assert_max_num_queries(3):
        response = client.get(FORM)
    html = response.content.decode()
    assert 'value="tata-boga"' in html and f'value="{KELURAHAN_CODE}"' in html and "<optgroup" in html


def test_a_choice_typed_by_hand_gets_the_message_next_to_its_field_and_nothing_is_saved(client, intake):
    _warm(client)
    before = Application.objects.count()
    response = client.post(FORM, valid_data(serial=14, kelurahan="99.99.99.9999", program="payet",
                                            program_alt="tata-boga"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["kelurahan"] == ["Pilih kelurahan dari daftar."]
    assert form.errors["program"] == ["Pilih program dari daftar."]
    assert Application.objects.count() == before and not Applicant.objects.filter(full_name="Budi Santoso",
                                                                                   nik=valid_data(14)["nik"])


def test_a_program_added_to_the_intake_is_offered_at_once(client, intake):
    _warm(client)
    intake.programs.add(ProgramFactory(name="Kue Kering", slug="kue-kering"))
    assert 'value="kue-kering"' in client.get(FORM).content.decode()
    assert client.post(FORM, valid_data(serial=15, program="kue-kering")).status_code == 302


def test_a_program_switched_off_is_refused_at_once(client, intake):
    _warm(client)
    Program.objects.filter(slug="barbershop").update(is_active=False)  # a bulk update sends no signal
    Program.objects.get(slug="barbershop").save()  # an editor saving it does
    response = client.post(FORM, valid_data(serial=16, program="barbershop"))
    assert response.status_code == 200 and "program" in response.context["form"].errors


def test_an_intake_that_closes_stops_taking_submissions_at_once(client, intake):
    _warm(client)
    intake.registration_closes = timezone.localdate() - datetime.timedelta(days=1)
    intake.registration_opens = timezone.localdate() - datetime.timedelta(days=30)
    intake.save()
    before = Application.objects.count()
    response = client.post(FORM, valid_data(serial=17))
    assert response.status_code == 200 and response.context["form"] is None
    assert Application.objects.count() == before


def test_a_new_intake_is_used_at_once(client, form_page):
    assert client.get(FORM).context["form"] is None
    open_intake()
    assert client.get(FORM).context["form"] is not None


def test_a_second_registration_in_one_intake_writes_nothing(client, intake):
    data = valid_data(serial=18)
    assert client.post(FORM, data).status_code == 302
    response = client.post(FORM, {**data, "phone": "0813 1111 2222"})
    assert response.status_code == 200 and "nik" in response.context["form"].errors
    assert Application.objects.filter(applicant__nik=data["nik"]).count() == 1
    assert Applicant.objects.get(nik=data["nik"]).phone != "+6281311112222"


def test_registering_again_for_a_new_intake_keeps_the_new_contact_details_on_the_new_application(client, intake):
    data = valid_data(serial=19)
    assert client.post(FORM, data).status_code == 302
    intake.registration_closes = timezone.localdate() - datetime.timedelta(days=1)
    intake.registration_opens = timezone.localdate() - datetime.timedelta(days=30)
    intake.save()
    IntakeFactory(programs=list(Program.objects.all()))
    assert client.post(FORM, {**data, "address": "Jl. Baru No. 9"}).status_code == 302
    # Anyone who knows a NIK can send the form: the person's record keeps its details, the new application
    # carries the ones typed now (staff compare them on the application's page).
    assert Applicant.objects.get(nik=data["nik"]).address == data["address"]
    newest = Application.objects.filter(applicant__nik=data["nik"]).order_by("-pk")
    assert newest.count() == 2 and newest.first().contact_address == "Jl. Baru No. 9"
