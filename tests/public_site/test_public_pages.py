"""The public site: page tree rules, rendering, registration state, news, feeds, search, seed_demo."""

from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template import loader
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from applicants.models import Applicant, Application
from programs.models import Intake, Kelurahan, KelurahanQuota, Program
from public_pages.figures import home_figures
from public_pages.models import (
    ContactSettings,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProgramIndexPage,
    ProgramPage,
    StoryIndexPage,
    SuccessStoryPage,
)
from tests import factories as f

ATOM_NS = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def home(db):
    """Our HomePage as the default site's root, like seed_demo leaves it."""
    home = f.HomePageFactory(parent=Page.get_first_root_node())
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return home


@pytest.fixture
def tree(home):
    return {
        "home": home,
        "programs": f.ProgramIndexPageFactory(parent=home),
        "news": f.NewsIndexPageFactory(parent=home),
        "stories": f.StoryIndexPageFactory(parent=home),
    }


def freeze_now(monkeypatch, moment: datetime) -> None:
    """Make timezone.now() (and so timezone.localdate()) return a fixed UTC moment."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


# --- tree rules ----------------------------------------------------------------------------------


class TestPageTreeRules(WagtailPageTestCase):
    def test_home_page_takes_the_three_index_pages_the_interest_form_and_the_complaint_page(self):
        from public_pages.complaints import ComplaintPage
        from public_pages.interest import InterestFormPage

        self.assertAllowedSubpageTypes(
            HomePage, {ProgramIndexPage, NewsIndexPage, StoryIndexPage, InterestFormPage, ComplaintPage}
        )
        self.assertAllowedParentPageTypes(InterestFormPage, {HomePage})
        self.assertAllowedParentPageTypes(ComplaintPage, {HomePage})
        self.assertAllowedSubpageTypes(ComplaintPage, set())
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_each_index_takes_only_its_own_detail_pages(self):
        self.assertAllowedSubpageTypes(ProgramIndexPage, {ProgramPage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})
        self.assertAllowedSubpageTypes(StoryIndexPage, {SuccessStoryPage})
        for index in (ProgramIndexPage, NewsIndexPage, StoryIndexPage):
            self.assertAllowedParentPageTypes(index, {HomePage})

    def test_detail_pages_live_only_under_their_index_and_are_leaves(self):
        self.assertAllowedParentPageTypes(ProgramPage, {ProgramIndexPage})
        self.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})
        self.assertAllowedParentPageTypes(SuccessStoryPage, {StoryIndexPage})
        for leaf in (ProgramPage, NewsPage, SuccessStoryPage):
            self.assertAllowedSubpageTypes(leaf, set())

    def test_editor_cannot_put_a_news_item_under_programs_or_home(self):
        self.assertCanCreateAt(NewsIndexPage, NewsPage)
        self.assertCanNotCreateAt(ProgramIndexPage, NewsPage)
        self.assertCanNotCreateAt(HomePage, ProgramPage)


class TestEditorsCanEditEveryPageType(WagtailPageTestCase):
    """The admin edit and create forms load for each page type (panels and fields fit together)."""

    def test_edit_and_create_forms_load_for_every_page_type(self):
        root = Page.get_first_root_node()
        home = f.HomePageFactory(parent=root)
        program_page = f.ProgramPageFactory(parent=f.ProgramIndexPageFactory(parent=home))
        news = f.NewsPageFactory(parent=f.NewsIndexPageFactory(parent=home))
        story = f.SuccessStoryPageFactory(parent=f.StoryIndexPageFactory(parent=home))
        self.login()
        for page in (home, program_page, news, story):
            self.assertEqual(self.client.get(f"/admin/pages/{page.pk}/edit/").status_code, 200, page)
            parent = page.get_parent()
            add_url = f"/admin/pages/add/public_pages/{page.specific_class._meta.model_name}/{parent.pk}/"
            if page is not home:
                self.assertEqual(self.client.get(add_url).status_code, 200, add_url)

    def test_contact_settings_form_loads_in_the_admin(self):
        self.login()
        response = self.client.get(
            f"/admin/settings/public_pages/contactsettings/{Site.objects.get(is_default_site=True).pk}/"
        )
        self.assertEqual(response.status_code, 200)


# --- rendering -----------------------------------------------------------------------------------


def test_every_page_type_renders_with_navigation_breadcrumbs_and_footer(client, tree):
    program_page = f.ProgramPageFactory(parent=tree["programs"])
    news = f.NewsPageFactory(parent=tree["news"], title="Pendaftaran gelombang dua dibuka")
    story = f.SuccessStoryPageFactory(parent=tree["stories"], title="Dari dapur ke pesanan kantor")
    for page in (tree["home"], tree["programs"], tree["news"], tree["stories"], program_page, news, story):
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        assert f"<title>{page.title} · Sigap Kerja</title>" in html
        assert 'href="/berita/"' in html and 'href="/kisah-sukses/"' in html  # navigation
        assert "<main" in html and "<footer" in html and 'lang="id"' in html
        assert 'property="og:title"' in html
    html = client.get(news.url).content.decode()
    assert 'aria-label="Remah roti"' in html and 'href="/berita/"' in html


def test_footer_shows_contact_details_edited_in_the_site_setting(client, home):
    contact = ContactSettings.for_site(Site.objects.get(root_page=home))
    contact.phone = "(021) 555-0101"
    contact.whatsapp = "6281100000001"
    contact.save()
    html = client.get(home.url).content.decode()
    assert "(021) 555-0101" in html
    assert 'href="https://wa.me/6281100000001"' in html


def test_program_page_states_who_may_join_with_the_intakes_age_range(client, tree):
    program_page = f.ProgramPageFactory(parent=tree["programs"])
    Intake.objects.filter(pk=program_page.intake_id).update(min_age=21, max_age=50)
    html = client.get(program_page.url).content.decode()
    assert "DTSEN" in html and "Kota Tangerang" in html
    assert "Berusia 21 sampai 50 tahun" in html


def test_program_page_rejects_a_program_that_its_intake_does_not_offer(tree):
    page = f.ProgramPageFactory(parent=tree["programs"])
    page.program = f.ProgramFactory(slug="payet", name="Payet")
    with pytest.raises(ValidationError):
        page.full_clean()


def test_success_story_refuses_a_full_name(tree):
    story = f.SuccessStoryPageFactory(parent=tree["stories"])
    story.alumnus_first_name = "Sri Wahyuni"
    with pytest.raises(ValidationError):
        story.full_clean()


# --- registration state (Asia/Jakarta dates) -----------------------------------------------------

OPENS, CLOSES = date(2026, 11, 24), date(2026, 11, 30)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (OPENS - timedelta(days=1), "upcoming"),
        (OPENS, "open"),
        (CLOSES, "open"),
        (CLOSES + timedelta(days=1), "closed"),
    ],
)
def test_registration_state_includes_both_window_days(db, today, expected):
    intake = f.IntakeFactory(registration_opens=OPENS, registration_closes=CLOSES)
    assert intake.registration_state(today) == expected


@pytest.mark.parametrize(
    ("utc_now", "expected", "shows_button"),
    [
        # 23:00 in Jakarta on 23 Nov: the day before the window opens.
        (datetime(2026, 11, 23, 16, 0, tzinfo=UTC), "upcoming", False),
        # Still 23 Nov in UTC, but already 24 Nov 01:00 in Jakarta: the opening day.
        (datetime(2026, 11, 23, 18, 0, tzinfo=UTC), "open", True),
        # 23:59 on 30 Nov in Jakarta: the closing day is still open.
        (datetime(2026, 11, 30, 16, 59, tzinfo=UTC), "open", True),
        # 30 Nov in UTC but 1 Dec 00:00 in Jakarta: closed.
        (datetime(2026, 11, 30, 17, 0, tzinfo=UTC), "closed", False),
    ],
)
def test_program_page_state_and_daftar_button_follow_the_jakarta_date(
    client, tree, monkeypatch, utc_now, expected, shows_button
):
    program = f.ProgramFactory(slug="tata-boga", name="Tata Boga")
    intake = f.IntakeFactory(registration_opens=OPENS, registration_closes=CLOSES, programs=[program])
    page = f.ProgramPageFactory(parent=tree["programs"], program=program, intake=intake)
    freeze_now(monkeypatch, utc_now)

    assert page.registration_state == expected
    html = client.get(page.url).content.decode()
    assert f"status--{expected}" in html
    assert ('href="/daftar/?program=tata-boga"' in html) is shows_button
    assert (">Daftar<" in html) is shows_button


def test_home_page_lists_open_programs_but_not_closed_ones(client, tree):
    today = timezone.localdate()
    open_page = f.ProgramPageFactory(parent=tree["programs"], title="Pelatihan Barbershop Terbuka")
    closed_program = f.ProgramFactory(slug="payet", name="Payet")
    closed_intake = f.IntakeFactory(
        registration_opens=today - timedelta(days=60),
        registration_closes=today - timedelta(days=30),
        programs=[closed_program],
    )
    f.ProgramPageFactory(
        parent=tree["programs"], program=closed_program, intake=closed_intake, title="Pelatihan Payet Lama"
    )
    html = client.get(tree["home"].url).content.decode()
    assert open_page.title in html
    assert "Pelatihan Payet Lama" not in html
    index_html = client.get(tree["programs"].url).content.decode()
    assert index_html.index(open_page.title) < index_html.index("Pelatihan Payet Lama")


# --- news ----------------------------------------------------------------------------------------


def _news(tree, count, **kwargs):
    today = timezone.localdate()
    return [
        f.NewsPageFactory(parent=tree["news"], date=today - timedelta(days=i), title=f"Kabar hari ke-{i}", **kwargs)
        for i in range(count)
    ]


def test_news_index_is_paginated_newest_first(client, tree):
    _news(tree, 12)
    first = client.get("/berita/").content.decode()
    assert first.count('class="card"') == 10
    assert first.index("Kabar hari ke-0<") < first.index("Kabar hari ke-1<")
    assert "Kabar hari ke-11<" not in first
    second = client.get("/berita/?page=2").content.decode()
    assert second.count('class="card"') == 2
    assert "Kabar hari ke-11<" in second


def test_news_index_filters_by_tag(client, tree):
    pages = _news(tree, 4)
    for page in pages[:2]:
        page.tags.add("kub")
        page.save()
    html = client.get("/berita/?tag=kub").content.decode()
    assert html.count('class="card"') == 2
    assert "Kabar hari ke-0<" in html and "Kabar hari ke-2<" not in html
    assert 'href="/berita/?tag=kub"' in client.get(pages[0].url).content.decode()


def test_rss_feed_is_valid_xml_with_the_news_items(client, tree):
    _news(tree, 3)
    response = client.get("/berita/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(response.content).find("channel")
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == ["Kabar hari ke-0", "Kabar hari ke-1", "Kabar hari ke-2"]
    link = channel.find("item").findtext("link")
    assert link.startswith("http") and "/berita/berita-" in link


def test_atom_feed_is_valid_xml_with_the_news_items(client, tree):
    _news(tree, 2)
    response = client.get("/berita/atom/")
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    assert len(feed.findall(f"{ATOM_NS}entry")) == 2


# --- search, sitemap, errors ---------------------------------------------------------------------


def test_search_finds_a_live_page_and_says_so_when_nothing_matches(client, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        f.NewsPageFactory(parent=tree["news"], title="Pelatihan pijat refleksi untuk lansia")
    html = client.get("/cari/", {"q": "refleksi"}).content.decode()
    assert "Pelatihan pijat refleksi untuk lansia" in html
    assert "Tidak ada hasil" in client.get("/cari/", {"q": "zzzyyyxxx"}).content.decode()
    assert client.get("/cari/").status_code == 200


def test_sitemap_lists_the_public_pages(client, tree):
    news = f.NewsPageFactory(parent=tree["news"], slug="kabar-sitemap")
    body = client.get("/sitemap.xml").content.decode()
    assert "/berita/kabar-sitemap/" in body and "/pelatihan/" in body
    assert news.title not in body  # only locations, never content


def test_unknown_address_shows_an_indonesian_404(client, home):
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_500_page_renders_without_any_context():
    html = loader.get_template("500.html").render()
    assert "Maaf, terjadi gangguan" in html and 'lang="id"' in html


# --- figures ---------------------------------------------------------------------------------------


def _application(intake, program, nik, status):
    applicant = Applicant.objects.create(
        nik=nik, kk_number="3671010101200001", full_name="Warga Uji", birth_date=date(1990, 1, 1), sex="P",
        phone="+6281234567890", address="Jl. Uji", rt="001", rw="002",
        kelurahan=Kelurahan.objects.order_by("code").first(), household_size=4,
    )
    return Application.objects.create(
        applicant=applicant, intake=intake, program=program, status=status, dtks_self_report="registered"
    )


def test_home_figures_count_trained_participants_and_hide_zero_figures(db, django_assert_max_num_queries):
    from applicants.models import Enrolment

    assert "trained" not in {fig.key for fig in home_figures()}
    cohort = f.CohortFactory()
    f.EnrolmentFactory.create_batch(2, cohort=cohort, status=Enrolment.Status.COMPLETED)
    f.EnrolmentFactory(cohort=cohort, status=Enrolment.Status.ACTIVE)
    with django_assert_max_num_queries(3):
        figures = {fig.key: fig.value for fig in home_figures()}
    assert figures["trained"] == 2
    assert "capital_packages" not in figures  # none handed over yet


# --- seed_demo -----------------------------------------------------------------------------------


def _counts():
    return {
        "pages": Page.objects.count(),
        "images": Image.objects.count(),
        "programs": Program.objects.count(),
        "intakes": Intake.objects.count(),
        "quotas": KelurahanQuota.objects.count(),
        "news": NewsPage.objects.count(),
        "stories": SuccessStoryPage.objects.count(),
        "program_pages": ProgramPage.objects.count(),
    }


@pytest.mark.slow
def test_seed_demo_twice_gives_the_same_site(db, client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _counts() == first
    assert first["programs"] == 5 and first["news"] >= 6 and first["stories"] >= 4
    assert first["quotas"] == 3 * 16  # the open round, the closed one and last year's (16 kelurahan each)
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert not Page.objects.filter(depth=2).exclude(pk=site.root_page_id).exists()  # welcome page gone
    states = {p.registration_state for p in ProgramPage.objects.select_related("intake")}
    assert states == {"open", "closed"}
    assert client.get("/").status_code == 200


def test_news_index_query_count_does_not_grow_with_the_number_of_items(client, tree, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # count the render, not the page cache

    def queries():
        for _ in range(2):  # warm the per-process site data (the first view creates the contact settings)
            client.get("/berita/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/berita/").status_code == 200
        return len(captured)

    _news(tree, 2)
    few = queries()
    for page in _news(tree, 8):
        page.tags.add("kub")
        page.save()
    assert queries() == few
