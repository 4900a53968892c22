"""Site-wide template helpers: main navigation, breadcrumbs, contact settings, responsive images."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from wagtail.images.models import Filter, Picture
from wagtail.images.shortcuts import get_renditions_or_not_found
from wagtail.models import Page, Site

from public_pages import site_data
from public_pages.cache import memoized

register = template.Library()

# AVIF, then WebP, with JPEG in the <img> for browsers that take neither. The smallest width fits a
# 360 px phone at 1x; the next one the same phone at 2x (and a desktop card or column).
PICTURES = {
    "card": (
        "format-{avif,webp,jpeg} fill-{360x203,720x405}", "(min-width: 60rem) 20rem, (min-width: 40rem) 50vw, 100vw"
    ),
    "page": ("format-{avif,webp,jpeg} width-{360,720}", "(min-width: 50rem) 45rem, 100vw"),
}


@register.simple_tag(takes_context=True)
def main_nav(context):
    """(page, is_current) for the live, public, in-menu children of the site's home page (kept per process)."""
    request = context.get("request")
    if request is None:
        return []
    site = Site.find_for_request(request)
    items = site_data.menu_pages(site) if site else []
    current = context.get("page")
    current_path = current.path if isinstance(current, Page) else ""
    return [(item, current_path.startswith(item.path)) for item in items]


@register.simple_tag(takes_context=True)
def contact_settings(context):
    """The site's ContactSettings (footer), kept per process until an editor saves them."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    return site_data.contact_settings(site) if site else None


@register.simple_tag
def breadcrumbs(page):
    """(title, url) of the ancestors of the page below the tree root (the home page first)."""
    if not isinstance(page, Page):
        return []
    return site_data.breadcrumbs(page)


@register.simple_tag
def responsive_image(image, kind: str, alt: str = "", css_class: str = "", lazy: bool = True):
    """A <picture> (AVIF, WebP, JPEG; srcset for 360 px phones upwards) for a card or a page column.

    The markup is built once per process and image (looking up six renditions costs more than the rest
    of a card), and again after the image or any page changes."""
    if not image:
        return ""
    spec, sizes = PICTURES[kind]
    key = f"picture:{image.pk}:{image.file_hash}:{image.file.name}:{kind}:{alt}:{css_class}:{lazy}"

    def build() -> str:
        filters = [Filter(spec=item) for item in Filter.expand_spec(spec)]
        attrs = {"sizes": sizes, "alt": alt}
        if css_class:
            attrs["class"] = css_class
        if lazy:
            attrs["loading"] = "lazy"
        return str(Picture(get_renditions_or_not_found(image, filters), attrs).__html__())

    return mark_safe(memoized(key, build))  # noqa: S308 - Wagtail builds the markup, escaping the alt text


class MemoNode(template.Node):
    def __init__(self, nodelist, vary):
        self.nodelist, self.vary = nodelist, vary

    def render(self, context):
        request = context.get("request")
        host = request._get_raw_host() if request is not None else ""
        parts = [str(value.resolve(context)) for value in self.vary]
        language = translation.get_language()
        key = f"fragment:{host}:{language}:{timezone.localdate().isoformat()}:" + ":".join(parts)
        return memoized(key, lambda: self.nodelist.render(context))


@register.simple_tag(takes_context=True)
def language_links(context):
    """This page in each language of the site: code, the language's own name, URL, whether it is this one."""
    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    current = translation.get_language()
    return [
        {"code": code, "name": translation.get_language_info(code)["name_local"],
         "url": translate_url(path, code), "current": code == current}
        for code, _name in settings.LANGUAGES
    ]


@register.tag
def memo(parser, token):
    """{% memo "card" page.pk %}...{% endmemo %}: the markup inside is rendered once per process, host,
    language, Jakarta date and generation for the given values. Only for markup that depends on nothing else
    (no CSRF token, no user, nothing from the query string)."""
    vary = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    if not vary:
        raise template.TemplateSyntaxError("memo needs at least one value to tell fragments apart")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, vary)
