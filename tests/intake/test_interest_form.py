"""The resident-facing interest form at /daftar/: validation, submission, duplicates, abuse, status."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from applicants.enums import ApplicationStatus, Source
from applicants.intake.services import DEFAULT_CONSENT_VERSION
from applicants.models import Applicant, Application, ConsentVersion
from tests.factories import ProgramFactory, build_site, make_nik, open_intake, valid_data

pytestmark = pytest.mark.django_db

URL = "/daftar/"


@pytest.fixture
def intake():
    build_site()
    return open_intake()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def field_block(html: str, name: str) -> str:
    """The markup of one field's wrapper (label, input, help, errors)."""
    match = re.search(rf'<div class="field[^"]*" id="field-{name}">(.*?)</div>', html, re.S)
    assert match, f"field {name} not rendered"
    return match.group(1)


def test_form_page_offers_kelurahan_grouped_by_kecamatan_and_mobile_friendly_inputs(client, intake):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<optgroup label="Kecamatan Tangerang">' in html
    assert 'value="36.71.01.1001"' in html  # kelurahan by Kemendagri code
    assert html.count("<optgroup") == 13
    assert re.search(r'name="nik"[^>]*inputmode="numeric"|inputmode="numeric"[^>]*name="nik"', html)
    assert 'type="date"' in html
    assert 'autocomplete="tel"' in html
    assert "kosongkan" in html and 'name="website"' in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_program_query_parameter_preselects_the_program(client, intake):
    html = client.get(URL + "?program=barbershop").content.decode()
    assert re.search(r'<option value="barbershop"[^>]*selected', html)
    assert not re.search(r'<option value="tata-boga"[^>]*selected', html)


def test_unknown_program_query_parameter_is_ignored(client, intake):
    html = client.get(URL + "?program=tidak-ada").content.decode()
    assert "selected" not in re.search(r'<select[^>]*name="program"[^>]*>(.*?)</select>', html, re.S).group(1).replace(
        '<option value="" selected>', ""
    )


def test_valid_submission_is_saved_and_resident_sees_reference_after_redirect(client, intake):
    response = client.post(URL, valid_data(phone="0812-3456-7890"))
    assert response.status_code == 302
    assert response["Location"] == "/daftar/terima-kasih/"  # no personal data in the URL
    application = Application.objects.select_related("applicant").get()
    applicant = application.applicant
    assert application.reference == f"SK-{intake.year}-{application.pk:06d}"
    assert application.intake == intake and application.program.slug == "tata-boga"
    assert application.source == Source.ONLINE
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.dtks_self_report == "registered"
    assert applicant.phone == "+6281234567890"
    assert applicant.sex == "L"
    assert applicant.rt == "003" and applicant.rw == "004"
    assert applicant.kelurahan.code == "36.71.01.1001"

    thanks = client.get(response["Location"])
    html = thanks.content.decode()
    assert application.reference in html
    assert "WhatsApp" in html  # what happens next: interview invitation by phone


def test_thank_you_page_without_a_submission_goes_back_to_the_form(client, intake):
    response = client.get("/daftar/terima-kasih/")
    assert response.status_code == 302 and response["Location"] == URL


def test_consent_version_and_time_are_recorded(client, intake):
    client.post(URL, valid_data())
    application = Application.objects.get()
    assert application.consent_version.version == DEFAULT_CONSENT_VERSION
    assert "Pelindungan Data Pribadi" in application.consent_version.text
    assert abs(application.consent_at - timezone.now()) < datetime.timedelta(minutes=1)


def test_newest_published_consent_version_is_recorded(client, intake):
    # "2026-1" comes with the privacy migration; a newer published text replaces it for new applications.
    assert ConsentVersion.objects.filter(version="2026-1").exists()
    newer = ConsentVersion.objects.create(version="2026-2", text="baru", published_at=timezone.now())
    ConsentVersion.objects.create(version="2027-1", text="belum berlaku",
                                  published_at=timezone.now() + datetime.timedelta(days=30))
    client.post(URL, valid_data())
    assert Application.objects.get().consent_version == newer


