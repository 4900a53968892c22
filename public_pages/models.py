"""Public Wagtail pages residents read: program announcements, news, success stories.

Tree: HomePage -> ProgramIndexPage (/pelatihan/) -> ProgramPage
               -> NewsIndexPage (/berita/)       -> NewsPage
               -> StoryIndexPage (/kisah-sukses/) -> SuccessStoryPage
Facts about a program round (window dates, ages) come from `programs.Intake`, never retyped on a page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from . import site_data
from .blocks import PARAGRAPH_FEATURES, BodyBlock
from .figures import home_figures
from .site_data import PublicPageMixin

NEWS_PER_PAGE = 10


class HomePage(PublicPageMixin, Page):
    """The portal's front page: open programs first, then news, stories and figures."""

    intro = models.TextField(_("introduction"), blank=True)

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "public_pages.ProgramIndexPage",
        "public_pages.NewsIndexPage",
        "public_pages.StoryIndexPage",
        "public_pages.InterestFormPage",
        "public_pages.ComplaintPage",
    ]
    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Find the page by its whole path in one query (Wagtail's own routing runs a query or two per
        path segment); that page's own route then handles what is left (sub-routes, live check, 404)."""
        if not path_components:
            return super().route(request, path_components)
        page, remaining = site_data.deepest_page(self, path_components)
        if page is None:
            raise Http404
        return page.route(request, remaining)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["open_programs"] = ProgramPage.open_now()[:6]
        context["latest_news"] = site_data.public_only(
            NewsPage.objects.live().select_related("image").order_by("-date", "-pk")
        )[:3]
        context["stories"] = site_data.public_only(
            SuccessStoryPage.objects.live()
            .select_related("photo", "program", "kecamatan")
            .order_by("-first_published_at")
        )[:3]
        context["figures"] = home_figures()
        return context


class ProgramIndexPage(PublicPageMixin, Page):
    """/pelatihan/: every announced program, open ones first."""

    intro = models.TextField(_("introduction"), blank=True)

    max_count = 1
    parent_page_types = ["public_pages.HomePage"]
    subpage_types = ["public_pages.ProgramPage"]
    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("training index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages = list(site_data.public_only(
            ProgramPage.objects.child_of(self).live().select_related("intake", "program", "image")
        ))
        today = timezone.localdate()
        order = {"open": 0, "upcoming": 1, "closed": 2}
        pages.sort(
            key=lambda p: (order[p.intake.registration_state(today)], -p.intake.registration_opens.toordinal())
        )
        context["program_pages"] = pages
        return context


