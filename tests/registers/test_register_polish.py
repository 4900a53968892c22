"""Registers that fit a screen and read well: column choice, "Semua" as the empty filter choice, labels as
export headers, in every register."""

import io
import re

import openpyxl
import pytest
from django.utils.text import capfirst

from programs.registers.base import get_register, register_keys
from programs.registers.query import COLUMNS_PARAM
from tests.factories import ApplicantFactory, ApplicationFactory, FollowUpFactory, UserFactory

pytestmark = pytest.mark.django_db

APPLICANTS = "/admin/applicants/application/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(superuser=True))
    return client


def _selects(html: str) -> dict[str, list[tuple[str, str]]]:
    """{select name: [(value, text)]} of the register's filter form."""
    form = re.search(r'<form method="(?:get|post)"[^>]*class="register-filter-form".*?</form>', html, re.S).group(0)
    return {
        name: [(value, " ".join(re.sub(r"<[^>]+>", "", text).split()))
               for value, text in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', body, re.S)]
        for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S)
    }


@pytest.mark.parametrize("key", register_keys())
def test_every_filter_choice_list_starts_with_semua_and_never_dashes(admin_client, key):
    register = get_register(key)
    html = admin_client.get(register.url_helper.index_url).content.decode()
    assert "---------" not in html
    selects = _selects(html)
    assert selects, key
    for name, options in selects.items():
        assert options[0][1] == "Semua", (key, name, options[:2])
        assert options[0][0] in ("", "unknown"), (key, name)
        assert [text for _value, text in options].count("Semua") == 1, (key, name)


def test_a_choice_filter_without_its_own_empty_choice_is_not_applied_unasked(admin_client):
    FollowUpFactory()
    register = get_register("followups")
    html = admin_client.get(register.url_helper.index_url, {"milestone": "", "business_running": "unknown"}).content
    selects = _selects(html.decode())
    assert selects["milestone"][0] == ("", "Semua") and selects["business_running"][0] == ("unknown", "Semua")
    assert b'data-register-count="1"' in html  # neither the first milestone nor "no" was applied


@pytest.mark.parametrize("key", register_keys())
def test_export_headers_are_labels_never_field_names(admin_client, key):
    register = get_register(key)
    columns = register.bound_export_columns()
    response = admin_client.get(register.export_url)
    assert response.status_code == 200, key
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    headers = [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1))]
    assert headers == [column.header for column in columns], key
    for column, header in zip(columns, headers, strict=True):
        assert header and header == capfirst(header), (key, column.path, header)
        assert "_" not in header and header not in (column.path, column.path.split("__")[-1]), (key, header)


def test_table_shows_the_default_columns_and_offers_each_as_a_checkbox(admin_client):
    ApplicationFactory()
    html = admin_client.get(APPLICANTS).content.decode()
    chooser = re.search(r"<details[^>]*data-register-columns.*?</details>", html, re.S).group(0)
    offered = re.findall(r'name="cols" value="([^"]+)"( checked)?', chooser)
    table_class = get_register("applicants").table_class
    assert [name for name, _ in offered] == list(table_class.choosable_columns())
    assert all(checked for name, checked in offered if name not in table_class.hidden_by_default)


def test_chosen_columns_are_the_only_ones_shown_and_carry_through_pages_and_sorting(admin_client):
    for n in range(3):
        ApplicationFactory(applicant=ApplicantFactory(full_name=f"Warga {n}"))
    html = admin_client.get(APPLICANTS, {COLUMNS_PARAM: ["full_name", "status"], "per_page": "25"}).content.decode()
    table = re.search(r"<table[^>]*register-table.*?</table>", html, re.S).group(0)
    headers = [" ".join(re.sub(r"<[^>]+>", "", h).split()) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    assert [h for h in headers if h] == ["Nama", "Status"]
    assert "No. pendaftaran" not in table and "Warga 1" in table
    # The sort links keep the chosen columns.
    sort_links = re.findall(r'<th[^>]*>\s*<a href="([^"]+)"', table)
    assert sort_links and all("cols=full_name" in link and "cols=status" in link for link in sort_links)


def test_an_unknown_column_is_ignored_with_a_note_and_the_defaults_stay(admin_client):
    ApplicationFactory()
    response = admin_client.get(APPLICANTS, {COLUMNS_PARAM: ["password", "applicant__nik", "<script>"]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Parameter tidak dikenali dan diabaikan: kolom." in html
    assert "No. pendaftaran" in re.search(r"<table[^>]*register-table.*?</table>", html, re.S).group(0)
    assert "&lt;script&gt;" not in re.search(r"<table[^>]*register-table.*?</table>", html, re.S).group(0)


def test_the_sorted_column_stays_visible(admin_client):
    ApplicationFactory()
    html = admin_client.get(APPLICANTS, {COLUMNS_PARAM: ["full_name"], "sort": "-submitted_at"}).content.decode()
    table = re.search(r"<table[^>]*register-table.*?</table>", html, re.S).group(0)
    assert "Tanggal daftar" in table or "Daftar" in table
    assert re.search(r'name="cols" value="submitted_at" checked', html)


def test_a_masked_reader_who_chooses_the_nik_column_still_sees_it_masked(client):
    application = ApplicationFactory()
    nik = application.applicant.nik
    client.force_login(UserFactory(auditor=True))
    html = client.get(APPLICANTS, {COLUMNS_PARAM: ["full_name", "nik"]}).content.decode()
    assert nik not in html and nik[-4:] in html


def test_columns_never_reach_the_filters_or_the_export_info(admin_client):
    ApplicationFactory()
    response = admin_client.get(get_register("applicants").export_url, {COLUMNS_PARAM: ["full_name"]})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    info = [[cell.value for cell in row] for row in workbook["Info"].iter_rows()]
    assert not any("cols" in str(value) for row in info for value in row)
    assert len(next(workbook.worksheets[0].iter_rows(max_row=1))) == len(get_register("applicants").export_columns)
