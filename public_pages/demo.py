# ruff: noqa: E501 - demo content: long Indonesian sentences read better unbroken
"""Demo page tree in Indonesian, with illustrations drawn locally by Pillow.

Idempotent: pages are found by slug under their parent and images by title; existing ones are left
as they are (so an editor's changes survive a re-run). The Site's root becomes our HomePage; Wagtail's
default welcome page is removed when it is still the untouched placeholder.
"""

from __future__ import annotations

import io
import textwrap
from datetime import timedelta

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from .models import (
    ContactSettings,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProgramIndexPage,
    ProgramPage,
    StoryIndexPage,
    SuccessStoryPage,
)

PALETTE = {
    "tata-boga": ("#c8553d", "#f9dc5c"),
    "barbershop": ("#2d3047", "#93b7be"),
    "kue-kering": ("#a4493d", "#f4d6a0"),
    "payet": ("#6a4c93", "#ffcad4"),
    "pijat-refleksi": ("#1b6e20", "#c5e8b7"),
    "berita": ("#0b4f6c", "#cde9f6"),
    "kisah": ("#7a4419", "#ffe8c2"),
}


# --- images --------------------------------------------------------------------------------------
def demo_image(title: str, caption: str, palette: str):
    """A simple 1200x675 JPEG illustration (coloured shapes and a caption), stored as a Wagtail image."""
    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    bg, fg = PALETTE[palette]
    width, height = 1200, 675
    canvas = PILImage.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((760, -140, 1340, 440), fill=fg)
    draw.rectangle((0, height - 170, width, height), fill=fg)
    draw.ellipse((-120, 380, 260, 760), outline=fg, width=18)
    title_font = ImageFont.load_default(size=64)
    small_font = ImageFont.load_default(size=34)
    y = 90
    for line in textwrap.wrap(caption, width=24)[:4]:
        draw.text((70, y), line, font=title_font, fill="#ffffff")
        y += 80
    draw.text((70, height - 115), "Sigap Kerja · Dinas Sosial Kota Tangerang", font=small_font, fill=bg)
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=80, optimize=True)
    slug = "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-")[:60]
    image = Image(title=title, file=ImageFile(buffer, name=f"demo-{slug}.jpg"))
    image.save()
    return image


# --- tree helpers --------------------------------------------------------------------------------
def _child(parent: Page, model, slug: str, **fields):
    """The live child `slug` of `parent`, created (and published with a revision) when missing."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing
    tags = fields.pop("tags", None)
    page = model(slug=slug, **fields)
    if tags:
        page.tags.add(*tags)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def ensure_home() -> HomePage:
    """Our HomePage as the default Site's root; Wagtail's placeholder welcome page removed."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(
                title="Pelatihan Keterampilan Gratis untuk Warga Kota Tangerang",
                slug="beranda",
                seo_title="Sigap Kerja: Pelatihan Keterampilan Dinas Sosial Kota Tangerang",
                search_description=(
                    "Daftar pelatihan keterampilan gratis dari Dinas Sosial Kota Tangerang untuk keluarga "
                    "terdaftar DTSEN/DTKS: tata boga, barbershop, kue kering, payet, dan pijat refleksi."
                ),
                intro=(
                    "Dinas Sosial Kota Tangerang membuka pelatihan keterampilan gratis bagi keluarga yang "
                    "terdaftar di DTSEN (dahulu DTKS). Tiga peserta terbaik di setiap kelas mendapat paket "
                    "modal usaha untuk memulai usaha sendiri."
                ),
            )
        )
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Sigap Kerja")
        return home
    if site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = "Sigap Kerja"
        site.save()
        if _is_wagtail_placeholder(old_root):
            old_root.delete()
    return home


def _is_wagtail_placeholder(page: Page) -> bool:
    return page.depth == 2 and page.specific_class is Page and page.slug == "home" and page.numchild == 0


