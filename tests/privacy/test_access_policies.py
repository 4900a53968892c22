"""The one access policy per model and the one admin gate, attacked by role and by typed URL.

World (tests.factories.build_role_world): Citra lives in kecamatan 1, Dodi in kecamatan 2; `editor_kec1` is an
editor limited to kecamatan 1; the interviewer interviews Ani (kecamatan 1) only.
"""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from applicants.delivery import services
from applicants.models import (
    Applicant,
    Attendance,
    BusinessGroup,
    CapitalAward,
    Enrolment,
    FollowUp,
    WelfareImportBatch,
    WelfareRejection,
)
from applicants.privacy import access
from applicants.privacy.audit import log_personal_data_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(role_world):
    return role_world


@pytest.fixture
def delivered(world, settings):
    """The world plus attendance, follow-ups, a KUB in each kecamatan with a group award, and an import."""
    settings.KUB_MIN_MEMBERS = 1
    editor = world["users"]["superuser"]
    services.save_attendance(world["session"], {world["e_citra"].pk: "present", world["e_dodi"].pk: "absent"}, editor)
    for enrolment in (world["e_citra"], world["e_dodi"]):
        services.record_followup(enrolment, 3, editor, working_status="employed", business_running=False,
                                 income_band="none", receiving_bansos=False, note="")
    world["groups"] = {}
    for key, enrolment, kel in (("kec1", world["e_citra"], world["kel1"]), ("kec2", world["e_dodi"], world["kel2"])):
        group = services.form_group(intake=world["cohort"].intake, name=f"KUB {key}", business_type="Kue",
                                    kelurahan=kel, enrolments=[enrolment], chair=enrolment, user=editor)
        world["groups"][key] = group
    from programs.models import CapitalPackage

    package = CapitalPackage.objects.create(program=world["cohort"].program, name="Paket KUB", contents="alat",
                                            value_rupiah=10_000_000, for_groups=True)
    world["group_package"] = package
    world["group_award_kec2"] = CapitalAward.propose(user=editor, package=package, group=world["groups"]["kec2"])
    batch = WelfareImportBatch.objects.create(as_of=timezone.localdate(world["now"]), file_name="dtsen.csv",
                                              file_sha256="0" * 64, state=WelfareImportBatch.State.CURRENT,
                                              rows_rejected=1)
    WelfareRejection.objects.create(batch=batch, row_number=2, reason="NIK tidak valid",
                                    raw=[["NIK", "3671"], ["Nama", "Dodi Empat Tolak"]])
    world["batch"] = batch
    return world


def _names(queryset, model):
    if model is Applicant:
        return {a.full_name for a in queryset}
    return set(queryset.values_list(_name_path(model), flat=True))


def _name_path(model):
    return {
        Enrolment: "application__applicant__full_name",
        Attendance: "enrolment__application__applicant__full_name",
        FollowUp: "enrolment__application__applicant__full_name",
        BusinessGroup: "name",
    }[model]


# role -> what each delivery policy lets it reach (names of people, or of KUB)
REACH = [
    ("superuser", {"Citra Tiga", "Dodi Empat"}, {"KUB kec1", "KUB kec2"}),
    ("editor", {"Citra Tiga", "Dodi Empat"}, {"KUB kec1", "KUB kec2"}),
    ("auditor", {"Citra Tiga", "Dodi Empat"}, {"KUB kec1", "KUB kec2"}),
    ("editor_kec1", {"Citra Tiga"}, {"KUB kec1"}),
    ("interviewer", set(), set()),  # interviews nobody in the class; KUB need full reach
    ("comms", set(), set()),
]


@pytest.mark.parametrize(("role", "people", "groups"), REACH)
def test_each_delivery_policy_reaches_exactly_the_roles_rows(delivered, role, people, groups):
    user = delivered["users"][role]
    for policy, model in ((access.enrolments, Enrolment), (access.attendance, Attendance),
                          (access.followups, FollowUp)):
        assert _names(policy.scope(user, model.objects.all()), model) == people, model.__name__
    assert _names(access.groups.scope(user, BusinessGroup.objects.all()), BusinessGroup) == groups
    awards = access.awards.scope(user, CapitalAward.objects.all())
    expected_awards = {a.pk for a in CapitalAward.objects.all()
                       if (a.enrolment_id and a.enrolment.application.applicant.full_name in people)
                       or (a.group_id and a.group.name in groups)}
    assert set(awards.values_list("pk", flat=True)) == expected_awards


