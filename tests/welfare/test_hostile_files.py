"""Files built to hurt the register import: each is refused fast, with an Indonesian message, nothing stored,
bounded memory, and no server path in what the editor reads. Every file is generated here, never committed."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applicants.models import WelfareImportBatch, WelfareRecord, WelfareRejection
from applicants.welfare.importer import RegisterFileError, check_file, import_register
from tests.welfare.test_welfare_import import HEADER, person, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MEMORY_LIMIT_MB = 200


def build_xlsx(path: Path, sheet: bytes | None = None, shared: bytes | None = None, sheet_writer=None) -> Path:
    """A minimal xlsx written by hand, so a test can put anything in its parts."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
                         '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels",
                         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", shared)
        if sheet_writer is not None:
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
                sheet_writer(handle)
        else:
            archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def sheet_xml(rows_xml: str) -> bytes:
    return f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows_xml}</sheetData></worksheet>'.encode()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row() -> str:
    letters = "ABCDEFGHIJKLMN"
    return '<row r="1">' + "".join(inline(f"{letters[i]}1", name) for i, name in enumerate(HEADER)) + "</row>"


# --- The file classes ------------------------------------------------------------------------------------


def far_column_xlsx(tmp_path):
    """1.6 KB: one header cell at column AAAAAA (once 7.5 GB of memory, then a 500)."""
    row = f'<row r="1">{inline("A1", "NIK")}{inline("AAAAAA1", "Nama")}</row>'
    return build_xlsx(tmp_path / "kolom-jauh.xlsx", sheet_xml(row))


def million_columns_csv(tmp_path):
    path = tmp_path / "sejuta-kolom.csv"
    path.write_text(";".join(["NIK", "Nama", *["x"] * 1_000_000]) + "\n", encoding="utf-8")
    return path


def wide_csv(tmp_path):
    """Short enough a line, but 500 columns: refused by the column limit."""
    return write_csv(tmp_path / "lebar.csv", [person(1) + [""] * 486], header=HEADER + [f"K{i}" for i in range(486)])


def xxe_xlsx(tmp_path):
    shared = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY rahasia SYSTEM "file:///etc/passwd">]>'
              b'<sst xmlns="' + MAIN_NS.encode() + b'"><si><t>&rahasia;</t></si></sst>')
    return build_xlsx(tmp_path / "xxe.xlsx", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared=shared)


def giant_tag_xlsx(tmp_path):
    """One start tag of 10 MB (an attribute value): expat would hold all of it before any event."""
    return build_xlsx(tmp_path / "tag-raksasa.xlsx", sheet_xml(f'<row r="1"><c r="A1" x="{"A" * (10 << 20)}"/></row>'))


def bad_reference_xlsx(tmp_path):
    return build_xlsx(tmp_path / "ref-aneh.xlsx", sheet_xml(f'<row r="1">{inline("1A", "NIK")}</row>'))


def billion_laughs_xlsx(tmp_path):
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    sheet = f'<?xml version="1.0"?><!DOCTYPE w [{entities}]><worksheet xmlns="{MAIN_NS}"><sheetData>' \
            f'<row r="1">{inline("A1", "&a9;")}</row></sheetData></worksheet>'
    return build_xlsx(tmp_path / "tawa.xlsx", sheet.encode())


def truncated_xlsx(tmp_path):
    good = write_xlsx(tmp_path / "utuh.xlsx", [person(n) for n in range(1, 50)])
    path = tmp_path / "terpotong.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return path


def truncated_sheet_xlsx(tmp_path):
    rows = header_row() + "".join(
        f'<row r="{n + 1}">' + "".join(inline(f"{'ABCDEFGHIJKLMN'[i]}{n + 1}", v) for i, v in enumerate(person(n)))
        + "</row>" for n in range(1, 30)
    )
    xml = sheet_xml(rows)
    return build_xlsx(tmp_path / "lembar-terpotong.xlsx", xml[: len(xml) // 3])  # cut within the first rows


def long_field_csv(tmp_path, row=1, length=140_000):
    """A field over csv's own 131,072-character default (once a 500)."""
    rows = [person(n) for n in range(1, row + 1)]
    rows[-1][6] = "A" * length
    return write_csv(tmp_path / "alamat-panjang.csv", rows)


def long_cell_csv(tmp_path):
    return long_field_csv(tmp_path, length=5000)


def long_cell_xlsx(tmp_path):
    row = person(1)
    row[6] = "A" * 5000
    return write_xlsx(tmp_path / "sel-panjang.xlsx", [row])


def unpacks_to_1_2_gb_xlsx(tmp_path):
    """A sheet that unpacks to 1.2 GB of whitespace (once 12 minutes in one request)."""
    block = b" " * (1 << 20)

    def write(handle):
        handle.write(f'<worksheet xmlns="{MAIN_NS}"><sheetData>{header_row()}'.encode())
        for _ in range(1230):
            handle.write(block)
        handle.write(b"</sheetData></worksheet>")

    return build_xlsx(tmp_path / "bom.xlsx", sheet_writer=write)


CASES = [
    (far_column_xlsx, "lebih dari 100 kolom"),
    (million_columns_csv, "terlalu panjang"),
    (wide_csv, "lebih dari 100 kolom"),
    (xxe_xlsx, "DTD"),
    (billion_laughs_xlsx, "DTD"),
    (truncated_xlsx, "rusak"),
    (giant_tag_xlsx, "elemen XML yang terlalu besar"),
    (bad_reference_xlsx, "rusak"),
    (truncated_sheet_xlsx, "terpotong"),
    (long_field_csv, "Baris 5 berkas CSV terlalu panjang"),
    (long_cell_csv, "Baris 5 berisi sel lebih dari 1000 karakter"),
    (long_cell_xlsx, "Baris 5 berisi sel lebih dari 1000 karakter"),
]


@pytest.fixture
def importer_client(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="x")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="add_welfareimportbatch"),
    )
    client.force_login(user)
    return client


