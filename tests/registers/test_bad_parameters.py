"""No URL typed by hand gives a 500: every register, every object URL, every admin route with an id.

Each register's list, export and bulk URL gets every query parameter it knows (page, page size, sort,
search and each filter) set to each value of a fixed corpus of bad values, as a superuser and as an
auditor; each object URL (inspect, edit, delete, history) and the export-job pages get each bad id.
The answer must be the list with a message, a refusal, or a 404: never a server error.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from applicants.privacy.roles import AUDITOR
from programs.registers.base import get_register, register_keys
from tests.factories import EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    "-1", "0", "abc", "99999999999999999999", "1e9", "\x00", "%00", "'; drop table applicants_applicant; --",
    "2026-13-45", "0001-01-01", "0001-01", "9999-12-31", "١٢٣", "a" * 5000,
]
BAD_IDS = ["abc", "-1", "0", "99999999999999999999", "1e9", "%00", "١٢٣", "a" * 300, "1.5", "9223372036854775808"]
OBJECT_ACTIONS = ("inspect", "edit", "delete", "history")


@pytest.fixture
def users():
    auditor = UserFactory(username="auditor", groups=[AUDITOR])
    superuser = UserFactory(username="admin", is_staff=True, is_superuser=True)
    return {"superuser": superuser, "auditor": auditor}


@pytest.fixture
def rows():
    """A few rows so that lists, sorts and pages have something to work on."""
    return [EnrolmentFactory() for _ in range(3)]


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _parameters(register) -> list[str]:
    return ["p", "per_page", "sort", "q", *register.filterset_class.base_filters]


def _server_errors(client, method, url, data=None) -> list[str]:
    response = getattr(client, method)(url, data or {})
    return [f"{method.upper()} {url} {data!r:.120} -> {response.status_code}"] if response.status_code >= 500 else []


@pytest.mark.parametrize("role", ["superuser", "auditor"])
def test_every_register_list_and_export_answers_bad_parameters_without_a_server_error(users, rows, role, settings):
    settings.REGISTER_EXPORT_ASYNC_THRESHOLD = 0  # exports in the request, so their errors surface here
    client = _client(users[role])
    failures = []
    for key in register_keys():
        register = get_register(key)
        index, export = register.url_helper.index_url, register.export_url
        for value in BAD_VALUES:
            every = {name: value for name in _parameters(register)}
            failures += _server_errors(client, "get", index, every)
            failures += _server_errors(client, "get", export, every)
            # Paging controls alone, over rows the filters above may have emptied.
            failures += _server_errors(client, "get", index, {"p": value, "per_page": value, "sort": value})
        failures += _server_errors(client, "get", index, {"sort": "-", "per_page": "100", "p": "-5"})
    assert failures == []


def test_a_bad_page_size_shows_the_list_and_says_what_was_ignored(users, rows):
    client = _client(users["superuser"])
    response = client.get("/admin/applicants/enrolment/", {"per_page": "-1", "p": "99999999999999999999",
                                                            "sort": "nonsense", "status": "bukan-status"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-register-count="3"' in html
    message = re.search(r"Parameter tidak dikenali dan diabaikan: ([^<]*)\.", html)
    assert message, html[:3000]
    assert set(message.group(1).split(", ")) == {"jumlah baris per halaman", "halaman", "urutan", "Status"}
    assert 'name="sort" value="nonsense"' not in html  # a refused sort is not carried on by the form


@pytest.mark.parametrize(("name", "day", "label"), [("submitted_from", "0001-01-01", "Daftar sejak"),
                                                     ("submitted_to", "9999-12-31", "Daftar sampai")])
def test_a_date_at_the_edge_of_the_calendar_is_not_applied_and_says_so(users, rows, name, day, label):
    client = _client(users["superuser"])
    response = client.get("/admin/applicants/application/", {name: day})
    html = response.content.decode()
    assert response.status_code == 200 and "Nilai di luar jangkauan." in html
    assert f"Parameter tidak dikenali dan diabaikan: {label}." in html
    assert 'data-register-count="3"' in html


def test_a_page_past_the_end_shows_the_last_page(users, rows):
    client = _client(users["superuser"])
    response = client.get("/admin/applicants/enrolment/", {"p": "50", "per_page": "25"})
    assert response.status_code == 200 and 'data-register-count="3"' in response.content.decode()


@pytest.mark.parametrize("role", ["superuser", "auditor"])
def test_every_register_object_url_answers_a_bad_id_with_a_404_or_a_refusal(users, rows, role):
    client = _client(users[role])
    failures = []
    for key in register_keys():
        register = get_register(key)
        helper = register.url_helper
        for action in OBJECT_ACTIONS:
            for bad in BAD_IDS:
                url = f"/admin/{helper.base_url_path}/{action}/{bad}/"
                for method in ("get", "post") if action in ("edit", "delete") else ("get",):
                    response = getattr(client, method)(url)
                    if response.status_code >= 500 or response.status_code == 200:
                        failures.append(f"{method.upper()} {url[:120]} -> {response.status_code}")
        every = {name: "abc" for name in _parameters(register)}
        failures += _server_errors(client, "get", helper.create_url, every)
    assert failures == []


@pytest.mark.parametrize("role", ["superuser", "auditor"])
def test_bulk_posts_with_bad_values_are_refused_or_confirmed_never_a_server_error(users, rows, role):
    client = _client(users[role])
    failures = []
    for key in register_keys():
        register = get_register(key)
        actions = [action.name for action in register.bulk_actions] or ["nothing"]
        for value in BAD_VALUES:
            for action in (*actions, value):
                data = {"action": action, "scope": value, "selected": [value, "1"],
                        "querystring": "&".join(f"{name}={value}" for name in _parameters(register)),
                        "confirm": "1"}
                failures += _server_errors(client, "post", register.bulk_url, data)
    assert failures == []


@pytest.mark.parametrize("role", ["superuser", "auditor"])
def test_export_job_pages_answer_bad_ids_with_a_404(users, role):
    client = _client(users[role])
    for bad in [*BAD_IDS, "99999999999999999999999999"]:
        for suffix in ("", "download/"):
            response = client.get(f"/admin/registers/exports/{bad}/{suffix}")
            assert response.status_code == 404, (bad, suffix, response.status_code)


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or "")


def _admin_routes_with_int_ids() -> list[tuple[str, str]]:
    return [(route, name) for route, name in _walk(get_resolver().url_patterns)
            if route.startswith("admin/") and "<int:" in route and not route.startswith("admin/^")]


def test_admin_routes_with_an_id_answer_a_missing_or_huge_id_with_a_404(users):
    routes = _admin_routes_with_int_ids()
    ours = [name for _route, name in routes if name.split(":")[0] in
            {"sigap_interviews", "welfare", "delivery", "profil_petugas"} or name.startswith(("register_export",
                                                                                              "sigap_subject"))]
    assert len(ours) >= 10, routes  # the walk found the project's own admin views
    client = _client(users["superuser"])
    failures = []
    for route, name in routes:
        for missing in ("987654321", "99999999999999999999"):
            url = "/" + re.sub(r"<int:\w+>", missing, route)
            url = re.sub(r"<(?:\w+:)?\w+>", "x", url)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if response.status_code >= 500 or (name in ours and response.status_code not in (404, 405)):
                    failures.append(f"{method.upper()} {url} ({name}) -> {response.status_code}")
    assert failures == []
