"""Dinsos staff work in the Wagtail admin."""

from .conftest import login


def test_editor_logs_into_the_admin_and_sees_the_dashboard(desktop, shot, e2e_server):
    desktop.goto(e2e_server("/admin/"))
    desktop.wait_for_url("**/admin/login/**")
    shot(desktop, "login")
    login(desktop, e2e_server, "editor")
    shot(desktop, "dashboard")
    assert desktop.locator("main").is_visible()
    # The dashboard greets the signed-in editor; the login form is gone.
    assert desktop.locator("input[name=password]").count() == 0
    assert "Editor" in desktop.locator("body").inner_text()


def test_wrong_password_keeps_the_editor_out(desktop, shot, e2e_server):
    desktop.goto(e2e_server("/admin/login/"))
    desktop.fill("input[name=username]", "editor")
    desktop.fill("input[name=password]", "salah-sandi-123")
    desktop.click("button[type=submit]")
    desktop.wait_for_load_state()
    shot(desktop, "rejected")
    assert "/admin/login/" in desktop.url
    assert desktop.locator("input[name=password]").count() == 1
