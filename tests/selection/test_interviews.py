"""Interview scheduling (single and bulk), WhatsApp links, schedules per role, and outcome recording."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants.enums import ApplicationStatus as S
from applicants.enums import DecisionReason
from applicants.models import Application, Interview
from applicants.selection import services
from programs.models import Kelurahan
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    IntakeFactory,
    InterviewFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Monday 7 January 2030, 09:00 in Asia/Jakarta (UTC+7).
START_WIB = datetime.datetime(2030, 1, 7, 9, 0)


def _wib(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def kelurahan_pair():
    first, second = Kelurahan.objects.order_by("code")[:2]
    return first, second


def _due_interview(**kwargs):
    """An interview whose time has come: outcomes are refused before it."""
    return InterviewFactory(scheduled_at=timezone.now() - datetime.timedelta(minutes=30), **kwargs)


def _application(intake, kelurahan, **kwargs):
    return ApplicationFactory(intake=intake, applicant=ApplicantFactory(kelurahan=kelurahan), **kwargs)


# --- Bulk scheduling -------------------------------------------------------------------------
def test_bulk_scheduling_gives_consecutive_jakarta_slots_and_reports_skipped(kelurahan_pair):
    here, elsewhere = kelurahan_pair
    intake = IntakeFactory()
    ready = [_application(intake, here) for _ in range(3)]
    not_eligible = _application(intake, here, status=S.NOT_ELIGIBLE)
    already = _application(intake, here, status=S.INTERVIEW_SCHEDULED)
    InterviewFactory(application=already)
    _application(intake, elsewhere)  # other kelurahan: not part of this action
    _application(intake, here, status=S.ACCEPTED)  # already decided: not a candidate
    interviewer, editor = UserFactory(interviewer=True), UserFactory(editor=True)

    result = services.schedule_bulk(
        services.bulk_candidates(intake, kelurahan=here),
        start=timezone.make_aware(START_WIB), slot_minutes=20, place="Aula Kelurahan",
        interviewer=interviewer, user=editor,
    )

    assert [i.application_id for i in result.scheduled] == [a.pk for a in ready]
    assert [_wib(i.scheduled_at) for i in result.scheduled] == [
        "2030-01-07 09:00", "2030-01-07 09:20", "2030-01-07 09:40",
    ]
    assert result.scheduled[0].scheduled_at == datetime.datetime(2030, 1, 7, 2, 0, tzinfo=datetime.UTC)
    skipped = {application.pk: reason for application, reason in result.skipped}
    assert set(skipped) == {not_eligible.pk, already.pk}
    assert "pengecualian kelayakan" in skipped[not_eligible.pk]
    assert skipped[already.pk] == "Sudah punya jadwal wawancara."
    assert set(Application.objects.filter(pk__in=[a.pk for a in ready]).values_list("status", flat=True)) == {
        S.INTERVIEW_SCHEDULED
    }
    assert Application.objects.get(pk=not_eligible.pk).status == S.NOT_ELIGIBLE
    # Each scheduled application went through the workflow method, so each has its audit entry.
    assert ModelLogEntry.objects.filter(action="sigap.application.schedule_interview", user=editor).count() == 3


def test_bulk_scheduling_is_all_or_nothing(monkeypatch, kelurahan_pair):
    intake = IntakeFactory()
    apps = [_application(intake, kelurahan_pair[0]) for _ in range(3)]
    real_create, calls = Interview.objects.create, []

    def failing_create(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(Interview.objects, "create", failing_create)
    with pytest.raises(RuntimeError):
        services.schedule_bulk(
            services.bulk_candidates(intake), start=timezone.make_aware(START_WIB), slot_minutes=15,
            place="Aula", interviewer=UserFactory(interviewer=True), user=UserFactory(editor=True),
        )
    assert not Interview.objects.exists()
    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)) == {
        S.VERIFIED
    }


def test_bulk_view_previews_without_writing_then_schedules_on_confirm(client, kelurahan_pair):
    intake = IntakeFactory()
    apps = [_application(intake, kelurahan_pair[0]) for _ in range(2)]
    interviewer = UserFactory(interviewer=True)
    client.force_login(UserFactory(editor=True))
    data = {
        "intake": intake.pk, "kelurahan": kelurahan_pair[0].pk, "start": "2030-01-07T09:00",
        "slot_minutes": 30, "place": "Aula", "interviewer": interviewer.pk,
    }
    url = reverse("sigap_interviews:bulk")

    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert [row["when"] for row in preview.context["preview"]["rows"]] == [
        timezone.make_aware(START_WIB), timezone.make_aware(START_WIB) + datetime.timedelta(minutes=30)
    ]
    assert not Interview.objects.exists()

    done = client.post(url, {**data, "confirm": "1"})
    assert done.status_code == 200
    assert Interview.objects.filter(application__in=apps, interviewer=interviewer).count() == 2
    assert b"https://wa.me/62" in done.content


# --- WhatsApp ----------------------------------------------------------------------------------
def test_whatsapp_link_uses_digits_only_and_urlencodes_the_text():
    link = services.whatsapp_link("+6281234567890", "Halo Ibu & Bapak, jam 09.00?\nBaris baru")
    assert link == "https://wa.me/6281234567890?text=Halo%20Ibu%20%26%20Bapak%2C%20jam%2009.00%3F%0ABaris%20baru"


def test_invitation_link_carries_name_jakarta_time_place_and_reference():
    interview = InterviewFactory(
        scheduled_at=datetime.datetime(2030, 1, 7, 3, 15, tzinfo=datetime.UTC),  # 10.15 WIB
        place="Aula Kelurahan Cibodas",
        application__applicant__full_name="Siti Aminah",
        application__applicant__phone="+6281234567801",
    )
    parts = urlsplit(services.interview_whatsapp_link(interview))
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/6281234567801")
    text = parse_qs(parts.query)["text"][0]
    assert "Siti Aminah" in text
    assert "Senin, 7 Januari 2030" in text
    assert "10.15 WIB" in text
    assert "Aula Kelurahan Cibodas" in text
    assert interview.application.reference in text and interview.application.reference.startswith("SK-")


# --- Who sees what -----------------------------------------------------------------------------
def test_interviewer_sees_only_own_schedule_with_whatsapp_and_outcome_links(client):
    me, other = UserFactory(interviewer=True), UserFactory(interviewer=True)
    mine = InterviewFactory(interviewer=me, application__applicant__full_name="Warga Milik Saya")
    InterviewFactory(interviewer=other, application__applicant__full_name="Warga Orang Lain")
    client.force_login(me)

    response = client.get(reverse("sigap_interviews:mine"))

    assert response.status_code == 200
    assert [row["interview"] for row in response.context["rows"]] == [mine]
    content = response.content.decode()
    assert "Warga Milik Saya" in content and "Warga Orang Lain" not in content
    assert "https://wa.me/6281234567890?text=" in content
    assert reverse("sigap_interviews:outcome", args=[mine.pk]) in content


def test_interviewer_cannot_open_the_all_interviews_list_but_an_editor_can(client):
    InterviewFactory()
    client.force_login(UserFactory(interviewer=True))
    assert client.get(reverse("sigap_interviews:all")).status_code == 403
    client.force_login(UserFactory(editor=True))
    response = client.get(reverse("sigap_interviews:all"))
    assert response.status_code == 200 and len(response.context["rows"]) == 1


def test_editor_filters_all_interviews_by_interviewer_and_day(client):
    a, b = UserFactory(interviewer=True), UserFactory(interviewer=True)
    wanted = InterviewFactory(interviewer=a, scheduled_at=timezone.make_aware(START_WIB))
    InterviewFactory(interviewer=a, scheduled_at=timezone.make_aware(START_WIB + datetime.timedelta(days=1)))
    InterviewFactory(interviewer=b, scheduled_at=timezone.make_aware(START_WIB))
    client.force_login(UserFactory(editor=True))
    response = client.get(reverse("sigap_interviews:all"), {"interviewer": a.pk, "date": "2030-01-07"})
    assert [row["interview"] for row in response.context["rows"]] == [wanted]


def test_interviewer_gets_403_on_another_interviewers_outcome(client):
    interview = InterviewFactory(interviewer=UserFactory(interviewer=True))
    client.force_login(UserFactory(interviewer=True))
    url = reverse("sigap_interviews:outcome", args=[interview.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"attendance": "no_show"}).status_code == 403
    interview.refresh_from_db()
    assert interview.attendance == "scheduled" and interview.recorded_at is None


def test_service_refuses_outcome_from_another_interviewer():
    interview = _due_interview()
    with pytest.raises(services.PermissionDenied):
        services.record_outcome(interview, services.Outcome(attendance="no_show"), UserFactory(interviewer=True))


# --- Outcomes ----------------------------------------------------------------------------------
def _came(decision="accept", reason="", program=None, **scores):
    data = {
        "attendance": "came", "score_motivation": 5, "score_readiness": 4, "score_business_potential": 3,
        "score_household_need": 2, "decision": decision, "reason_code": reason, "note": "Semangat tinggi",
    }
    if program is not None:
        data["recommended_program"] = program.pk
    data.update(scores)
    return data


def test_outcome_came_and_accept_moves_status_and_stores_scores_and_recommendation(client):
    other_program = ProgramFactory()
    interview = _due_interview()
    intake = interview.application.intake
    intake.programs.add(other_program)
    intake.weight_motivation, intake.weight_household_need = 3, 2
    intake.save()
    client.force_login(interview.interviewer)

    response = client.post(
        reverse("sigap_interviews:outcome", args=[interview.pk]), _came(program=other_program)
    )

    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.attendance == "came" and interview.decision == "accept"
    assert (interview.score_motivation, interview.score_readiness) == (5, 4)
    assert (interview.score_business_potential, interview.score_household_need) == (3, 2)
    assert interview.recommended_program == other_program
    assert interview.recorded_by == interview.interviewer
    # (5*3 + 4*1 + 3*1 + 2*2) / (3+1+1+2) = 26 / 7
    assert interview.weighted_score == round(26 / 7, 2)
    application = Application.objects.get(pk=interview.application_id)
    assert application.status == S.ACCEPTED
    actions = list(ModelLogEntry.objects.for_instance(application).order_by("id").values_list("action", "user"))
    assert actions == [
        ("sigap.application.interviewed", interview.interviewer.pk),
        ("sigap.application.accept", interview.interviewer.pk),
    ]


def test_editor_records_a_rejection_for_any_interview_and_resident_reads_the_reason(client):
    interview = _due_interview()
    client.force_login(UserFactory(editor=True))
    response = client.post(
        reverse("sigap_interviews:outcome", args=[interview.pk]),
        _came(decision="reject", reason=DecisionReason.OTHER_PROGRAM_FITS),
    )
    assert response.status_code == 302
    application = Application.objects.get(pk=interview.application_id)
    assert application.status == S.REJECTED
    assert application.decision_reason == DecisionReason.OTHER_PROGRAM_FITS
    assert application.public_status_text().endswith("Alasan: Program lain lebih sesuai.")


def test_outcome_without_decision_leaves_application_interviewed_for_a_later_decision():
    interview = _due_interview()
    services.record_outcome(
        interview,
        services.Outcome(attendance="came", scores=dict.fromkeys(Interview.SCORE_FIELDS, 3)),
        interview.interviewer,
    )
    application = Application.objects.get(pk=interview.application_id)
    assert application.status == S.INTERVIEWED
    services.record_outcome(
        interview,
        services.Outcome(
            attendance="came", scores=dict.fromkeys(Interview.SCORE_FIELDS, 3), decision="waitlist",
            reason_code=DecisionReason.QUOTA_FULL,
        ),
        UserFactory(editor=True),
    )
    assert Application.objects.get(pk=interview.application_id).status == S.WAITLISTED


def test_outcome_form_refuses_missing_scores_and_a_program_outside_the_intake(client):
    interview = _due_interview()
    client.force_login(interview.interviewer)
    response = client.post(
        reverse("sigap_interviews:outcome", args=[interview.pk]),
        _came(program=ProgramFactory(), score_readiness=""),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["score_readiness"] == ["Beri nilai 1 sampai 5."]
    assert "recommended_program" in errors
    assert Application.objects.get(pk=interview.application_id).status == S.INTERVIEW_SCHEDULED


def test_rejection_needs_a_reason_in_the_outcome_form(client):
    interview = _due_interview()
    client.force_login(interview.interviewer)
    response = client.post(reverse("sigap_interviews:outcome", args=[interview.pk]), _came(decision="reject"))
    assert response.context["form"].errors["reason_code"] == ["Pilih alasan penolakan."]


def test_no_show_keeps_the_application_waiting_for_a_new_time():
    interview = _due_interview()
    services.record_outcome(interview, services.Outcome(attendance="no_show"), interview.interviewer)
    interview.refresh_from_db()
    assert interview.attendance == "no_show"
    application = Application.objects.get(pk=interview.application_id)
    assert application.status == S.INTERVIEW_SCHEDULED
    # A new time can be given later; the no-show record stays as it is.
    new = application.schedule_interview(
        timezone.now() + datetime.timedelta(days=5), "Aula", interview.interviewer, UserFactory(editor=True)
    )
    interview.refresh_from_db()
    assert interview.attendance == "no_show" and new.attendance == "scheduled"


def test_no_show_with_rejection_uses_the_no_show_reason():
    interview = _due_interview()
    bad = services.Outcome(attendance="no_show", decision="reject", reason_code=DecisionReason.QUOTA_FULL)
    with pytest.raises(services.ValidationError):
        services.record_outcome(interview, bad, interview.interviewer)
    services.record_outcome(
        interview,
        services.Outcome(attendance="no_show", decision="reject", reason_code=DecisionReason.NO_SHOW),
        interview.interviewer,
    )
    application = Application.objects.get(pk=interview.application_id)
    assert application.status == S.REJECTED
    assert application.public_status_text().endswith("Alasan: Tidak hadir wawancara.")


def test_rescheduled_in_the_outcome_form_creates_a_new_interview(client):
    interview = _due_interview()
    client.force_login(interview.interviewer)
    response = client.post(
        reverse("sigap_interviews:outcome", args=[interview.pk]),
        {"attendance": "rescheduled", "new_scheduled_at": "2030-01-08T13:00", "note": "Anak sakit"},
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.attendance == "rescheduled" and interview.note == "Anak sakit"
    new = Interview.objects.get(application=interview.application, attendance="scheduled")
    assert _wib(new.scheduled_at) == "2030-01-08 13:00"
    assert new.place == interview.place and new.interviewer == interview.interviewer


def test_decided_interview_cannot_be_recorded_again():
    interview = _due_interview()
    outcome = services.Outcome(
        attendance="came", scores=dict.fromkeys(Interview.SCORE_FIELDS, 4), decision="accept"
    )
    services.record_outcome(interview, outcome, interview.interviewer)
    with pytest.raises(services.ValidationError, match="sudah dicatat"):
        services.record_outcome(interview, outcome, interview.interviewer)


# --- Single scheduling -------------------------------------------------------------------------
def test_schedule_view_refuses_not_eligible_without_override_and_creates_nothing(client):
    application = ApplicationFactory(status=S.NOT_ELIGIBLE)
    client.force_login(UserFactory(editor=True))
    response = client.post(
        reverse("sigap_interviews:schedule", args=[application.pk]),
        {"scheduled_at": "2030-01-07T09:00", "place": "Aula", "interviewer": UserFactory(interviewer=True).pk},
    )
    assert response.status_code == 200
    assert "pengecualian kelayakan" in " ".join(response.context["form"].non_field_errors())
    assert not Interview.objects.filter(application=application).exists()


def test_schedule_view_schedules_and_shows_the_whatsapp_link(client):
    application = ApplicationFactory(status=S.VERIFIED)
    interviewer = UserFactory(interviewer=True)
    client.force_login(UserFactory(editor=True))
    response = client.post(
        reverse("sigap_interviews:schedule", args=[application.pk]),
        {"scheduled_at": "2030-01-07T09:00", "place": "Aula", "interviewer": interviewer.pk},
    )
    assert response.status_code == 200
    interview = Interview.objects.get(application=application)
    assert _wib(interview.scheduled_at) == "2030-01-07 09:00"
    assert services.interview_whatsapp_link(interview).replace("&", "&amp;") in response.content.decode()


def test_interviewer_cannot_schedule(client):
    application = ApplicationFactory(status=S.VERIFIED)
    client.force_login(UserFactory(interviewer=True))
    assert client.get(reverse("sigap_interviews:schedule", args=[application.pk])).status_code == 403
    assert client.get(reverse("sigap_interviews:bulk")).status_code == 403


def test_interviewer_choices_are_the_pewawancara_group_and_superusers():
    interviewer, editor = UserFactory(interviewer=True), UserFactory(editor=True)
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@sigap.example", "x" * 12)
    users = set(services.interviewer_users())
    assert interviewer in users and admin in users and editor not in users


def test_admin_pages_render_for_their_users_and_the_menu_shows_only_what_the_role_may_use(client):
    interview = _due_interview()
    client.force_login(interview.interviewer)
    home = client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    menu = home.content.decode()
    assert reverse("sigap_interviews:mine") in menu
    assert reverse("sigap_interviews:bulk") not in menu
    assert client.get(reverse("sigap_interviews:outcome", args=[interview.pk])).status_code == 200

    client.force_login(UserFactory(editor=True))
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("sigap_interviews:bulk") in menu and reverse("sigap_interviews:all") in menu
    for url in (
        reverse("sigap_interviews:bulk"),
        reverse("sigap_interviews:schedule", args=[interview.application_id]),
        reverse("sigap_interviews:outcome", args=[interview.pk]),
        reverse("sigap_interviews:mine"),
    ):
        assert client.get(url).status_code == 200, url


# --- Manual status changes ---------------------------------------------------------------------
def test_editor_offers_a_waitlisted_applicant_a_seat_from_the_status_page(client):
    interview = _due_interview(attendance="came", recorded_at=timezone.now(), application__status=S.WAITLISTED)
    application = interview.application
    editor = UserFactory(editor=True)
    client.force_login(editor)
    url = reverse("sigap_interviews:status", args=[application.pk])
    page = client.get(url)
    assert [c for c, _label in page.context["form"].fields["new_status"].choices] == [
        S.ACCEPTED, S.REJECTED, S.WITHDRAWN
    ]
    response = client.post(url, {"new_status": S.ACCEPTED, "note": "Ada kursi kosong"})
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).status == S.ACCEPTED
    entry = ModelLogEntry.objects.for_instance(application).get()
    assert (entry.action, entry.user, entry.data["note"]) == ("sigap.application.accept", editor, "Ada kursi kosong")


def test_status_page_shows_the_workflow_refusal_and_changes_nothing(client):
    application = ApplicationFactory(status=S.WAITLISTED)
    client.force_login(UserFactory(editor=True))
    response = client.post(reverse("sigap_interviews:status", args=[application.pk]), {"new_status": S.REJECTED})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Pilih alasan penolakan dari daftar."]
    assert Application.objects.get(pk=application.pk).status == S.WAITLISTED


def test_interviewer_cannot_change_application_status(client):
    application = ApplicationFactory(status=S.VERIFIED)
    client.force_login(UserFactory(interviewer=True))
    response = client.post(reverse("sigap_interviews:status", args=[application.pk]), {"new_status": S.WITHDRAWN})
    assert response.status_code == 403
    assert Application.objects.get(pk=application.pk).status == S.VERIFIED


def test_interview_lists_run_a_fixed_number_of_queries_whatever_the_row_count(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    interviewer = UserFactory(interviewer=True)
    client.force_login(interviewer)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    InterviewFactory(interviewer=interviewer)
    few = count(reverse("sigap_interviews:mine"))
    for _ in range(4):
        InterviewFactory(interviewer=interviewer)
    assert count(reverse("sigap_interviews:mine")) == few

    client.force_login(UserFactory(editor=True))
    few = count(reverse("sigap_interviews:all"))
    for _ in range(4):
        InterviewFactory()
    assert count(reverse("sigap_interviews:all")) == few
