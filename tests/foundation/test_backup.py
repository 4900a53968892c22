"""The documented backup procedure (scripts/backup.sh, scripts/restore.sh) restores the demo site exactly.

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


def _env(database_url: str, files: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV"}}
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
    assert (backup / native).stat().st_size > 0
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