# --- content -------------------------------------------------------------------------------------
PROGRAM_PAGES = {
    "tata-boga": {
        "skill_summary": "Belajar memasak menu rumahan dan nasi kotak yang layak jual, lengkap dengan cara menghitung modal dan harga.",
        "learning_outcomes": "<ul><li>Kebersihan dan keamanan pangan (higiene dapur)</li><li>Resep lauk harian dan nasi kotak untuk pesanan</li><li>Pengemasan dan pemotretan produk dengan ponsel</li><li>Menghitung harga pokok dan menjual lewat WhatsApp</li></ul>",
        "schedule": "10 hari, Senin-Jumat pukul 08.00-15.00 WIB",
        "venue": "UPT Balai Latihan Kerja Kota Tangerang, Jl. Perintis Kemerdekaan, Cikokol",
        "places": 40,
        "capital_package": "Tiga peserta terbaik tiap kelas menerima paket modal usaha berupa kompor dua tungku, tabung gas, peralatan masak, dan bahan baku awal.",
    },
    "barbershop": {
        "skill_summary": "Pelatihan pangkas rambut pria dari dasar sampai siap melayani pelanggan sendiri.",
        "learning_outcomes": "<ul><li>Mengenal alat: gunting, clipper, sisir, dan sterilisasi</li><li>Model potongan dasar dan populer</li><li>Cukur jenggot dan kumis dengan aman</li><li>Melayani pelanggan dan mengatur harga jasa</li></ul>",
        "schedule": "12 hari, Senin-Sabtu pukul 08.00-14.00 WIB",
        "venue": "Gedung Pelatihan Dinas Sosial, Kecamatan Tangerang",
        "places": 30,
        "capital_package": "Tiga peserta terbaik menerima satu set peralatan pangkas: kursi cukur, clipper, gunting, cermin, dan perlengkapan sterilisasi.",
    },
    "kue-kering": {
        "skill_summary": "Membuat kue kering dan kue basah untuk pesanan harian dan musim hari raya.",
        "learning_outcomes": "<ul><li>Resep nastar, kastengel, putri salju, dan kue basah tradisional</li><li>Penggunaan oven dan mixer</li><li>Kemasan toples dan label produk</li><li>Perizinan PIRT dan pemasaran daring</li></ul>",
        "schedule": "10 hari, Senin-Jumat pukul 08.00-15.00 WIB",
        "venue": "UPT Balai Latihan Kerja Kota Tangerang, Jl. Perintis Kemerdekaan, Cikokol",
        "places": 40,
        "capital_package": "Tiga peserta terbaik menerima oven, mixer, loyang, dan bahan kue untuk produksi pertama.",
    },
    "payet": {
        "skill_summary": "Keterampilan menjahit payet dan manik-manik untuk busana muslim dan kebaya.",
        "learning_outcomes": "<ul><li>Teknik dasar tusuk payet dan manik</li><li>Membuat pola motif</li><li>Menghitung ongkos kerja borongan</li><li>Bekerja sama dengan konveksi dan butik</li></ul>",
        "schedule": "10 hari, Senin-Jumat pukul 08.00-14.00 WIB",
        "venue": "Aula Kantor Kecamatan Karawaci",
        "places": 30,
        "capital_package": "Tiga peserta terbaik menerima mesin jahit, pemidangan, dan bahan payet.",
    },
    "pijat-refleksi": {
        "skill_summary": "Teknik pijat refleksi yang aman dan higienis untuk membuka jasa pijat panggilan.",
        "learning_outcomes": "<ul><li>Titik refleksi kaki dan tangan</li><li>Kebersihan, keselamatan, dan etika layanan</li><li>Menghadapi pelanggan dengan keluhan kesehatan tertentu</li><li>Mengatur jadwal dan tarif jasa panggilan</li></ul>",
        "schedule": "8 hari, Senin-Jumat pukul 08.00-14.00 WIB",
        "venue": "Gedung Pelatihan Dinas Sosial, Kecamatan Tangerang",
        "places": 30,
        "capital_package": "Tiga peserta terbaik menerima kursi refleksi lipat, handuk, minyak pijat, dan tas perlengkapan.",
    },
}

FAQ = {
    "type": "faq",
    "value": {
        "title": "Pertanyaan yang sering diajukan",
        "items": [
            {"question": "Apakah pelatihan ini berbayar?", "answer": "<p>Tidak. Pelatihan, bahan, dan makan siang ditanggung Dinas Sosial. Jangan membayar kepada siapa pun yang mengatasnamakan Dinsos.</p>"},
            {"question": "Bagaimana jika saya tidak yakin terdaftar di DTSEN/DTKS?", "answer": "<p>Tetap daftar. Dinsos akan memeriksa data Anda. Anda juga bisa menanyakannya ke kantor kelurahan.</p>"},
            {"question": "Apa yang terjadi setelah mendaftar?", "answer": "<p>Petugas memeriksa data, lalu mengundang calon peserta untuk wawancara. Hasilnya dikabarkan lewat SMS atau WhatsApp.</p>"},
        ],
    },
}

