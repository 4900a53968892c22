"""Password spraying: failures are counted per client address across usernames; admins see who is
locked and unlock them; the address rule follows TRUST_X_FORWARDED_FOR."""

import logging

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Sigap-rahasia-2026"
LOCKED = "Terlalu banyak percobaan masuk yang gagal"


def login(client, username, password, ip="10.0.0.1", **headers):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **headers)


@pytest.fixture
def editor():
    user = UserFactory(editor=True, username="editor-sah")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def admin_user():
    user = UserFactory(username="admin-sah", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def spray(client, ip="10.0.0.1", count=6, **headers):
    """One wrong password for each of `count` usernames (most of them do not even exist)."""
    return [login(client, f"korban{n}", "Tebakan-umum-123", ip=ip, **headers).status_code for n in range(count)]


def test_spraying_six_usernames_from_one_address_locks_the_address(client, editor):
    assert spray(client, count=6) == [200] * 6
    response = login(client, editor.username, PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert LOCKED in response.content.decode()
    # The same right password from elsewhere still works: nobody is locked out from another address.
    assert login(client, editor.username, PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_lock_holds_on_every_login_path(editor, settings):
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="10.0.0.7")
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        assert authenticate(request, username=f"korban{n}", password="salah") is None
    assert authenticate(RequestFactory().post("/x/", REMOTE_ADDR="10.0.0.7"), username=editor.username,
                        password=PASSWORD) is None
    assert authenticate(RequestFactory().post("/x/", REMOTE_ADDR="10.0.0.8"), username=editor.username,
                        password=PASSWORD) is not None


def test_lock_out_reaches_the_application_log_as_a_security_event(client, caplog):
    with caplog.at_level(logging.WARNING, logger="sigap.security"):
        spray(client, ip="10.0.0.3", count=5)
    [record] = [r for r in caplog.records if getattr(r, "event", None) == "login_locked_out"]
    assert record.locked_address == "10.0.0.3" and record.client == "10.0.0.3" and record.limit == 5


def test_admin_sees_the_locked_address_and_unlocks_it(client, editor, admin_user):
    spray(client, ip="10.0.0.4", count=6)
    assert LOCKED in login(client, editor.username, PASSWORD, ip="10.0.0.4").content.decode()
    client.force_login(admin_user)
    page = client.get("/admin/privasi/login-terkunci/")
    html = page.content.decode()
    assert page.status_code == 200 and "10.0.0.4" in html and "korban0" in html and "korban4" in html
    response = client.post("/admin/privasi/login-terkunci/", {"ip_address": "10.0.0.4"}, follow=True)
    assert "dibuka kembali" in response.content.decode()
    assert "10.0.0.4" not in client.get("/admin/privasi/login-terkunci/").content.decode()
    client.logout()
    assert login(client, editor.username, PASSWORD, ip="10.0.0.4").status_code == 302


@pytest.mark.parametrize("value", ["", "bukan-alamat", "10.0.0.999", "' OR 1=1 --", "10.0.0.4\n10.0.0.5"])
def test_unlock_with_a_bad_address_is_refused_with_a_message(client, admin_user, value):
    spray(client, ip="10.0.0.5", count=5)
    client.force_login(admin_user)
    response = client.post("/admin/privasi/login-terkunci/", {"ip_address": value}, follow=True)
    assert response.status_code == 200 and "tidak valid" in response.content.decode()
    assert "10.0.0.5" in client.get("/admin/privasi/login-terkunci/").content.decode()


def test_only_administrators_may_see_or_unlock(client, editor):
    spray(client, ip="10.0.0.6", count=5)
    client.force_login(editor)
    assert client.get("/admin/privasi/login-terkunci/").status_code == 403
    assert client.post("/admin/privasi/login-terkunci/", {"ip_address": "10.0.0.6"}).status_code == 403
    client.logout()
    assert LOCKED in login(client, editor.username, PASSWORD, ip="10.0.0.6").content.decode()


def test_forged_forwarded_for_header_does_not_dodge_the_lock_without_a_trusted_proxy(client, editor, settings):
    settings.TRUST_X_FORWARDED_FOR = False
    for n in range(6):
        login(client, f"korban{n}", "salah", ip="10.0.1.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert LOCKED in login(client, editor.username, PASSWORD, ip="10.0.1.1",
                           HTTP_X_FORWARDED_FOR="192.0.2.99").content.decode()


def test_behind_a_trusted_proxy_each_client_address_counts_on_its_own(client, editor, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    spray(client, ip="127.0.0.1", count=6, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert LOCKED in login(client, editor.username, PASSWORD, ip="127.0.0.1",
                           HTTP_X_FORWARDED_FOR="203.0.113.7").content.decode()
    # A colleague behind the same proxy, from another address, is not locked out.
    assert login(client, editor.username, PASSWORD, ip="127.0.0.1",
                 HTTP_X_FORWARDED_FOR="198.51.100.4").status_code == 302
