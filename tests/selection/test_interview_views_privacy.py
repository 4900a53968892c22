"""Interview admin screens per role: scope (own interviews, kecamatan), 403 for comms, read-only auditor,
masked NIK."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from applicants.identity import mask_identity
from applicants.models import Interview
from programs.models import Kelurahan
from tests.factories import WORLD_ROLES, ApplicantFactory, ApplicationFactory

pytestmark = pytest.mark.django_db


def _urls(w):
    return {
        "mine": reverse("sigap_interviews:mine"),
        "all": reverse("sigap_interviews:all"),
        "bulk": reverse("sigap_interviews:bulk"),
        "schedule_budi": reverse("sigap_interviews:schedule", args=[w["app_budi"].pk]),
        "status_budi": reverse("sigap_interviews:status", args=[w["app_budi"].pk]),
        "outcome_budi": reverse("sigap_interviews:outcome", args=[w["iv_budi"].pk]),
        "outcome_ani": reverse("sigap_interviews:outcome", args=[w["iv_ani"].pk]),
        "status_ani": reverse("sigap_interviews:status", args=[w["app_ani"].pk]),
    }


# Budi lives in kecamatan 2 and is interviewed by someone else; Ani in kecamatan 1, by "interviewer".
EXPECTED_GET = {
    "superuser": {"mine": 200, "all": 200, "bulk": 200, "schedule_budi": 200, "status_budi": 200,
                  "outcome_budi": 200, "outcome_ani": 200, "status_ani": 200},
    "editor": {"mine": 200, "all": 200, "bulk": 200, "schedule_budi": 200, "status_budi": 200,
               "outcome_budi": 200, "outcome_ani": 200, "status_ani": 200},
    "editor_kec1": {"mine": 200, "all": 200, "bulk": 200, "schedule_budi": 403, "status_budi": 403,
                    "outcome_budi": 403, "outcome_ani": 200, "status_ani": 200},
    "interviewer": {"mine": 200, "all": 403, "bulk": 403, "schedule_budi": 403, "status_budi": 403,
                    "outcome_budi": 403, "outcome_ani": 200, "status_ani": 403},
    "comms": {name: 403 for name in ["mine", "all", "bulk", "schedule_budi", "status_budi", "outcome_budi",
                                     "outcome_ani", "status_ani"]},
    "auditor": {"mine": 200, "all": 200, "bulk": 403, "schedule_budi": 403, "status_budi": 403,
                "outcome_budi": 403, "outcome_ani": 403, "status_ani": 403},
}


@pytest.mark.parametrize("role", WORLD_ROLES)
def test_every_interview_screen_answers_each_role_as_its_job_needs(client, role_world, role):
    client.force_login(role_world["users"][role])
    answers = {name: client.get(url).status_code for name, url in _urls(role_world).items()}
    assert answers == EXPECTED_GET[role]


@pytest.mark.parametrize("role", ["auditor", "comms"])
def test_read_only_roles_get_403_on_every_post_and_nothing_changes(client, role_world, role):
    client.force_login(role_world["users"][role])
    for name, url in _urls(role_world).items():
        response = client.post(url, {"new_status": S.WITHDRAWN, "attendance": "no_show", "confirm": "1"})
        assert response.status_code == 403, name
    assert set(Interview.objects.values_list("attendance", flat=True)) == {Interview.Attendance.SCHEDULED}
    assert role_world["app_budi"].__class__.objects.filter(status=S.WITHDRAWN).count() == 0


@pytest.mark.parametrize(
    ("role", "names"),
    [("superuser", {"Ani Satu", "Budi Dua"}), ("editor", {"Ani Satu", "Budi Dua"}),
     ("editor_kec1", {"Ani Satu"}), ("auditor", {"Ani Satu", "Budi Dua"})],
)
def test_all_interviews_list_shows_only_the_users_scope(client, role_world, role, names):
    client.force_login(role_world["users"][role])
    html = client.get(reverse("sigap_interviews:all")).content.decode()
    assert {name for name in ("Ani Satu", "Budi Dua") if name in html} == names


def test_interviewer_schedule_lists_only_their_own_interviews(client, role_world):
    client.force_login(role_world["users"]["interviewer"])
    html = client.get(reverse("sigap_interviews:mine")).content.decode()
    assert "Ani Satu" in html and "Budi Dua" not in html


@pytest.mark.parametrize(("role", "full"), [("editor", True), ("superuser", True), ("interviewer", False)])
def test_outcome_page_shows_nik_masked_unless_the_user_may_see_it_in_full(client, role_world, role, full):
    client.force_login(role_world["users"][role])
    html = client.get(reverse("sigap_interviews:outcome", args=[role_world["iv_ani"].pk])).content.decode()
    nik = role_world["app_ani"].applicant.nik
    assert (nik in html) is full
    assert (mask_identity(nik) in html) is not full


def test_restricted_editor_bulk_scheduling_offers_and_schedules_only_their_kecamatan(client, role_world):
    intake = role_world["app_ani"].intake
    here = ApplicationFactory(applicant=ApplicantFactory(full_name="Eka Lima", kelurahan=role_world["kel1"]),
                              intake=intake, program=role_world["app_ani"].program)
    there = ApplicationFactory(applicant=ApplicantFactory(full_name="Fajar Enam", kelurahan=role_world["kel2"]),
                               intake=intake, program=role_world["app_ani"].program)
    editor = role_world["users"]["editor_kec1"]
    client.force_login(editor)
    form_html = client.get(reverse("sigap_interviews:bulk")).content.decode()
    other_kelurahan = Kelurahan.objects.filter(kecamatan=role_world["kec2"]).first()
    assert f'value="{role_world["kel1"].pk}"' in form_html and f'value="{other_kelurahan.pk}"' not in form_html
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT09:00")
    data = {"intake": intake.pk, "start": start, "slot_minutes": 20, "place": "Aula",
            "interviewer": role_world["users"]["interviewer"].pk}
    preview = client.post(reverse("sigap_interviews:bulk"), data).content.decode()
    assert "Eka Lima" in preview and "Fajar Enam" not in preview
    client.post(reverse("sigap_interviews:bulk"), {**data, "confirm": "1"})
    here.refresh_from_db()
    there.refresh_from_db()
    assert here.status == S.INTERVIEW_SCHEDULED and there.status == S.VERIFIED