@pytest.mark.parametrize("role", ["superuser", "editor", "auditor", "editor_kec1", "interviewer", "comms"])
def test_instance_checks_agree_with_the_lists_for_every_policy(delivered, role):
    user = delivered["users"][role]
    for model, policy in access.POLICIES.items():
        visible = set(policy.instances_user_has_permission_for(user, "view").values_list("pk", flat=True))
        for instance in model.objects.all()[:20]:
            assert policy.user_has_permission_for_instance(user, "view", instance) == (instance.pk in visible), (
                model.__name__, instance.pk)


def test_anonymous_inactive_and_strangers_reach_nothing(delivered, django_user_model):
    inactive = django_user_model.objects.create_user("gone", password="x", is_active=False, is_superuser=True)
    for user in (AnonymousUser(), inactive, None):
        for model, policy in access.POLICIES.items():
            assert not policy.user_has_permission(user, "view"), model.__name__
            assert not policy.scope(user, model.objects.all()).exists(), model.__name__


def test_a_stray_model_permission_opens_nothing_to_comms(delivered):
    from django.contrib.auth.models import Permission

    comms = delivered["users"]["comms"]
    comms.user_permissions.add(Permission.objects.get(codename="view_enrolment"))
    comms = type(comms).objects.get(pk=comms.pk)  # fresh permission cache
    assert comms.has_perm("applicants.view_enrolment")
    assert not access.enrolments.user_has_permission(comms, "view")
    assert not access.enrolments.instances_user_has_permission_for(comms, "view").exists()


def test_users_who_see_everything_get_no_condition_and_restricted_users_a_plain_in_list(delivered):
    editor, restricted = delivered["users"]["editor"], delivered["users"]["editor_kec1"]
    base = Enrolment.objects.all()
    assert str(access.enrolments.scope(editor, base).query) == str(base.query)
    assert str(access.awards.scope(editor, CapitalAward.objects.all()).query) == str(CapitalAward.objects.all().query)
    sql = str(access.enrolments.scope(restricted, base).query).upper()
    assert f"IN ({delivered['kec1'].pk})" in sql
    assert "EXISTS" not in sql and sql.count("SELECT") == 1  # joins, no subquery
    fresh = type(restricted).objects.get(pk=restricted.pk)
    access.reach(fresh)  # permissions are loaded once per user object, as in a request
    with CaptureQueriesContext(connection) as queries:
        list(access.enrolments.scope(fresh, base))
        list(access.enrolments.scope(fresh, base))
    assert len(queries) == 3  # the small kecamatan lookup once per user object, then each list


def test_rejected_rows_and_import_reports_are_for_unrestricted_users_only(delivered):
    restricted, editor = delivered["users"]["editor_kec1"], delivered["users"]["editor"]
    assert not access.welfare_rejections.instances_user_has_permission_for(restricted, "view").exists()
    assert access.welfare_rejections.instances_user_has_permission_for(editor, "view").count() == 1
    # The batch list itself (file name, counts) stays readable; importing is refused.
    assert access.welfare_batches.user_has_permission(restricted, "view")
    assert not access.welfare_batches.user_has_permission(restricted, "add")


# --- Typed URLs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["", "baris-ditolak.xlsx"])
@pytest.mark.parametrize(("role", "status"), [("editor", 200), ("editor_kec1", 403), ("auditor", 403),
                                              ("interviewer", 403), ("comms", 403)])
def test_import_report_and_rejected_rows_by_typed_url(client, delivered, suffix, role, status):
    client.force_login(delivered["users"][role])
    response = client.get(f"/admin/register-kesejahteraan/impor/{delivered['batch'].pk}/{suffix}")
    assert response.status_code == status
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if status == 403:
        assert b"Dodi Empat Tolak" not in body


@pytest.mark.parametrize("role", ["editor_kec1", "interviewer", "comms"])
def test_restricted_and_partial_roles_cannot_start_an_import_or_a_recheck(client, delivered, role):
    client.force_login(delivered["users"][role])
    assert client.get("/admin/register-kesejahteraan/").status_code == 403
    assert client.post("/admin/register-kesejahteraan/cek-kelayakan/").status_code == 403
    assert "/admin/register-kesejahteraan/" not in client.get("/admin/").content.decode()  # no menu link


