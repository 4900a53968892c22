"""What every public page render looks up, kept per process until the public site changes (cache.py).

Each function here returns the same answer as the Wagtail call it stands for (`Site.find_for_request`,
`.public()`, the menu query, `ContactSettings.for_site`, routing by path) without a query per request.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import DisallowedHost
from django.db.models import Q
from django.http.request import split_domain_port
from wagtail.models import Page, PageViewRestriction, Site

from .cache import memoized


def allowed_host(request) -> bool:
    """Only hosts in ALLOWED_HOSTS get a per-process site (any other Host header is refused with a 400
    later on, and must not grow the per-process copies)."""
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


def site_for_request(request) -> Site | None:
    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    return memoized(f"site:{hostname}:{port}", lambda: Site._find_for_request(request))


def view_restrictions() -> list[PageViewRestriction]:
    return memoized("restrictions", lambda: list(PageViewRestriction.objects.select_related("page")))


def restrictions_for(page: Page) -> list[PageViewRestriction]:
    """Restrictions on the page or an ancestor (what Page.get_view_restrictions finds, aliases aside)."""
    return [r for r in view_restrictions() if page.path.startswith(r.page.path)]


def public_only(queryset):
    """`queryset.public()` from the per-process list of view restrictions."""
    condition = Q()
    for restriction in view_restrictions():
        condition |= Q(path__startswith=restriction.page.path)
    return queryset.exclude(condition) if condition else queryset


def menu_pages(site: Site) -> list[Page]:
    """Live, public, in-menu children of the site's root page."""
    return memoized(
        f"menu:{site.pk}", lambda: list(public_only(site.root_page.get_children().live().in_menu()))
    )


def contact_settings(site: Site):
    from .models import ContactSettings  # on use: public_pages.models imports this module

    return memoized(f"contact:{site.pk}", lambda: ContactSettings.for_site(site))


def page_paths() -> dict[str, tuple[int, int]]:
    """{url_path: (page id, content type id)} of every page: routing without a query per path segment."""
    return memoized(
        "page_paths", lambda: {path: (pk, ct) for path, pk, ct in Page.objects.values_list(
            "url_path", "pk", "content_type_id")}
    )


def specific_page(pk: int, content_type_id: int) -> Page | None:
    """The page as its specific class, loaded once per process and generation (saving any page, or
    anything a page shows, starts a new generation; the gunicorn workers serve one request at a time)."""

    def load():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        return model.objects.filter(pk=pk).first() if model is not None else None

    return memoized(f"page:{pk}", load)


def breadcrumbs(page: Page) -> list[tuple[str, str]]:
    """(title, url) of the page's ancestors below the tree root, the home page first."""

    def load():
        return [(crumb.title, crumb.url) for crumb in page.get_ancestors().filter(depth__gt=1)]

    return memoized(f"crumbs:{page.pk}", load)


def deepest_page(root: Page, path_components: list[str]) -> tuple[Page | None, list[str]]:
    """The deepest page under `root` matching a prefix of the path, as its specific class, and the path
    components left over (a RoutablePage's sub-route, or an unknown child)."""
    paths = page_paths()
    for length in range(len(path_components), 0, -1):
        found = paths.get(root.url_path + "".join(f"{c}/" for c in path_components[:length]))
        if found is not None:
            return specific_page(*found), path_components[length:]
    return None, path_components


class PublicPageMixin:
    """View restrictions from the per-process list (site_data) instead of two queries per page view.

    Returns a queryset (the admin filters and orders it) whose result is already filled in."""

    def get_view_restrictions(self):
        if self.alias_of_id:
            return super().get_view_restrictions()
        restrictions = restrictions_for(self)
        queryset = PageViewRestriction.objects.filter(pk__in=[r.pk for r in restrictions])
        queryset._result_cache = restrictions
        return queryset
