"""What makes the public site look finished: robots.txt, the favicon, the form buttons, the next round."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Page, Site

from tests import factories as f


@pytest.fixture
def home(db):
    home = f.HomePageFactory(parent=Page.get_first_root_node())
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return home


@pytest.fixture
def programs(home):
    return f.ProgramIndexPageFactory(parent=home)


def _program_page(programs, state: str, note: str = "", **kwargs):
    today = timezone.localdate()
    window = {
        "open": (today - timedelta(days=3), today + timedelta(days=10)),
        "closed": (today - timedelta(days=60), today - timedelta(days=30)),
        "upcoming": (today + timedelta(days=5), today + timedelta(days=30)),
    }[state]
    program = f.ProgramFactory(next_round_note=note, **kwargs)
    intake = f.IntakeFactory(registration_opens=window[0], registration_closes=window[1], programs=[program])
    return f.ProgramPageFactory(parent=programs, program=program, intake=intake)


# --- robots.txt ------------------------------------------------------------------------------------


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_admin_and_status(client, db):
    f.build_site()  # the interest form at /daftar/
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /daftar/status/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /" not in lines  # the public pages stay indexable
    assert client.get("/sitemap.xml").status_code == 200


def test_robots_txt_follows_the_interest_form_page_where_editors_put_it(client, home):
    from public_pages.interest import InterestFormPage

    home.add_child(instance=InterestFormPage(title="Pendaftaran", slug="ikut-pelatihan"))
    lines = client.get("/robots.txt").content.decode().splitlines()
    assert "Disallow: /ikut-pelatihan/status/" in lines and "Disallow: /daftar/status/" not in lines


def test_robots_txt_refuses_a_post(client, db):
    assert client.post("/robots.txt").status_code == 405


# --- favicon --------------------------------------------------------------------------------------


def test_every_page_links_an_svg_favicon_with_a_png_fallback(client, home):
    html = client.get(home.url).content.decode()
    icons = dict(re.findall(r'<link rel="icon" href="([^"]+)" type="([^"]+)"', html))
    assert [t for t in icons.values()] == ["image/svg+xml", "image/png"]
    assert all(href.startswith("/static/img/favicon") for href in icons)
    assert 'rel="apple-touch-icon"' in html


def test_favicon_ico_is_served_at_the_site_root(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    body = b"".join(response) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    assert "max-age" in response["Cache-Control"]


def test_the_favicon_files_exist_in_the_static_folder():
    from django.contrib.staticfiles import finders

    for name in ("img/favicon.svg", "img/favicon-32.png", "img/favicon.ico", "img/apple-touch-icon.png"):
        assert finders.find(name), name
    svg = open(finders.find("img/favicon.svg"), encoding="utf-8").read()
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


# --- form buttons ---------------------------------------------------------------------------------


def test_interest_form_and_status_check_buttons_use_the_site_button_style(client, db):
    interest = f.build_site()
    f.ConsentVersionFactory()
    f.IntakeFactory()
    for url, label in ((interest.url, "Kirim pendaftaran"), (interest.url + "status/", "Cek status")):
        html = client.get(url).content.decode()
        assert re.search(rf'<button type="submit" class="button button--big">\s*{label}', html), url
        assert "css/site.css" in html and "interest-form.css" not in html


# --- the next round of a closed program -----------------------------------------------------------


def test_a_closed_program_says_when_the_next_round_is_expected(client, programs):
    page = _program_page(programs, "closed", note="Maret 2027")
    for url in (page.url, programs.url):
        html = client.get(url).content.decode()
        assert "Pendaftaran sudah ditutup" in html
        assert re.search(r'<p class="next-round"><strong>Gelombang berikutnya:</strong> Maret 2027</p>', html), url


@pytest.mark.parametrize("state", ["open", "upcoming"])
def test_the_next_round_note_is_not_shown_while_registration_is_open_or_upcoming(client, programs, state):
    page = _program_page(programs, state, note="Maret 2027")
    for url in (page.url, programs.url):
        html = client.get(url).content.decode()
        assert "Maret 2027" not in html and "next-round" not in html


def test_a_closed_program_without_a_note_says_nothing_of_a_next_round(client, programs):
    page = _program_page(programs, "closed")
    html = client.get(page.url).content.decode()
    assert "Pendaftaran sudah ditutup" in html and "next-round" not in html and "Gelombang berikutnya" not in html


def test_the_note_is_escaped(client, programs):
    page = _program_page(programs, "closed", note="<script>alert(1)</script>")
    html = client.get(page.url).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_editors_set_the_note_in_the_program_form_and_the_page_follows(client, programs):
    page = _program_page(programs, "closed")
    client.force_login(f.UserFactory(editor=True))
    program = page.program
    response = client.post(f"/admin/keterampilan/edit/{program.pk}/", {
        "name": program.name, "slug": program.slug, "description": "", "is_active": "on",
        "next_round_note": "Awal 2027",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    program.refresh_from_db()
    assert program.next_round_note == "Awal 2027"
    client.logout()
    assert "Awal 2027" in client.get(page.url).content.decode()  # the cached page was dropped
