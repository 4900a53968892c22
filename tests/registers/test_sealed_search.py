"""A NIK, KK or phone number typed in a register's search box never reaches a URL (and so no access
log or proxy): the posted form answers with the list's address holding a key that only the typing
user's session can read; names still travel in the URL so a list can be shared."""

import io
import re

import pytest
from openpyxl import load_workbook

from applicants.models import Applicant
from programs.registers.models import ExportJob
from programs.registers.sealed import KEEP, SESSION_KEY
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/applicants/application/"
EXPORT = "/admin/applicants/application/export/"


@pytest.fixture
def people():
    return (ApplicationFactory(applicant__phone="+6281234500111"),
            ApplicationFactory(applicant__phone="+6281234500222"))


@pytest.fixture
def admin(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _digits_in(url: str) -> list[str]:
    return re.findall(r"\d{6,}", url)


@pytest.mark.parametrize("typed", ["{nik}", "{spaced}", "{arabic}", "{phone}"])
def test_a_typed_identity_number_is_sealed_out_of_the_url(client, admin, people, typed):
    wanted, other = people
    nik, phone = wanted.applicant.nik, "0" + wanted.applicant.phone.removeprefix("+62")
    term = typed.format(nik=nik, phone=phone, spaced=" ".join(nik[i:i + 4] for i in range(0, 16, 4)),
                        arabic=nik.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    posted = client.post(LIST, {"q": term, "status": ""})
    assert posted.status_code == 303
    location = posted["Location"]
    assert "qk=" in location and "q=" not in location.replace("qk=", "") and not _digits_in(location)
    listing = client.get(location)
    html = listing.content.decode()
    assert listing.status_code == 200
    assert wanted.reference in html and other.reference not in html


def test_a_name_stays_in_the_url_so_the_list_can_be_shared(client, admin, people):
    posted = client.post(LIST, {"q": "Siti", "p": "2"})
    assert posted.status_code == 303 and posted["Location"].endswith("?q=Siti&p=2")


def test_the_key_means_nothing_in_another_session(client, admin, people, django_user_model):
    wanted, other = people
    location = client.post(LIST, {"q": wanted.applicant.nik})["Location"]
    client.logout()
    client.force_login(UserFactory(username="root2", is_staff=True, is_superuser=True))
    html = client.get(location).content.decode()
    assert wanted.reference in html and other.reference in html  # unsearched, with a note to retype
    assert "ketik ulang" in html


def test_the_export_of_a_sealed_search_has_the_searched_rows_and_its_job_keeps_no_key(client, admin, people,
                                                                                        settings):
    wanted, other = people
    location = client.post(LIST, {"q": wanted.applicant.nik})["Location"]
    query = location.split("?", 1)[1]
    response = client.get(f"{EXPORT}?{query}")
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        content = b"".join(response.streaming_content)
        cells = [str(c) for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)
                 for c in row]
        assert wanted.reference in cells and other.reference not in cells
    for job in ExportJob.objects.all():
        assert "qk" not in job.params


def test_the_session_keeps_a_bounded_number_of_searches(client, admin, people):
    for serial in range(KEEP + 5):
        client.post(LIST, {"q": f"{3671010000000000 + serial}"})
    assert len(client.session[SESSION_KEY]) == KEEP


def test_posting_needs_the_list_permission_and_a_csrf_token(client, people):
    client.force_login(UserFactory(comms=True))
    assert client.post(LIST, {"q": people[0].applicant.nik}).status_code in (302, 403)
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(UserFactory(username="root3", is_staff=True, is_superuser=True))
    assert csrf_client.post(LIST, {"q": people[0].applicant.nik}).status_code == 403
    assert Applicant.objects.count() == 2
