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