def _site_history(client, query=""):
    return client.get(f"/admin/reports/site-history/{query}")


@pytest.mark.parametrize(("role", "sees_dodi"), [("editor", True), ("auditor", True), ("editor_kec1", False),
                                                 ("interviewer", False), ("comms", False)])
def test_site_history_and_its_export_hide_people_outside_the_users_reach(client, delivered, role, sees_dodi):
    dodi = delivered["e_dodi"].application.applicant
    log_personal_data_access(delivered["users"]["editor"], dodi, "detail")
    client.force_login(delivered["users"][role])
    for query in ("", "?q=Dodi", "results/"):
        response = _site_history(client, query) if query != "results/" else client.get(
            "/admin/reports/site-history/results/")
        assert response.status_code == 200, query
        assert ("Dodi Empat" in response.content.decode()) is sees_dodi, query
    export = _site_history(client, "?export=xlsx")
    assert export.status_code == 200
    content = b"".join(export.streaming_content) if getattr(export, "streaming", False) else export.content
    cells = [str(c) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for c in row]
    assert any("Dodi Empat" in c for c in cells) is sees_dodi
    # CSV is not formula-safe in Wagtail: the scoped report offers xlsx only (the page, never a CSV file).
    csv = _site_history(client, "?export=csv")
    assert "text/csv" not in csv.get("Content-Type", "")


@pytest.mark.parametrize(("role", "status"), [("editor", 200), ("editor_kec1", 403), ("auditor", 403),
                                              ("interviewer", 403), ("comms", 403)])
def test_group_award_screen_by_typed_url(client, delivered, role, status):
    client.force_login(delivered["users"][role])
    url = f"/admin/pelaksanaan/kub/{delivered['groups']['kec2'].pk}/usulkan-modal/"
    assert client.get(url).status_code == status
    response = client.post(url, {"package": delivered["group_package"].pk})
    # Allowed: the form answers (this KUB already has a live award: an Indonesian message, no second one).
    assert response.status_code == (200 if status == 200 else 403)
    assert CapitalAward.objects.filter(group=delivered["groups"]["kec2"]).count() == 1


def test_restricted_editor_proposes_for_its_own_kub_but_not_by_a_typed_package(client, delivered):
    client.force_login(delivered["users"]["editor_kec1"])
    url = f"/admin/pelaksanaan/kub/{delivered['groups']['kec1'].pk}/usulkan-modal/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"package": "x1"}).status_code == 404  # a package id typed by hand
    assert client.post(url, {"package": "\u0661"}).status_code == 404  # an Arabic-Indic digit


@pytest.mark.parametrize(("role", "status"), [("editor", 200), ("editor_kec1", 403), ("auditor", 200),
                                              ("interviewer", 403), ("comms", 403)])
def test_group_award_document_and_page_by_typed_url(client, delivered, role, status):
    client.force_login(delivered["users"][role])
    assert client.get(f"/admin/pelaksanaan/modal-usaha/{delivered['group_award_kec2'].pk}/").status_code == status


@pytest.mark.parametrize(("old", "register"), [("kelas/", "/admin/programs/cohort/"),
                                               ("modal-usaha/", "/admin/applicants/capitalaward/"),
                                               ("kub/", "/admin/applicants/businessgroup/")])
@pytest.mark.parametrize(("role", "moved"), [("editor", True), ("auditor", True), ("interviewer", False),
                                             ("comms", False)])
def test_old_list_urls_lead_readers_to_the_register_and_refuse_the_others(client, world, old, register, role,
                                                                          moved):
    client.force_login(world["users"][role])
    response = client.get(f"/admin/pelaksanaan/{old}")
    if moved:
        assert (response.status_code, response["Location"]) == (302, register)
    else:
        assert response.status_code == 403


