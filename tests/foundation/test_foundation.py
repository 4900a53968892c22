import subprocess
import sys

import pytest
from django.db import connection

from programs.models import Kecamatan, Kelurahan


@pytest.mark.django_db
def test_reference_regions_are_loaded_by_code():
    assert Kecamatan.objects.count() == 13
    assert Kelurahan.objects.count() == 104
    # "Jatiuwung" is both a kecamatan and a kelurahan in another kecamatan: codes keep them apart.
    kel = Kelurahan.objects.get(code="36.71.09.1006")
    assert kel.name == "Jatiuwung" and kel.kecamatan.name == "Cibodas"
    assert "Batujaya" in Kelurahan.objects.get(code="36.71.03.1002").aliases


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions(settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The test database is in memory (journal "memory"); a file database must be in WAL.
    assert mode in {"wal", "memory"}


def _run_check(env_extra):
    import os

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "", **env_extra}
    env.pop("DJANGO_SETTINGS_MODULE")
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=env, timeout=120,
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _run_check({"DJANGO_ENV": "production", "SECRET_KEY": "", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_check_deploy(tmp_path):
    result = _run_check(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            "ALLOWED_HOSTS": "sigap.example",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_file_database_uses_wal(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.db import connection; c = connection.cursor();"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    import os

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.development",
           "DATABASE_URL": f"sqlite:///{tmp_path}/wal.db"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.strip() == "wal", out.stderr
