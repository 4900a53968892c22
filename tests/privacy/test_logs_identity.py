"""No NIK or KK in the application log or gunicorn's access log; security events are structured lines."""

import datetime
import io
import json
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils.module_loading import import_string
from portal.jsonlog import mask_identity_numbers

from applicants.models import Applicant
from applicants.privacy import ratelimit
from applicants.privacy.audit import log_personal_data_access
from tests.factories import ApplicantFactory, UserFactory

NIK = "3671014105900017"
KK = "3671010101080003"
REPO = Path(__file__).resolve().parents[2]


def _handler_from(config: dict, name: str, stream) -> logging.Handler:
    """The handler `name` of a dictConfig, as configured (formatter and filters), writing to `stream`."""
    spec = config["handlers"][name]
    handler = logging.StreamHandler(stream)
    formatter = config["formatters"][spec["formatter"]]
    if "()" in formatter:
        handler.setFormatter(import_string(formatter["()"])())
    else:
        handler.setFormatter(logging.Formatter(formatter["format"]))
    for filter_name in spec.get("filters", []):
        handler.addFilter(import_string(config["filters"][filter_name]["()"])())
    return handler


@pytest.fixture
def app_log():
    """What the production LOGGING config (json) writes, for every logger."""
    from portal.settings.base import logging_config

    stream = io.StringIO()
    handler = _handler_from(logging_config("json"), "console", stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.parametrize(
    "text",
    [
        NIK,
        "3671 0141 0590 0017",
        "3671.0141.0590.0017",
        "3671-0141-0590-0017",
        "q=3671%200141%200590%200017",
        "q=3671+0141+0590+0017",
        "٣٦٧١٠١٤١٠٥٩٠٠٠١٧",  # Arabic-Indic digits
        "q=%EF%BC%93%EF%BC%96%EF%BC%97%EF%BC%91%EF%BC%90%EF%BC%91%EF%BC%94%EF%BC%91"
        "%EF%BC%90%EF%BC%95%EF%BC%99%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%91%EF%BC%97",  # fullwidth, encoded
    ],
)
def test_every_spelling_of_a_nik_is_masked(text):
    masked = mask_identity_numbers(text)
    digits = "".join(ch for ch in masked if ch.isdigit())
    assert "0017" not in masked and "١٧" not in masked and len(digits) <= 4, masked


@pytest.mark.parametrize("text", ["+6281234567890", "2026-12-01 08:00:00", "10.0.0.1", "SK-2026-000123", "rows=150000"])
def test_phone_numbers_dates_and_references_are_left_alone(text):
    assert mask_identity_numbers(text) == text


def test_every_log_handler_of_django_and_gunicorn_masks_identity_numbers():
    from portal.settings.base import logging_config

    for log_format in ("text", "json"):
        config = logging_config(log_format)
        assert all("mask_identity" in h.get("filters", []) for h in config["handlers"].values())
    gunicorn = runpy.run_path(str(REPO / "scripts" / "gunicorn.conf.py"))["logconfig_dict"]
    assert all("mask_identity" in h.get("filters", []) for h in gunicorn["handlers"].values())
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["mask_identity"]


def test_gunicorn_access_log_of_a_nik_search_holds_no_nik():
    from gunicorn import glogging
    from gunicorn.config import Config

    conf = runpy.run_path(str(REPO / "scripts" / "gunicorn.conf.py"))
    cfg = Config()
    for key in ("accesslog", "errorlog", "access_log_format", "logconfig_dict"):
        cfg.set(key, conf[key])
    logger = glogging.Logger(cfg)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(stream)
    for query in (f"q={NIK}", "q=3671+0141+0590+0017", f"q={KK}&page=2"):
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/admin/applicants/applicant/?{query}",
                   "PATH_INFO": "/admin/applicants/applicant/", "QUERY_STRING": query,
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.1.2.3", "HTTP_USER_AGENT": "Firefox"}
        response = SimpleNamespace(status="200 OK", response_length=10, headers=[], sent=10)
        request = SimpleNamespace(headers=[("USER-AGENT", "Firefox")])
        logger.access(response, request, environ, datetime.timedelta(milliseconds=5))
    output = stream.getvalue()
    assert output.count("/admin/applicants/applicant/") == 3
    assert NIK not in output and KK not in output and "0590" not in output
    assert "3671************" in output


def test_django_request_lines_and_tracebacks_with_a_nik_are_masked(app_log):
    logging.getLogger("django.request").warning("Bad Request: /admin/applicants/applicant/?q=%s", NIK)
    try:
        raise ValueError(f"NIK tidak ditemukan: {NIK}")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error", extra={"search": KK})
    output = app_log.getvalue()
    assert NIK not in output and KK not in output
    request_line, error = _lines(app_log)
    assert "3671************" in request_line["message"] and "3671************" in error["exc"]
    assert error["search"] == "3671************"


@pytest.mark.django_db
def test_register_search_by_nik_leaves_no_nik_in_the_application_log(client, app_log):
    applicant = ApplicantFactory(nik=NIK)
    comms = UserFactory(groups=["Humas"])
    client.force_login(comms)
    client.get(f"/admin/privasi/pendaftar/{applicant.pk}/salinan-data/?q={NIK}")
    client.force_login(UserFactory(editor=True))
    assert client.get(f"/admin/applicants/applicant/?q={NIK}").status_code == 200
    client.get(f"/admin/applicants/applicant/export/?q={NIK}")
    output = app_log.getvalue()
    assert output and NIK not in output and NIK[:4] + "-" not in output


@pytest.mark.django_db
def test_permission_refusal_reaches_the_log_as_a_structured_security_event(client, app_log):
    applicant = ApplicantFactory()
    comms = UserFactory(groups=["Humas"])
    client.force_login(comms)
    assert client.get(f"/admin/privasi/pendaftar/{applicant.pk}/salinan-data/").status_code == 403
    [event] = [line for line in _lines(app_log) if line.get("event") == "permission_denied"]
    assert event["logger"] == "sigap.security" and event["user_id"] == comms.pk
    assert event["path"] == f"/admin/privasi/pendaftar/{applicant.pk}/salinan-data/" and event["method"] == "GET"


@pytest.mark.django_db
def test_rate_limit_refusal_is_logged_once_per_burst(settings, app_log):
    settings.INTAKE_RATE_LIMIT = "2/m"
    request = RequestFactory().post("/daftar/", REMOTE_ADDR="10.9.9.9")
    request.user = SimpleNamespace(is_authenticated=False)
    results = [ratelimit.hit(request, "interest-logtest") for _ in range(6)]
    assert results == [True, True, False, False, False, False]
    [event] = [line for line in _lines(app_log) if line.get("event") == "rate_limited"]
    assert event["client"] == "10.9.9.9" and event["scope"] == "interest-logtest" and event["limit"] == 2


@pytest.mark.django_db
def test_exports_reach_the_log_without_the_searched_nik(app_log):
    editor = UserFactory(editor=True)
    log_personal_data_access(editor, Applicant, "ekspor xlsx", filters={"q": NIK}, rows=3)
    [event] = [line for line in _lines(app_log) if line.get("event") == "export"]
    assert event["action"] == "sigap.export" and event["user_id"] == editor.pk and event["rows"] == 3
    assert NIK not in app_log.getvalue()
