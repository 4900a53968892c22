"""Load the 13 kecamatan and 104 kelurahan of Kota Tangerang (Kemendagri codes) from programs/data."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "kota-tangerang-wilayah.csv"


def load(apps, schema_editor):
    Kecamatan = apps.get_model("programs", "Kecamatan")
    Kelurahan = apps.get_model("programs", "Kelurahan")
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            kecamatan, _ = Kecamatan.objects.update_or_create(
                code=row["kode_kecamatan"], defaults={"name": row["kecamatan"]}
            )
            aliases = [a.strip() for a in row["ejaan_lain"].split("|") if a.strip()]
            Kelurahan.objects.update_or_create(
                code=row["kode_kelurahan"],
                defaults={"name": row["kelurahan"], "kecamatan": kecamatan, "aliases": aliases},
            )


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
