"""Public pages from the shared cache: what is stored, what never is, what invalidates, queries per page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from applicants.models import Enrolment
from public_pages.interest import InterestFormPage
from public_pages.models import ContactSettings
from tests import factories as f

from .test_public_pages import freeze_now


@pytest.fixture
def home(db):
    home = f.HomePageFactory(parent=Page.get_first_root_node(), title="Sigap Kerja")
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    ContactSettings.for_site(site)  # created on first use otherwise, which starts a new generation
    return home


@pytest.fixture
def tree(home):
    programs = f.ProgramIndexPageFactory(parent=home)
    news = f.NewsIndexPageFactory(parent=home)
    stories = f.StoryIndexPageFactory(parent=home)
    return {
        "home": home,
        "programs": programs,
        "program": f.ProgramPageFactory(parent=programs),
        "news": news,
        "news_item": f.NewsPageFactory(parent=news, title="Kabar pertama"),
        "stories": stories,
        "story": f.SuccessStoryPageFactory(parent=stories),
        "form": home.add_child(instance=InterestFormPage(title="Daftar pelatihan", slug="daftar")),
    }


def _get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response


def _cached(client, url) -> bool:
    _get(client, url)
    return _get(client, url).headers.get("X-Cache") == "hit"


# --- what is stored ------------------------------------------------------------------------------
def test_second_anonymous_view_comes_from_the_cache_with_headers_a_proxy_may_use(client, tree):
    first = _get(client, "/berita/")
    second = _get(client, "/berita/")
    assert first["X-Cache"] == "miss" and second["X-Cache"] == "hit"
    assert second.content == first.content
    assert "public" in second["Cache-Control"] and "max-age=60" in second["Cache-Control"]
    assert second["Content-Type"] == first["Content-Type"]
    assert second["X-Frame-Options"] == first["X-Frame-Options"]
    assert not second.cookies


def test_each_page_type_is_cached(client, tree):
    for page in ("home", "programs", "program", "news", "news_item", "stories", "story"):
        assert _cached(client, tree[page].url), page


def test_a_head_request_is_answered_from_the_same_entry_without_a_body(client, tree):
    body = _get(client, "/berita/").content
    response = client.head("/berita/")
    assert response["X-Cache"] == "hit" and response.content == b""
    assert response["Content-Length"] == str(len(body))


def test_pagination_and_tag_pages_are_stored_apart_other_query_strings_are_not_stored(client, tree):
    assert _get(client, "/berita/?page=1")["X-Cache"] == "miss"
    assert _get(client, "/berita/?page=1")["X-Cache"] == "hit"
    assert _get(client, "/berita/?tag=kub")["X-Cache"] == "miss"  # not the ?page=1 entry
    for query in ("?utm_source=wa", "?page=1&x=1", "?bench=1"):
        _get(client, "/berita/" + query)
        assert "X-Cache" not in _get(client, "/berita/" + query), query


def test_a_page_rendered_yesterday_is_not_served_today(client, tree, monkeypatch):
    freeze_now(monkeypatch, datetime(2026, 11, 23, 16, 0, tzinfo=UTC))  # 23:00 in Jakarta
    _get(client, "/pelatihan/")
    assert _get(client, "/pelatihan/")["X-Cache"] == "hit"
    freeze_now(monkeypatch, datetime(2026, 11, 23, 17, 1, tzinfo=UTC))  # 00:01 on the 24th in Jakarta
    assert _get(client, "/pelatihan/")["X-Cache"] == "miss"  # registration states follow the new date


# --- what is never stored ------------------------------------------------------------------------
def test_the_interest_form_with_its_csrf_token_is_never_cached(client, tree):
    f.IntakeFactory()
    for _ in range(2):
        response = client.get(tree["form"].url)
        assert "X-Cache" not in response
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_status_check_page_is_never_cached(client, tree):
    url = tree["form"].url + "status/"
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200 and "X-Cache" not in response
        assert "csrfmiddlewaretoken" in response.content.decode()


def test_a_signed_in_editor_is_never_served_from_or_stored_in_the_cache(client, tree, django_user_model):
    editor = django_user_model.objects.create_user("editor-cache", password="x" * 12)
    client.force_login(editor)
    for _ in range(2):
        response = _get(client, "/berita/")
        assert "X-Cache" not in response
        assert "private" in response["Cache-Control"]
    client.logout()
    anonymous = _get(client, "/berita/")
    assert anonymous["X-Cache"] == "miss"  # nothing the editor saw was stored


def test_a_password_restricted_page_is_never_cached(client, tree):
    PageViewRestriction.objects.create(page=tree["news"], restriction_type=PageViewRestriction.PASSWORD,
                                       password="rahasia-1")
    for url in (tree["news"].url, tree["news_item"].url):
        for _ in range(2):
            response = client.get(url)
            assert "X-Cache" not in response
            assert "Kabar pertama" not in response.content.decode()


def test_a_group_restricted_page_is_neither_cached_nor_listed(client, tree):
    restriction = PageViewRestriction.objects.create(page=tree["news"], restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.create(name="Internal"))
    response = client.get(tree["news_item"].url)
    assert response.status_code == 302 and "X-Cache" not in response  # to the login page
    home = _get(client, "/").content.decode()
    assert "Kabar pertama" not in home  # not in the menu or the latest news either
    assert ">Berita<" not in home.split("</nav>")[0]


def test_a_404_is_not_cached(client, tree):
    for _ in range(2):
        response = client.get("/tidak-ada/")
        assert response.status_code == 404 and "X-Cache" not in response


# --- what invalidates ----------------------------------------------------------------------------
def test_publishing_a_change_shows_it_at_once(client, tree):
    assert _cached(client, "/berita/") and _cached(client, "/")
    page = tree["news_item"]
    page.title = "Kabar yang diperbarui"
    page.save_revision().publish()
    assert "Kabar yang diperbarui" in _get(client, "/berita/").content.decode()
    assert "Kabar yang diperbarui" in _get(client, tree["news_item"].url).content.decode()


def test_publishing_a_new_page_lists_it_on_the_cached_index_and_home_page(client, tree):
    assert _cached(client, "/berita/") and _cached(client, "/")
    f.NewsPageFactory(parent=tree["news"], title="Kabar kedua", date=timezone.localdate() + timedelta(days=1))
    assert "Kabar kedua" in _get(client, "/berita/").content.decode()
    assert "Kabar kedua" in _get(client, "/").content.decode()


def test_unpublishing_removes_the_page_and_its_listing(client, tree):
    url = tree["news_item"].url
    assert _cached(client, url) and _cached(client, "/berita/")
    tree["news_item"].unpublish()
    assert client.get(url).status_code == 404
    assert "Kabar pertama" not in _get(client, "/berita/").content.decode()


def test_deleting_a_page_removes_it(client, tree):
    url = tree["story"].url
    assert _cached(client, url)
    tree["story"].delete()
    assert client.get(url).status_code == 404


def test_moving_a_page_serves_it_at_its_new_address_only(client, tree):
    old_url = tree["news_item"].url
    assert _cached(client, old_url)
    target = f.ProgramIndexPageFactory.build(title="Arsip", slug="arsip")
    tree["home"].add_child(instance=target)
    Page.objects.get(pk=tree["news_item"].pk).move(target, pos="last-child")
    new_url = "/arsip/" + tree["news_item"].slug + "/"
    moved = client.get(old_url)
    assert moved.status_code == 301 and moved["Location"] == new_url  # Wagtail's automatic redirect
    assert "Kabar pertama" in _get(client, new_url).content.decode()
    assert "Kabar pertama" not in _get(client, "/berita/").content.decode()


def test_editing_the_contact_settings_updates_every_cached_footer(client, tree):
    assert _cached(client, "/")
    contact = ContactSettings.for_site(Site.objects.get(is_default_site=True))
    contact.phone = "(021) 5555-1234"
    contact.save()
    assert "(021) 5555-1234" in _get(client, "/").content.decode()


def test_new_home_figures_show_on_the_cached_home_page(client, tree):
    assert _cached(client, "/")
    assert "peserta telah dilatih" not in _get(client, "/").content.decode()
    cohort = f.CohortFactory()
    f.EnrolmentFactory.create_batch(2, cohort=cohort, status=Enrolment.Status.COMPLETED)
    assert "peserta telah dilatih" in _get(client, "/").content.decode()


def test_figures_changed_without_a_signal_show_within_the_recheck_interval(client, tree, settings):
    settings.FIGURES_RECHECK_SECONDS = 0
    assert _cached(client, "/")
    cohort = f.CohortFactory()
    enrolments = f.EnrolmentFactory.create_batch(3, cohort=cohort, status=Enrolment.Status.ACTIVE)
    _get(client, "/")
    Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).update(status=Enrolment.Status.COMPLETED)
    # The next request counts again, sees new numbers, and so drops the stored home page.
    assert "3</strong> peserta telah dilatih" in _get(client, "/").content.decode()


def test_changing_an_intake_updates_its_program_pages(client, tree):
    url = tree["program"].url
    assert _cached(client, url)
    intake = tree["program"].intake
    intake.min_age = 21
    intake.save()
    assert "Berusia 21 sampai" in _get(client, url).content.decode()


# --- queries per uncached page -------------------------------------------------------------------
@pytest.mark.parametrize("page", ["home", "programs", "program", "news", "news_item", "stories", "story"])
def test_an_uncached_page_renders_in_at_most_8_queries(client, tree, page, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    url = tree[page].url
    for _ in range(2):  # the first views load the per-process site data (and create the contact settings)
        _get(client, url)
    with django_assert_max_num_queries(8):
        _get(client, url)


def test_the_site_menu_and_settings_are_not_looked_up_again_on_each_render(client, tree, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        _get(client, "/berita/")
    with CaptureQueriesContext(connection) as captured:
        _get(client, "/berita/")
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    for table in ("wagtailcore_site", "public_pages_contactsettings", "wagtailcore_pageviewrestriction",
                  "applicants_enrolment"):
        assert table not in tables, table


# --- images ---------------------------------------------------------------------------------------
def test_images_are_responsive_pictures_for_a_360px_phone(client, tree):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Foto", file=get_test_image_file(size=(1200, 800)))
    page = tree["news_item"]
    page.image = image
    page.image_alt = "Peserta praktik memasak"
    page.save_revision().publish()
    for url in (page.url, "/berita/"):
        html = _get(client, url).content.decode()
        picture = html[html.index("<picture"):html.index("</picture>")]
        assert 'type="image/avif"' in picture and 'type="image/webp"' in picture
        assert " 360w" in picture and " 720w" in picture and "sizes=" in picture
        assert ".jpg" in picture.split("<img", 1)[1]  # the fallback every browser shows
    assert 'alt="Peserta praktik memasak"' in _get(client, page.url).content.decode()


def test_a_host_outside_allowed_hosts_is_refused_and_leaves_nothing_behind(client, tree):
    from public_pages import cache

    before = set(cache._memo)
    for _ in range(2):
        response = client.get("/berita/", HTTP_HOST="evil.example")
        assert response.status_code == 400 and "X-Cache" not in response
    assert not any("evil.example" in name for name in set(cache._memo) - before)


def test_figures_are_counted_once_per_transaction_however_many_rows_it_saves(db):
    from django.db import transaction

    from public_pages import figures

    cohort = f.CohortFactory()
    f.EnrolmentFactory.create_batch(3, cohort=cohort, status=Enrolment.Status.COMPLETED)
    pending = [entry[1] for entry in transaction.get_connection().run_on_commit]
    assert pending.count(figures.recheck) == 1  # the test's transaction: one count after it commits
