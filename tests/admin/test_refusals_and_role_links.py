"""Refusals inside the admin layout, in Indonesian; and each role sees only the buttons it may use."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import permission_denied

from applicants.privacy.gates import gated_url
from tests.factories import UserFactory, WelfareImportBatchFactory

pytestmark = pytest.mark.django_db

ADMIN_LAYOUT = 'id="wagtail-sidebar"'


def _main(html: str) -> str:
    return html[html.find("<main"):]


def _links(html: str) -> list[tuple[str, str]]:
    return [(href, " ".join(re.sub(r"<[^>]+>", " ", text).split()))
            for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', _main(html), re.S)]


def _buttons(html: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in
            re.findall(r"<button[^>]*>(.*?)</button>", _main(html), re.S)]


# --- refusals ---------------------------------------------------------------------------------------


def test_a_refused_admin_page_is_an_indonesian_page_inside_the_admin_layout(client, role_world):
    client.force_login(role_world["users"]["interviewer"])
    response = client.get(f"/admin/pelaksanaan/kelas/{role_world['cohort'].pk}/")
    html = response.content.decode()
    assert response.status_code == 403
    assert ADMIN_LAYOUT in html and 'data-refusal="403"' in html
    assert "Akses ditolak" in html and "Peran Anda tidak mengizinkan" in html and "Kembali ke dasbor" in html
    assert "403 Forbidden" not in html and "Forbidden" not in html


def test_a_read_only_role_posting_gets_the_same_page(client, role_world):
    client.force_login(role_world["users"]["auditor"])
    response = client.post(f"/admin/pelaksanaan/pertemuan/{role_world['session'].pk}/kehadiran/", {})
    assert response.status_code == 403 and 'data-refusal="403"' in response.content.decode()


def test_a_record_out_of_scope_is_refused_inside_the_admin_layout(client, role_world):
    client.force_login(role_world["users"]["editor_kec1"])  # Dodi lives in kecamatan 2
    response = client.get(f"/admin/pelaksanaan/modal-usaha/{role_world['award_dodi'].pk}/")
    assert response.status_code in (403, 404)
    html = response.content.decode()
    assert ADMIN_LAYOUT in html and "data-refusal=" in html and "Dodi" not in _main(html)


@pytest.mark.parametrize("path", ["/admin/pelaksanaan/kelas/999999/", "/admin/tidak-ada/sama-sekali/"])
def test_not_found_in_the_admin_is_an_indonesian_page_inside_the_admin_layout(client, path):
    client.force_login(UserFactory(editor=True))
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert ADMIN_LAYOUT in html and 'data-refusal="404"' in html and "Tidak ditemukan" in html
    assert "Page not found" not in html and "Halaman tidak ditemukan" not in html


def test_another_users_import_report_is_not_found_inside_the_admin_layout(client):
    owner, other = UserFactory(editor=True), UserFactory(editor=True)
    batch = WelfareImportBatchFactory(state="processing", uploaded_by=owner)
    client.force_login(other)
    response = client.post(reverse("welfare:confirm", args=[batch.pk]))  # the owner's confirmation
    assert response.status_code == 404 and 'data-refusal="404"' in response.content.decode()


def test_visitors_keep_the_public_404_and_a_public_403(client, db):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404 and ADMIN_LAYOUT not in response.content.decode()
    request = RequestFactory().get("/sertifikat/x/")
    request.user = UserFactory()  # signed in, but no admin access, and not under /admin/
    html = permission_denied(request, Exception()).content.decode()
    assert "Akses ditolak" in html and ADMIN_LAYOUT not in html and "Sigap Kerja" in html


def test_staff_without_admin_access_get_the_public_refusal_even_under_admin(db):
    request = RequestFactory().get("/admin/pelaksanaan/kelas/1/")
    request.user = UserFactory()
    html = permission_denied(request, Exception()).content.decode()
    assert "Akses ditolak" in html and ADMIN_LAYOUT not in html


# --- buttons per role -------------------------------------------------------------------------------

# What each role finds on the screens of its daily work: (page, role, hrefs/texts that must be there,
# hrefs/texts that must not). Hrefs are URL names resolved against the role world.
SCREENS = {
    "application": lambda w: f"/admin/applicants/application/inspect/{w['app_ani'].pk}/",
    "interviews": lambda w: "/admin/applicants/interview/",
    "cohort": lambda w: f"/admin/pelaksanaan/kelas/{w['cohort'].pk}/",
    "attendance": lambda w: f"/admin/pelaksanaan/pertemuan/{w['session'].pk}/kehadiran/",
    "award": lambda w: f"/admin/pelaksanaan/modal-usaha/{w['award_citra'].pk}/",
    "applicants": lambda w: "/admin/applicants/application/",
    "people": lambda w: "/admin/applicants/applicant/",
}
EDIT_WORDS = ["Ubah status", "Jadwalkan wawancara", "Pembatasan pemrosesan", "Salinan data pribadi"]
CASES = [
    # The auditor reads everything in reach and may change nothing: no action link, form button or bulk action.
    ("auditor", "application", ["Kembali ke daftar pendaftaran"], [*EDIT_WORDS, "/edit/", "/delete/"]),
    ("auditor", "interviews", ["Ekspor xlsx"], ["Hasil", "/hasil/", "/jadwalkan/"]),
    ("auditor", "cohort", ["Lihat kehadiran", "Cetak daftar hadir"],
     ["Isi kehadiran", "Daftarkan peserta", "Ubah kelas", "Mulai kelas", "Simpan nilai", "Tambah pertemuan",
      "Buat jadwal pertemuan"]),
    ("auditor", "attendance", ["Kembali"], ["Simpan kehadiran", "Semua hadir"]),
    ("auditor", "award", [], ["Setujui", "Batalkan", "Catat serah terima"]),
    ("auditor", "applicants", ["Ekspor xlsx"], ["Tambah", "Aksi massal", "Untuk baris terpilih", "/create/"]),
    ("auditor", "people", ["Ekspor xlsx"], ["Tambah", "/create/"]),
    # The interviewer records outcomes of their own interviews; scheduling is the editors' work.
    ("interviewer", "interviews", ["Hasil"], ["/jadwalkan/", "Tambah"]),
    # The editor has every action; as the proposer of Citra's award, not its approval.
    ("editor", "application", ["Ubah status", "Jadwalkan wawancara", "Pembatasan pemrosesan"], []),
    ("editor", "interviews", ["Hasil", "Jadwal"], []),
    ("editor", "cohort", ["Isi kehadiran", "Daftarkan peserta"], ["Lihat kehadiran"]),
    ("editor", "attendance", ["Simpan kehadiran"], []),
    ("editor", "award", ["Batalkan"], ["Setujui"]),
    ("editor", "applicants", ["Tambah", "Aksi massal"], []),
    # Another editor (restricted to Citra's kecamatan) may approve what the first one proposed.
    ("editor_kec1", "award", ["Setujui", "Batalkan"], []),
]


@pytest.mark.parametrize("role, screen, present, absent", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_each_role_sees_only_the_buttons_it_may_use(client, role_world, role, screen, present, absent):
    client.force_login(role_world["users"][role])
    response = client.get(SCREENS[screen](role_world))
    assert response.status_code == 200, (role, screen, response.status_code)
    html = response.content.decode()
    texts = [text for _href, text in _links(html)] + _buttons(html)
    texts += [" ".join(label.split()) for label in re.findall(r"<label[^>]*>(.*?)</label>", _main(html), re.S)]
    hrefs = [href for href, _text in _links(html)]

    def found(item):  # an href part, or a link, button or label text that starts with the words
        return any(item in href for href in hrefs) if item.startswith("/") else any(
            text == item or text.startswith(item + " ") for text in texts)

    for item in present:
        assert found(item), (role, screen, item, texts)
    for item in absent:
        assert not found(item), (role, screen, item)


@pytest.mark.parametrize("role", ["auditor", "interviewer", "comms"])
def test_a_link_hidden_from_a_role_leads_to_a_refusal_when_typed(client, role_world, role):
    """The rule that hides the link is the one that refuses the URL: no hidden door, no dead button."""
    user = role_world["users"][role]
    client.force_login(user)
    app = role_world["app_ani"]
    for name, args in [("sigap_interviews:status", [app.pk]), ("sigap_interviews:schedule", [app.pk]),
                       ("sigap_subject_restriction", [app.applicant_id])]:
        assert gated_url(user, name, *args, write=True) == ""
        response = client.post(reverse(name, args=args), {})
        assert response.status_code in (403, 302), (role, name, response.status_code)


def _gated_links_refused(user, html: str) -> list[str]:
    """The links on a page whose own gate would refuse this user (a dead button)."""
    from django.urls import Resolver404, resolve

    from applicants.privacy.gates import gate_rule_of

    refused = []
    for href, _text in _links(html):
        path = href.split("?", 1)[0]
        if not path.startswith("/admin/"):
            continue
        try:
            rule = gate_rule_of(resolve(path).func)
        except Resolver404:
            continue
        if rule is not None and not rule.lets_in(user):
            refused.append(href)
    return refused


@pytest.mark.parametrize("role", ["auditor", "interviewer", "editor", "editor_kec1", "comms"])
def test_no_register_or_detail_page_links_a_role_to_a_page_it_is_refused(client, role_world, role):
    from programs.registers.base import get_register, register_keys

    user = role_world["users"][role]
    client.force_login(user)
    pages = [get_register(key).url_helper.index_url for key in register_keys()]
    pages += [screen(role_world) for screen in SCREENS.values()]
    walked = 0
    for url in dict.fromkeys(pages):
        response = client.get(url)
        if response.status_code != 200:
            continue  # refused or redirected: nothing shown to click
        walked += 1
        html = response.content.decode()
        assert _gated_links_refused(user, html) == [], (role, url)
        if role == "auditor":  # read-only: no create, edit, delete or bulk action anywhere
            hrefs = [href for href, _text in _links(html)]
            assert not [h for h in hrefs if re.search(r"/(create|edit|delete)/", h)], (url, hrefs)
            assert "data-register-bulk" not in html, url
    assert walked >= {"comms": 0, "interviewer": 1}.get(role, 8), (role, walked)  # comms: no personal data
