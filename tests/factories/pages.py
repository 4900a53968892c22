"""The public site's pages, and the smallest page tree the interest form needs."""

import factory
import wagtail_factories
from django.utils import timezone
from wagtail.models import Page, Site

from programs.models import Kecamatan
from public_pages import models as pages

from .programs import IntakeFactory, ProgramFactory


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.HomePage

    title = "Sigap Kerja"
    slug = "beranda"


class ProgramIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.ProgramIndexPage

    title = "Pelatihan"
    slug = "pelatihan"
    show_in_menus = True


class NewsIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.NewsIndexPage

    title = "Berita"
    slug = "berita"
    show_in_menus = True


class StoryIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.StoryIndexPage

    title = "Kisah Sukses"
    slug = "kisah-sukses"
    show_in_menus = True


class ProgramPageFactory(wagtail_factories.PageFactory):
    """Needs `parent` (a ProgramIndexPage); the program is added to the intake's offer."""

    class Meta:
        model = pages.ProgramPage

    title = factory.LazyAttribute(lambda o: f"Pelatihan {o.program.name}")
    slug = factory.LazyAttribute(lambda o: o.program.slug)
    program = factory.SubFactory(ProgramFactory)
    intake = factory.LazyAttribute(lambda o: IntakeFactory(programs=[o.program]))
    skill_summary = "Belajar keterampilan yang bisa langsung dijual."
    learning_outcomes = "<ul><li>Teknik dasar</li><li>Menghitung harga pokok</li></ul>"
    schedule = "10 hari, Senin-Jumat pukul 08.00-15.00 WIB"
    venue = "UPT Balai Latihan Kerja Kota Tangerang"
    places = 40
    capital_package = "Tiga peserta terbaik menerima paket modal usaha."


class ComplaintPageFactory(wagtail_factories.PageFactory):
    """Needs `parent` (the HomePage): `ComplaintPageFactory(parent=build_site().get_parent())`."""

    class Meta:
        model = pages.ComplaintPage

    title = "Pengaduan"
    slug = "pengaduan"


class NewsPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.NewsPage

    title = factory.Sequence(lambda n: f"Berita nomor {n}")
    slug = factory.Sequence(lambda n: f"berita-{n}")
    date = factory.LazyFunction(timezone.localdate)
    lead = "Ringkasan berita untuk daftar berita."


class SuccessStoryPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.SuccessStoryPage

    title = factory.Sequence(lambda n: f"Kisah alumni {n}")
    slug = factory.Sequence(lambda n: f"kisah-{n}")
    alumnus_first_name = "Sri"
    program = factory.SubFactory(ProgramFactory)
    business_type = "Katering nasi kotak"
    kecamatan = factory.LazyFunction(lambda: Kecamatan.objects.order_by("code").first())
    quote = "Sekarang saya punya penghasilan sendiri."
    story = "<p>Setelah pelatihan, Sri membuka usaha katering dari rumah.</p>"


def build_site() -> pages.InterestFormPage:
    """Home page as the default site's root, with the interest form page at /daftar/."""
    root = Page.get_first_root_node()
    home = root.add_child(instance=pages.HomePage(title="Sigap Kerja", slug="beranda"))
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return home.add_child(instance=pages.InterestFormPage(title="Daftar pelatihan", slug="daftar"))
