"""Privacy foundations: re-sync the roles after the permission changes and make sure the
first consent text, version "2026-1", exists.

The interest form may also create "2026-1" on first use; both sides use get_or_create on the version.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

CONSENT_2026_1 = """\
Persetujuan Pemrosesan Data Pribadi - Sigap Kerja, Dinas Sosial Kota Tangerang

Dengan mengirim formulir ini, saya menyetujui bahwa Dinas Sosial Kota Tangerang memproses data pribadi \
saya (NIK, nomor KK, nama, tanggal lahir, jenis kelamin, nomor HP, alamat, pekerjaan dan jawaban saya) \
sesuai Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi, untuk:
1. memeriksa kelayakan saya pada Data Tunggal Sosial Ekonomi Nasional (DTSEN/DTKS);
2. menghubungi saya untuk verifikasi, wawancara dan jadwal pelatihan;
3. menyelenggarakan pelatihan, bantuan modal usaha dan pendampingan setelah pelatihan;
4. menyusun statistik program tanpa menampilkan identitas saya.

Data saya hanya dapat dilihat oleh petugas yang berwenang, tidak dijual dan tidak dibagikan kepada pihak \
lain kecuali diwajibkan oleh peraturan perundang-undangan. NIK dan nomor KK disamarkan bagi petugas yang \
tidak memerlukannya. Setiap akses dan ekspor data dicatat.

Data pendaftar yang tidak mengikuti pelatihan dianonimkan setelah 2 tahun; data peserta pelatihan \
dianonimkan setelah masa arsip berakhir. Saya berhak meminta salinan data saya, memperbaiki data yang \
salah, meminta pembatasan pemrosesan, dan menarik persetujuan ini dengan menghubungi Dinas Sosial Kota \
Tangerang. Penarikan persetujuan dapat membuat saya tidak dapat mengikuti program.

Menampilkan cerita atau foto saya sebagai lulusan memerlukan persetujuan tersendiri.
"""


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the groups get them.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0)
    from applicants.privacy.roles import sync_roles

    sync_roles(apps=apps)
    ConsentVersion = apps.get_model("applicants", "ConsentVersion")
    ConsentVersion.objects.get_or_create(version="2026-1", defaults={"text": CONSENT_2026_1})


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0006_staff_profile_identity_permission"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