def test_the_delivery_menu_is_one_group_and_hidden_from_roles_without_reach(client, world):
    client.force_login(world["users"]["editor"])
    body = client.get("/admin/").content.decode()
    assert body.count('"Pelaksanaan"') <= 1 and "Pelaksanaan" in body
    for link in ("/admin/programs/cohort/", "/admin/applicants/capitalaward/", "/admin/pelaksanaan/tindak-lanjut/",
                 "/admin/pelaksanaan/kub/baru/"):
        assert link in body, link
    client.force_login(world["users"]["comms"])
    body = client.get("/admin/").content.decode()
    assert "Pelaksanaan" not in body and "/admin/pelaksanaan/" not in body


def test_classes_are_one_register_with_a_form_that_cannot_set_the_status_or_delete(client, world):
    cohort = world["cohort"]
    client.force_login(world["users"]["editor"])
    form = client.get(f"/admin/programs/cohort/edit/{cohort.pk}/")
    assert form.status_code == 200
    assert 'name="status"' not in form.content.decode()
    assert client.get("/admin/programs/cohort/create/").status_code == 200
    refused = client.get(f"/admin/programs/cohort/delete/{cohort.pk}/")
    assert refused.status_code in (302, 403) and type(cohort).objects.filter(pk=cohort.pk).exists()
    assert client.get("/admin/snippets/programs/cohort/").status_code == 404  # no second admin UI
    client.force_login(world["users"]["auditor"])
    assert client.post(f"/admin/programs/cohort/edit/{cohort.pk}/", {"name": "x"}).status_code in (302, 403)
    assert type(cohort).objects.get(pk=cohort.pk).name == cohort.name


def test_restricted_editor_cannot_form_a_kub_elsewhere_by_typed_ids(client, world, settings):
    settings.KUB_MIN_MEMBERS = 1
    client.force_login(world["users"]["editor_kec1"])
    data = {"intake": world["cohort"].intake_id, "name": "KUB Seberang", "business_type": "Kue",
            "member": [world["e_dodi"].pk], "chair": world["e_dodi"].pk}
    # Another kecamatan's kelurahan is not a valid choice; another kecamatan's graduate is not a member.
    response = client.post("/admin/pelaksanaan/kub/baru/", {**data, "kelurahan": world["kel2"].pk})
    assert response.status_code == 200 and not BusinessGroup.objects.exists()
    response = client.post("/admin/pelaksanaan/kub/baru/", {**data, "kelurahan": world["kel1"].pk})
    assert response.status_code == 200 and not BusinessGroup.objects.exists()
    assert "Dodi Empat" not in client.get("/admin/pelaksanaan/kub/baru/",
                                          {"intake": world["cohort"].intake_id}).content.decode()


def test_an_editor_creates_a_class_in_the_register_and_bad_dates_get_an_indonesian_message(client, world):
    from programs.models import Cohort
    from tests.factories import IntakeFactory, ProgramFactory

    program = ProgramFactory()
    intake = IntakeFactory(programs=[program])
    client.force_login(world["users"]["editor"])
    data = {"intake": intake.pk, "program": program.pk, "name": "Kelas Baru", "venue": "BLK",
            "start_date": "2026-07-01", "end_date": "2026-06-01", "capacity": 20, "min_attendance_pct": 80,
            "min_final_score": 60, "status": "completed"}
    response = client.post("/admin/programs/cohort/create/", data)
    assert response.status_code == 200
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai" in response.content.decode()
    assert not Cohort.objects.filter(name="Kelas Baru").exists()
    response = client.post("/admin/programs/cohort/create/", {**data, "end_date": "2026-07-31"})
    assert response.status_code == 302
    assert Cohort.objects.get(name="Kelas Baru").status == Cohort.Status.PLANNED  # a typed status is ignored


@pytest.mark.parametrize(("role", "view", "change"), [
    ("editor", {"ani", "budi"}, {"ani", "budi"}),
    ("editor_kec1", {"ani"}, {"ani"}),
    ("interviewer", {"ani"}, {"ani"}),  # their own interview only
    ("auditor", {"ani", "budi"}, set()),  # reads, never records
    ("comms", set(), set()),
])
def test_interview_policy_separates_reading_from_recording_the_outcome(world, role, view, change):
    user = world["users"][role]
    interviews = {"ani": world["iv_ani"], "budi": world["iv_budi"]}
    assert {k for k, i in interviews.items() if access.interviews.user_has_permission_for_instance(user, "view", i)} \
        == view
    assert {k for k, i in interviews.items()
            if access.interviews.user_has_permission_for_instance(user, "change", i)} == change
