import importlib

import pytest
from django.apps import apps as django_apps

from applicants.privacy.roles import sync_roles
from tests.factories import build_role_world


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files go to a throw-away folder, never the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def role_world(db):
    """Two kecamatan with people at each step and one user per role (tests.factories.build_role_world)."""
    return build_role_world()


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with an empty cache: no page, counter or per-process copy left by another test."""
    from django.core.cache import caches

    from public_pages import cache, figures

    for alias in caches:
        caches[alias].clear()
    cache.clear_local()
    figures.clear_local()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """A transactional test flushes every table, the kecamatan/kelurahan and the role groups loaded by
    data migrations too: the next transactional test gets them back before it starts."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))):
        return
    request.getfixturevalue("transactional_db")
    if not django_apps.get_model("programs", "Kelurahan").objects.exists():
        importlib.import_module("programs.migrations.0002_load_regions").load(django_apps, None)
    if not django_apps.get_model("auth", "Group").objects.exists():
        sync_roles(apps=django_apps)
