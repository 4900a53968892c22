"""Every public page passes axe-core with no serious or critical violation.

The pages come from the running demo site: every URL in /sitemap.xml (all live public pages, so new
page types and templates are covered as soon as seed_demo creates one), plus search and a 404 page.
"""

import urllib.error
import urllib.request
import xml.etree.ElementTree as ET  # noqa: N817, S405 - our own sitemap
from urllib.parse import urlsplit

from django.urls import reverse

from .conftest import axe_violations

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _extra_pages() -> list[tuple[str, int]]:
    """Pages outside the sitemap: a 404, search with results, and the status checks of the interest form and
    the complaint page."""
    return [("/tidak-ada-halaman-ini/", 404), (reverse("search") + "?q=pelatihan", 200), ("/daftar/status/", 200),
            ("/pengaduan/status/", 200)]


def _sitemap_paths(server) -> list[str]:
    with urllib.request.urlopen(server("/sitemap.xml"), timeout=10) as response:  # noqa: S310
        tree = ET.fromstring(response.read())  # noqa: S314 - our own server
    return sorted({urlsplit(loc.text).path for loc in tree.findall("sm:url/sm:loc", SITEMAP_NS)})


def test_sitemap_lists_the_live_pages_of_the_demo_site(e2e_server):
    assert "/" in _sitemap_paths(e2e_server)


def test_public_pages_have_no_serious_accessibility_violations(phone, shot, e2e_server):
    pages = [(path, 200) for path in _sitemap_paths(e2e_server)] + _extra_pages()
    problems = {}
    for path, expected_status in pages:
        response = phone.goto(e2e_server(path))
        assert response.status == expected_status, path
        shot(phone, path.strip("/").replace("/", "_").replace("?", "_") or "home")
        found = axe_violations(phone)
        if found:
            problems[path] = found
    assert problems == {}
