"""Indonesian by default for residents and staff, English for real: /en/ for residents, the account
setting for staff; the project's catalogue fills what the packages leave English."""

import re

import pytest
from django.utils.translation import gettext, override
from wagtail.models import Page, Site
from wagtail.users.models import UserProfile

from tests import factories as f


@pytest.fixture
def home(db):
    home = f.HomePageFactory(parent=Page.get_first_root_node())
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return home


def test_public_pages_are_indonesian_at_their_usual_urls_whatever_the_browser_asks(client, home):
    client.cookies["django_language"] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in html
    assert 'aria-label="Bahasa"' in html


def test_residents_read_the_same_page_in_english_under_en(client, home):
    f.NewsIndexPageFactory(parent=home, slug="berita")
    html = client.get("/en/berita/").content.decode()
    assert '<html lang="en">' in html
    assert 'aria-label="Language"' in html
    # the switch leads back to the Indonesian URL of the same page, and the Indonesian page to this one
    assert 'href="/berita/" lang="id"' in html
    html = client.get("/berita/").content.decode()
    assert '<html lang="id">' in html
    assert 'href="/en/berita/" lang="en"' in html


def test_a_url_typed_with_an_unknown_language_prefix_is_not_found(client, home):
    assert client.get("/fr/").status_code == 404


def test_the_project_catalogue_overrides_what_the_packages_leave_english_or_translate_badly():
    with override("id"):
        assert gettext("Forgotten password?") == "Lupa kata sandi?"
        assert gettext("Snippets") != "Potongan"
        assert gettext("No data") == "Tidak ada data"
    with override("en"):
        assert gettext("Forgotten password?") == "Forgotten password?"


def test_staff_see_the_admin_in_indonesian_unless_they_choose_english(client, db):
    user = f.UserFactory(editor=True)
    client.force_login(user)
    assert '<html lang="id"' in client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    assert '<html lang="en"' in client.get("/admin/").content.decode()


def test_staff_can_choose_only_indonesian_or_english(settings):
    assert [code for code, _name in settings.WAGTAILADMIN_PERMITTED_LANGUAGES] == ["id", "en"]
    assert settings.LANGUAGE_CODE == "id"


@pytest.mark.django_db
def test_every_admin_page_title_names_the_portal_not_wagtail(client):
    client.force_login(f.UserFactory(editor=True))
    for url in ("/admin/", "/admin/applicants/application/"):
        title = re.search(r"<title>(.*?)</title>", client.get(url).content.decode(), re.S).group(1)
        assert title.strip().endswith("- Sigap Kerja") and "Wagtail" not in title, (url, title)
