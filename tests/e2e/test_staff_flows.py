"""Dinsos staff at work: the editor exports a filtered register, the interviewer records an outcome, comms
publish news, and comms cannot open the applicant register."""

import io
import re

from openpyxl import load_workbook

from .conftest import login, query_db


def test_editor_filters_the_register_by_kecamatan_and_exports_matching_rows(desktop, shot, e2e_server):
    login(desktop, e2e_server, "editor")
    desktop.goto(e2e_server("/admin/applicants/application/"))
    shot(desktop, "register")
    total = int(desktop.locator("[data-register-count]").get_attribute("data-register-count"))
    [(kecamatan_id, kecamatan)] = query_db(
        e2e_server,
        "SELECT k.id, k.name FROM programs_kecamatan k JOIN programs_kelurahan l ON l.kecamatan_id = k.id "
        "JOIN applicants_applicant a ON a.kelurahan_id = l.id GROUP BY k.id ORDER BY COUNT(*) DESC LIMIT 1",
    )
    desktop.locator("form.register-filter-form summary").first.click()  # "Filter" ("Saring"); then "Kolom"
    desktop.select_option("select[name=kecamatan]", value=str(kecamatan_id))
    desktop.get_by_role("button", name="Terapkan").click()
    desktop.wait_for_url(re.compile(rf"kecamatan={kecamatan_id}"))
    shot(desktop, "filtered")
    count = int(desktop.locator("[data-register-count]").get_attribute("data-register-count"))
    assert 0 < count < total

    with desktop.expect_download() as info:
        desktop.locator("a[data-register-export]").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(rows) if row and "NIK" in row)
    header = rows[header_index]
    data = [row for row in rows[header_index + 1:] if any(cell is not None for cell in row)]
    assert len(data) == count
    kec, nik = header.index("Kecamatan"), header.index("NIK")
    assert {row[kec] for row in data} == {kecamatan}
    # Identity numbers stay text: 16 digits, no scientific notation, no lost leading zeros.
    assert all(isinstance(row[nik], str) and re.fullmatch(r"\d{16}", row[nik]) for row in data)


def test_interviewer_records_an_outcome_from_my_schedule_and_the_status_changes(desktop, shot, e2e_server):
    login(desktop, e2e_server, "pewawancara")
    desktop.get_by_role("button", name="Jadwal wawancara", exact=True).click()  # the sidebar submenu
    desktop.get_by_role("link", name="Jadwal saya").click()
    desktop.wait_for_url(e2e_server("/admin/wawancara/"))
    shot(desktop, "my-schedule")
    first_row = desktop.locator("table.listing tbody tr").first
    reference = first_row.locator("td").nth(1).inner_text().strip()
    [(before,)] = query_db(e2e_server, "SELECT status FROM applicants_application WHERE reference = ?", (reference,))
    assert before == "interview_scheduled"
    first_row.get_by_role("link", name="Catat hasil").click()
    desktop.wait_for_url(re.compile(r"/admin/wawancara/\d+/hasil/"))
    shot(desktop, "outcome-form")
    desktop.check("input[name=attendance][value=came]")
    for name in ("motivation", "readiness", "business_potential", "household_need"):
        desktop.check(f"input[name=score_{name}][value='4']")
    desktop.select_option("select[name=decision]", "accept")
    shot(desktop, "outcome-filled")
    desktop.get_by_role("button", name="Simpan hasil").click()
    desktop.wait_for_url(e2e_server("/admin/wawancara/"))
    shot(desktop, "saved")
    assert reference in desktop.locator(".messages").inner_text()
    [(after,)] = query_db(e2e_server, "SELECT status FROM applicants_application WHERE reference = ?", (reference,))
    assert after == "accepted"
    assert reference not in desktop.locator("main").inner_text().replace(desktop.locator(".messages").inner_text(), "")


def test_comms_publishes_news_and_readers_see_it_on_the_public_site(desktop, shot, e2e_server):
    [(index_id,)] = query_db(e2e_server, "SELECT id FROM wagtailcore_page WHERE url_path LIKE '%/berita/' "
                                         "AND depth = 3")
    login(desktop, e2e_server, "humas")
    desktop.goto(e2e_server(f"/admin/pages/{index_id}/add_subpage/"))
    desktop.wait_for_url(re.compile(r"/admin/pages/add/public_pages/newspage/\d+/"))
    title = "Pelatihan Menjahit Dibuka untuk Warga Cibodas"
    desktop.fill("#id_title", title)
    desktop.fill("#id_lead", "Dinsos membuka kelas menjahit gratis bagi keluarga terdaftar DTSEN.")
    shot(desktop, "editor")
    desktop.locator("footer .w-dropdown__toggle, footer [data-w-dropdown-target=toggle]").first.click()
    desktop.locator("button[name=action-publish]").click()
    desktop.wait_for_url(re.compile(rf"/admin/pages/{index_id}/"))
    shot(desktop, "published")
    [(url_path,)] = query_db(e2e_server, "SELECT url_path FROM wagtailcore_page WHERE title = ? AND live = 1",
                             (title,))
    public_path = "/" + url_path.strip("/").split("/", 1)[1] + "/"
    assert public_path.startswith("/berita/")

    response = desktop.goto(e2e_server(public_path))
    assert response.status == 200
    assert desktop.locator("h1").inner_text().strip() == title
    shot(desktop, "public-news")
    desktop.goto(e2e_server("/berita/"))
    assert title in desktop.locator("main").inner_text()
    shot(desktop, "news-index")


def test_comms_cannot_open_the_applicant_register(desktop, shot, e2e_server):
    login(desktop, e2e_server, "humas")
    response = desktop.goto(e2e_server("/admin/applicants/application/"))
    shot(desktop, "refused")
    body = desktop.locator("body").inner_text()
    # Wagtail refuses with 403, or sends the user back to the dashboard with a permission message.
    assert response.status == 403 or (desktop.url == e2e_server("/admin/") and "izin" in body.lower())
    assert "3671" not in body
