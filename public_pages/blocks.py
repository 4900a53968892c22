"""The small set of StreamField blocks editors use for page bodies.

Kept deliberately short: each block renders as plain, light HTML that reads well on a phone.
"""

import html
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

__all__ = [
    "BodyBlock",
    "CallToActionBlock",
    "FaqBlock",
    "HeadingBlock",
    "ImageBlock",
    "QuoteBlock",
    "SafeRichTextBlock",
    "link_error",
]

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]

# --- Links an editor may publish -------------------------------------------------------------------
LINK_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_HELP = _("Target address, e.g. /pelatihan/, https://..., mailto:... or tel:...")
_UNSAFE_LINK = _(
    "A link may only be an address on this site (starting with /), https://, http://, mailto: or tel:."
)
# Browsers drop tabs, newlines and other control characters inside a URL ("jav\tascript:"), so any of
# them makes a link suspect rather than something to clean up.
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\xa0\u2000-\u200f\u2028\u2029\ufeff]")
_HREF = re.compile(r"""<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def link_error(url: str | None):
    """None for a link residents may safely follow, else the Indonesian message for the editor.

    Site-relative paths ("/pelatihan/", "#faq"), http(s) with a host, mailto: and tel:; never
    `javascript:`, `data:`, protocol-relative `//host` or `/\\host` (both leave the site).
    """
    url = (url or "").strip()
    if not url:
        return None
    if _CONTROL_OR_SPACE.search(url) or "\\" in url:
        return _UNSAFE_LINK
    if url.startswith("#") or (url.startswith("/") and not url.startswith("//")):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return _UNSAFE_LINK
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.hostname:
        return None
    if scheme in ("mailto", "tel") and parts.path:
        return None
    return _UNSAFE_LINK


class SafeLinksStructBlock(blocks.StructBlock):
    """A StructBlock whose `link_fields` children must hold safe links (checked on save and publish)."""

    link_fields: tuple[str, ...] = ()

    def clean(self, value):
        result = super().clean(value)
        errors = {
            name: ValidationError(message, code="unsafe_link")
            for name in self.link_fields
            if (message := link_error(result.get(name)))
        }
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return result


class SafeRichTextBlock(blocks.RichTextBlock):
    """Rich text whose links are checked like any other block link.

    Draftail drops unsafe schemes itself, but rich text also arrives through the API, imports and
    code; this check holds whatever the source."""

    def clean(self, value):
        result = super().clean(value)
        source = getattr(result, "source", "") or ""
        for match in _HREF.finditer(source):
            href = html.unescape(next(group for group in match.groups() if group is not None))
            if message := link_error(href):
                raise ValidationError(message, code="unsafe_link")
        return result


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("title"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("level"), choices=[("h2", _("Section heading")), ("h3", _("Subheading"))], default="h2"
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "blocks/heading_block.html"
        preview_value = {"text": "Apa yang dipelajari peserta", "level": "h2"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alt text"),
        max_length=200,
        help_text=_("Describe the image for screen readers."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "blocks/image_block.html"
        preview_value = {"alt_text": "Peserta pelatihan tata boga", "caption": "Praktik di dapur pelatihan"}


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("source"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "blocks/quote_block.html"
        preview_value = {
            "quote": "Setelah pelatihan, saya bisa membuka usaha katering kecil di rumah.",
            "attribution": "Ibu Siti, alumni Tata Boga",
        }


class CallToActionBlock(SafeLinksStructBlock):
    link_fields = ("link_url",)

    title = blocks.CharBlock(label=_("title"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False)
    link_url = blocks.CharBlock(label=_("link"), max_length=255, help_text=LINK_HELP)
    link_text = blocks.CharBlock(label=_("button text"), max_length=60)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # A link published before links were checked is shown as text, never as a live href.
        context["link_url"] = "" if link_error(value.get("link_url")) else value.get("link_url")
        return context

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "blocks/call_to_action_block.html"
        preview_value = {
            "title": "Pendaftaran gelombang ini masih dibuka",
            "text": "Daftar sekarang, gratis dan tanpa biaya apa pun.",
            "link_url": "/pelatihan/",
            "link_text": "Lihat pelatihan",
        }


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"), max_length=200)
    answer = SafeRichTextBlock(label=_("answer"), features=PARAGRAPH_FEATURES)


class FaqBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120, default="Pertanyaan yang sering diajukan")
    items = blocks.ListBlock(FaqItemBlock(), label=_("question"))

    class Meta:
        icon = "help"
        label = _("Questions and answers (FAQ)")
        template = "blocks/faq_block.html"
        preview_value = {
            "title": "Pertanyaan yang sering diajukan",
            "items": [
                {
                    "question": "Apakah pelatihan ini berbayar?",
                    "answer": "<p>Tidak. Seluruh biaya ditanggung Dinsos.</p>",
                },
                {
                    "question": "Siapa yang boleh mendaftar?",
                    "answer": "<p>Warga Kota Tangerang yang terdaftar di DTSEN/DTKS.</p>",
                },
            ],
        }


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = SafeRichTextBlock(
        features=PARAGRAPH_FEATURES,
        label=_("Paragraph"),
        icon="pilcrow",
        template="blocks/paragraph_block.html",
        preview_value="<p>Pelatihan berlangsung selama sepuluh hari di Balai Latihan Kerja Kota Tangerang.</p>",
    )
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    faq = FaqBlock()