BIRTH = datetime.date(timezone.localdate().year - 30, 5, 17)
TOO_YOUNG = datetime.date(timezone.localdate().year - 16, 1, 2)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nik": "3671011705"}, "nik", "NIK harus 16 angka (Anda mengisi 10 angka)"),
        ({"nik": "36710117059A0001"}, "nik", "NIK hanya boleh berisi angka"),
        ({"nik": "9999011705900001"}, "nik", "Kode wilayah pada 6 angka pertama NIK tidak dikenal"),
        ({"nik": "3671013213900001"}, "nik", "Tanggal lahir pada angka ke-7 sampai 12 NIK tidak valid"),
        ({"nik": make_nik(BIRTH, serial=0)}, "nik", "tidak boleh 0000"),
        ({"birth_date": (BIRTH + datetime.timedelta(days=1)).isoformat()}, "birth_date",
         "Tanggal lahir tidak sesuai dengan NIK"),
        ({"birth_date": "31-02-1990"}, "birth_date", "Tanggal lahir tidak valid"),
        ({"kk_number": "12345"}, "kk_number", "Nomor KK harus 16 angka"),
        ({"kk_number": "9999010000000001"}, "kk_number", "Kode wilayah pada 6 angka pertama nomor KK"),
        ({"phone": "021 5555 1234"}, "phone", "Masukkan nomor HP Indonesia yang aktif"),
        ({"phone": "+1 202 555 0143"}, "phone", "Masukkan nomor HP Indonesia yang aktif"),
        ({"nik": make_nik(TOO_YOUNG), "birth_date": TOO_YOUNG.isoformat()}, "birth_date",
         "berusia 18 sampai 59 tahun (usia Anda 16 tahun)"),
        ({"consent": ""}, "consent", "Anda perlu menyetujui pemberitahuan privasi"),
        ({"program_alt": "tata-boga"}, "program_alt", "Pilihan kedua harus berbeda"),
        ({"program": "menjahit"}, "program", "Pilih program dari daftar"),
        ({"kelurahan": "36.71.99.9999"}, "kelurahan", "Pilih kelurahan dari daftar"),
        ({"full_name": "  "}, "full_name", "Nama lengkap wajib diisi"),
        ({"rt": "ab"}, "rt", "RT berupa angka"),
        ({"dtks_status": ""}, "dtks_status", None),
    ],
)
def test_resident_with_invalid_input_sees_error_next_to_field_and_nothing_is_saved(
    client, intake, overrides, field, message
):
    data = {**valid_data(birth_date=BIRTH, full_name="Dewi Lestari Kusuma"), **overrides}
    response = client.post(URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    if field == "dtks_status":
        assert 'id="field-dtks_status"' in html and "Pilih salah satu jawaban" in html
    else:
        block = field_block(html, field)
        assert 'class="error"' in block and message in block, block
    if field != "full_name":
        assert 'value="Dewi Lestari Kusuma"' in html  # what the resident typed is kept
    assert Applicant.objects.count() == 0 and Application.objects.count() == 0


@pytest.mark.parametrize("typed", ["081234567890", "0812 3456 7890", "+6281234567890", "6281234567890",
                                   "+62 812-3456-7890"])
def test_common_mobile_number_forms_are_stored_in_e164(client, intake, typed):
    client.post(URL, valid_data(phone=typed))
    assert Applicant.objects.get().phone == "+6281234567890"


def test_nik_with_spaces_and_dots_is_accepted_and_stored_as_digits(client, intake):
    nik = make_nik(BIRTH)
    dotted = f"{nik[:6]}.{nik[6:12]} {nik[12:]}"
    client.post(URL, valid_data(birth_date=BIRTH, nik=dotted))
    assert Applicant.objects.get().nik == nik


def test_womans_nik_gives_sex_p(client, intake):
    client.post(URL, valid_data(sex="P"))
    applicant = Applicant.objects.get()
    assert applicant.sex == "P"
    assert int(applicant.nik[6:8]) > 40


def test_nik_issued_outside_kota_tangerang_is_accepted(client, intake):
    birth = datetime.date(1985, 3, 9)
    response = client.post(URL, valid_data(birth_date=birth, nik=make_nik(birth, region="320101")))
    assert response.status_code == 302
    assert Applicant.objects.get().nik.startswith("320101")


def test_duplicate_nik_in_same_intake_creates_nothing_and_reveals_nothing(client, intake):
    client.post(URL, valid_data(full_name="Budi Santoso", phone="081234567890"))
    first = Application.objects.get()
    again = client.post(URL, valid_data(full_name="Orang Lain", phone="085711112222", address="Jl. Lain"))
    html = again.content.decode()
    assert again.status_code == 200
    assert Applicant.objects.count() == 1 and Application.objects.count() == 1
    block = field_block(html, "nik")
    assert "sudah terdaftar" in block and "Cek Status" in block
    assert "/daftar/status/" in html
    assert first.reference not in html and "Budi Santoso" not in html
    assert "6281234567890" not in html and "081234567890" not in html
    assert Applicant.objects.get().phone == "+6281234567890"  # the earlier record is untouched


def test_same_person_in_a_new_intake_gets_a_new_application_carrying_the_new_contact(client, intake):
    client.post(URL, valid_data(phone="081234567890"))
    old_intake = intake
    old_intake.registration_opens -= datetime.timedelta(days=400)
    old_intake.registration_closes = timezone.localdate() - datetime.timedelta(days=300)
    old_intake.save()
    new_intake = open_intake(name="Gelombang 2")
    response = client.post(URL, valid_data(phone="085711112222"))
    assert response.status_code == 302
    assert Applicant.objects.count() == 1
    assert set(Application.objects.values_list("intake", flat=True)) == {old_intake.pk, new_intake.pk}
    # The person's record keeps its phone (anyone knowing a NIK can send the form); the new application
    # carries the new one for staff to compare (tests/privacy/test_identity_reregistration.py).
    assert Applicant.objects.get().phone == "+6281234567890"
    assert Application.objects.get(intake=new_intake).contact_phone == "+6285711112222"


def test_cap_per_family_card_refuses_the_extra_application(client, intake):
    intake.max_applications_per_kk = 1
    intake.save()
    kk = "3671010000000077"
    assert client.post(URL, valid_data(serial=1, kk_number=kk)).status_code == 302
    response = client.post(URL, valid_data(serial=2, kk_number=kk))
    assert response.status_code == 200
    assert "Kartu Keluarga" in field_block(response.content.decode(), "kk_number")
    assert Application.objects.count() == 1 and Applicant.objects.count() == 1


def test_honeypot_submission_gets_a_neutral_page_and_no_record(client, intake):
    response = client.post(URL, valid_data(website="http://spam.example"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Terima kasih" in html and "SK-" not in html
    assert "kosongkan" not in html  # no hint about the trap
    assert Applicant.objects.count() == 0 and Application.objects.count() == 0


def test_csrf_token_is_required():
    build_site()
    open_intake()
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(URL, valid_data())
    assert response.status_code == 403
    assert Application.objects.count() == 0


def test_oversized_post_body_is_refused_with_413(client, intake):
    response = client.post(URL, valid_data(motivation="x" * 70_000))
    assert response.status_code == 413
    assert Application.objects.count() == 0


def test_rate_limit_answers_429_in_indonesian_after_the_limit(client, intake, settings):
    settings.INTAKE_RATE_LIMIT = "2/m"
    assert client.post(URL, valid_data(serial=1)).status_code == 302
    assert client.post(URL, valid_data(serial=2)).status_code == 302
    response = client.post(URL, valid_data(serial=3))
    assert response.status_code == 429
    assert "Mohon tunggu sebentar" in response.content.decode()
    assert Application.objects.count() == 2
    # Reading the form is never limited.
    assert client.get(URL).status_code == 200


def test_rate_limit_off_lets_a_kelurahan_office_register_many_residents(client, intake, settings):
    settings.INTAKE_RATE_LIMIT = "off"
    for serial in range(1, 13):
        assert client.post(URL, valid_data(serial=serial)).status_code == 302
    assert Application.objects.count() == 12


def test_logged_in_staff_are_not_rate_limited(client, intake, settings, django_user_model):
    settings.INTAKE_RATE_LIMIT = "1/m"
    staff = django_user_model.objects.create_superuser("petugas", "p@example.com", "rahasia-sekali-123")
    client.force_login(staff)
    for serial in range(1, 4):
        assert client.post(URL, valid_data(serial=serial)).status_code == 302


def test_forwarded_address_counts_only_when_trusted(intake, settings):
    settings.INTAKE_RATE_LIMIT = "1/m"
    settings.TRUST_X_FORWARDED_FOR = False
    c = Client()
    assert c.post(URL, valid_data(serial=1), HTTP_X_FORWARDED_FOR="10.0.0.1").status_code == 302
    assert c.post(URL, valid_data(serial=2), HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 429
    settings.TRUST_X_FORWARDED_FOR = True
    assert c.post(URL, valid_data(serial=3), HTTP_X_FORWARDED_FOR="10.0.0.3").status_code == 302
    assert c.post(URL, valid_data(serial=4), HTTP_X_FORWARDED_FOR="10.0.0.3").status_code == 429


def test_status_checks_are_rate_limited_too(client, intake, settings):
    settings.INTAKE_RATE_LIMIT = "2/m"
    for _ in range(2):
        assert client.post(URL + "status/", {"reference": "SK-2026-000001", "nik": "1"}).status_code == 200
    assert client.post(URL + "status/", {"reference": "SK-2026-000001", "nik": "1"}).status_code == 429


def _submit(client, **overrides) -> Application:
    client.post(URL, valid_data(**overrides))
    return Application.objects.select_related("applicant").latest("pk")


def test_status_check_with_right_pair_shows_reference_and_plain_status(client, intake):
    application = _submit(client)
    nik = application.applicant.nik
    typed_nik = f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}"
    response = client.post(URL + "status/", {"reference": application.reference.lower(), "nik": typed_nik})
    html = response.content.decode()
    assert application.reference in html
    assert "sudah kami terima" in html
    assert application.applicant.full_name not in html and nik not in html


def test_status_check_for_rejected_application_explains_reason_in_plain_words(client, intake):
    application = _submit(client)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.REJECTED,
                                                         decision_reason="quota_full")
    html = client.post(URL + "status/", {"reference": application.reference,
                                         "nik": application.applicant.nik}).content.decode()
    assert "belum dapat diterima" in html and "Kuota kelurahan sudah penuh" in html


def test_status_check_wrong_pairs_get_one_generic_message(client, intake):
    application = _submit(client)
    other = _submit(client, serial=2)
    generic = "Data tidak ditemukan. Periksa lagi nomor pendaftaran dan NIK Anda."
    wrong_pairs = [
        {"reference": application.reference, "nik": other.applicant.nik},  # real NIK, wrong reference
        {"reference": "SK-2026-999999", "nik": application.applicant.nik},  # unknown reference
        {"reference": application.reference, "nik": "123"},
    ]
    for pair in wrong_pairs:
        html = client.post(URL + "status/", pair).content.decode()
        assert generic in html
        assert "sudah kami terima" not in html and application.reference not in html.replace(
            f'value="{application.reference}"', ""
        )


def test_without_an_open_intake_the_page_says_so_and_saves_nothing(client):
    build_site()
    open_intake(registration_opens=timezone.localdate() + datetime.timedelta(days=3),
                registration_closes=timezone.localdate() + datetime.timedelta(days=10))
    assert "belum ada pendaftaran yang dibuka" in client.get(URL).content.decode()
    client.post(URL, valid_data())
    assert Application.objects.count() == 0


def test_application_model_refuses_a_program_outside_its_intake(intake):
    from django.core.exceptions import ValidationError

    other = ProgramFactory(name="Pijat Refleksi", slug="pijat-refleksi")
    application = Application(intake=intake, program=other, applicant=Applicant(birth_date=BIRTH))
    with pytest.raises(ValidationError) as exc:
        application.clean()
    assert "program" in exc.value.message_dict


def test_a_submission_runs_a_bounded_number_of_queries(client, intake, django_assert_max_num_queries):
    client.post(URL, valid_data(serial=1))  # first use creates the consent version
    with django_assert_max_num_queries(22):
        assert client.post(URL, valid_data(serial=2)).status_code == 302
    with django_assert_max_num_queries(20):  # page, menu, site settings, open intake with its programs
        assert client.get(URL).status_code == 200
