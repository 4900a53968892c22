"""Error pages and the site search. Page content itself is served by Wagtail."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from wagtail.models import Page, Site

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
    return render(request, "404.html", status=404)


def server_error(request):
    """500 without any context: the template must render even when the database is down."""
    return HttpResponseServerError(loader.get_template("500.html").render())
