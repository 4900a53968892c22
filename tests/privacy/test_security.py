"""Security basics: login lock-out, passwords, admin session timeout, private uploads."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from PIL import Image

from applicants.privacy.downloads import serve_private_file
from applicants.privacy.storage import private_storage, validate_private_upload
from tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def login(client, username, password, ip="10.0.0.1"):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_from_that_address_even_for_the_right_password(client, django_user_model):
    UserFactory(editor=True, username="editor1")
    for _ in range(5):
        assert login(client, "editor1", "salah-sekali").status_code == 200
    response = login(client, "editor1", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "Terlalu banyak percobaan masuk yang gagal" in response.content.decode()
    # another address is not locked out (an attacker cannot lock a colleague out from elsewhere)
    assert login(client, "editor1", PASSWORD, ip="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_lock_applies_to_every_login_path_and_expires(settings, django_user_model):
    settings.LOGIN_FAILURE_LIMIT = 2
    UserFactory(editor=True, username="editor1")
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="10.0.0.9")
    for _ in range(2):
        assert authenticate(request, username="editor1", password="salah") is None
    assert authenticate(request, username="editor1", password=PASSWORD) is None
    from axes.models import AccessAttempt
    from django.utils import timezone

    # What LOGIN_LOCKOUT_SECONDS later looks like.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1))
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="10.0.0.9")
    assert authenticate(request, username="editor1", password=PASSWORD) is not None


@pytest.mark.django_db
def test_successful_login_resets_the_failure_count(client, django_user_model):
    UserFactory(editor=True, username="editor1")
    for _ in range(4):
        login(client, "editor1", "salah")
    assert login(client, "editor1", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, "editor1", "salah")
    assert login(client, "editor1", PASSWORD).status_code == 302


@pytest.mark.parametrize("password", ["1234567890", "password123", "pendek", "editor1editor1"])
def test_weak_passwords_are_refused(password, django_user_model):
    user = django_user_model(username="editor1editor1")
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.django_db
def test_admin_session_expires_after_idle_time_and_is_renewed_on_each_request(client, settings, django_user_model):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    client.force_login(UserFactory(editor=True, username="editor1"))
    response = client.get("/admin/")
    assert response.status_code == 200
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE


# --- Private uploads -----------------------------------------------------------------------------


def _image_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, fmt)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "content"),
    [("serah-terima.pdf", PDF), ("ktp.jpg", "JPEG"), ("ktp.JPEG", "JPEG"), ("foto.png", "PNG")],
)
def test_real_pdf_and_images_are_accepted(name, content):
    data = _image_bytes(content) if isinstance(content, str) else content
    validate_private_upload(SimpleUploadedFile(name, data))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", PDF, "file_type"),
        ("gambar.svg", b"<svg onload=alert(1)>", "file_type"),
        ("tanpa-ekstensi", PDF, "file_type"),
        ("palsu.png", PDF, "file_content"),
        ("palsu.pdf", b"<html><script>alert(1)</script>", "file_content"),
        ("png-bernama.jpg", "PNG", "file_content"),
    ],
)
def test_wrong_type_or_disguised_content_is_refused(name, content, code):
    data = _image_bytes(content) if isinstance(content, str) else content
    with pytest.raises(ValidationError) as excinfo:
        validate_private_upload(SimpleUploadedFile(name, data))
    assert excinfo.value.code == code


def test_oversized_upload_is_refused(settings):
    settings.PRIVATE_UPLOAD_MAX_MB = 1
    with pytest.raises(ValidationError) as excinfo:
        validate_private_upload(SimpleUploadedFile("besar.pdf", PDF + b"0" * (1024 * 1024)))
    assert excinfo.value.code == "file_size"


def test_private_storage_lives_outside_media_root_and_has_no_url(settings):
    name = private_storage.save("serah-terima/bukti.pdf", ContentFile(PDF))
    assert private_storage.path(name).startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not private_storage.path(name).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        private_storage.url(name)


@pytest.mark.django_db
def test_nothing_private_is_reachable_through_media_urls(client, settings):
    from pathlib import Path

    from django.urls import resolve

    # The media route captured MEDIA_ROOT when the URLconf loaded: put the files where it looks.
    media_root = Path(resolve("/media/images/x.png").kwargs["document_root"])
    settings.PRIVATE_MEDIA_ROOT = media_root.parent / "private"
    name = private_storage.save("serah-terima/bukti.pdf", ContentFile(PDF))
    for folder, data in (("images", _image_bytes("PNG")), ("documents", PDF)):
        (media_root / folder).mkdir(parents=True, exist_ok=True)
        (media_root / folder / f"contoh.{'png' if folder == 'images' else 'pdf'}").write_bytes(data)
    assert client.get("/media/images/contoh.png").status_code == 200  # the route works for public images
    for url in [f"/media/{name}", f"/media/private/{name}", "/media/documents/contoh.pdf",
                f"/media/images/../private/{name}", f"/media/images/%2e%2e/%2e%2e/private/{name}"]:
        assert client.get(url).status_code in (400, 404), url


class _Holder:
    """Stands in for a model instance with a private FileField."""

    def __init__(self, name):
        from django.db.models.fields.files import FieldFile

        self.file = FieldFile(self, _FakeField(), name)


class _FakeField:
    storage = private_storage
    name = "file"
    attname = "file"


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("editor", 200), ("auditor", 403), ("comms", 403), (None, 403)])
def test_private_file_download_checks_permission(role, status, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    name = private_storage.save("serah-terima/bukti.pdf", ContentFile(PDF))
    request = RequestFactory().get("/unduh")
    request.user = UserFactory(username=f"u-{role}", **{role: True}) if role else AnonymousUser()
    response = serve_private_file(request, _Holder(name).file, "applicants.change_applicant")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
        response.close()


@pytest.mark.django_db
def test_private_file_download_respects_a_record_level_check(django_user_model):
    name = private_storage.save("serah-terima/bukti.pdf", ContentFile(PDF))
    request = RequestFactory().get("/unduh")
    request.user = UserFactory(editor=True, username="ed")
    response = serve_private_file(request, _Holder(name).file, "applicants.change_applicant", allowed=lambda u: False)
    assert response.status_code == 403


def test_client_ip_comes_from_remote_addr_unless_a_trusted_proxy_header_is_configured(settings):
    from applicants.privacy.login_security import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7")
    settings.TRUST_X_FORWARDED_FOR = False
    assert client_ip(request) == "10.0.0.1"  # a header the client can forge is ignored by default
    settings.TRUST_X_FORWARDED_FOR = True
    assert client_ip(request) == "203.0.113.7"  # the address the trusted proxy appended
