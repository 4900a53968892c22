"""Registers on a 1366 px office screen: the filter panel sits above the table, never over it, the page
never scrolls sideways, and the column chooser changes what the table shows."""

import pytest

from .conftest import login

SCREEN = {"viewport": {"width": 1366, "height": 768}}
REGISTERS = [
    "/admin/applicants/application/",
    "/admin/applicants/interview/",
    "/admin/applicants/enrolment/",
    "/admin/applicants/capitalaward/",
    "/admin/applicants/followup/",
]


@pytest.fixture
def office(browser):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", **SCREEN)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("path", REGISTERS)
def test_register_fits_1366_px_and_the_filters_never_overlap_the_table(office, shot, e2e_server, path):
    login(office, e2e_server, "editor")
    office.goto(e2e_server(path))
    for summary in office.locator(".register-filter-form details > summary").all():
        summary.click()  # open the filter and column panels: the largest they get
    shot(office, "panels-open")
    form, table = _box(office, ".register-filter-form"), _box(office, ".register-scroll")
    if table is None:
        pytest.skip(f"{path}: no rows in the demo data")
    assert form["y"] + form["height"] <= table["y"] + 1, (path, form, table)
    assert table["x"] + table["width"] <= 1366, (path, table)
    # The page itself never scrolls sideways; a table wider than its box scrolls inside it.
    assert office.evaluate("document.documentElement.scrollWidth") <= 1366, path
    for selector in (".register-filter", ".register-columns label"):
        for box in [item.bounding_box() for item in office.locator(selector).all()]:
            assert box is None or box["x"] + box["width"] <= 1366, (path, selector, box)


def test_the_column_chooser_hides_a_column_and_keeps_the_choice_on_the_next_page(office, shot, e2e_server):
    login(office, e2e_server, "editor")
    office.goto(e2e_server("/admin/applicants/application/"))
    headers = office.locator(".register-table thead th")
    assert any("Kelurahan" in text for text in headers.all_inner_texts())
    office.locator("[data-register-columns] > summary").click()
    office.locator("[data-register-columns] input[value=kelurahan]").uncheck()
    office.get_by_role("button", name="Terapkan").click()
    office.wait_for_load_state()
    shot(office, "kelurahan-hidden")
    assert not any("Kelurahan" in text for text in office.locator(".register-table thead th").all_inner_texts())
    assert "cols=" in office.url and "cols=kelurahan" not in office.url