NEWS = [
    ("pendaftaran-gelombang-2-dibuka", 2, "Pendaftaran Pelatihan Keterampilan Gelombang 2 Resmi Dibuka",
     "Dinas Sosial Kota Tangerang membuka pendaftaran empat pelatihan keterampilan gratis untuk keluarga terdaftar DTSEN.",
     ["pendaftaran", "pengumuman"]),
    ("wawancara-calon-peserta-gelombang-1", 95, "Ratusan Calon Peserta Ikuti Wawancara Gelombang 1",
     "Petugas Dinsos mewawancarai calon peserta di 16 kelurahan untuk memastikan pelatihan tepat sasaran.",
     ["wawancara", "gelombang-1"]),
    ("kelas-tata-boga-karawaci-lulus", 60, "Kelas Tata Boga Karawaci Menuntaskan Pelatihan",
     "Empat puluh peserta kelas tata boga menyelesaikan sepuluh hari pelatihan dan memamerkan menu nasi kotak buatan mereka.",
     ["tata-boga", "kelulusan"]),
    ("penyerahan-modal-usaha-peserta-terbaik", 45, "Wali Kota Serahkan Paket Modal Usaha kepada Peserta Terbaik",
     "Peserta terbaik dari setiap kelas menerima paket modal usaha sesuai keterampilan yang mereka pelajari.",
     ["modal-usaha", "kelulusan"]),
    ("alumni-bentuk-kelompok-usaha-bersama", 30, "Alumni Payet Membentuk Kelompok Usaha Bersama",
     "Dua belas alumni pelatihan payet di Karawaci sepakat membentuk KUB untuk menerima pesanan borongan dari konveksi.",
     ["kub", "payet"]),
    ("pemantauan-tiga-bulan-alumni", 12, "Dinsos Pantau Usaha Alumni Tiga Bulan Setelah Pelatihan",
     "Petugas mengunjungi alumni untuk melihat perkembangan usaha dan kendala yang mereka hadapi.",
     ["pemantauan", "modal-usaha"]),
    ("waspada-penipuan-pendaftaran", 5, "Waspada Penipuan: Pendaftaran Pelatihan Tidak Dipungut Biaya",
     "Dinsos mengingatkan warga bahwa seluruh proses pendaftaran dan pelatihan gratis.",
     ["pengumuman", "pendaftaran"]),
]

STORIES = [
    ("warung-nasi-kotak-bu-sri", "Sri", "tata-boga", "Katering nasi kotak", "Periuk",
     "Dari Dapur Rumah ke Pesanan Kantor",
     "Dulu saya hanya masak untuk keluarga. Sekarang tiap minggu ada pesanan nasi kotak dari kantor kelurahan."),
    ("pangkas-rambut-mas-dedi", "Dedi", "barbershop", "Pangkas rambut", "Cibodas",
     "Kursi Cukur di Teras Rumah",
     "Modal usaha dari Dinsos saya pakai di teras rumah. Pelanggan pertama saya tetangga sendiri."),
    ("kue-lebaran-bu-yanti", "Yanti", "kue-kering", "Kue kering pesanan", "Ciledug",
     "Lima Ratus Toples Nastar Menjelang Lebaran",
     "Saya belajar menghitung harga pokok. Ternyata selama ini saya menjual terlalu murah."),
    ("payet-bersama-bu-nur", "Nur", "payet", "Jasa payet borongan", "Karawaci",
     "Bersama Kelompok, Pesanan Jadi Lebih Besar",
     "Setelah membentuk KUB, kami berani menerima pesanan seratus kebaya sekaligus."),
]


