"""Who may open which admin URL that can reach personal data, table-driven.

The URL list comes from the URL resolver: every admin route under PERSONAL_PREFIXES, so a new view is
checked as soon as it is registered (a route with a path parameter that has no object id here fails the
test until one is added to `_ids`). Each route must match one row of EXPECTED, which says which roles
may open it. A GET is:
- allowed: 200 (or a file download);
- refused: 403; a 404 for objects the user may not see (owner-only export jobs, rows outside an editor's
  kecamatan are 403); for anonymous a redirect to the login page; Wagtail's own views that redirect to the
  dashboard with "Anda tidak memiliki izin..." (e.g. modeladmin) count as refused too.
A POST-only view answers a GET with 405 whoever asks; for it, the refused roles must also be refused
on an empty POST (the allowed roles are not sent a POST: it would change data).
Anything else (500, a redirect elsewhere) fails the test.

KNOWN_LEAKS lists pairs where the code is wrong today (the table says what it should do); they are
checked by a strict xfail test, so fixing one makes that test fail until the pair is removed here.

The fixture world is the demo funnel (programs, 150 applicants through register, interviews, classes,
awards): one build, then every role visits every URL.
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from applicants.identity import mask_identity
from applicants.models import (
    Application,
    Attendance,
    BusinessGroup,
    CapitalAward,
    DataSubjectRequest,
    Enrolment,
    FollowUp,
    GroupReport,
    Interview,
    RecipientListBatch,
    RecipientListRecord,
    StaffProfile,
    WelfareImportBatch,
)
from programs.models import CohortSession, Kecamatan
from programs.registers.models import ExportJob
from tests.factories import GroupReportFactory, TicketFactory

ROLES = ("anonymous", "admin", "editor", "editor_kec", "interviewer", "comms", "auditor")
STAFF = {"admin", "editor", "editor_kec"}  # may change personal data (editor_kec: only in its kecamatan)
READERS = STAFF | {"auditor"}  # may read personal data (auditor masked)
NOBODY: set[str] = set()

# Admin routes that can reach personal data. Wagtail's own choosers and search list pages, images,
# documents and users only (Applicant/Application are not snippets); its site-history report is checked
# separately below because it is reachable by every staff role but must filter what it shows.
PERSONAL_PREFIXES = ("admin/^applicants/", "admin/^programs/", "admin/applicants/", "admin/programs/",
                     "admin/wawancara/", "admin/register-kesejahteraan/", "admin/pelaksanaan/", "admin/privasi/",
                     "admin/registers/", "admin/profil_petugas/", "admin/daftar-penerima/")

# URL name (regex, first match wins) -> roles allowed. Object URLs point at an object OUTSIDE the
# restricted editor's kecamatan (so editor_kec is refused on them) unless the row says otherwise.
EXPECTED: list[tuple[str, set[str]]] = [
    # Registers: lists and exports are scoped (the restricted editor sees only its kecamatan).
    (r"^applicants_(application|applicant)_modeladmin_(index|export)$", READERS),
    (r"^applicants_(application|applicant)_modeladmin_(inspect|history)$", {"admin", "editor", "auditor"}),
    (r"^applicants_(application|applicant)_modeladmin_create$", STAFF),
    (r"^applicants_(application|applicant)_modeladmin_(edit|delete)$", {"admin", "editor"}),
    (r"^register_export_(job|download)$", {"editor"}),  # the editor's own export job: owner only
    # Interviews: the interviewer sees and records their own interviews; editors everything.
    (r"^sigap_interviews:mine$", {"admin", "editor", "editor_kec", "interviewer", "auditor"}),
    (r"^sigap_interviews:all$", READERS),
    (r"^sigap_interviews:outcome$", {"admin", "editor", "interviewer"}),  # pewawancara's own interview
    (r"^sigap_interviews:(schedule|status)$", {"admin", "editor"}),
    (r"^sigap_interviews:bulk$", STAFF),
    # Welfare register: import and eligibility overrides are editors' work. Imports, their reports and
    # rejected rows are city-wide (no kecamatan to narrow by): not for an editor limited to a kecamatan.
    (r"^welfare:(upload|recheck)$", {"admin", "editor"}),
    (r"^welfare:(report|rejections_xlsx)$", {"admin", "editor"}),
    # An import's progress, confirmation and cancellation belong to its uploader (the demo's editor).
    (r"^welfare:(progress|confirm|cancel)$", {"editor"}),
    (r"^sigap_interviews:print$", {"admin", "editor", "editor_kec", "interviewer", "auditor"}),  # own/scoped rows
    (r"^welfare:override$", {"admin", "editor"}),
    # Earlier-recipient lists (PENA, KUBE...): import and report like the register's, city-wide.
    (r"^allocation:(upload|report|rejections_xlsx)$", {"admin", "editor"}),
    # Delivery: classes, attendance, awards, KUB, follow-ups.
    # The old list URLs redirect to the registers (MOVED_TO); the due list and the award sheet stay.
    (r"^delivery:(cohort_list|award_list|group_list|followup_due|award_sheet)$", READERS),
    (r"^delivery:(cohort_detail|session_sheet|cohort_participants_xlsx)$", READERS),  # class-level pages
    (r"^delivery:(award_detail|award_document|award_handover_print)$", {"admin", "editor", "auditor"}),
    (r"^delivery:award_list_print$", READERS),  # scoped: the restricted editor prints its kecamatan
    (r"^delivery:session_attendance$", READERS),  # auditors read the attendance; saving needs CHANGE
    (r"^delivery:followup_record$", {"admin", "editor"}),
    (r"^delivery:(cohort_enrol|enrolment_withdraw|enrolment_publication_consent|group_create)$", STAFF),
    (r"^delivery:group_propose_award$", {"admin", "editor"}),  # a KUB outside the restricted editor's kecamatan
    (r"^delivery:group_detail$", {"admin", "editor", "auditor"}),  # the KUB is outside editor_kec's kecamatan
    (r"^delivery:(group_report|group_report_edit)$", {"admin", "editor"}),  # a form: writers in scope only
    (r"^delivery:(cohort_generate_sessions|session_edit)$", {"admin", "editor"}),  # the whole class in scope
    # Data-subject rights (UU PDP): a copy of someone's data, restriction of processing.
    (r"^sigap_subject_(export|restriction|document|request_new)$", {"admin", "editor"}),
    (r"^sigap_locked_logins$", {"admin"}),  # who is locked out of the login, and unlocking
    (r"^sigap_subject_requests$", READERS),  # the list is scoped to the user's kecamatan
    (r"^sigap_subject_request$", {"admin", "editor", "auditor"}),  # a request of the person in the table
    # Staff area restrictions (who is limited to which kecamatan): administrators; auditors read them.
    (r"^profil_petugas:(index|index_results)$", {"admin", "auditor"}),
    (r"^profil_petugas:", {"admin"}),
    # Registers without their own create/edit forms (changes go through the screens above): lists and
    # exports are scoped per user, object history follows the object's scope, everything else is refused.
    (r"^applicants_interview_modeladmin_(index|export)$", READERS | {"interviewer"}),  # own interviews
    (r"^applicants_interview_modeladmin_history$", {"admin", "editor", "auditor", "interviewer"}),
    (r"^(applicants_welfareimportbatch|applicants_recipientlistbatch|programs_cohort)_modeladmin_"
     r"(index|export|history)$", READERS),
    (r"^programs_cohort_modeladmin_(create|edit)$", STAFF),  # classes hold no personal data; never deleted
    (r"^applicants_(welfarerecord|recipientlistrecord|enrolment|attendance|capitalaward|businessgroup|followup)_"
     r"modeladmin_(index|export)$", READERS),
    (r"^applicants_(welfarerecord|recipientlistrecord|enrolment|attendance|capitalaward|businessgroup|followup)_"
     r"modeladmin_history$", {"admin", "editor", "auditor"}),
    (r"^applicants_groupreport_modeladmin_(index|export)$", READERS),
    (r"^applicants_ticket_modeladmin_(index|export)$", READERS),  # complaints: restricted staff see their kecamatan
    (r"^applicants_ticket_modeladmin_history$", {"admin", "editor", "auditor"}),
    (r"^applicants_groupreport_modeladmin_(inspect|history)$", {"admin", "editor", "auditor"}),
    (r"_modeladmin_(create|edit|delete|inspect|history|bulk)$", NOBODY),
]

# (role, URL name regex): refused in EXPECTED, allowed by the code today. See the report of branch e2e.
KNOWN_LEAKS: list[tuple[str, str]] = []  # none open: the modeladmin history view and the interview views are scoped


def _known_leak(role: str, name: str) -> bool:
    return any(role == leak_role and re.search(regex, name) for leak_role, regex in KNOWN_LEAKS)


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), namespace + pattern.name, pattern


def personal_data_routes() -> list[tuple[str, str, URLPattern]]:
    return [(route, name, p) for route, name, p in _walk(get_resolver().url_patterns)
            if route.startswith(PERSONAL_PREFIXES)]


def expected_roles(name: str) -> set[str] | None:
    return next((roles for regex, roles in EXPECTED if re.search(regex, name)), None)


# --- The fixture world -------------------------------------------------------------------------------
@pytest.fixture
def world(db, tmp_path):
    from applicants.allocation import demo as allocation_demo
    from applicants.delivery import demo as delivery_demo
    from applicants.intake.demo import seed_applicants
    from applicants.selection import demo as selection_demo
    from programs import demo as programs_demo
    from public_pages.management.commands.seed_demo import create_demo_users

    create_demo_users()
    programs_demo.seed()
    seed_applicants(150, status="submitted")
    selection_demo.seed()
    delivery_demo.seed()
    allocation_demo.seed()
    User = get_user_model()
    users = {name: User.objects.get(username=username) for name, username in (
        ("admin", "admin"), ("editor", "editor"), ("interviewer", "pewawancara"), ("comms", "humas"),
        ("auditor", "auditor"))}
    # An editor limited to the kecamatan where the fewest demo applicants live (the objects used in
    # URLs below are outside it).
    target = (Application.objects.filter(enrolments__status=Enrolment.Status.COMPLETED)
              .select_related("applicant__kelurahan").order_by("pk").first())
    home = target.applicant.kelurahan.kecamatan
    from programs.models import Kecamatan
    elsewhere = Kecamatan.objects.exclude(pk=home.pk).order_by("pk").first()
    restricted = User.objects.create_user("editor-kec", password="x", first_name="Editor", last_name="Kecamatan")
    restricted.groups.set(users["editor"].groups.all())
    profile = StaffProfile.objects.create(user=restricted)
    profile.kecamatan.set([elsewhere])
    users["editor_kec"] = restricted
    return {"users": users, "application": target, "kecamatan": home, "profile": profile, "tmp": tmp_path}


def _ids(world) -> dict[str, dict[str, object]]:
    """URL name (regex) -> path parameters, with real ids from the world."""
    application = world["application"]
    enrolment = Enrolment.objects.filter(application=application).order_by("pk").first()
    cohort = enrolment.cohort
    interview = Interview.objects.filter(interviewer__username="pewawancara",
                                         attendance=Interview.Attendance.SCHEDULED).order_by("pk").first()
    group = (BusinessGroup.objects.exclude(kelurahan__kecamatan__in=world["profile"].kecamatan.all())
             .order_by("pk").first())
    award = CapitalAward.objects.filter(state=CapitalAward.State.HANDED_OVER).order_by("pk").first()
    if not award.handover_document:
        award.handover_document.save("ba-test.pdf", ContentFile(b"%PDF-1.4 berita acara"), save=True)
    batch = WelfareImportBatch.objects.get(state="current")
    recipient_list = RecipientListBatch.objects.order_by("pk").first()
    recipient = (RecipientListRecord.objects.exclude(kecamatan__in=world["profile"].kecamatan.all())
                 .order_by("pk").first())
    job = _export_job(world)
    followup_milestone = FollowUp.Milestone.values[0]
    attendance = Attendance.objects.filter(enrolment=enrolment).order_by("pk").first()
    followup = FollowUp.objects.order_by("pk").first()
    report = GroupReport.objects.filter(group=group).order_by("pk").first() or GroupReportFactory(group=group)
    ticket = TicketFactory(kecamatan=Kecamatan.objects.exclude(pk__in=world["profile"].kecamatan.all())
                           .order_by("pk").first())
    return {
        r"^applicants_ticket_modeladmin_": {"instance_pk": ticket.pk},
        r"^applicants_interview_modeladmin_": {"instance_pk": interview.pk},
        r"^applicants_welfarerecord_modeladmin_": {"instance_pk": batch.records.order_by("pk").first().pk},
        r"^applicants_welfareimportbatch_modeladmin_": {"instance_pk": batch.pk},
        r"^applicants_recipientlistbatch_modeladmin_": {"instance_pk": recipient_list.pk},
        r"^applicants_recipientlistrecord_modeladmin_": {"instance_pk": recipient.pk},
        r"^allocation:(report|rejections_xlsx)$": {"pk": recipient_list.pk},
        r"^programs_cohort_modeladmin_": {"instance_pk": cohort.pk},
        r"^applicants_enrolment_modeladmin_": {"instance_pk": enrolment.pk},
        r"^applicants_attendance_modeladmin_": {"instance_pk": attendance.pk if attendance else 0},
        r"^applicants_capitalaward_modeladmin_": {"instance_pk": award.pk},
        r"^applicants_businessgroup_modeladmin_": {"instance_pk": group.pk},
        r"^applicants_followup_modeladmin_": {"instance_pk": followup.pk if followup else 0},
        r"^applicants_application_": {"instance_pk": application.pk},
        r"^applicants_applicant_": {"instance_pk": application.applicant_id},
        r"^register_export_": {"job_id": job.pk},
        r"^sigap_interviews:outcome$": {"pk": interview.pk},
        r"^sigap_interviews:": {"application_id": interview.application_id},
        r"^welfare:(report|rejections_xlsx|progress|confirm|cancel)$": {"pk": batch.pk},
        r"^welfare:override$": {"pk": Application.objects.filter(status="not_eligible").order_by("pk")
                                .exclude(applicant__kelurahan__kecamatan__in=world["profile"].kecamatan.all())
                                .first().pk},
        r"^delivery:cohort_": {"pk": cohort.pk},
        r"^delivery:enrolment_": {"pk": enrolment.pk},
        r"^delivery:session_": {"pk": CohortSession.objects.filter(cohort=cohort).order_by("pk").first().pk},
        r"^delivery:award_": {"pk": award.pk},
        r"^delivery:group_report_edit$": {"pk": group.pk, "report_pk": report.pk},
        r"^applicants_groupreport_modeladmin_": {"instance_pk": report.pk},
        r"^delivery:group_": {"pk": group.pk},
        r"^delivery:followup_record$": {"enrolment_pk": enrolment.pk, "milestone": followup_milestone},
        r"^sigap_subject_request$": {"request_pk": _subject_request(world).pk},
        r"^sigap_subject_": {"pk": application.applicant_id},
        r"^profil_petugas:": {"pk": world["profile"].pk},
    }


def _subject_request(world) -> DataSubjectRequest:
    return DataSubjectRequest.register(applicant=world["application"].applicant, kind="access", requester_name="x",
                                       channel="letter", details="Salinan data", user=world["users"]["editor"])


def _export_job(world) -> ExportJob:
    """A finished background export owned by the editor, its file in PRIVATE_MEDIA_ROOT."""
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pendaftar-test.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return ExportJob.objects.create(user=world["users"]["editor"], register_key="applicants", params={},
                                    file_name="pendaftar-test.xlsx", file_path="exports/pendaftar-test.xlsx",
                                    status=ExportJob.Status.DONE)


def _url(route: str, pattern: URLPattern, params: dict) -> str:
    path = "/" + route
    if path.startswith("/admin/^"):  # modeladmin's regex routes
        path = "/admin/" + route[len("admin/^"):].rstrip("$")
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(params[m.group(1)]), path)
    else:
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(params[m.group(1)]), path)
    return path


# Old list URLs that now lead to the register that replaced them: a redirect there is "allowed".
MOVED_TO = ("/admin/programs/cohort/", "/admin/applicants/capitalaward/", "/admin/applicants/businessgroup/")


def _verdict(response, role: str) -> str:
    code = response.status_code
    if code == 200:
        return "allowed"
    if code == 302 and response.headers["Location"] in MOVED_TO:
        return "allowed"
    if code in (403, 404):
        return "refused"
    if code == 302:
        location = response.headers["Location"]
        if role == "anonymous" and "/admin/login/" in location:
            return "refused"
        if location.rstrip("/").endswith("/admin"):  # Wagtail: "Anda tidak memiliki izin" -> dashboard
            return "refused"
    return f"unexpected {code} {response.headers.get('Location', '')}"


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.slow
def test_every_personal_data_admin_url_allows_exactly_the_roles_in_the_table(world):
    routes = personal_data_routes()
    assert len(routes) > 40  # the resolver walk found the project's admin views
    ids = _ids(world)
    unknown = [name for _r, name, _p in routes if expected_roles(name) is None]
    assert unknown == [], f"add these URL names to EXPECTED: {unknown}"
    clients = {role: _client(world["users"].get(role)) for role in ROLES}
    failures = []
    visited = 0
    for route, name, pattern in routes:
        params = next((p for regex, p in ids.items() if re.search(regex, name)), {})
        needed = set(pattern.pattern.regex.groupindex)
        assert needed <= set(params), f"give {name} object ids for {needed - set(params)} in _ids()"
        url = _url(route, pattern, params)
        post_only = clients["admin"].get(url).status_code == 405
        for role in ROLES:
            if _known_leak(role, name):
                continue
            want = "allowed" if role in expected_roles(name) else "refused"
            response = clients[role].get(url)
            if post_only and response.status_code == 405:
                response = clients[role].post(url, {}) if want == "refused" else response
                got = "allowed" if response.status_code == 405 else _verdict(response, role)
            else:
                got = _verdict(response, role)
            visited += 1
            if got != want:
                failures.append(f"{role:<12} {name:<50} {url}: expected {want}, got {got}")
    if failures:
        pytest.fail(f"{len(failures)} URL/role pairs differ from EXPECTED:\n" + "\n".join(failures))
    assert visited == len(routes) * len(ROLES) - sum(_known_leak(r, n) for _u, n, _p in routes for r in ROLES)


def test_restricted_editor_lists_and_exports_only_its_kecamatan(world):
    client = _client(world["users"]["editor_kec"])
    allowed = set(world["profile"].kecamatan.values_list("name", flat=True))
    response = client.get("/admin/applicants/application/export/")
    assert response.status_code == 200
    rows = _xlsx_rows(response)
    kecamatan = {row["Kecamatan"] for row in rows}
    assert rows and kecamatan <= allowed
    # The object used in the URL table (outside its kecamatan) is refused on a direct URL.
    pk = world["application"].pk
    response = client.get(f"/admin/applicants/application/inspect/{pk}/")
    assert _verdict(response, "editor_kec") == "refused"
    assert world["application"].applicant.full_name not in response.content.decode()


# --- Masking ---------------------------------------------------------------------------------------------
def _xlsx_rows(response) -> list[dict]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    at = next(i for i, row in enumerate(rows) if row and "NIK" in row)
    header = rows[at]
    return [dict(zip(header, row, strict=False)) for row in rows[at + 1:] if any(c is not None for c in row)]


@pytest.mark.parametrize(("role", "masked"), [("auditor", True), ("editor", False)])
def test_nik_is_masked_for_the_auditor_and_full_for_the_editor(world, role, masked):
    application = world["application"]
    nik = application.applicant.nik
    shown = mask_identity(nik) if masked else nik
    assert re.fullmatch(r"\*{12}[0-9]{4}", mask_identity(nik))
    client = _client(world["users"][role])
    search = f"?q={application.reference}"
    pages = {
        "list": client.get(f"/admin/applicants/application/{search}").content.decode(),
        "inspect": client.get(f"/admin/applicants/application/inspect/{application.pk}/").content.decode(),
    }
    for where, html in pages.items():
        assert shown in html, where
        if masked:
            assert nik not in html, where
    rows = _xlsx_rows(client.get(f"/admin/applicants/application/export/{search}"))
    row = next(r for r in rows if r["No. pendaftaran"] == application.reference)
    assert row["NIK"] == shown
    assert row["Nomor KK"] == (mask_identity(application.applicant.kk_number) if masked
                               else application.applicant.kk_number)


# --- Wagtail's own views that list log entries or objects -----------------------------------------
@pytest.mark.parametrize("role", ["interviewer", "comms"])
def test_site_history_and_admin_search_do_not_show_applicants_to_roles_without_access(world, role):
    application = world["application"]
    applicant = application.applicant
    client = _client(world["users"][role])
    secrets = (applicant.nik, mask_identity(applicant.nik), applicant.full_name, application.reference)
    for url, query in (("/admin/reports/site-history/", ""), ("/admin/reports/site-history/?q=", applicant.full_name),
                       ("/admin/pages/search/?q=", applicant.full_name), ("/admin/pages/search/?q=", applicant.nik),
                       ("/admin/choose-page/search/?q=", applicant.full_name)):
        response = client.get(url + query)
        assert response.status_code in (200, 302, 403), url
        html = response.content.decode()
        if query:
            html = html.replace(query, "")  # the search box shows back what was typed
        for secret in secrets:
            assert secret not in html, (url, query, secret)

def test_anonymous_visitors_are_sent_to_the_login_page_for_every_personal_data_url(world):
    """The same walk as the table, phrased for the one role every URL must refuse the same way."""
    ids = _ids(world)
    client = Client()
    for route, name, pattern in personal_data_routes():
        params = next((p for regex, p in ids.items() if re.search(regex, name)), {})
        response = client.get(_url(route, pattern, params))
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"], name

