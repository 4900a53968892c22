"""Content editors publish and browsers load: only safe links in page blocks, a Content-Security-Policy
without inline scripts on residents' pages, the narrowest policy the Wagtail admin works with, and a
Permissions-Policy everywhere."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template import loader
from wagtail import blocks as wagtail_blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.rich_text import RichText

from public_pages.blocks import (
    BodyBlock,
    CallToActionBlock,
    SafeLinksStructBlock,
    SafeRichTextBlock,
    link_error,
)
from public_pages.models import NewsPage
from tests.factories import build_site, open_intake

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PUBLIC_TEMPLATE_DIRS = ("public_pages", "blocks", "includes")
PUBLIC_TEMPLATE_FILES = ("base.html", "404.html", "500.html")

SAFE = ["/pelatihan/", "/daftar/?program=tata-boga", "#faq", "https://tangerangkota.go.id/dinsos/",
        "http://example.id", "HTTPS://Example.ID/a", "mailto:dinsos@tangerangkota.go.id", "tel:+62215588123",
        " /pelatihan/ "]
UNSAFE = ["javascript:alert(1)", "JaVaScRiPt:alert(document.cookie)", " javascript:alert(1)",
          "java\tscript:alert(1)", "java\nscript:alert(1)", "\x01javascript:alert(1)", "vbscript:msgbox(1)",
          "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "//evil.example/", "/\\evil.example",
          "\\\\evil.example", "https://", "http:evil.example", "pelatihan/", "ftp://files.example/", "mailto:",
          "javascript&#58;alert(1)", "file:///etc/passwd", "https://exa mple.id", "/pela\u2028tihan/"]


# --- Links in blocks ------------------------------------------------------------------------------
@pytest.mark.parametrize("url", SAFE)
def test_safe_links_are_accepted(url):
    assert link_error(url) is None


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_links_are_refused_with_an_indonesian_message(url):
    assert "Tautan hanya boleh" in str(link_error(url))


@pytest.mark.parametrize("url", UNSAFE[:6] + ["//evil.example/"])
def test_call_to_action_with_an_unsafe_link_is_refused_next_to_the_link_field(url):
    value = CallToActionBlock().to_python({"title": "Daftar", "text": "", "link_url": url, "link_text": "Klik"})
    with pytest.raises(StructBlockValidationError) as exc:
        CallToActionBlock().clean(value)
    assert set(exc.value.block_errors) == {"link_url"}
    assert "Tautan hanya boleh" in exc.value.block_errors["link_url"].messages[0]


@pytest.mark.parametrize("href", ["javascript:alert(1)", "JAVA&#x53;CRIPT:alert(1)", "&#106;avascript:alert(1)",
                                  "data:text/html,x", "//evil.example"])
@pytest.mark.parametrize("quote", ['"', "'"])
def test_rich_text_with_an_unsafe_link_is_refused(href, quote):
    source = f"<p>Lihat <a href={quote}{href}{quote}>di sini</a></p>"
    with pytest.raises(ValidationError) as exc:
        SafeRichTextBlock(features=["link"]).clean(RichText(source))
    assert "Tautan hanya boleh" in exc.value.messages[0]


def test_rich_text_with_page_links_and_safe_links_is_accepted():
    source = ('<p><a linktype="page" id="3">Pelatihan</a> <a href="https://tangerangkota.go.id">Pemkot</a> '
              '<a href="mailto:dinsos@tangerangkota.go.id">surel</a></p>')
    assert SafeRichTextBlock(features=["link"]).clean(RichText(source)).source == source


def _link_fields(block, path=()):
    """Every child that holds a link editors type: link/url text fields and rich text with links."""
    for name, child in getattr(block, "child_blocks", {}).items():
        here = (*path, name)
        if isinstance(child, wagtail_blocks.RichTextBlock) and "link" in (child.features or ()):
            yield here, block, child
        elif isinstance(child, (wagtail_blocks.CharBlock, wagtail_blocks.URLBlock)) and (
            "url" in name or "link" in name) and "text" not in name:
            yield here, block, child
        yield from _link_fields(child, here)
    if isinstance(block, wagtail_blocks.ListBlock):
        yield from _link_fields(block.child_block, (*path, "[]"))


def test_every_block_link_field_is_checked():
    found = list(_link_fields(BodyBlock()))
    assert {".".join(path) for path, _p, _c in found} == {"paragraph", "call_to_action.link_url",
                                                          "faq.items.[].answer"}
    for path, parent, child in found:
        if isinstance(child, wagtail_blocks.RichTextBlock):
            assert isinstance(child, SafeRichTextBlock), path
        else:
            assert isinstance(parent, SafeLinksStructBlock) and path[-1] in parent.link_fields, path


@pytest.mark.parametrize("stream", [
    [{"type": "call_to_action", "value": {"title": "T", "text": "", "link_url": "javascript:alert(1)",
                                          "link_text": "Klik"}}],
    [{"type": "paragraph", "value": '<p><a href="javascript:alert(1)">x</a></p>'}],
    [{"type": "faq", "value": {"title": "FAQ", "items": [
        {"question": "Q?", "answer": '<p><a href="javascript:alert(1)">x</a></p>'}]}}],
])
def test_a_page_body_with_an_unsafe_link_in_any_block_cannot_be_saved(stream):
    """The page editor's form field (what the admin validates on save and publish) refuses it."""
    field = NewsPage._meta.get_field("body").formfield()
    with pytest.raises(ValidationError):
        field.clean(field.block.to_python(stream))


