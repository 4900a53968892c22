"""The register upload page names itself, labels its button and leads to the live progress of imports."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, WelfareImportBatchFactory

pytestmark = pytest.mark.django_db


def _header(html: str) -> str:
    """The visible text of the admin's slim header (breadcrumbs and title), tags stripped."""
    header = re.search(r"<header class=\"w-slim-header.*?</header>", html, re.S).group(0)
    header = re.sub(r'<h1 class="w-sr-only">.*?</h1>', "", header, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", header).split())


def test_upload_page_shows_its_own_title_and_button_label(client):
    client.force_login(UserFactory(editor=True))
    html = client.get(reverse("welfare:upload")).content.decode()
    assert re.search(r"<title>\s*Impor register kesejahteraan", html)
    assert "Impor register kesejahteraan" in _header(html)
    assert "Beranda" not in _header(html) and "Home" not in _header(html)
    button = re.search(r'<button type="submit" class="button button--icon">(.*?)</button>', html, re.S).group(1)
    assert "Unggah dan impor" in re.sub(r"<[^>]+>", "", button)


def test_report_page_header_leads_back_to_the_upload_page(client):
    user = UserFactory(editor=True)
    client.force_login(user)
    batch = WelfareImportBatchFactory(uploaded_by=user)
    html = client.get(reverse("welfare:report", args=[batch.pk])).content.decode()
    assert "Laporan impor register" in _header(html) and "Beranda" not in _header(html)
    assert f'href="{reverse("welfare:upload")}"' in html


def test_upload_page_leads_to_the_progress_of_the_users_own_running_import(client):
    user, other = UserFactory(editor=True), UserFactory(editor=True)
    mine = WelfareImportBatchFactory(
        state="processing", uploaded_by=user, file_name="dtsen-kota.csv", started_at=timezone.now() -
        datetime.timedelta(seconds=30), bytes_total=1000, bytes_done=400, rows_read=120,
    )
    theirs = WelfareImportBatchFactory(state="processing", uploaded_by=other, file_name="punya-lain.csv")
    client.force_login(user)
    html = client.get(reverse("welfare:upload")).content.decode()
    running = re.search(r"<section[^>]*data-running-imports.*?</section>", html, re.S).group(0)
    assert "Impor yang sedang berjalan" in running
    assert f'href="{reverse("welfare:report", args=[mine.pk])}"' in running and "Lihat kemajuan impor" in running
    assert "40%, 120 baris dibaca" in running
    assert "punya-lain.csv" not in running and reverse("welfare:report", args=[theirs.pk]) not in running


def test_no_running_section_without_a_running_import(client):
    user = UserFactory(editor=True)
    WelfareImportBatchFactory(uploaded_by=user)  # the current register, finished
    client.force_login(user)
    assert "data-running-imports" not in client.get(reverse("welfare:upload")).content.decode()