class ProgramPage(PublicPageMixin, Page):
    """One training program announced for one intake (round)."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="+", verbose_name=_("skills program")
    )
    intake = models.ForeignKey(
        "programs.Intake", on_delete=models.PROTECT, related_name="+", verbose_name=_("registration intake")
    )
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("image"),
    )
    skill_summary = models.TextField(
        _("skill summary"), help_text=_("One or two sentences for cards and previews.")
    )
    learning_outcomes = RichTextField(_("what participants learn"), features=PARAGRAPH_FEATURES)
    eligibility_note = models.TextField(
        _("additional requirements note"), blank=True,
        help_text=_("The basic requirements (DTSEN/DTKS, Kota Tangerang resident, age range) are shown automatically."),
    )
    schedule = models.CharField(_("training schedule"), max_length=200)
    venue = models.CharField(_("venue"), max_length=200)
    places = models.PositiveIntegerField(_("number of places"))
    capital_package = models.TextField(
        _("business capital package for the best participants"),
        help_text=_("What the three best participants of each class receive."),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    parent_page_types = ["public_pages.ProgramIndexPage"]
    subpage_types: list[str] = []

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("program"), FieldPanel("intake")], heading=_("Program and intake")),
        FieldPanel("image"),
        FieldPanel("skill_summary"),
        FieldPanel("learning_outcomes"),
        MultiFieldPanel(
            [
                FieldPanel("eligibility_note"),
                FieldPanel("schedule"),
                FieldPanel("venue"),
                FieldPanel("places"),
                FieldPanel("capital_package"),
            ],
            heading=_("Training details"),
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("skill_summary"),
        index.SearchField("learning_outcomes"),
        index.SearchField("body"),
    ]

    class Meta:
        verbose_name = _("training announcement")
        verbose_name_plural = _("training announcements")

    def clean(self):
        super().clean()
        if self.program_id and self.intake_id and not self.intake.programs.filter(pk=self.program_id).exists():
            raise ValidationError({"program": _("This program is not part of the selected intake.")})

    @classmethod
    def open_now(cls, today=None):
        """Live program pages whose intake takes registrations today (Asia/Jakarta)."""
        today = today or timezone.localdate()
        return site_data.public_only(
            cls.objects.live()
            .filter(intake__registration_opens__lte=today, intake__registration_closes__gte=today)
            .select_related("intake", "program", "image")
            .order_by("intake__registration_closes", "title")
        )

    @property
    def registration_state(self) -> str:
        """'upcoming', 'open' or 'closed', from the intake's window on today's Jakarta date."""
        return self.intake.registration_state(timezone.localdate())

    @property
    def is_open(self) -> bool:
        return self.registration_state == "open"

    @property
    def register_url(self) -> str:
        return f"/daftar/?program={self.program.slug}"


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("public_pages.NewsPage", on_delete=models.CASCADE, related_name="tagged_items")


class NewsIndexPage(PublicPageMixin, RoutablePageMixin, Page):
    """/berita/: news newest first, filterable by tag, with RSS (/berita/rss/) and Atom (/berita/atom/) feeds."""

    intro = models.TextField(_("introduction"), blank=True)

    max_count = 1
    parent_page_types = ["public_pages.HomePage"]
    subpage_types = ["public_pages.NewsPage"]
    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("news index")

    def news(self):
        return site_data.public_only(
            NewsPage.objects.child_of(self).live().select_related("image").order_by("-date", "-pk")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = self.news()
        tag = request.GET.get("tag", "").strip()
        if tag:
            news = news.filter(tags__slug=tag).distinct()
        paginator = Paginator(news, NEWS_PER_PAGE)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
        context.update(
            news_page=page_obj,
            tag=tag,
            rss_url=self.url + self.reverse_subpage("rss"),
            atom_url=self.url + self.reverse_subpage("atom"),
        )
        return context

    @path("")
    def index(self, request):
        return self.render(request)

    @path("rss/", name="rss")
    def rss(self, request):
        from .feeds import NewsRssFeed  # feeds import these models: loaded on use

        return NewsRssFeed(self)(request)

    @path("atom/", name="atom")
    def atom(self, request):
        from .feeds import NewsAtomFeed

        return NewsAtomFeed(self)(request)


class NewsPage(PublicPageMixin, Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    lead = models.TextField(_("summary"), help_text=_("One short paragraph shown in the news list."))
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("main image"),
    )
    image_alt = models.CharField(_("image alt text"), max_length=200, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name=_("tags"))

    parent_page_types = ["public_pages.NewsIndexPage"]
    subpage_types: list[str] = []
    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("lead"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    search_fields = Page.search_fields + [index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")


class StoryIndexPage(PublicPageMixin, Page):
    """/kisah-sukses/: alumni stories as cards."""

    intro = models.TextField(_("introduction"), blank=True)

    max_count = 1
    parent_page_types = ["public_pages.HomePage"]
    subpage_types = ["public_pages.SuccessStoryPage"]
    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("success story index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["stories"] = site_data.public_only(
            SuccessStoryPage.objects.child_of(self)
            .live()
            .select_related("photo", "program", "kecamatan")
            .order_by("-first_published_at")
        )
        return context


class SuccessStoryPageForm(WagtailAdminPageForm):
    """The graduate choice names first name, program and class only: comms staff see no full names."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("graduate")
        if field is not None:
            field.queryset = field.queryset.select_related("application__applicant", "cohort__program")
            field.label_from_instance = lambda enrolment: enrolment.story_label()


