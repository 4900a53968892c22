"""Interviews at times people can come: office hours, holidays, no double booking, a round that does not fit,
the printable daily schedule and the greeting from the NIK's sex."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from applicants.models import Interview
from applicants.selection import services
from applicants.selection.calendar import OfficeHours
from programs.models import Holiday
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    IntakeFactory,
    InterviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2030, 1, 7)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def wib(value) -> str:
    return timezone.localtime(value).strftime("%a %d %H:%M")


def applications(n, intake=None):
    intake = intake or IntakeFactory()
    return [ApplicationFactory(intake=intake) for _ in range(n)]


def schedule(apps, start, **kwargs):
    kwargs.setdefault("slot_minutes", 60)
    kwargs.setdefault("place", "Aula Kelurahan")
    kwargs.setdefault("interviewer", UserFactory(interviewer=True))
    return services.schedule_bulk(apps, start=start, user=UserFactory(editor=True), **kwargs)


def test_slots_skip_the_lunch_break_the_evening_and_the_weekend():
    friday = MONDAY + datetime.timedelta(days=4)
    result = schedule(applications(6), at(friday, 11))
    assert [wib(i.scheduled_at) for i in result.scheduled] == [
        "Fri 11 11:00", "Fri 11 13:00", "Fri 11 14:00", "Fri 11 15:00", "Mon 14 08:00", "Mon 14 09:00",
    ]
    assert all(i.duration_minutes == 60 for i in result.scheduled)


def test_a_start_before_office_hours_begins_at_eight_and_a_late_start_moves_to_the_next_day():
    assert wib(schedule(applications(1), at(MONDAY, 5)).scheduled[0].scheduled_at) == "Mon 07 08:00"
    assert wib(schedule(applications(1), at(MONDAY, 15, 30)).scheduled[0].scheduled_at) == "Tue 08 08:00"


def test_holidays_listed_by_editors_get_no_interview():
    Holiday.objects.create(date=MONDAY, name="Tahun Baru Imlek")
    result = schedule(applications(1), at(MONDAY, 8))
    assert wib(result.scheduled[0].scheduled_at) == "Tue 08 08:00"


def test_custom_hours_and_saturday_work():
    hours = OfficeHours(working_days=frozenset({5}), day_start=datetime.time(9), day_end=datetime.time(11),
                        break_start=None, break_end=None)
    result = schedule(applications(3), at(MONDAY, 8), slot_minutes=60, hours=hours)
    assert [wib(i.scheduled_at) for i in result.scheduled] == ["Sat 12 09:00", "Sat 12 10:00", "Sat 19 09:00"]


def test_a_start_in_the_past_is_refused():
    with pytest.raises(ValidationError) as exc:
        schedule(applications(1), timezone.now() - datetime.timedelta(minutes=1))
    assert "sudah lewat" in str(exc.value)
    assert not Interview.objects.exists()


def test_the_interviewer_is_never_booked_twice_at_one_time():
    interviewer = UserFactory(interviewer=True)
    InterviewFactory(interviewer=interviewer, scheduled_at=at(MONDAY, 8, 30), duration_minutes=30, place="Kantor lain")
    result = schedule(applications(2), at(MONDAY, 8), slot_minutes=30, interviewer=interviewer)
    assert [wib(i.scheduled_at) for i in result.scheduled] == ["Mon 07 08:00", "Mon 07 09:00"]


def test_one_room_typed_differently_is_still_one_room():
    InterviewFactory(scheduled_at=at(MONDAY, 8), duration_minutes=60, place="aula   KELURAHAN")
    result = schedule(applications(1), at(MONDAY, 8), place="Aula Kelurahan")
    assert wib(result.scheduled[0].scheduled_at) == "Mon 07 09:00"


def test_a_round_that_does_not_fit_before_the_last_day_schedules_nobody_and_says_how_many_fit():
    apps = applications(8)
    with pytest.raises(ValidationError) as exc:
        schedule(apps, at(MONDAY, 8), last_day=MONDAY)  # 7 one-hour slots on one day
    assert "Hanya 7 dari 8 pendaftar muat" in " ".join(exc.value.messages)
    assert not Interview.objects.exists()
    assert {a.status for a in type(apps[0]).objects.filter(pk__in=[a.pk for a in apps])} == {S.VERIFIED}


@pytest.mark.parametrize(("hours", "field"), [
    (OfficeHours(working_days=frozenset()), "working_days"),
    (OfficeHours(day_start=datetime.time(16), day_end=datetime.time(8)), "day_end"),
    (OfficeHours(break_start=datetime.time(13), break_end=datetime.time(12)), "break_end"),
    (OfficeHours(break_start=datetime.time(17), break_end=datetime.time(18)), "break_end"),
])
def test_office_hours_that_hold_no_interview_are_refused(hours, field):
    with pytest.raises(ValidationError) as exc:
        schedule(applications(1), at(MONDAY, 8), hours=hours)
    assert field in exc.value.error_dict


def bulk_data(intake, interviewer, **extra):
    data = {"intake": intake.pk, "start": "2030-01-07T08:00", "slot_minutes": 60, "place": "Aula",
            "interviewer": interviewer.pk}
    data.update(extra)
    return data


def test_bulk_view_says_the_round_does_not_fit_instead_of_running_into_the_night(client):
    intake = IntakeFactory()
    applications(8, intake)
    client.force_login(UserFactory(editor=True))
    response = client.post(reverse("sigap_interviews:bulk"),
                           bulk_data(intake, UserFactory(interviewer=True), last_day="2030-01-07", confirm="1"))
    assert response.status_code == 200
    assert "Hanya 7 dari 8 pendaftar muat" in response.content.decode()
    assert not Interview.objects.exists()


def test_bulk_view_puts_an_upside_down_break_next_to_its_field(client):
    intake = IntakeFactory()
    client.force_login(UserFactory(editor=True))
    response = client.post(reverse("sigap_interviews:bulk"),
                           bulk_data(intake, UserFactory(interviewer=True), break_start="13:00", break_end="12:00"))
    assert response.context["form"].errors["break_end"]


def test_bulk_view_preview_shows_office_hour_slots(client):
    intake = IntakeFactory()
    applications(5, intake)
    client.force_login(UserFactory(editor=True))
    interviewer = UserFactory(interviewer=True)
    response = client.post(reverse("sigap_interviews:bulk"), bulk_data(intake, interviewer, preview="1"))
    times = [wib(row["when"]) for row in response.context["preview"]["rows"]]
    assert times == ["Mon 07 08:00", "Mon 07 09:00", "Mon 07 10:00", "Mon 07 11:00", "Mon 07 13:00"]
    assert not Interview.objects.exists()


def test_scheduling_one_application_onto_a_taken_interviewer_is_refused_next_to_the_time(client):
    interviewer = UserFactory(interviewer=True)
    InterviewFactory(interviewer=interviewer, scheduled_at=at(MONDAY, 9), duration_minutes=20)
    application = ApplicationFactory()
    client.force_login(UserFactory(editor=True))
    response = client.post(reverse("sigap_interviews:schedule", args=[application.pk]),
                           {"scheduled_at": "2030-01-07T09:10", "place": "Ruang lain", "interviewer": interviewer.pk})
    assert response.status_code == 200
    assert "sudah punya wawancara" in " ".join(response.context["form"].errors["scheduled_at"])
    assert not application.interviews.exists()


def test_rescheduling_into_a_taken_room_is_refused():
    InterviewFactory(scheduled_at=at(MONDAY, 10), duration_minutes=20, place="Aula")
    interview = InterviewFactory(scheduled_at=at(MONDAY, 9), place="Aula")
    editor = UserFactory(editor=True)
    outcome = services.Outcome(attendance=Interview.Attendance.RESCHEDULED, new_scheduled_at=at(MONDAY, 10, 10))
    with pytest.raises(ValidationError) as exc:
        services.record_outcome(interview, outcome, editor)
    assert "new_scheduled_at" in exc.value.error_dict
    interview.refresh_from_db()
    assert interview.attendance == Interview.Attendance.SCHEDULED


# --- Greeting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("nik", "greeting"), [
    ("3671014505900001", "Ibu"),   # day 45 = 5th, a woman
    ("3671010505900001", "Bapak"),
    ("3671017105900001", "Ibu"),   # day 71 = 31st
])
def test_whatsapp_invitation_greets_bapak_or_ibu_from_the_nik(nik, greeting):
    sex = "P" if greeting == "Ibu" else "L"
    birth = datetime.date(1990, 5, int(nik[6:8]) - (40 if sex == "P" else 0))
    applicant = ApplicantFactory(nik=nik, sex=sex, birth_date=birth, full_name="Sari Dewi")
    interview = InterviewFactory(application=ApplicationFactory(applicant=applicant, status=S.INTERVIEW_SCHEDULED))
    text = services.invitation_text(interview)
    assert text.startswith(f"Assalamualaikum/Salam sejahtera {greeting} Sari Dewi.")
    assert "Bapak/Ibu" not in text


def test_the_greeting_follows_the_nik_even_when_the_sex_field_disagrees():
    applicant = ApplicantFactory.build(nik="3671014505900001", sex="L")
    assert services.salutation(applicant) == "Ibu"


# --- Printable daily schedule ---------------------------------------------------------------------


def test_printed_schedule_groups_by_interviewer_and_place_and_carries_what_the_talk_needs(client):
    mine, other = UserFactory(interviewer=True, first_name="Rina"), UserFactory(interviewer=True, first_name="Budi")
    applicant = ApplicantFactory(full_name="Warga Cetak", household_size=6, occupation="Buruh cuci",
                                 nik="3671010505900077")
    application = ApplicationFactory(applicant=applicant, motivation="Ingin membuka warung nasi",
                                      status=S.INTERVIEW_SCHEDULED)
    InterviewFactory(application=application, interviewer=mine, scheduled_at=at(MONDAY, 9), place="Aula")
    InterviewFactory(interviewer=other, scheduled_at=at(MONDAY, 9), place="Ruang 2")
    client.force_login(UserFactory(editor=True))
    response = client.get(reverse("sigap_interviews:print"), {"date": "2030-01-07"})
    html = response.content.decode()
    assert response.status_code == 200
    assert [(g["interviewer"].first_name, g["place"]) for g in response.context["groups"]] == [
        ("Rina", "Aula"), ("Budi", "Ruang 2")]
    for text in ("Warga Cetak", "Buruh cuci", "Ingin membuka warung nasi", ">6<", str(application.program),
                 "@media print", "DINAS SOSIAL"):
        assert text in html, text
    assert "3671010505900077" not in html


def test_an_interviewer_prints_only_their_own_interviews(client):
    mine, other = UserFactory(interviewer=True), UserFactory(interviewer=True)
    own = InterviewFactory(interviewer=mine, scheduled_at=at(MONDAY, 9))
    InterviewFactory(interviewer=other, scheduled_at=at(MONDAY, 10),
                     application=ApplicationFactory(applicant=ApplicantFactory(full_name="Bukan Milik Saya"),
                                                    status=S.INTERVIEW_SCHEDULED))
    client.force_login(mine)
    html = client.get(reverse("sigap_interviews:print"), {"date": "2030-01-07", "interviewer": other.pk})
    assert "Bukan Milik Saya" not in html.content.decode()
    html = client.get(reverse("sigap_interviews:print"), {"date": "2030-01-07"}).content.decode()
    assert own.application.applicant.full_name in html and "Bukan Milik Saya" not in html


@pytest.mark.parametrize("query", [{"date": "2030-02-30"}, {"date": "kemarin"}, {"interviewer": "x"}])
def test_a_hand_typed_print_url_never_gives_a_500(client, query):
    client.force_login(UserFactory(editor=True))
    assert client.get(reverse("sigap_interviews:print"), query).status_code == 200


def test_comms_cannot_print_the_schedule(client, django_user_model):

    client.force_login(UserFactory(comms=True))
    assert client.get(reverse("sigap_interviews:print")).status_code == 403


# --- No outcome before the interview's time ---------------------------------------------------------


@pytest.mark.parametrize("attendance", [Interview.Attendance.CAME, Interview.Attendance.NO_SHOW])
def test_no_outcome_is_recorded_before_the_interview_time(attendance):
    interview = InterviewFactory(scheduled_at=timezone.now() + datetime.timedelta(hours=2))
    scores = {name: 4 for name in Interview.SCORE_FIELDS}
    outcome = services.Outcome(attendance=attendance, scores=scores)
    with pytest.raises(ValidationError) as exc:
        services.record_outcome(interview, outcome, UserFactory(editor=True))
    assert "baru bisa dicatat setelah waktunya" in " ".join(exc.value.error_dict["attendance"][0].messages)
    interview.refresh_from_db()
    assert interview.attendance == Interview.Attendance.SCHEDULED
    assert interview.application.status == S.INTERVIEW_SCHEDULED


def test_outcome_form_shows_the_too_early_refusal_next_to_attendance(client):
    interview = InterviewFactory(scheduled_at=timezone.now() + datetime.timedelta(days=1))
    client.force_login(interview.interviewer)
    data = {"attendance": "came", "decision": "", **{f"score_{n}": "4" for n in Interview.SCORE_FIELDS}}
    response = client.post(reverse("sigap_interviews:outcome", args=[interview.pk]), data)
    assert response.status_code == 200
    assert "setelah waktunya" in " ".join(response.context["form"].errors["attendance"])


def test_a_future_interview_may_still_be_rescheduled():
    interview = InterviewFactory(scheduled_at=at(MONDAY, 9))
    outcome = services.Outcome(attendance=Interview.Attendance.RESCHEDULED, new_scheduled_at=at(MONDAY, 14))
    services.record_outcome(interview, outcome, UserFactory(editor=True))
    assert interview.application.interviews.filter(attendance=Interview.Attendance.SCHEDULED).get().scheduled_at == \
        at(MONDAY, 14)
