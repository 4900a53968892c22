"""Error pages, the site search, robots.txt and /favicon.ico. Page content itself is served by Wagtail."""

from functools import lru_cache

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from wagtail.models import Page, Site

from .interest import InterestFormPage

SEARCH_PER_PAGE = 10
SEARCH_MAX_QUERY = 100


def search(request):
    """/cari/?q=...: Wagtail search over the live, public pages of this site, paginated."""
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_QUERY]
    page_obj = None
    if query:
        pages = Page.objects.live().public()
        site = Site.find_for_request(request)
        if site:
            pages = pages.descendant_of(site.root_page, inclusive=True)
        paginator = Paginator(pages.search(query), SEARCH_PER_PAGE)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
    return render(request, "public_pages/search.html", {"query": query, "results": page_obj})


def page_not_found(request, exception=None):
    """The public 404, or for signed-in staff under /admin/ the same answer inside the admin layout."""
    if is_admin_request(request):
        return render(request, "admin/refused.html", {"not_found": True}, status=404)
    return render(request, "404.html", status=404)


def is_admin_request(request) -> bool:
    """A signed-in member of staff inside the admin: refusals keep the admin's menu and language."""
    user = getattr(request, "user", None)
    return bool(request.path.startswith("/admin/") and user is not None and user.is_authenticated
                and user.has_perm("wagtailadmin.access_admin"))


def server_error(request):
    """500 without any context: the template must render even when the database is down."""
    return HttpResponseServerError(loader.get_template("500.html").render())


# Never for search engines: the admin, and pages that answer with what a resident typed (status check)
# or name a graduate (certificate verification links are handed out, not published).
ROBOTS_DISALLOWED = ["/admin/", "/sertifikat/"]
FAVICON = "img/favicon.ico"


@require_safe
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    """robots.txt: what crawlers skip and where the sitemap is (an absolute URL, as the format asks)."""
    disallowed = list(ROBOTS_DISALLOWED)
    site = Site.find_for_request(request)
    forms = InterestFormPage.objects.live()
    if site:
        forms = forms.descendant_of(site.root_page, inclusive=True)
    for form_page in forms:
        url = form_page.get_url(request)
        if url:
            disallowed.append(f"{url.rstrip('/')}/status/")
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed), "",
             f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@lru_cache(maxsize=1)
def _favicon_bytes() -> bytes | None:
    """The ICO from the static files (collected or not); read once per process."""
    found = finders.find(FAVICON)
    if found:
        with open(found, "rb") as handle:
            return handle.read()
    if staticfiles_storage.exists(FAVICON):
        with staticfiles_storage.open(FAVICON) as handle:
            return handle.read()
    return None


@require_safe
@cache_control(public=True, max_age=86400)
def favicon_ico(request):
    """/favicon.ico, which browsers and feed readers ask for whatever the page links to."""
    data = _favicon_bytes()
    if data is None:
        raise Http404
    return HttpResponse(data, content_type="image/x-icon")
