"""A known NIK registering again: the new contact details belong to the new application only.

Anyone who knows a NIK can send the public form; it must not rewrite where the person is reached
(phone, address, KK) nor what their earlier applications say. Staff see the difference on the
application's page and correct the person's record themselves.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from applicants.intake.services import KkLimitReached, submit_application
from applicants.models import Applicant, Application
from applicants.privacy import retention
from applicants.privacy.roles import AUDITOR
from programs.models import Kelurahan
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    IntakeFactory,
    UserFactory,
    build_site,
    make_nik,
    open_intake,
    valid_data,
)

pytestmark = pytest.mark.django_db
BIRTH = datetime.date(timezone.localdate().year - 30, 5, 17)


def _cleaned(intake, **overrides) -> dict:
    """What InterestForm.cleaned_data holds for a valid resident."""
    program = intake.programs.first()
    data = {
        "nik": make_nik(BIRTH, serial=9), "kk_number": "3671010000000009", "full_name": "Budi Santoso",
        "birth_date": BIRTH, "sex": "L", "phone": "+6281234567890", "address": "Jl. Merdeka 5", "rt": "003",
        "rw": "004", "kelurahan": Kelurahan.objects.order_by("code").first(), "household_size": 4,
        "occupation": "Ojek", "program": program, "program_alt": None, "dtks_status": "registered",
        "motivation": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def two_intakes():
    first = open_intake()
    second = IntakeFactory(programs=list(first.programs.all()))
    return first, second


def test_reregistration_keeps_the_person_and_earlier_application_and_stores_new_details_on_the_new_one(two_intakes):
    first, second = two_intakes
    other_kelurahan = Kelurahan.objects.order_by("-code").first()
    earlier, created = submit_application(_cleaned(first), first)
    assert created
    later, created = submit_application(_cleaned(
        second, phone="+6285711112222", address="Jl. Lain 9", rt="010", rw="011", kelurahan=other_kelurahan,
        kk_number="3671019999999999", household_size=2, occupation="Pedagang",
    ), second)
    assert created
    person = Applicant.objects.get()
    assert (person.phone, person.address, person.kk_number, person.kelurahan_id) == (
        "+6281234567890", "Jl. Merdeka 5", "3671010000000009", Kelurahan.objects.order_by("code").first().pk)
    earlier.refresh_from_db()
    later.refresh_from_db()
    assert (earlier.contact_phone, earlier.contact_address, earlier.contact_kk_number) == (
        "+6281234567890", "Jl. Merdeka 5", "3671010000000009")
    assert (later.contact_phone, later.contact_address, later.contact_rt, later.contact_rw,
            later.contact_kelurahan, later.contact_kk_number, later.contact_household_size,
            later.contact_occupation) == ("+6285711112222", "Jl. Lain 9", "010", "011", other_kelurahan,
                                          "3671019999999999", 2, "Pedagang")
    changed = {str(row["label"]) for row in later.contact_rows() if row["changed"]}
    assert changed == {"nomor KK saat mendaftar", "nomor HP saat mendaftar", "alamat saat mendaftar",
                       "RT saat mendaftar", "RW saat mendaftar", "kelurahan saat mendaftar",
                       "anggota keluarga saat mendaftar", "pekerjaan saat mendaftar"}
    assert not any(row["changed"] for row in earlier.contact_rows())


def test_an_impostor_who_knows_a_nik_cannot_redirect_the_persons_phone_through_the_public_form(client, settings):
    settings.INTAKE_RATE_LIMIT = "1000/m"
    cache.clear()
    build_site()
    intake = open_intake()
    victim = ApplicantFactory(nik=make_nik(BIRTH, serial=3), birth_date=BIRTH, phone="+6281111111111")
    today = timezone.localdate()
    closed = IntakeFactory(programs=list(intake.programs.all()), registration_opens=today - datetime.timedelta(60),
                           registration_closes=today - datetime.timedelta(30))
    ApplicationFactory(applicant=victim, intake=closed)
    response = client.post("/daftar/", valid_data(serial=3, birth_date=BIRTH, phone="0899 9999 9999",
                                                  full_name="Budi Santoso"))
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.phone == "+6281111111111"
    new = Application.objects.get(intake=intake)
    assert new.applicant == victim and new.contact_phone == "+6289999999999"


def test_staff_see_both_sets_of_details_on_the_application_page_with_kk_masked_for_the_auditor(client, two_intakes):
    first, second = two_intakes
    earlier, _ = submit_application(_cleaned(first), first)
    later, _ = submit_application(_cleaned(second, phone="+6285711112222", kk_number="3671019999999999"), second)
    url = f"/admin/applicants/application/inspect/{later.pk}/"
    client.force_login(UserFactory(editor=True))
    html = client.get(url).content.decode()
    assert "Kontak pada pendaftaran ini" in html and "berbeda" in html
    assert "+6285711112222" in html and "+6281234567890" in html and "3671019999999999" in html
    assert earlier.reference in html  # the earlier application's details are listed too
    auditor = UserFactory()
    auditor.groups.add(Group.objects.get(name=AUDITOR))
    client.force_login(auditor)
    html = client.get(url).content.decode()
    assert "3671019999999999" not in html and "3671010000000009" not in html
    assert "************9999" in html and "************0009" in html


def test_family_card_given_with_a_reregistration_counts_towards_the_cap(two_intakes):
    first, second = two_intakes
    second.max_applications_per_kk = 1
    second.save()
    submit_application(_cleaned(first), first)
    submit_application(_cleaned(second, kk_number="3671018888888888"), second)  # new card, this intake
    with pytest.raises(KkLimitReached):
        submit_application(_cleaned(second, nik=make_nik(BIRTH, serial=10), kk_number="3671018888888888"), second)
    with pytest.raises(KkLimitReached):  # the person's own card still counts as well
        submit_application(_cleaned(second, nik=make_nik(BIRTH, serial=11), kk_number="3671010000000009"), second)


def test_staff_created_and_factory_applications_carry_the_persons_details():
    application = ApplicationFactory()
    application.refresh_from_db()
    person = application.applicant
    assert (application.contact_phone, application.contact_kk_number, application.contact_kelurahan_id) == (
        person.phone, person.kk_number, person.kelurahan_id)


def test_retention_empties_the_details_given_with_applications(two_intakes, settings):
    first, _second = two_intakes
    application, _ = submit_application(_cleaned(first), first)
    retention._anonymise_ids([application.applicant_id], timezone.now())
    application.refresh_from_db()
    assert (application.contact_phone, application.contact_address, application.contact_kk_number,
            application.contact_rt, application.contact_rw, application.contact_occupation) == ("",) * 6


def test_migration_copies_the_persons_details_onto_existing_applications_but_not_onto_anonymised_ones():
    kept, gone = ApplicationFactory(), ApplicationFactory()
    Application.objects.update(contact_phone="", contact_kk_number="", contact_address="")
    Applicant.objects.filter(pk=gone.applicant_id).update(anonymised_at=timezone.now(), nik="X" + "0" * 15)
    migration = importlib.import_module("applicants.migrations.0014_application_contact_snapshot")
    migration.copy_person_details(apps, None)
    kept.refresh_from_db()
    gone.refresh_from_db()
    assert kept.contact_phone == kept.applicant.phone and kept.contact_kk_number == kept.applicant.kk_number
    assert gone.contact_phone == "" and gone.contact_kk_number == ""
