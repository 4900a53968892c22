"""The Content-Security-Policy in a real browser: residents' pages and the Wagtail admin load and work
with it, and Chromium reports no violation (a violation is logged to the console as "Refused to ...")."""

import re

import pytest

from tests.e2e.conftest import login, query_db

PUBLIC = ["/", "/daftar/", "/pelatihan/", "/berita/", "/daftar/status/"]


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if (
        "Content Security Policy" in msg.text or "Refused to" in msg.text) else None)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    return problems


def test_public_pages_load_without_csp_violations(phone, shot, e2e_server):
    problems = _watch(phone)
    for path in PUBLIC:
        response = phone.goto(e2e_server(path))
        assert response.status < 500, path
        assert "script-src 'self';" in response.headers["content-security-policy"] + ";", path
        phone.wait_for_load_state("networkidle")
    # The interest form's own stylesheet applied (it was an inline <style> before the policy).
    phone.goto(e2e_server("/daftar/"))
    assert phone.locator(".sigap-form").first.evaluate("el => getComputedStyle(el).maxWidth") != "none"
    shot(phone, "csp-interest-form")
    phone.goto(e2e_server("/"))
    shot(phone, "csp-home")
    assert problems == []


def test_admin_dashboard_page_editor_preview_and_registers_work_under_the_admin_policy(desktop, shot, e2e_server):
    problems = _watch(desktop)
    login(desktop, e2e_server, "admin")
    shot(desktop, "csp-admin-dashboard")
    home_id = query_db(e2e_server, "SELECT id FROM wagtailcore_page WHERE depth = 2 ORDER BY id LIMIT 1")[0][0]
    application_id = query_db(e2e_server, "SELECT id FROM applicants_application ORDER BY id LIMIT 1")[0][0]
    for path in ["/admin/pages/", f"/admin/pages/{home_id}/", f"/admin/pages/{home_id}/edit/",
                 "/admin/applicants/application/", f"/admin/applicants/application/inspect/{application_id}/",
                 "/admin/wawancara/semua/", "/admin/pelaksanaan/kelas/", "/admin/images/multiple/add/",
                 "/admin/documents/", "/admin/reports/site-history/", "/admin/users/"]:
        response = desktop.goto(e2e_server(path))
        assert response.status == 200, path
        desktop.wait_for_load_state("networkidle")
    # The page editor's scripts ran: the StreamField and the preview panel are interactive.
    desktop.goto(e2e_server(f"/admin/pages/{home_id}/edit/"))
    desktop.wait_for_load_state("networkidle")
    assert desktop.locator("[data-side-panel-toggle]").count() > 0
    shot(desktop, "csp-page-editor")
    assert [p for p in problems if not re.search(r"favicon", p)] == []


@pytest.mark.parametrize("path", ["/", "/admin/login/"])
def test_permissions_policy_header_is_sent(desktop, e2e_server, path):
    response = desktop.goto(e2e_server(path))
    assert "camera=()" in response.headers["permissions-policy"]