def test_a_call_to_action_published_before_links_were_checked_renders_without_a_live_link():
    block = CallToActionBlock()
    value = block.to_python({"title": "Daftar", "text": "", "link_url": "javascript:alert(1)", "link_text": "Klik"})
    html = block.render(value)
    assert "javascript" not in html and "href" not in html and "Klik" in html
    safe = block.render(block.to_python({"title": "D", "text": "", "link_url": "/daftar/", "link_text": "Klik"}))
    assert 'href="/daftar/"' in safe


# --- Security headers -------------------------------------------------------------------------------
def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def site(db, settings):
    settings.INTAKE_RATE_LIMIT = "off"
    cache.clear()
    page = build_site()
    open_intake()
    return page


@pytest.mark.parametrize("path", ["/", "/daftar/", "/tidak-ada/", "/sitemap.xml"])
def test_public_pages_get_a_policy_without_inline_scripts(client, site, path):
    response = client.get(path)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/", "/daftar/"])
def test_public_pages_contain_no_inline_script_handler_or_style(client, site, path):
    html = client.get(path).content.decode()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html, re.I)
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)
    assert not re.search(r"\sstyle\s*=", html, re.I)
    assert not re.search(r"<style(?![^>]*\snonce=)", html, re.I)
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", html, re.I)


def _public_templates():
    for folder in PUBLIC_TEMPLATE_DIRS:
        yield from sorted((TEMPLATES / folder).rglob("*.html"))
    for name in PUBLIC_TEMPLATE_FILES:
        yield TEMPLATES / name


@pytest.mark.parametrize("template", list(_public_templates()), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_public_template_has_inline_script_event_handler_or_style_attribute(template):
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text, re.I)
    assert not re.search(r"\son[a-z]+\s*=", text, re.I)
    assert not re.search(r"\sstyle\s*=", text, re.I)
    if template.name != "500.html":  # rendered without a request: allowed by its hash (below)
        assert not re.search(r"<style(?![^>]*\snonce=)", text, re.I)


def test_the_500_page_style_is_allowed_by_its_hash():
    html = loader.get_template("500.html").render()
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/", "/admin/pages/", "/admin/applicants/application/"])
def test_admin_pages_get_the_admin_policy(client, site, path):
    client.force_login(get_user_model().objects.create_superuser("csp-admin", password="x"))
    response = client.get(path)
    assert response.status_code == 200 or path == "/admin/login/"
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]  # Wagtail's own inline scripts
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"] and policy["img-src"] == ["'self'", "data:", "blob:"]
    assert "Permissions-Policy" in response
    assert "gravatar" not in response.content.decode()


def test_the_admin_policy_does_not_leak_onto_public_pages_that_start_like_it(client, site):
    response = client.get("/administrasi/")  # not under /admin/
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
