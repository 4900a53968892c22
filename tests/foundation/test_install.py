"""`pip install .` (not editable) gives a complete, working portal.

A wheel is built from a copy of the source tree and installed into a fresh virtualenv that sees the
already-installed dependencies but not the checkout; Django then runs from a folder outside the
repository: checks, migrations, collectstatic, the demo content, a public page and the admin login.
Takes about a minute; `SIGAP_SKIP_INSTALL_TEST=1` skips it on a developer's machine (`make test` runs it).
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
# What the wheel ships: the four packages and the site-wide assets, by their folder in the checkout and
# their place in the wheel.
SHIPPED = {"site": "portal", "programs": "programs", "applicants": "applicants", "public_pages": "public_pages",
           "templates": "portal/templates", "static": "portal/static", "locale": "portal/locale"}
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", ".lock-venv", "var", "node_modules", "build", "*.egg-info",
                                    "__pycache__", "*.pyc", "tests", "bench", "test-artifacts")
SECRET = "install-test-only-" + "x" * 50

skip_locally = pytest.mark.skipif(os.environ.get("SIGAP_SKIP_INSTALL_TEST") == "1", reason="SIGAP_SKIP_INSTALL_TEST=1")


def test_the_lock_pins_every_dependency_extra_and_the_build_backend_with_hashes():
    """A pyproject.toml change without `make lock` fails here, with the command to run."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    lines = (REPO / "requirements.txt").read_text().splitlines()
    pins = {}
    for number, line in enumerate(lines):
        if pin := re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+) \\", line):
            assert lines[number + 1].startswith("    --hash=sha256:"), f"{line}: no hash"
            pins[canonicalize_name(pin[1])] = pin[2]
    wanted = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    for extra in project["project"].get("optional-dependencies", {}).values():
        wanted += extra
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.txt: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]}, {line}: make lock"
    assert "setuptools" in pins and "django" in pins and "pytest" in pins


def run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)  # noqa: S603
    assert result.returncode == 0, f"{args}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel, built offline with the lock's setuptools from a clean copy (no stale build/ folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    shutil.copytree(REPO, source, ignore=NOT_COPIED)
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", str(tmp / "dist"), str(source)])
    (built,) = (tmp / "dist").glob("sigap_kerja-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A fresh virtualenv with the wheel installed (--no-index) and the test run's dependencies linked in."""
    tmp = tmp_path_factory.mktemp("install")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    target = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    # Every installed distribution but this project (installed editable here), so nothing resolves to
    # the checkout and nothing has to be downloaded.
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if "sigap_kerja" not in entry.name and not (target / entry.name).exists():
            (target / entry.name).symlink_to(entry)
    run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)])
    return python


def django(python, workdir, *args, settings="development", program=None, **env):
    environment = {
        "PATH": os.environ["PATH"], "HOME": str(workdir), "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": f"portal.settings.{settings}", "SIGAP_VAR_DIR": str(workdir / "var"),
        "SECRET_KEY": SECRET, "CACHE_BACKEND": "locmem", "LOG_LEVEL": "WARNING", **env,
    }
    return run([*(program or [str(python), "-m", "django"]), *args], cwd=workdir, env=environment)


@pytest.mark.slow
@skip_locally
def test_the_wheel_ships_every_file_the_apps_read(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = []
    for folder, packaged in SHIPPED.items():
        for path in (REPO / folder).rglob("*"):
            if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            name = f"{packaged}/{path.relative_to(REPO / folder).as_posix()}"
            if name not in names:
                missing.append(name)
    assert not missing, f"not in the wheel (pyproject.toml [tool.setuptools.package-data]): {missing}"
    assert not [name for name in names if name.startswith(("tests/", "bench/"))]


@pytest.mark.slow
@skip_locally
def test_pip_install_dot_gives_a_working_portal_outside_the_repository(installed, tmp_path):
    workdir = tmp_path / "run"
    (workdir / "var").mkdir(parents=True)
    # Production settings: system checks, then the static files through the manifest storage.
    production = django(installed, workdir, "shell", "-c", textwrap.dedent("""
        import applicants, portal
        from django.conf import settings
        from django.core.management import call_command
        call_command("check", fail_level="ERROR")
        call_command("collectstatic", interactive=False, verbosity=0)
        print(portal.__file__, applicants.__file__, *settings.LOCALE_PATHS, *settings.STATICFILES_DIRS)
    """), settings="production")
    paths = production.stdout.strip().splitlines()[-1].split()
    assert len(paths) == 4 and all("site-packages" in path and str(REPO) not in path for path in paths), paths
    assert (workdir / "var" / "static" / "css" / "site.css").is_file()
    assert (workdir / "var" / "static" / "staticfiles.json").is_file()  # the production manifest
    assert (Path(paths[2]) / "id" / "LC_MESSAGES" / "django.mo").is_file()

    # The console script the wheel installs in place of manage.py.
    django(installed, workdir, "migrate", "--noinput", "-v", "0", program=[str(installed.parent / "sigap-kerja")])
    pages = django(installed, workdir, "shell", "-c", textwrap.dedent("""
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment
        call_command("seed_demo", "--applicants", "20", verbosity=0)
        setup_test_environment()  # records the templates each response rendered
        client = Client()
        home = client.get("/")
        login = client.get("/admin/login/")
        print(home.status_code, login.status_code)
        print(home.templates[0].origin.name if home.templates else "")
        print("site.css" in home.content.decode(), 'name="password"' in login.content.decode())
    """))
    status, template, markers = pages.stdout.strip().splitlines()[-3:]
    assert status == "200 200"
    assert "site-packages/portal/templates" in template  # the site-wide templates come from the wheel
    assert markers == "True True"
    assert (workdir / "var" / "db.sqlite3").is_file()  # data in the working directory, not in site-packages