class SuccessStoryPage(PublicPageMixin, Page):
    """An alumnus' story. First name only: the public site never shows a full name."""

    base_form_class = SuccessStoryPageForm

    alumnus_first_name = models.CharField(
        _("alumni first name"), max_length=40, help_text=_("First name only, not the full name.")
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="+", verbose_name=_("skills program")
    )
    business_type = models.CharField(_("business type"), max_length=120)
    kecamatan = models.ForeignKey(
        "programs.Kecamatan", on_delete=models.PROTECT, related_name="+", verbose_name=_("kecamatan")
    )
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("photo"),
    )
    photo_alt = models.CharField(_("photo alt text"), max_length=200, blank=True)
    quote = models.TextField(_("quote"))
    story = RichTextField(_("story"), features=PARAGRAPH_FEATURES)
    # Optional link to the graduate's record, offered only for graduates whose consent to publication is
    # recorded (UU PDP); the choice shows first name, program and class, never the full name.
    graduate = models.ForeignKey(
        "applicants.Enrolment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        limit_choices_to={"publication_consent_at__isnull": False, "status": "completed"},
        verbose_name=_("graduate (with publication consent)"),
    )

    parent_page_types = ["public_pages.StoryIndexPage"]
    subpage_types: list[str] = []
    content_panels = Page.content_panels + [
        FieldPanel("alumnus_first_name"),
        FieldPanel("program"),
        FieldPanel("business_type"),
        FieldPanel("kecamatan"),
        MultiFieldPanel([FieldPanel("photo"), FieldPanel("photo_alt")], heading=_("Photo")),
        FieldPanel("quote"),
        FieldPanel("story"),
        FieldPanel("graduate"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("quote"),
        index.SearchField("story"),
        index.SearchField("business_type"),
    ]

    class Meta:
        verbose_name = _("success story")
        verbose_name_plural = _("success stories")

    def clean(self):
        super().clean()
        if self.alumnus_first_name and " " in self.alumnus_first_name.strip():
            raise ValidationError({"alumnus_first_name": _("Write the first name only, without the full name.")})
        if self.graduate_id:
            try:
                self.graduate.validate_story_link()
            except ValidationError as exc:
                raise ValidationError({"graduate": exc.messages}) from None


@register_setting(icon="mail")
class ContactSettings(BaseSiteSetting):
    """Dinsos contact details shown in the footer of every page; editable by comms staff."""

    office_name = models.CharField(_("office name"), max_length=150, default="Dinas Sosial Kota Tangerang")
    address = models.TextField(
        _("address"), default="Pusat Pemerintahan Kota Tangerang, Jl. Satria-Sudirman No. 1, Kota Tangerang, Banten"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    whatsapp = models.CharField(
        _("WhatsApp"), max_length=20, blank=True, help_text=_("Number in international format, e.g. 6281234567890.")
    )
    email = models.EmailField(_("email"), blank=True)
    opening_hours = models.CharField(
        _("opening hours"), max_length=150, blank=True, default="Senin-Jumat, 08.00-16.00 WIB"
    )

    panels = [
        FieldPanel("office_name"),
        FieldPanel("address"),
        FieldPanel("phone"),
        FieldPanel("whatsapp"),
        FieldPanel("email"),
        FieldPanel("opening_hours"),
    ]

    class Meta:
        verbose_name = _("Dinsos contact")

    @property
    def whatsapp_url(self) -> str:
        digits = "".join(ch for ch in self.whatsapp if ch.isdigit())
        return f"https://wa.me/{digits}" if digits else ""


from .complaints import ComplaintPage  # noqa: E402,F401  (its own module; registered with this app)
from .interest import InterestFormPage  # noqa: E402,F401  (its own module; registered with this app)
