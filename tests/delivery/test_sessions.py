"""Class sessions generated from a schedule and edited one by one; an attendance grid of "all present"
and then the exceptions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applicants.delivery.sessions import generate_sessions
from applicants.models import Attendance
from programs.models import Cohort, CohortSession, Holiday
from tests.factories import CohortFactory, CohortSessionFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)
WEEKDAYS = {0, 1, 2, 3, 4}


@pytest.fixture
def editor():
    return UserFactory(username="editor", is_superuser=True, is_staff=True)


@pytest.fixture
def cohort():
    return CohortFactory(start_date=MONDAY, end_date=MONDAY + datetime.timedelta(days=13))


def test_every_weekday_from_start_to_end_gets_a_numbered_session_and_holidays_are_skipped(cohort):
    Holiday.objects.create(date=MONDAY + datetime.timedelta(days=2), name="Nyepi")
    sessions = generate_sessions(cohort, weekdays=WEEKDAYS, first=cohort.start_date, last=cohort.end_date)
    assert len(sessions) == 9  # 10 weekdays in two weeks, one holiday
    assert [s.number for s in cohort.sessions.order_by("number")] == list(range(1, 10))
    assert all(s.date.weekday() < 5 for s in cohort.sessions.all())
    assert not cohort.sessions.filter(date=MONDAY + datetime.timedelta(days=2)).exists()


def test_running_it_again_adds_only_the_missing_days_and_numbers_continue(cohort):
    CohortSessionFactory(cohort=cohort, number=1, date=MONDAY)
    generate_sessions(cohort, weekdays={0}, first=cohort.start_date, last=cohort.end_date)
    assert list(cohort.sessions.order_by("number").values_list("number", "date")) == [
        (1, MONDAY), (2, MONDAY + datetime.timedelta(days=7))]
    assert generate_sessions(cohort, weekdays={0}, first=cohort.start_date, last=cohort.end_date) == []


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"weekdays": set()}, "weekdays"),
    ({"first": MONDAY + datetime.timedelta(days=5), "last": MONDAY}, "last"),
    ({"first": MONDAY - datetime.timedelta(days=1)}, "first"),
    ({"last": MONDAY + datetime.timedelta(days=60)}, "last"),
])
def test_a_schedule_that_makes_no_sense_is_refused_next_to_its_field(cohort, kwargs, field):
    args = {"weekdays": WEEKDAYS, "first": cohort.start_date, "last": cohort.end_date, **kwargs}
    with pytest.raises(ValidationError) as exc:
        generate_sessions(cohort, **args)
    assert field in exc.value.error_dict
    assert not cohort.sessions.exists()


def test_a_completed_class_gets_no_new_sessions(cohort):
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.COMPLETED)
    cohort.refresh_from_db()
    with pytest.raises(ValidationError):
        generate_sessions(cohort, weekdays=WEEKDAYS, first=cohort.start_date, last=cohort.end_date)


def test_generate_screen_creates_the_sessions(client, editor, cohort):
    client.force_login(editor)
    response = client.post(reverse("delivery:cohort_generate_sessions", args=[cohort.pk]), {
        "weekdays": ["1", "3"], "first": "2026-03-02", "last": "2026-03-13", "topic": "Praktik", "skip_holidays": "on"})
    assert response.status_code == 302
    assert cohort.sessions.count() == 4 and set(cohort.sessions.values_list("topic", flat=True)) == {"Praktik"}


def test_generate_screen_shows_errors_next_to_the_field(client, editor, cohort):
    client.force_login(editor)
    response = client.post(reverse("delivery:cohort_generate_sessions", args=[cohort.pk]), {
        "weekdays": ["1"], "first": "2026-03-02", "last": "2026-05-30"})
    assert response.status_code == 200 and response.context["form"].errors["last"]
    assert not cohort.sessions.exists()


def test_a_session_can_be_moved_but_not_onto_another_session_or_outside_the_class(client, editor, cohort):
    first = CohortSessionFactory(cohort=cohort, number=1, date=MONDAY)
    CohortSessionFactory(cohort=cohort, number=2, date=MONDAY + datetime.timedelta(days=1))
    client.force_login(editor)
    url = reverse("delivery:session_edit", args=[first.pk])
    for day in ("2026-03-03", "2026-02-27"):
        response = client.post(url, {"date": day, "topic": "x", "action": "save"})
        assert response.status_code == 200 and response.context["form"].errors["date"], day
    assert client.post(url, {"date": "2026-03-04", "topic": "Gizi", "action": "save"}).status_code == 302
    first.refresh_from_db()
    assert first.date == datetime.date(2026, 3, 4) and first.topic == "Gizi"


def test_a_held_session_cannot_be_deleted(client, editor, cohort):
    session = CohortSessionFactory(cohort=cohort, number=1, date=MONDAY, held=True)
    client.force_login(editor)
    client.post(reverse("delivery:session_edit", args=[session.pk]), {"action": "delete"})
    assert CohortSession.objects.filter(pk=session.pk).exists()


def test_all_present_fills_the_grid_and_the_editor_changes_only_the_exceptions(client, editor):
    session = CohortSessionFactory(date=timezone.localdate())
    people = [EnrolmentFactory(cohort=session.cohort) for _ in range(3)]
    client.force_login(editor)
    url = reverse("delivery:session_attendance", args=[session.pk])
    html = client.get(url, {"semua": "hadir"}).content.decode()
    for e in people:
        assert f'name="mark-{e.pk}" value="present" aria-label="Hadir" checked' in html
    assert client.get(url).content.decode().count("checked") == 0  # nothing is preselected without asking
    data = {f"mark-{e.pk}": "present" for e in people}
    data[f"mark-{people[1].pk}"] = "excused"
    client.post(url, data)
    assert dict(Attendance.objects.values_list("enrolment_id", "mark")) == {
        people[0].pk: "present", people[1].pk: "excused", people[2].pk: "present"}


def test_all_present_keeps_marks_already_saved(client, editor):
    session = CohortSessionFactory(date=timezone.localdate())
    absent, other = EnrolmentFactory(cohort=session.cohort), EnrolmentFactory(cohort=session.cohort)
    Attendance.objects.create(enrolment=absent, session=session, mark="absent")
    client.force_login(editor)
    html = client.get(reverse("delivery:session_attendance", args=[session.pk]), {"semua": "hadir"}).content.decode()
    assert f'name="mark-{absent.pk}" value="absent" aria-label="Tidak hadir" checked' in html
    assert f'name="mark-{other.pk}" value="present" aria-label="Hadir" checked' in html


def test_a_completed_class_shows_its_sessions_locked(client, editor, cohort):
    session = CohortSessionFactory(cohort=cohort, number=1, date=MONDAY)
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.COMPLETED)
    client.force_login(editor)
    for url in (reverse("delivery:session_edit", args=[session.pk]),
                reverse("delivery:cohort_generate_sessions", args=[cohort.pk])):
        response = client.get(url)
        assert response.status_code == 200 and "tidak bisa diubah lagi" in response.content.decode()
    client.post(reverse("delivery:session_edit", args=[session.pk]), {"date": "2026-03-05", "action": "save"})
    session.refresh_from_db()
    assert session.date == MONDAY


def test_the_generate_form_starts_with_the_class_dates_in_iso_form(client, editor, cohort):
    client.force_login(editor)
    html = client.get(reverse("delivery:cohort_generate_sessions", args=[cohort.pk])).content.decode()
    assert 'value="2026-03-02"' in html and 'value="2026-03-15"' in html
