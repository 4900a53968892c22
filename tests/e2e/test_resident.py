"""A resident on a phone reads the public site."""

from .conftest import axe_violations


def test_resident_on_a_phone_opens_the_home_page_and_it_fits_the_screen(phone, shot, e2e_server):
    response = phone.goto(e2e_server("/"))
    assert response.status == 200
    assert phone.locator("h1").first.is_visible()
    # Nothing forces sideways scrolling on a 360 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # What a resident came for comes first: the programs open for registration, right under the title.
    first_section = phone.locator("main section", has=phone.locator("h2")).first
    assert first_section.locator("h2").inner_text() == "Pendaftaran yang sedang dibuka"
    assert first_section.locator(".card a[href*='/pelatihan/']").count() >= 1
    # Every card there is open (closed programs are listed further down, if at all).
    assert first_section.locator(".status--open").count() == first_section.locator(".card").count()
    shot(phone, "home")


def test_resident_following_a_broken_link_gets_the_indonesian_404_page(phone, shot, e2e_server):
    response = phone.goto(e2e_server("/halaman-yang-tidak-ada/"))
    assert response.status == 404
    assert phone.locator("h1").inner_text() == "Halaman tidak ditemukan"
    shot(phone, "not-found")
    assert axe_violations(phone) == []
    phone.get_by_role("link", name="Kembali ke beranda").click()
    phone.wait_for_url(e2e_server("/"))
    shot(phone, "back-home")
