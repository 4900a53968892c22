"""The public complaint page: submit, thank-you with number and check code, status, appeal, abuse."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from applicants.models import Ticket
from programs.models import Kecamatan
from tests.factories import (
    CHECK_CODE,
    ApplicationFactory,
    ComplaintPageFactory,
    TicketFactory,
    build_site,
)

pytestmark = pytest.mark.django_db

URL = "/pengaduan/"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.fixture
def page():
    home = build_site().get_parent()
    return ComplaintPageFactory(parent=home)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def kecamatan():
    return Kecamatan.objects.order_by("code").first()


def complaint(**overrides):
    data = {"kind": "complaint", "category": "interview", "description": "Nama saya tidak dipanggil saat wawancara.",
            "kecamatan": str(kecamatan().pk)}
    data.update(overrides)
    return data


def thanks(client, response):
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(response["Location"]).content.decode()
    number = re.search(r'<p class="reference">(ADU-\d{4}-\d{6})</p>', html).group(1)
    code = re.search(r'<p class="reference">([A-Z0-9]{10})</p>', html).group(1)
    return number, code, html


def status(client, number, secret):
    return client.post(URL + "status/", {"number": number, "secret": secret}).content.decode()


def field_errors(html: str, name: str) -> str:
    """The error paragraphs next to one field ("" when it has none)."""
    assert f'id="field-{name}"' in html, f"field {name} not rendered"
    return " ".join(re.findall(rf'<p class="error" role="alert" id="id_{name}_error">(.*?)</p>', html, re.S))


def test_anonymous_complaint_gets_number_and_check_code_and_only_the_code_opens_it(client, page):
    number, code, html = thanks(client, client.post(URL, complaint()))
    assert "Simpan atau foto" in html or "kode cek" in html.lower()
    ticket = Ticket.objects.get(number=number)
    assert ticket.is_anonymous and ticket.state == Ticket.State.RECEIVED
    assert code not in ticket.check_code_hash  # stored hashed only
    assert (ticket.due_at - ticket.created_at).days == 14
    page_html = status(client, number, code.lower())  # typed in lower case is the same code
    assert number in page_html and "diterima" in page_html.lower()
    assert "Nama saya tidak dipanggil" not in page_html  # the status page shows state, deadline, answer only
    refused = status(client, number, "")
    assert number not in refused.split("Nomor tiket")[-1] or "wajib" in refused
    wrong = status(client, number, "ABCDEFGH23")
    assert "Tidak ditemukan" in wrong and "Jawaban" not in wrong


def test_thank_you_page_without_the_cookie_goes_back_to_the_form(client, page):
    response = client.get(URL + "terima-kasih/")
    assert response.status_code == 302 and response["Location"].endswith(URL)


def test_complaint_tied_to_an_application_needs_the_matching_nik_in_any_digit_set(client, page):
    application = ApplicationFactory()
    nik = application.applicant.nik
    number, code, _html = thanks(client, client.post(URL, complaint(
        kecamatan="", reference=application.reference.lower(),
        nik=" ".join([nik[:6], nik[6:12], nik[12:]]).translate(ARABIC_INDIC),
        kind="objection", category="rejection")))
    ticket = Ticket.objects.get(number=number)
    assert ticket.application == application
    assert ticket.kecamatan == application.applicant.kelurahan.kecamatan
    # The NIK opens it too, in any digit set; so does the code.
    assert number in status(client, number, nik.translate(ARABIC_INDIC))
    assert number in status(client, number, code)
    assert "Tidak ditemukan" in status(client, number, nik[:-1] + str((int(nik[-1]) + 1) % 10))


def test_wrong_nik_and_unknown_reference_get_the_same_message_and_nothing_is_saved(client, page):
    application = ApplicationFactory()
    wrong_nik = application.applicant.nik[:-1] + ("1" if application.applicant.nik[-1] != "1" else "2")
    wrong = client.post(URL, complaint(reference=application.reference, nik=wrong_nik)).content.decode()
    unknown = client.post(URL, complaint(reference="SK-2026-999999", nik=application.applicant.nik)).content.decode()
    assert Ticket.objects.count() == 0
    message_wrong = field_errors(wrong, "reference")
    message_unknown = field_errors(unknown, "reference")
    assert "tidak menemukan" in message_wrong
    assert re.sub(r"\s+", " ", message_wrong) == re.sub(r"\s+", " ", message_unknown)
    assert field_errors(wrong, "nik") == ""  # nothing says the NIK was the wrong part


def test_reference_without_nik_and_missing_kecamatan_are_refused_next_to_their_fields(client, page):
    html = client.post(URL, complaint(reference="SK-2026-000001")).content.decode()
    assert "NIK" in field_errors(html, "nik")
    html = client.post(URL, complaint(kecamatan="")).content.decode()
    assert field_errors(html, "kecamatan")
    html = client.post(URL, complaint(description="   ", kind="neither")).content.decode()
    assert field_errors(html, "description")
    assert field_errors(html, "kind")
    assert Ticket.objects.count() == 0


def test_contact_phone_is_normalised_and_a_bad_one_refused(client, page):
    html = client.post(URL, complaint(contact_phone="12345")).content.decode()
    assert field_errors(html, "contact_phone")
    number, _code, _html = thanks(client, client.post(URL, complaint(contact_name="  Siti   Aminah ",
                                                                   contact_phone="0812-3456-7890")))
    ticket = Ticket.objects.get(number=number)
    assert ticket.contact_phone == "+6281234567890" and ticket.contact_name == "Siti Aminah"
    assert not ticket.is_anonymous


def test_honeypot_gets_a_neutral_page_and_no_ticket(client, page):
    response = client.post(URL, complaint(website="http://spam.example"))
    assert response.status_code == 200
    assert "ADU-" not in response.content.decode()
    assert Ticket.objects.count() == 0


def test_oversized_body_is_refused_with_413(client, page):
    response = client.post(URL, complaint(description="x" * 70_000))
    assert response.status_code == 413
    assert Ticket.objects.count() == 0


def test_too_long_description_is_refused_next_to_the_field(client, page):
    html = client.post(URL, complaint(description="x" * 3001)).content.decode()
    assert "3000" in field_errors(html, "description")


def test_rate_limit_refuses_with_429_for_submissions_and_status_checks(client, page, settings):
    settings.INTAKE_RATE_LIMIT = "2/m"
    assert client.post(URL, complaint()).status_code == 302
    assert client.post(URL, complaint()).status_code == 302
    response = client.post(URL, complaint())
    assert response.status_code == 429 and "tunggu" in response.content.decode().lower()
    assert Ticket.objects.count() == 2
    for _ in range(2):
        client.post(URL + "status/", {"number": "ADU-2026-000001", "secret": "X"})
    assert client.post(URL + "status/", {"number": "ADU-2026-000001", "secret": "X"}).status_code == 429


def test_post_without_csrf_token_is_refused(page):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, complaint()).status_code == 403
    assert Ticket.objects.count() == 0


def test_form_and_status_pages_are_never_stored_in_the_page_cache(client, page, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    for path in (URL, URL + "status/"):
        first = Client().get(path)
        second = Client().get(path)
        assert first.status_code == 200 and second.get("X-Cache") != "hit"
        assert "no-store" in second["Cache-Control"] or "max-age=0" in second["Cache-Control"]
        assert "csrfmiddlewaretoken" in second.content.decode()


def test_status_page_shows_the_answer_but_never_the_internal_note(client, page):
    ticket = TicketFactory(answered=True, internal_note="Catatan internal: cek ulang desil.")
    html = status(client, ticket.number, CHECK_CODE)
    assert ticket.answer in html
    assert "Catatan internal" not in html
    assert "Tidak diterima" in html or ticket.get_decision_code_display() in html


def test_sender_appeals_an_answer_once_and_gets_a_linked_ticket(client, page):
    ticket = TicketFactory(answered=True)
    response = client.post(URL + "banding/", {"number": ticket.number, "secret": CHECK_CODE,
                                              "description": "Desil saya sudah diperbarui di kelurahan."})
    number, code, _html = thanks(client, response)
    appeal = Ticket.objects.get(number=number)
    assert appeal.appeal_of == ticket and appeal.kecamatan == ticket.kecamatan
    assert number in status(client, number, code)
    again = client.post(URL + "banding/", {"number": ticket.number, "secret": CHECK_CODE,
                                           "description": "Sekali lagi."}).content.decode()
    assert "sedang ditangani" in again
    assert ticket.appeals.count() == 1


def test_appeal_with_a_wrong_code_or_against_an_open_ticket_is_refused(client, page):
    answered = TicketFactory(answered=True)
    html = client.post(URL + "banding/", {"number": answered.number, "secret": "ABCDEFGH23",
                                          "description": "Banding"}).content.decode()
    assert "Tidak ditemukan" in html
    open_ticket = TicketFactory()
    client.post(URL + "banding/", {"number": open_ticket.number, "secret": CHECK_CODE, "description": "Banding"})
    assert Ticket.objects.filter(appeal_of__isnull=False).count() == 0
    assert client.get(URL + "banding/").status_code == 302


def test_a_submission_costs_a_handful_of_queries(client, page, django_assert_max_num_queries):
    client.get(URL)  # page routing and site data cached per process
    with django_assert_max_num_queries(16) as captured:
        assert client.post(URL, complaint()).status_code == 302
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert sum("applicants_ticket" in sql for sql in writes) == 1  # one INSERT, the number derived before it
