"""Site-wide template helpers: main navigation and breadcrumbs."""

from django import template
from wagtail.models import Page, Site

register = template.Library()


@register.simple_tag(takes_context=True)
def main_nav(context):
    """(page, is_current) for the live, in-menu children of the site's home page. One query."""
    request = context.get("request")
    if request is None:
        return []
    site = Site.find_for_request(request)
    items = list(site.root_page.get_children().live().public().in_menu()) if site else []
    current = context.get("page")
    current_path = current.path if isinstance(current, Page) else ""
    return [(item, current_path.startswith(item.path)) for item in items]


@register.simple_tag
def breadcrumbs(page):
    """Ancestors of the page below the tree root (the home page first)."""
    if not isinstance(page, Page):
        return []
    return list(page.get_ancestors().filter(depth__gt=1))

