"""Staff screens read Indonesian from the login on, and English when a user chooses it.

Each demo role opens the screens of its daily work with the browser in Indonesian; the visible text
must hold none of the English words below (whole words, case-sensitive, so "Status" or "Filter" in
an Indonesian sentence are not hits unless they stand as the English word). Then one user switches to
English in Wagtail's account settings and finds our own screens in English.
"""

import re

import pytest

from .conftest import login

ENGLISH = [
    "Reports", "Help", "Password", "Forgotten password", "Remember me", "Page title", "New:", "No data",
    "Snippets", "Forbidden", "Search", "Export", "Add", "Edit", "Delete", "Save", "Cancel", "Dashboard",
    "Settings", "Account", "Log out", "Sign in", "Actions", "More actions", "Bulk actions", "Select all",
    "Show filters", "Filter by", "Back", "Shortcuts", "Editor Guide", "Site history", "Profile",
    "Notifications", "Sort by", "Download", "Create", "Loading", "There are no results",
]
WORDS = re.compile(r"(?<![\w-])(" + "|".join(re.escape(word) for word in ENGLISH) + r")(?![\w-])")

# role -> screens of its daily work: (path, link to follow from it or None)
SCREENS = {
    "editor": [
        ("/admin/", None),
        ("/admin/applicants/application/", "a[href*='/applicants/application/inspect/']"),
        ("/admin/applicants/application/create/", None),
        ("/admin/applicants/interview/", None),
        ("/admin/programs/cohort/", None),
        ("/admin/gelombang/", "a[href*='/gelombang/edit/']"),
        ("/admin/register-kesejahteraan/", None),
        ("/admin/applicants/capitalaward/", None),
        ("/admin/kelulusan/papan/", None),
        ("/admin/snippets/", None),
        ("/admin/reports/site-history/", None),
    ],
    "pewawancara": [
        ("/admin/", None),
        ("/admin/wawancara/", "a[href*='/hasil/']"),
        ("/admin/applicants/interview/", None),
    ],
    "humas": [
        ("/admin/", None),
        ("/admin/pages/", None),
        ("/admin/pages/3/edit/", None),
        ("/admin/images/", None),
        ("/admin/reports/site-history/", None),
    ],
    "auditor": [
        ("/admin/", None),
        ("/admin/applicants/application/", "a[href*='/applicants/application/inspect/']"),
        ("/admin/applicants/followup/", None),
        ("/admin/programs/cohort/", None),
        ("/admin/privasi/permintaan/", None),
    ],
}


def english_words(page) -> list[str]:
    text = page.locator("body").inner_text()
    return sorted({match.group(1) for match in WORDS.finditer(text)})


def test_the_login_page_is_indonesian(desktop, shot, e2e_server):
    desktop.goto(e2e_server("/admin/login/"))
    shot(desktop, "login")
    assert english_words(desktop) == []
    assert "Masuk ke Sigap Kerja" in desktop.locator("body").inner_text()


@pytest.mark.parametrize("role", sorted(SCREENS))
def test_each_role_reads_its_daily_screens_in_indonesian(desktop, shot, e2e_server, role):
    login(desktop, e2e_server, role)
    found = {}
    for path, follow in SCREENS[role]:
        desktop.goto(e2e_server(path))
        screens = [path]
        if words := english_words(desktop):
            found[path] = words
        if follow and desktop.locator(follow).count():
            desktop.locator(follow).first.click()
            desktop.wait_for_load_state()
            screens.append(desktop.url)
            if words := english_words(desktop):
                found[desktop.url] = words
        shot(desktop, path.strip("/").replace("/", "-") or "dashboard")
    # The reports menu and the account menu are part of every screen.
    desktop.goto(e2e_server("/admin/"))
    for name in ("Laporan", "Bantuan"):
        toggle = desktop.get_by_role("button", name=name)
        if toggle.count():
            toggle.first.click()
            if words := english_words(desktop):
                found[f"menu {name}"] = words
    assert found == {}


def test_a_user_who_chooses_english_reads_our_screens_in_english(desktop, shot, e2e_server):
    login(desktop, e2e_server, "auditor")
    desktop.goto(e2e_server("/admin/account/"))
    desktop.get_by_label("Bahasa pilihan").select_option("en")
    desktop.locator("main form button[type=submit]").last.click()
    desktop.wait_for_load_state()
    try:
        desktop.goto(e2e_server("/admin/applicants/application/"))
        shot(desktop, "register-in-english")
        text = desktop.locator("body").inner_text()
        assert "Applicants" in text and "Pendaftar" not in text  # the register title
        assert "Application no." in text and "No. pendaftaran" not in text  # a column header
        assert desktop.get_by_role("link", name="Export xlsx").count() == 1  # a button
        assert '<html lang="en"' in desktop.content()
    finally:
        # the shared demo user goes back to Indonesian for the other flows
        desktop.goto(e2e_server("/admin/account/"))
        desktop.get_by_label(re.compile("Preferred language|Bahasa pilihan")).select_option("id")
        desktop.locator("main form button[type=submit]").last.click()
        desktop.wait_for_load_state()
