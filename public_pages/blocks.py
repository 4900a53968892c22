"""The small set of StreamField blocks editors use for page bodies.

Kept deliberately short: each block renders as plain, light HTML that reads well on a phone.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

__all__ = [
    "BodyBlock",
    "CallToActionBlock",
    "FaqBlock",
    "HeadingBlock",
    "ImageBlock",
    "QuoteBlock",
]

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("judul"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("tingkat"), choices=[("h2", _("Judul bagian")), ("h3", _("Sub-judul"))], default="h2"
    )

    class Meta:
        icon = "title"
        label = _("Judul")
        template = "blocks/heading_block.html"
        preview_value = {"text": "Apa yang dipelajari peserta", "level": "h2"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("gambar"))
    alt_text = blocks.CharBlock(
        label=_("teks alternatif"),
        max_length=200,
        help_text=_("Jelaskan isi gambar untuk pembaca layar."),
    )
    caption = blocks.CharBlock(label=_("keterangan"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Gambar")
        template = "blocks/image_block.html"
        preview_value = {"alt_text": "Peserta pelatihan tata boga", "caption": "Praktik di dapur pelatihan"}


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("kutipan"))
    attribution = blocks.CharBlock(label=_("sumber"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        label = _("Kutipan")
        template = "blocks/quote_block.html"
        preview_value = {
            "quote": "Setelah pelatihan, saya bisa membuka usaha katering kecil di rumah.",
            "attribution": "Ibu Siti, alumni Tata Boga",
        }


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("judul"), max_length=120)
    text = blocks.TextBlock(label=_("teks"), required=False)
    link_url = blocks.CharBlock(
        label=_("tautan"), max_length=255, help_text=_("Alamat tujuan, mis. /pelatihan/ atau https://...")
    )
    link_text = blocks.CharBlock(label=_("teks tombol"), max_length=60)

    class Meta:
        icon = "pick"
        label = _("Ajakan bertindak")
        template = "blocks/call_to_action_block.html"
        preview_value = {
            "title": "Pendaftaran gelombang ini masih dibuka",
            "text": "Daftar sekarang, gratis dan tanpa biaya apa pun.",
            "link_url": "/pelatihan/",
            "link_text": "Lihat pelatihan",
        }


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("pertanyaan"), max_length=200)
    answer = blocks.RichTextBlock(label=_("jawaban"), features=PARAGRAPH_FEATURES)


class FaqBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("judul"), max_length=120, default="Pertanyaan yang sering diajukan")
    items = blocks.ListBlock(FaqItemBlock(), label=_("pertanyaan"))

    class Meta:
        icon = "help"
        label = _("Tanya jawab (FAQ)")
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
    paragraph = blocks.RichTextBlock(
        features=PARAGRAPH_FEATURES,
        label=_("Paragraf"),
        icon="pilcrow",
        template="blocks/paragraph_block.html",
        preview_value="<p>Pelatihan berlangsung selama sepuluh hari di Balai Latihan Kerja Kota Tangerang.</p>",
    )
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    faq = FaqBlock()
