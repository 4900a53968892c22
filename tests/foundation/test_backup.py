"""The documented backup procedure (scripts/backup.sh, scripts/restore.sh) restores the demo site exactly,
from encrypted files; without the key, or with a wrong key or a damaged file, nothing is written or restored.

Runs the scripts as an operator would, against two real databases: SQLite files, or on the PostgreSQL run
two new databases on the same server.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
# Derived or regenerated tables: rebuilt by restore.sh or by Django itself, not compared row by row.
DERIVED = {"contenttypes.contenttype", "auth.permission", "sessions.session", "wagtailsearch.indexentry",
           "wagtailcore.referenceindex", "wagtailsearch.sqliteftsindexentry"}

SNAPSHOT = r"""
import json, django
django.setup()
from django.apps import apps
from django.contrib.auth import get_user_model
from wagtail.models import Page, Site
derived = set(json.loads(DERIVED))
counts = {m._meta.label_lower: m._default_manager.count() for m in apps.get_models()
          if m._meta.label_lower not in derived and m._meta.managed and not m._meta.proxy}
print(json.dumps({
    "counts": counts,
    "users": sorted(get_user_model().objects.values_list("username", "password", "is_superuser")),
    "groups": sorted(get_user_model().objects.filter(groups__isnull=False).values_list("username", "groups__name")),
    "pages": sorted(Page.objects.values_list("path", "title", "slug", "live", "content_type__model")),
    "sites": sorted(Site.objects.values_list("hostname", "root_page__url_path", "is_default_site")),
}, default=str))
"""


KEY = "kunci-cadangan-uji-2026-panjang"


def _env(database_url: str, files: Path, key: str | None = KEY) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "BACKUP_KEY"}}
    if key is not None:
        env["BACKUP_KEY"] = key
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(files / "media"),
        "PRIVATE_MEDIA_ROOT": str(files / "private"),
        "PY": sys.executable,
    })
    return env


def _run(env: dict, *cmd: str) -> str:
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
    assert result.returncode == 0, f"{cmd}: {result.stdout[-2000:]}{result.stderr[-3000:]}"
    return result.stdout


def _snapshot(env: dict) -> dict:
    code = f"DERIVED = {json.dumps(json.dumps(sorted(DERIVED)))}\n" + SNAPSHOT
    return json.loads(_run(env, sys.executable, "-c", code))


@pytest.fixture
def two_databases(tmp_path):
    """Two new, empty databases of the vendor under test: (source URL, target URL)."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{tmp_path / 'b.sqlite3'}"
        return
    import psycopg

    names = [f"sigap_backup_{uuid.uuid4().hex[:8]}_{side}" for side in "ab"]
    with psycopg.connect(server, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server)
    yield tuple(urlunsplit(parts._replace(path=f"/{name}")) for name in names)
    with psycopg.connect(server, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_demo_site_backed_up_and_restored_into_a_new_database_is_the_same(tmp_path, two_databases):
    source_url, target_url = two_databases
    source = _env(source_url, tmp_path / "source")
    target = _env(target_url, tmp_path / "target")
    _run(source, sys.executable, "manage.py", "migrate", "--noinput")
    _run(source, sys.executable, "manage.py", "seed_demo")
    (tmp_path / "source" / "media" / "images").mkdir(parents=True)
    (tmp_path / "source" / "media" / "images" / "kue.jpg").write_bytes(b"\xff\xd8 public image")
    (tmp_path / "source" / "private" / "handover").mkdir(parents=True)
    (tmp_path / "source" / "private" / "handover" / "berita-acara.pdf").write_bytes(b"%PDF private")
    before = _snapshot(source)

    backup = tmp_path / "backup"
    _run(source, "scripts/backup.sh", str(backup))
    native = "db.sqlite3" if source_url.startswith("sqlite") else "db.pgdump"
    assert (backup / f"{native}.gpg").stat().st_size > 0
    # Every file is OpenPGP-encrypted; no plaintext copy, no NIK readable anywhere in the folder.
    names = sorted(path.name for path in backup.iterdir())
    assert names == sorted(f"{name}.gpg" for name in ("data.json.gz", "media.tar.gz", "private.tar.gz", native))
    nik = _run(source, sys.executable, "-c", "import django; django.setup(); from applicants.models import "
               "Applicant; print(Applicant.objects.first().nik)").split()[-1]
    for path in backup.iterdir():
        raw = path.read_bytes()
        assert raw[:1] in (b"\x8c", b"\xc3") and b"%PDF private" not in raw and nik.encode() not in raw, path
    _run(target, "scripts/restore.sh", str(backup))
    after = _snapshot(target)

    assert before["counts"]["auth.user"] == 5 and before["counts"]["programs.kelurahan"] == 104
    assert after == before
    assert (tmp_path / "target" / "media" / "images" / "kue.jpg").read_bytes() == b"\xff\xd8 public image"
    assert (tmp_path / "target" / "private" / "handover" / "berita-acara.pdf").read_bytes() == b"%PDF private"
    # The restored site works: the demo editor can still log in with the documented password.
    check = ("import django; django.setup(); from django.contrib.auth import authenticate;"
             "print(authenticate(username='editor', password='sigap-demo') is not None)")
    assert _run(target, sys.executable, "-c", check).strip() == "True"


def _fake_encrypted_backup(folder: Path, key: str) -> None:
    """A backup folder whose files are encrypted with `key` (made with gpg, as backup.sh does)."""
    folder.mkdir()
    home = folder.parent / "gnupg"
    home.mkdir(mode=0o700)
    for name in ("data.json.gz", "media.tar.gz", "private.tar.gz"):
        subprocess.run(  # noqa: S603
            ["gpg", "--homedir", str(home), "--batch", "--quiet", "--pinentry-mode", "loopback",  # noqa: S607
             "--passphrase-fd", "0", "--symmetric", "--output", str(folder / f"{name}.gpg"), "/dev/null"],
            input=key.encode(), check=True,
        )
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)  # noqa: S603, S607


def _fails(env: dict, *cmd: str) -> str:
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode != 0, result.stdout
    return result.stderr


def test_production_backup_without_a_key_is_refused_and_writes_nothing(tmp_path):
    env = {**_env(f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path, key=None), "DJANGO_ENV": "production"}
    assert "BACKUP_KEY is not set" in _fails(env, "scripts/backup.sh", str(tmp_path / "backup"))
    assert not (tmp_path / "backup").exists()


def test_a_short_backup_key_is_refused(tmp_path):
    env = _env(f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path, key="pendek")
    assert "too short" in _fails(env, "scripts/backup.sh", str(tmp_path / "backup"))
    assert not (tmp_path / "backup").exists()


@pytest.mark.parametrize("key", [None, "kunci-yang-salah-sekali-2026", "tampered"])
def test_restore_with_no_key_a_wrong_key_or_a_damaged_file_changes_nothing(tmp_path, key):
    backup = tmp_path / "backup"
    _fake_encrypted_backup(backup, KEY)
    if key == "tampered":
        data = bytearray((backup / "private.tar.gz.gpg").read_bytes())
        data[-5] ^= 0xFF
        (backup / "private.tar.gz.gpg").write_bytes(bytes(data))
        key = KEY
    target = tmp_path / "target.sqlite3"
    message = _fails(_env(f"sqlite:///{target}", tmp_path / "files", key=key), "scripts/restore.sh", str(backup))
    assert ("set BACKUP_KEY" in message) if key is None else ("nothing was changed" in message)
    assert not target.exists() and not (tmp_path / "files").exists()
