import pytest

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
