"""Access scope per role (lists, exports and direct URLs share it), NIK/KK masking and the access log."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from wagtail.models import ModelLogEntry

from applicants.models import Applicant, Application, Interview
from applicants.privacy import access
from applicants.privacy.audit import EXPORT_ACTION, VIEW_ACTION, log_personal_data_access
from applicants.privacy.masking import display_identity, mask_export_rows
from programs.models import Kecamatan, Kelurahan
from tests.factories import ApplicantFactory, ApplicationFactory, InterviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_user_model):
    """Two applicants in two kecamatan; interviewer `iv` interviews only Ani (kecamatan 1)."""
    kec1, kec2 = Kecamatan.objects.order_by("code")[:2]
    ani = ApplicantFactory(full_name="Ani", kelurahan=Kelurahan.objects.filter(kecamatan=kec1).first())
    budi = ApplicantFactory(full_name="Budi", kelurahan=Kelurahan.objects.filter(kecamatan=kec2).first())
    iv = UserFactory(interviewer=True, username="iv")
    other_iv = UserFactory(interviewer=True, username="iv2")
    app_ani = ApplicationFactory(submitted=True, applicant=ani)
    app_budi = ApplicationFactory(submitted=True, applicant=budi)
    InterviewFactory(held=True, application=app_ani, interviewer=iv)
    InterviewFactory(held=True, application=app_ani, interviewer=iv)  # a second interview must not duplicate rows
    InterviewFactory(held=True, application=app_budi, interviewer=other_iv)
    users = {
        "superuser": UserFactory(superuser=True, username="root"),
        "editor": UserFactory(editor=True, username="ed"),
        "editor_kec2": UserFactory(editor=True, username="ed2", kecamatan=[kec2]),
        "interviewer": iv,
        "interviewer_kec2": UserFactory(interviewer=True, username="iv3", kecamatan=[kec2]),
        "auditor": UserFactory(auditor=True, username="au"),
        "comms": UserFactory(comms=True, username="hu"),
        "no_role": UserFactory(username="nobody"),
        "inactive_editor": UserFactory(editor=True, username="gone", is_active=False),
        "anonymous": AnonymousUser(),
    }
    # interviewer_kec2 interviews Ani (kecamatan 1) but is limited to kecamatan 2: sees nothing.
    InterviewFactory(held=True, application=app_ani, interviewer=users["interviewer_kec2"])
    return users


# role -> names of the applicants whose records the role may see
SCOPE = [
    ("superuser", {"Ani", "Budi"}),
    ("editor", {"Ani", "Budi"}),
    ("editor_kec2", {"Budi"}),
    ("interviewer", {"Ani"}),
    ("interviewer_kec2", set()),
    ("auditor", {"Ani", "Budi"}),
    ("comms", set()),
    ("no_role", set()),
    ("inactive_editor", set()),
    ("anonymous", set()),
]


@pytest.mark.parametrize(("role", "expected"), SCOPE)
def test_each_role_sees_exactly_the_applicants_its_job_needs(world, role, expected):
    user = world[role]
    applicants = access.applicants.scope(user, Applicant.objects.all())
    applications = access.applications.scope(user, Application.objects.all())
    assert sorted(a.full_name for a in applicants) == sorted(expected)
    assert sorted(a.applicant.full_name for a in applications) == sorted(expected)


@pytest.mark.parametrize(
    ("role", "expected_count"),
    [("editor", 4), ("editor_kec2", 1), ("interviewer", 2), ("interviewer_kec2", 0), ("auditor", 4), ("comms", 0)],
)
def test_interviewers_see_only_their_own_interviews(world, role, expected_count):
    interviews = access.interviews.scope(world[role], Interview.objects.all())
    assert interviews.count() == expected_count
    if role == "interviewer":
        assert {i.interviewer_id for i in interviews} == {world[role].pk}


@pytest.mark.parametrize("role", ["editor", "editor_kec2", "interviewer", "auditor", "comms"])
def test_scoped_list_is_bounded_whatever_the_rows(world, role, django_assert_max_num_queries):
    user = world[role]
    access.reach(user)  # permissions are loaded once per user object, as in a request
    # The kecamatan restriction (one small query), then the list itself: never one query per row.
    with django_assert_max_num_queries(2):
        list(access.applications.scope(user, Application.objects.all()))


@pytest.mark.parametrize(("role", "expected"), SCOPE)
def test_direct_url_check_agrees_with_the_list(world, role, expected):
    for applicant in Applicant.objects.all():
        assert access.applicants.in_scope(world[role], applicant) == (applicant.full_name in expected)
        application = applicant.applications.get()
        assert access.applications.in_scope(world[role], application) == (applicant.full_name in expected)


@pytest.mark.parametrize(
    ("role", "full"),
    [("superuser", True), ("editor", True), ("auditor", False), ("interviewer", False), ("comms", False),
     ("inactive_editor", False), ("anonymous", False)],
)
def test_nik_is_masked_for_everyone_without_the_full_identity_permission(world, role, full):
    nik = Applicant.objects.get(full_name="Ani").nik
    shown = display_identity(nik, world[role])
    assert access.can_view_full_identity(world[role]) is full
    assert shown == (nik if full else "*" * 12 + nik[-4:])


def test_template_filter_masks_nik_for_auditor_and_shows_it_to_editor(world):
    applicant = Applicant.objects.get(full_name="Ani")
    template = engines["django"].from_string("{% load privacy %}{{ applicant.nik|identity_for:user }}")
    assert template.render({"applicant": applicant, "user": world["editor"]}) == applicant.nik
    masked = template.render({"applicant": applicant, "user": world["auditor"]})
    assert masked == "*" * 12 + applicant.nik[-4:]


def test_export_rows_are_masked_in_identity_columns_only(world):
    columns = ["reference", "applicant__nik", "applicant__kk_number", "applicant__full_name"]
    rows = list(Application.objects.order_by("pk").values_list(*columns))
    masked = list(mask_export_rows(rows, columns, world["auditor"]))
    assert [r[0] for r in masked] == [r[0] for r in rows] and [r[3] for r in masked] == [r[3] for r in rows]
    for original, out in zip(rows, masked, strict=True):
        assert out[1] == "*" * 12 + original[1][-4:]
        assert out[2] == "*" * 12 + original[2][-4:]
    assert [tuple(r) for r in mask_export_rows(rows, columns, world["editor"])] == rows
    dict_rows = [{"nik": rows[0][1], "name": "x"}]
    assert list(mask_export_rows(dict_rows, ["nik", "name"], world["comms"]))[0]["nik"].count("*") == 12


def test_detail_view_and_export_are_logged_with_filters_but_no_full_nik(world):
    ani = Applicant.objects.get(full_name="Ani")
    editor = world["editor"]
    log_personal_data_access(editor, ani, "detail")
    log_personal_data_access(editor, Application, "ekspor xlsx", {"q": ani.nik, "status": ["submitted"]}, rows=2)
    view = ModelLogEntry.objects.get(action=VIEW_ACTION)
    assert (view.object_id, view.user, view.data["what"]) == (str(ani.pk), editor, "detail")
    export = ModelLogEntry.objects.get(action=EXPORT_ACTION)
    assert export.object_id == "0" and export.data["rows"] == 2
    assert ani.nik not in str(export.data) and export.data["filters"]["q"] == "*" * 12 + ani.nik[-4:]
    assert export.data["filters"]["status"] == "submitted"


@pytest.mark.parametrize(
    ("role", "sees_applicant_entries"), [("auditor", True), ("comms", False), ("interviewer", False)]
)
def test_site_history_report_shows_access_log_to_auditors_not_to_comms(client, world, role, sees_applicant_entries):
    ani = Applicant.objects.get(full_name="Ani")
    log_personal_data_access(world["editor"], ani, "detail")
    log_personal_data_access(world["editor"], Applicant, "ekspor xlsx", {"kelurahan": "1"}, rows=1)
    client.force_login(world[role])
    response = client.get("/admin/reports/site-history/")
    assert response.status_code == 200
    body = response.content.decode()
    assert ("Data pribadi dilihat" in body) is sees_applicant_entries
    assert ("Data diekspor" in body) is sees_applicant_entries
    assert ("Ani" in body) is sees_applicant_entries


def test_admin_limits_a_staff_member_to_kecamatan_in_settings(client, world):
    from applicants.models import StaffProfile

    kec = Kecamatan.objects.order_by("code").first()
    client.force_login(world["superuser"])
    response = client.post(
        "/admin/profil_petugas/new/", {"user": world["editor"].pk, "kecamatan": [kec.pk]}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(StaffProfile.objects.get(user=world["editor"]).kecamatan.all()) == [kec]
    assert [a.full_name for a in access.applicants.scope(world["editor"], Applicant.objects.all())] == ["Ani"]


@pytest.mark.parametrize("role", ["editor", "interviewer", "comms"])
def test_staff_profiles_are_not_editable_by_staff(client, world, role):
    client.force_login(world[role])
    response = client.get("/admin/profil_petugas/new/")
    assert response.status_code in (302, 403)
    assert "/admin/profil_petugas/new/" not in response.get("Location", "")
