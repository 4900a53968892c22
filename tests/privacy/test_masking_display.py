"""Masked output beyond the cell itself: birth dates, sorting, search terms in files and the audit log."""

import datetime
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.template import engines
from wagtail.models import ModelLogEntry

from applicants import identity
from applicants.privacy.masking import display_birth_date
from applicants.privacy.roles import AUDITOR
from tests.factories import ApplicantFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def auditor():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=AUDITOR))
    return user


@pytest.fixture
def people():
    """Three people whose birth-date order differs from their name order."""
    return [ApplicantFactory(full_name=name, birth_date=born, nik=f"367101{born:%d%m%y}{serial:04d}")
            for name, born, serial in (("Ani", datetime.date(1996, 3, 2), 1), ("Budi", datetime.date(1990, 7, 9), 2),
                                       ("Citra", datetime.date(2001, 1, 5), 3))]


def test_birth_date_is_shown_in_full_to_editors_and_as_an_age_band_to_others(auditor):
    born = datetime.date(1996, 5, 17)
    assert display_birth_date(born, UserFactory(editor=True), TODAY) == "17-05-1996"
    assert display_birth_date(born, auditor, TODAY) == "26-35 tahun"
    template = engines["django"].from_string("{% load privacy %}{{ born|birth_date_for:user }}")
    assert re.fullmatch(r"\d+-\d+ tahun", template.render({"born": born, "user": auditor}))


@pytest.mark.parametrize("text", ["3671015705960017", "cari 3671 0157 0596 0017 ya", "3671-0157-0596-0017",
                                  "٣٦٧١٠١٥٧٠٥٩٦٠٠١٧"])
def test_a_nik_inside_free_text_is_masked_whatever_its_separators_or_digits(text):
    masked = identity.mask_numbers_in_text(text)
    assert "36710157" not in re.sub(r"[\s\-]", "", masked) and "************0017" in masked


def test_short_numbers_and_longer_runs_are_left_alone():
    assert identity.mask_numbers_in_text("RT 003 RW 004, 12345") == "RT 003 RW 004, 12345"
    assert identity.mask_numbers_in_text("1" * 17) == "1" * 17


def test_auditor_cannot_sort_the_people_register_by_birth_date_or_nik(client, auditor, people):
    client.force_login(auditor)
    for sort in ("birth_date", "-birth_date", "nik", "-kk_number"):
        html = client.get("/admin/applicants/applicant/", {"sort": sort}).content.decode()
        order = [m for m in re.findall(r"(Ani|Budi|Citra)</a>", html)]
        assert order == ["Ani", "Budi", "Citra"], sort  # the default order (by name), not by birth date
        header = re.search(r"register-table.*?</thead>", html, re.S).group(0)
        assert "sort=full_name" in header  # other columns stay sortable
        assert "sort=birth_date" not in header and "sort=nik" not in header and "sort=kk_number" not in header
    client.force_login(UserFactory(editor=True))
    html = client.get("/admin/applicants/applicant/", {"sort": "birth_date"}).content.decode()
    assert re.findall(r"(Ani|Budi|Citra)</a>", html) == ["Budi", "Ani", "Citra"]


def test_auditor_export_shows_age_bands_and_masks_a_searched_nik_in_the_file_and_the_log(client, auditor, people):
    ani = people[0]
    client.force_login(auditor)
    response = client.get("/admin/applicants/applicant/export/", {"q": f"{ani.nik[:8]} {ani.nik[8:]}"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 2
    assert rows[1][header.index("Tanggal lahir")] == identity.age_band(ani.birth_date)
    info = " ".join(str(cell) for row in book["Info"].iter_rows(values_only=True) for cell in row if cell)
    assert ani.nik not in info.replace(" ", "") and "************" in info
    entry = ModelLogEntry.objects.filter(action="sigap.register_export").latest("pk")
    assert ani.nik not in str(entry.data).replace(" ", "")
