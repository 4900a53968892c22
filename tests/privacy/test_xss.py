"""Markup, script and spreadsheet formulas typed into the public form stay inert for Dinsos staff.

Each payload goes into every free-text field of the interest form (name, address, occupation, motivation).
A field may refuse it (e.g. a name with `<`), then the resident sees the form again with the text escaped
and nothing is stored; when stored, the editor's register list, inspect page and xlsx export must show the
text as text: escaped in HTML, a plain string cell (never a formula) in the workbook.
"""

import io

import pytest
from django.core.cache import cache
from django.test import Client
from openpyxl import load_workbook

from applicants.models import Application
from tests.factories import UserFactory, build_site, open_intake, valid_data

FREE_TEXT = ("full_name", "address", "occupation", "motivation")
PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "formula": '=HYPERLINK("http://x","y")',
}
RAW_MARKUP = ("<script>alert(1)", "<img src=x", "onerror=alert(1)>")
EXPORT_COLUMNS = {"full_name": "Nama lengkap", "address": "Alamat", "occupation": "Pekerjaan",
                  "motivation": "Motivasi"}


@pytest.fixture
def intake():
    cache.clear()
    build_site()
    return open_intake()


def _submit(client, serial: int, field: str, payload: str):
    return client.post("/daftar/", valid_data(serial=serial, **{field: payload}))


def _stored(field: str, payload: str) -> Application | None:
    lookup = {"full_name": "applicant__full_name", "address": "applicant__address",
              "occupation": "applicant__occupation", "motivation": "motivation"}[field]
    return Application.objects.select_related("applicant").filter(**{lookup: payload}).first()


def _assert_inert(html: str, where: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, (where, raw)


@pytest.mark.parametrize("payload_name", PAYLOADS)
def test_hostile_text_in_every_free_text_field_is_inert_in_the_form_register_inspect_and_export(
    db, intake, payload_name
):
    payload = PAYLOADS[payload_name]
    resident = Client()
    stored: dict[str, Application] = {}
    for serial, field in enumerate(FREE_TEXT, start=1):
        response = _submit(resident, serial, field, payload)
        if response.status_code == 200:  # refused by validation: shown back escaped, nothing stored
            _assert_inert(response.content.decode(), f"form {field}")
            assert _stored(field, payload) is None
        else:
            assert response.status_code == 302, (field, response.status_code)
            stored[field] = _stored(field, payload)
            assert stored[field] is not None, field
    # Address, occupation and motivation are free text: they must be accepted as typed.
    assert {"address", "occupation", "motivation"} <= set(stored)

    editor = Client()
    editor.force_login(UserFactory(editor=True))
    listing = editor.get("/admin/applicants/application/").content.decode()
    _assert_inert(listing, "list")
    if "full_name" in stored:
        assert "&lt;" in listing or payload_name == "formula"
    for field, application in stored.items():
        # The application's inspect page, and the person's (occupation is shown only there).
        html = ""
        for url in (f"/admin/applicants/application/inspect/{application.pk}/",
                    f"/admin/applicants/applicant/inspect/{application.applicant_id}/"):
            page = editor.get(url)
            assert page.status_code == 200, url
            html += page.content.decode()
        _assert_inert(html, f"inspect {field}")
        if payload_name == "formula":
            assert payload.replace('"', "&quot;") in html, field
        else:
            assert "alert(1)" in html, field  # shown, as escaped text

    response = editor.get("/admin/applicants/application/export/")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active  # not read-only: keeps the cells' data types
    rows = list(sheet.iter_rows())
    at = next(i for i, row in enumerate(rows) if any(cell.value == "NIK" for cell in row))
    header = [cell.value for cell in rows[at]]
    by_reference = {row[header.index("No. pendaftaran")].value: row for row in rows[at + 1:]}
    for field, application in stored.items():
        cell = by_reference[application.reference][header.index(EXPORT_COLUMNS[field])]
        assert cell.value == payload, field
        assert cell.data_type == "s", (field, cell.data_type)  # a string, never a formula