@pytest.mark.parametrize(("make", "message"), CASES, ids=[make.__name__ for make, _m in CASES])
def test_hostile_upload_is_refused_next_to_the_field_and_nothing_is_stored(
    importer_client, tmp_path, settings, make, message, django_capture_on_commit_callbacks
):
    path = make(tmp_path)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = importer_client.post(reverse("welfare:upload"), {
            "file": SimpleUploadedFile(path.name, path.read_bytes()), "register": "dtsen",
        })
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert str(tmp_path) not in page and "/tmp" not in page
    assert not callbacks  # no job queued
    assert not WelfareImportBatch.objects.exists() and not WelfareRecord.objects.exists()
    uploads = Path(settings.PRIVATE_MEDIA_ROOT) / "welfare-imports"
    assert not uploads.exists() or not any(uploads.iterdir())


@pytest.mark.parametrize(("make", "message"), CASES, ids=[make.__name__ for make, _m in CASES])
def test_hostile_file_on_the_command_path_fails_the_batch_and_leaves_no_rows(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(RegisterFileError, match=message):
        import_register(path, check_eligibility=False)
    batch = WelfareImportBatch.objects.get()
    assert batch.state == WelfareImportBatch.State.FAILED and message in batch.error
    assert str(tmp_path) not in batch.error
    assert not WelfareRecord.objects.exists() and not WelfareRejection.objects.exists()


def test_a_long_field_deep_in_the_file_fails_the_background_import_visibly(tmp_path):
    path = long_field_csv(tmp_path, row=40, length=5000)  # past the rows the upload checks
    check_file(path, path.name, "dtsen")  # the quick check passes: the damage is further down
    with pytest.raises(RegisterFileError, match="Baris 44 berisi sel lebih dari 1000"):
        import_register(path, check_eligibility=False, chunk_size=10)
    batch = WelfareImportBatch.objects.get()
    assert batch.state == "failed" and not batch.records.exists() and not batch.rejections.exists()


def test_too_many_rows_is_refused(tmp_path, settings):
    settings.WELFARE_IMPORT_MAX_ROWS = 30
    path = write_csv(tmp_path / "banyak.csv", [person(n) for n in range(1, 40)])
    with pytest.raises(RegisterFileError, match="lebih dari 30 baris"):
        import_register(path, check_eligibility=False)
    assert not WelfareRecord.objects.exists()


def test_limits_are_settings(tmp_path, settings):
    settings.WELFARE_IMPORT_MAX_CELL_CHARS = 10_000
    import_register(long_cell_xlsx(tmp_path), check_eligibility=False)  # 5,000 characters now fit
    settings.WELFARE_IMPORT_MAX_UNPACKED_MB = 0
    with pytest.raises(RegisterFileError, match="terlalu besar setelah dibuka"):
        check_file(long_cell_xlsx(tmp_path), "x.xlsx", "dtsen")


_PROBE = """
import json, os, sys, time
from pathlib import Path
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
import django
django.setup()
from applicants.welfare import importer, sources
path = Path(sys.argv[1])
start = time.monotonic()
message = ""
try:
    importer.check_file(path, path.name, "dtsen")
    kind = sources.file_kind(path.name)
    for _row in sources.iter_table(path, kind, "utf-8-sig"):
        pass
except importer.RegisterFileError as exc:
    message = str(exc)
print(json.dumps({"message": message, "seconds": time.monotonic() - start}))
"""

# Linux keeps ru_maxrss across fork and exec, so a child started by pytest would report pytest's own peak.
# A small launcher starts the probe and reads the probe's peak with RUSAGE_CHILDREN.
_LAUNCHER = """
import json, resource, subprocess, sys
out = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True).stdout
result = json.loads(out.strip().splitlines()[-1])
result["peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps(result))
"""


def _probe(path: Path) -> dict:
    """Read `path` as the upload check and the import do, in a fresh process; its message and peak memory."""
    out = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "-c", _PROBE, str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize(("make", "message"), [
    (far_column_xlsx, "lebih dari 100 kolom"),
    (million_columns_csv, "terlalu panjang"),
    (long_field_csv, "terlalu panjang"),
    (unpacks_to_1_2_gb_xlsx, "terlalu besar setelah dibuka"),
], ids=["far_column_xlsx", "million_columns_csv", "long_field_csv", "unpacks_to_1_2_gb_xlsx"])
def test_big_hostile_files_are_refused_within_seconds_in_bounded_memory(tmp_path, make, message):
    result = _probe(make(tmp_path))
    assert message in result["message"]
    assert result["seconds"] < 5
    assert result["peak_mb"] < MEMORY_LIMIT_MB, result
