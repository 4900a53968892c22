"""The applicant register in the admin: filters, search, counts, bounded queries, create, inspect."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus, DtksSelfReport, Eligibility, Source
from applicants.models import Applicant, Application
from applicants.privacy.roles import AUDITOR
from programs.models import Kelurahan
from tests.factories import ApplicantFactory, ApplicationFactory, IntakeFactory, ProgramFactory, UserFactory, make_nik

URL = "/admin/applicants/application/"

pytestmark = pytest.mark.django_db


def count_in(response) -> int:
    match = re.search(rb'data-register-count="(\d+)"', response.content)
    assert match, response.content[:2000]
    return int(match.group(1))


def references_in(response) -> list[str]:
    return re.findall(r"SK-\d{4}-\d{6}", response.content.decode())


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(superuser=True, username="admin"))
    return client


@pytest.fixture
def world():
    """Two intakes, two programs, applicants spread over two kecamatan and several states."""
    tata_boga, barbershop = ProgramFactory(name="Tata Boga", slug="tata-boga"), ProgramFactory(
        name="Barbershop", slug="barbershop"
    )
    intake = IntakeFactory(programs=[tata_boga, barbershop], year=2026)
    other_intake = IntakeFactory(programs=[tata_boga], year=2026)
    kel_a = Kelurahan.objects.filter(kecamatan__name="Cipondoh").order_by("code").first()
    kel_b = Kelurahan.objects.filter(kecamatan__name="Karawaci").order_by("code").first()
    today = timezone.localdate()
    rows = {
        "siti": dict(kel=kel_a, female=True, age=22, program=tata_boga, status=ApplicationStatus.SUBMITTED,
                     source=Source.ONLINE, dtks=DtksSelfReport.REGISTERED, elig=Eligibility.VERIFIED, days_ago=1),
        "budi": dict(kel=kel_a, female=False, age=30, program=barbershop, status=ApplicationStatus.VERIFIED,
                     source=Source.WALK_IN, dtks=DtksSelfReport.UNSURE, elig=Eligibility.PENDING, days_ago=5),
        "ani": dict(kel=kel_b, female=True, age=40, program=tata_boga, status=ApplicationStatus.REJECTED,
                    source=Source.STAFF, dtks=DtksSelfReport.NOT_REGISTERED, elig=Eligibility.NOT_FOUND,
                    days_ago=10),
        "joko": dict(kel=kel_b, female=False, age=50, program=barbershop, status=ApplicationStatus.SUBMITTED,
                     source=Source.ONLINE, dtks=DtksSelfReport.REGISTERED, elig=Eligibility.VERIFIED, days_ago=20),
    }
    made = {}
    for index, (key, spec) in enumerate(rows.items(), start=1):
        birth = today.replace(year=today.year - spec["age"]) - datetime.timedelta(days=30)
        applicant = ApplicantFactory(
            full_name=f"{key.title()} Rahayu", birth_date=birth, female=spec["female"], kelurahan=spec["kel"],
            nik=make_nik(birth, sex="P" if spec["female"] else "L", serial=index), phone=f"+6281234500{index:03d}",
        )
        made[key] = ApplicationFactory(
            applicant=applicant, intake=intake, program=spec["program"], status=spec["status"],
            source=spec["source"], dtks_self_report=spec["dtks"], eligibility=spec["elig"],
            submitted_at=timezone.now() - datetime.timedelta(days=spec["days_ago"]),
        )
    made["other_intake"] = ApplicationFactory(
        submitted=True, applicant=ApplicantFactory(full_name="Dewi Lain", kelurahan=kel_a), intake=other_intake,
        program=tata_boga,
    )
    return {"apps": made, "intake": intake, "other_intake": other_intake, "kel_a": kel_a, "kel_b": kel_b,
            "tata_boga": tata_boga, "barbershop": barbershop}


def test_superuser_sees_filtered_register_with_matching_count(admin_client, world):
    kecamatan = world["kel_a"].kecamatan
    response = admin_client.get(URL, {"kecamatan": kecamatan.pk, "intake": world["intake"].pk})
    assert response.status_code == 200
    assert count_in(response) == 2
    shown = set(references_in(response))
    assert shown == {world["apps"]["siti"].reference, world["apps"]["budi"].reference}


def test_filter_state_round_trips_through_the_url(admin_client, world):
    params = {"status": "submitted", "kecamatan": str(world["kel_b"].kecamatan.pk), "sort": "-submitted_at"}
    response = admin_client.get(URL, params)
    html = response.content.decode()
    # The filter form is re-rendered with the chosen values selected...
    assert re.search(r'<option value="submitted" selected>', html)
    assert re.search(rf'<option value="{world["kel_b"].kecamatan.pk}" selected>', html)
    # ...and the export link and page links carry the same query string.
    export_href = re.search(r'href="([^"]*/export/[^"]*)"', html).group(1).replace("&amp;", "&")
    for key, value in params.items():
        assert f"{key}={value}" in export_href
    assert count_in(response) == 1


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"program": "barbershop"}, {"budi", "joko"}),
        ({"status": "rejected"}, {"ani"}),
        ({"source": "walk_in"}, {"budi"}),
        ({"dtks": "unsure"}, {"budi"}),
        ({"eligibility": "verified"}, {"siti", "joko"}),
        ({"sex": "P"}, {"siti", "ani"}),
        ({"age": "18-25"}, {"siti"}),
        ({"age": "26-35"}, {"budi"}),
        ({"age": "36-45"}, {"ani"}),
        ({"age": "46-59"}, {"joko"}),
        ({"kelurahan": "kel_b"}, {"ani", "joko"}),
        ({"submitted_from": 7}, {"siti", "budi"}),
        ({"submitted_to": 7}, {"ani", "joko"}),
        ({"submitted_from": 12, "submitted_to": 3}, {"budi", "ani"}),
    ],
)
def test_each_filter_narrows_to_the_right_applications(admin_client, world, params, expected):
    query = {"intake": world["intake"].pk}
    for key, value in params.items():
        if key == "program":
            value = world[value.replace("-", "_")].pk if value != "barbershop" else world["barbershop"].pk
        elif key == "kelurahan":
            value = world[value].pk
        elif key.startswith("submitted_"):
            value = (timezone.localdate() - datetime.timedelta(days=value)).isoformat()
        query[key] = value
    response = admin_client.get(URL, query)
    expected_refs = {world["apps"][key].reference for key in expected}
    assert set(references_in(response)) == expected_refs
    assert count_in(response) == len(expected)


def test_intake_filter_separates_rounds(admin_client, world):
    response = admin_client.get(URL, {"intake": world["other_intake"].pk})
    assert references_in(response) == [world["apps"]["other_intake"].reference]


@pytest.mark.parametrize(
    "term_for, expected",
    [
        (lambda a: a.applicant.nik, "budi"),
        (lambda a: f"{a.applicant.nik[:4]} {a.applicant.nik[4:8]}.{a.applicant.nik[8:]}", "budi"),
        (lambda a: "0" + a.applicant.phone[3:], "budi"),  # 0812... as typed on a form
        (lambda a: a.reference.lower(), "budi"),
        (lambda a: "udi rah", "budi"),
    ],
)
def test_search_by_nik_phone_reference_and_name(admin_client, world, term_for, expected):
    app = world["apps"][expected]
    response = admin_client.get(URL, {"q": term_for(app)})
    assert references_in(response) == [app.reference]


def test_partial_nik_does_not_match_anyone(admin_client, world):
    response = admin_client.get(URL, {"q": world["apps"]["budi"].applicant.nik[:10]})
    assert count_in(response) == 0


def test_sort_links_order_the_rows(admin_client, world):
    response = admin_client.get(URL, {"intake": world["intake"].pk, "sort": "submitted_at"})
    refs = references_in(response)
    oldest_first = [world["apps"][k].reference for k in ("joko", "ani", "budi", "siti")]
    assert [r for r in refs if r in oldest_first] == oldest_first


CAPTURED: list = []


def _queries_for_page(client, per_page):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, {"status": "submitted", "per_page": per_page, "sort": "full_name"})
    assert response.status_code == 200
    CAPTURED[:] = ctx.captured_queries
    return len(ctx.captured_queries), len(references_in(response))


def test_page_query_count_does_not_grow_with_page_size_or_rows(admin_client, world):
    intake = world["intake"]
    ApplicationFactory.create_batch(60, submitted=True, intake=intake, program=world["tata_boga"])
    admin_client.get(URL)  # warm session/content-type caches
    small_queries, small_rows = _queries_for_page(admin_client, 25)
    big_queries, big_rows = _queries_for_page(admin_client, 100)
    assert (small_rows, big_rows) == (25, 63)  # 60 new + siti, joko, other_intake
    assert small_queries == big_queries, "\n".join(q["sql"][:150] for q in CAPTURED)
    # session+user+profile (3), admin menu (3), COUNT, 4 filter option lists, page rows, session save (3)
    assert big_queries <= 16, "\n".join(q["sql"][:150] for q in CAPTURED)


def test_auditor_sees_masked_nik(client, world):
    auditor = UserFactory(username="auditor")
    auditor.groups.add(Group.objects.get(name=AUDITOR))
    client.force_login(auditor)
    response = client.get(URL)
    assert response.status_code == 200
    nik = world["apps"]["budi"].applicant.nik
    assert nik not in response.content.decode()
    assert "*" * 12 + nik[-4:] in response.content.decode()


# --- create / edit / inspect ------------------------------------------------------------------------------

def _form_data(world, **overrides):
    birth = datetime.date(1995, 3, 14)
    data = {
        "nik": make_nik(birth, sex="P", serial=777), "kk_number": "3671010101000777",
        "full_name": "Rina Kertas", "birth_date": birth.isoformat(), "phone": "0812-3456-7890",
        "address": "Jl. Melati 3", "rt": "001", "rw": "004", "kelurahan": world["kel_a"].pk,
        "household_size": 3, "occupation": "Ibu rumah tangga", "intake": world["intake"].pk,
        "program": world["tata_boga"].pk, "program_alt": "", "dtks_self_report": "registered",
        "motivation": "Ingin buka usaha kue", "source": "walk_in", "status": "submitted", "consent": "on",
    }
    data.update(overrides)
    return data


def test_walk_in_application_created_in_admin_is_saved_normalised_and_logged(admin_client, world):
    response = admin_client.post(URL + "create/", _form_data(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    app = Application.objects.get(applicant__full_name="Rina Kertas")
    assert app.source == Source.WALK_IN and app.reference.startswith("SK-2026-")
    assert app.applicant.phone == "+6281234567890" and app.applicant.sex == "P"
    assert app.consent_at is not None
    actions = set(ModelLogEntry.objects.values_list("action", flat=True))
    assert "wagtail.create" in actions
    entry = ModelLogEntry.objects.get(
        action="wagtail.create", object_id=str(app.pk), content_type__model="application"
    )
    assert entry.user.username == "admin"


def test_staff_entering_invalid_nik_sees_indonesian_error_next_to_field_and_nothing_is_saved(admin_client, world):
    before = (Applicant.objects.count(), Application.objects.count())
    response = admin_client.post(URL + "create/", _form_data(world, nik="1234"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "NIK harus 16 angka (Anda mengisi 4 angka)." in html
    # The message sits in the NIK field's wrapper, not in a generic banner only.
    field_block = html[html.index('id="id_nik"') - 3000: html.index('id="id_nik"') + 3000]
    assert "NIK harus 16 angka" in field_block
    assert (Applicant.objects.count(), Application.objects.count()) == before


def test_birth_date_must_match_the_nik(admin_client, world):
    response = admin_client.post(URL + "create/", _form_data(world, birth_date="1995-03-15"))
    assert response.status_code == 200
    assert "Tanggal lahir tidak sesuai dengan NIK." in response.content.decode()
    assert not Application.objects.filter(applicant__full_name="Rina Kertas").exists()


def test_second_application_for_same_nik_and_intake_is_refused(admin_client, world):
    existing = world["apps"]["siti"].applicant
    data = _form_data(world, nik=existing.nik, birth_date=existing.birth_date.isoformat())
    response = admin_client.post(URL + "create/", data)
    assert response.status_code == 200
    assert "NIK ini sudah terdaftar pada gelombang tersebut." in response.content.decode()
    assert Application.objects.filter(applicant=existing).count() == 1


def test_inspect_shows_application_with_its_history(admin_client, world):
    admin_client.post(URL + "create/", _form_data(world))
    app = Application.objects.get(applicant__full_name="Rina Kertas")
    data = _form_data(world, motivation="Ingin membuka usaha katering")
    response = admin_client.post(URL + f"edit/{app.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = admin_client.get(URL + f"inspect/{app.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert app.reference in html and "Rina Kertas" in html
    history = html[html.index('id="history"'):]
    assert history.count("<tr>") >= 4  # header + create + edit of the application + the person's entries
    assert "admin" in history


# --- the "Orang" (person) register ------------------------------------------------------------------------

PEOPLE_URL = "/admin/applicants/applicant/"


def _person_data(world, **overrides):
    birth = datetime.date(1988, 7, 9)
    data = {
        "nik": make_nik(birth, sex="L", serial=4321), "kk_number": "3671 0101 0100 4321",
        "full_name": "Tono Sugiarto", "birth_date": birth.isoformat(), "phone": "+62 812 3456 7891",
        "address": "Jl. Kenanga 1", "rt": "002", "rw": "003", "kelurahan": world["kel_b"].pk,
        "household_size": 5, "occupation": "Ojek",
    }
    data.update(overrides)
    return data


def test_person_created_in_admin_gets_sex_from_nik_and_normalised_numbers(admin_client, world):
    response = admin_client.post(PEOPLE_URL + "create/", _person_data(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Applicant.objects.get(full_name="Tono Sugiarto")
    assert person.sex == "L" and person.kk_number == "3671010101004321" and person.phone == "+6281234567891"
    assert ModelLogEntry.objects.filter(action="wagtail.create", content_type__model="applicant").exists()
    listing = admin_client.get(PEOPLE_URL, {"q": "3671010101004321"})  # search by KK
    assert count_in(listing) == 1 and "Tono Sugiarto" in listing.content.decode()


def test_person_with_unknown_region_in_nik_is_refused_with_indonesian_message(admin_client, world):
    response = admin_client.post(PEOPLE_URL + "create/", _person_data(world, nik="9999010907884321"))
    assert response.status_code == 200
    assert "Kode wilayah pada 6 angka pertama NIK tidak dikenal." in response.content.decode()
    assert not Applicant.objects.filter(full_name="Tono Sugiarto").exists()


def test_invalid_filter_value_is_reported_and_ignored_not_a_crash(admin_client, world):
    response = admin_client.get(URL, {"status": "bogus", "submitted_from": "kemarin"})
    assert response.status_code == 200
    assert count_in(response) == 5
    assert 'class="error-message"' in response.content.decode()