def seed() -> None:
    # Demo code is loaded only when seeding, never by a serving process.
    from programs import demo as programs_demo
    from programs.models import Intake, Kecamatan, Program

    with transaction.atomic():
        today = timezone.localdate()
        home = ensure_home()
        ContactSettings.for_site(Site.objects.get(root_page=home)).save()

        programs_index = _child(
            home, ProgramIndexPage, "pelatihan", title="Pelatihan", show_in_menus=True,
            intro="Pelatihan keterampilan gratis untuk keluarga terdaftar DTSEN/DTKS di Kota Tangerang.",
        )
        news_index = _child(
            home, NewsIndexPage, "berita", title="Berita", show_in_menus=True,
            intro="Kabar terbaru tentang pendaftaran, pelatihan, dan alumni.",
        )
        story_index = _child(
            home, StoryIndexPage, "kisah-sukses", title="Kisah Sukses", show_in_menus=True,
            intro="Cerita alumni yang membuka usaha setelah mengikuti pelatihan.",
        )

        intakes = {i.pk: i for i in Intake.objects.prefetch_related("programs")}
        if not intakes:
            programs_demo.seed(today)
            intakes = {i.pk: i for i in Intake.objects.prefetch_related("programs")}
        # The newest intake offering each program: the open round, or the closed one for Payet.
        intake_for = {}
        for intake in sorted(intakes.values(), key=lambda i: i.registration_opens):
            for program in intake.programs.all():
                intake_for[program.slug] = intake
        programs = {p.slug: p for p in Program.objects.filter(slug__in=PROGRAM_PAGES)}
        for slug, fields in PROGRAM_PAGES.items():
            program, intake = programs.get(slug), intake_for.get(slug)
            if program is None or intake is None:
                continue
            image = demo_image(f"Ilustrasi {program.name}", f"Pelatihan {program.name}", slug)
            _child(
                programs_index, ProgramPage, slug,
                title=f"Pelatihan {program.name}", program=program, intake=intake, image=image,
                search_description=fields["skill_summary"],
                body=[FAQ], **fields,
            )

        for slug, days_ago, title, lead, tags in NEWS:
            image = demo_image(f"Berita: {title}", title, "berita")
            _child(
                news_index, NewsPage, slug, title=title, date=today - timedelta(days=days_ago), lead=lead,
                search_description=lead, image=image, image_alt="", tags=tags,
                body=[
                    {"type": "paragraph", "value": f"<p>{lead} Informasi lengkap dapat ditanyakan ke kantor kelurahan setempat atau Dinas Sosial Kota Tangerang.</p>"},
                    {"type": "quote", "value": {"quote": "Pelatihan ini kami tujukan bagi keluarga yang paling membutuhkan, agar bisa mandiri secara ekonomi.", "attribution": "Kepala Dinas Sosial Kota Tangerang"}},
                    {"type": "call_to_action", "value": {"title": "Lihat pelatihan yang dibuka", "text": "Pendaftaran gratis dan bisa dilakukan dari ponsel.", "link_url": "/pelatihan/", "link_text": "Lihat pelatihan"}},
                ],
            )

        from .interest import InterestFormPage

        _child(
            home, InterestFormPage, "daftar", title="Daftar Pelatihan", show_in_menus=True,
            intro=(
                "<p>Isi formulir ini dari ponsel Anda, sekitar dua menit. Siapkan KTP dan Kartu Keluarga. "
                "Pendaftaran <b>gratis</b>: Dinsos tidak pernah meminta bayaran.</p>"
            ),
            privacy_notice=(
                "<p>Data Anda (NIK, nomor KK, alamat, nomor HP) hanya dipakai Dinas Sosial Kota Tangerang untuk "
                "memeriksa kepesertaan DTSEN/DTKS, menghubungi Anda untuk wawancara, dan memantau hasil "
                "pelatihan. Data disimpan paling lama dua tahun bila Anda tidak mengikuti pelatihan, lalu "
                "dianonimkan (UU 27/2022 tentang Pelindungan Data Pribadi).</p>"
            ),
            thank_you_text=(
                "<p>Petugas Dinsos akan memeriksa data Anda di DTSEN/DTKS lalu menghubungi Anda lewat telepon "
                "atau WhatsApp untuk jadwal wawancara. Simpan nomor pendaftaran Anda.</p>"
            ),
        )

        from .complaints import ComplaintPage

        _child(
            home, ComplaintPage, "pengaduan", title="Pengaduan dan Sanggahan", show_in_menus=True,
            intro=(
                "<p>Sampaikan pengaduan atau sanggahan tentang pendaftaran, wawancara, kelas atau paket modal "
                "usaha, atau laporkan penerima yang menurut Anda tidak tepat. Anda boleh tidak menyebut nama.</p>"
            ),
            thank_you_text="<p>Petugas Dinsos menjawab paling lambat 14 hari sejak pengaduan diterima. Cek statusnya di halaman ini.</p>",
        )

        kecamatan = {k.name: k for k in Kecamatan.objects.filter(name__in=[s[4] for s in STORIES])}
        for slug, first_name, program_slug, business, kec_name, title, quote in STORIES:
            program, kec = programs.get(program_slug), kecamatan.get(kec_name)
            if program is None or kec is None:
                continue
            photo = demo_image(f"Kisah: {title}", f"{first_name}, alumni {program.name}", "kisah")
            _child(
                story_index, SuccessStoryPage, slug, title=title, alumnus_first_name=first_name,
                program=program, business_type=business, kecamatan=kec, photo=photo,
                photo_alt=f"Ilustrasi usaha {business.lower()} milik {first_name}", quote=quote,
                search_description=quote,
                story=(
                    f"<p>{first_name} mengikuti pelatihan {program.name} dari Dinas Sosial Kota Tangerang. "
                    f"Sebelumnya ia tidak memiliki penghasilan tetap.</p><p>Kini {first_name} menjalankan usaha "
                    f"{business.lower()} dari rumahnya di Kecamatan {kec.name} dan rutin mengikuti pertemuan "
                    "kelompok usaha bersama (KUB) dengan alumni lain.</p>"
                ),
            )
