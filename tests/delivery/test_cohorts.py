"""Classes: enrolment with capacity, withdrawal and seat re-offer, attendance grid, completion, printouts."""

import datetime
import sqlite3
import threading
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from applicants.delivery import services
from applicants.enums import ApplicationStatus
from applicants.models import Application, Attendance, Enrolment
from programs.models import Cohort
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CohortSessionFactory,
    EnrolmentFactory,
    InterviewFactory,
    ProgramFactory,
    UserFactory,
)
from tests.file_sqlite import point_connections_at_file_copy

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory(username="editor", is_superuser=True, is_staff=True)


def accepted_for(cohort, **kwargs):
    return ApplicationFactory(accepted=True, intake=cohort.intake, program=cohort.program, **kwargs)


def test_accepted_applicant_is_enrolled_and_application_marked_enrolled(editor):
    cohort = CohortFactory()
    application = accepted_for(cohort)
    enrolment = services.enrol(application, cohort, editor)
    application.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert application.status == ApplicationStatus.ENROLLED
    assert ModelLogEntry.objects.filter(action="sigap.enrol", object_id=str(enrolment.pk)).exists()


def test_applicant_can_be_enrolled_in_the_program_the_interviewer_recommended(editor):
    cohort = CohortFactory()
    application = ApplicationFactory(accepted=True, intake=cohort.intake, program=ProgramFactory())
    with pytest.raises(ValidationError):
        services.enrol(application, cohort, editor)
    InterviewFactory(decided=True, application=application, recommended_program=cohort.program)
    assert services.enrol(application, cohort, editor).cohort == cohort


def test_only_accepted_applications_can_be_enrolled(editor):
    cohort = CohortFactory()
    application = accepted_for(cohort)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.WAITLISTED)
    with pytest.raises(ValidationError):
        services.enrol(application, cohort, editor)
    assert not Enrolment.objects.exists()


def test_full_class_refuses_another_participant(editor):
    cohort = CohortFactory(capacity=1)
    services.enrol(accepted_for(cohort), cohort, editor)
    with pytest.raises(services.CohortFull):
        services.enrol(accepted_for(cohort), cohort, editor)
    assert cohort.enrolments.count() == 1


def test_database_refuses_a_second_active_enrolment_for_one_application(editor):
    from django.db import IntegrityError, transaction

    enrolment = EnrolmentFactory()
    other = CohortFactory(intake=enrolment.cohort.intake, program=enrolment.cohort.program)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(application=enrolment.application, cohort=other)
    # once withdrawn, a new active enrolment is allowed
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.WITHDRAWN)
    Enrolment.objects.create(application=enrolment.application, cohort=other)


def test_bulk_enrol_fills_the_free_seats_and_reports_the_rest(editor):
    cohort = CohortFactory(capacity=2)
    apps = [accepted_for(cohort) for _ in range(3)]
    result = services.bulk_enrol(apps, cohort, editor)
    assert len(result.enrolled) == 2
    assert [a for a, _reason in result.refused] == [apps[2]]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_editors_enrolling_the_last_seat_at_once_cannot_overfill(tmp_path, editor):
    """Two threads, two connections, one file SQLite database: exactly one gets the last seat."""
    if connection.vendor != "sqlite":
        pytest.skip("file-SQLite race; PostgreSQL relies on select_for_update")
    cohort = CohortFactory(capacity=1)
    first, second = accepted_for(cohort), accepted_for(cohort)
    path, restore = point_connections_at_file_copy(tmp_path)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(application):
        try:
            barrier.wait()
            services.enrol(application, cohort, editor)
            outcomes.append("enrolled")
        except services.CohortFull:
            outcomes.append("full")
        except Exception as exc:  # a lock error would be a failure of the design
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=attempt, args=(a,)) for a in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        restore()
    assert sorted(outcomes) == ["enrolled", "full"]
    with sqlite3.connect(path) as db:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM applicants_enrolment WHERE cohort_id = ? AND status != 'withdrawn'", (cohort.pk,)
        ).fetchone()
    assert count == 1


def test_withdrawal_offers_the_seat_to_the_longest_waiting_waitlisted_applicant(editor):
    cohort = CohortFactory()
    enrolment = services.enrol(accepted_for(cohort), cohort, editor)
    now = datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
    newer = accepted_for(cohort, status_changed_at=now)
    older = accepted_for(cohort, status_changed_at=now - datetime.timedelta(days=3))
    other_program = ApplicationFactory(
        accepted=True, intake=cohort.intake, status_changed_at=now - datetime.timedelta(days=9)
    )
    Application.objects.filter(pk__in=[newer.pk, older.pk, other_program.pk]).update(
        status=ApplicationStatus.WAITLISTED)
    for waiting in (newer, older, other_program):  # waitlisted after an interview, as the workflow requires
        InterviewFactory(decided=True, application=waiting, decision="waitlist")

    offered = services.withdraw(enrolment, editor, "pindah kota")

    assert offered == older
    for obj in (older, newer, enrolment):
        obj.refresh_from_db()
    assert older.status == ApplicationStatus.ACCEPTED and newer.status == ApplicationStatus.WAITLISTED
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    assert enrolment.application.status == ApplicationStatus.WITHDRAWN
    assert ModelLogEntry.objects.filter(action="sigap.seat_offered", object_id=str(older.pk)).exists()


def test_attendance_grid_saves_all_rows_in_one_post(client, editor):
    cohort = CohortFactory()
    session = CohortSessionFactory(cohort=cohort, number=1)
    a, b = EnrolmentFactory(cohort=cohort), EnrolmentFactory(cohort=cohort)
    client.force_login(editor)
    url = reverse("delivery:session_attendance", args=[session.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {f"mark-{a.pk}": "present", f"mark-{b.pk}": "excused"})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("enrolment_id", "mark")) == {a.pk: "present", b.pk: "excused"}
    session.refresh_from_db()
    assert session.held
    client.post(url, {f"mark-{a.pk}": "absent", f"mark-{b.pk}": "excused"})
    assert Attendance.objects.get(enrolment=a).mark == "absent"
    assert Attendance.objects.count() == 2


def test_attendance_for_someone_outside_the_class_is_refused(editor):
    session = CohortSessionFactory()
    stranger = EnrolmentFactory()
    with pytest.raises(ValidationError):
        services.save_attendance(session, {stranger.pk: "present"}, editor)
    assert not Attendance.objects.exists()


def test_attendance_percentage_leaves_excused_sessions_out_of_the_count():
    assert services.attendance_pct(present=8, excused=0, held=10) == Decimal("80.00")
    assert services.attendance_pct(present=7, excused=1, held=10) == Decimal("77.78")
    assert services.attendance_pct(present=0, excused=4, held=4) == Decimal("0.00")


def test_completion_applies_attendance_and_score_rule(editor):
    cohort = CohortFactory(min_attendance_pct=80, min_final_score=60)
    sessions = [CohortSessionFactory(cohort=cohort, number=i) for i in range(1, 6)]
    CohortSessionFactory(cohort=cohort, number=6)  # not held: does not count
    good = EnrolmentFactory(cohort=cohort, final_score=75)
    absent = EnrolmentFactory(cohort=cohort, final_score=90)
    low_score = EnrolmentFactory(cohort=cohort, final_score=59)
    for i, s in enumerate(sessions):
        services.save_attendance(s, {
            good.pk: "excused" if i == 0 else "present",
            absent.pk: "present" if i < 3 else "absent",
            low_score.pk: "present",
        }, editor)
    counts = services.complete_cohort(cohort, editor)
    assert counts == {"completed": 1, "not_completed": 2}
    for obj in (good, absent, low_score):
        obj.refresh_from_db()
    assert good.status == Enrolment.Status.COMPLETED and good.attendance_pct == Decimal("100.00")
    assert absent.status == Enrolment.Status.NOT_COMPLETED and absent.attendance_pct == Decimal("60.00")
    assert low_score.status == Enrolment.Status.NOT_COMPLETED
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.COMPLETED
    with pytest.raises(ValidationError):
        services.complete_cohort(cohort, editor)  # results stay fixed once awards may build on them


def test_printable_attendance_sheet_lists_participants_with_signature_column(client, editor):
    session = CohortSessionFactory()
    e = EnrolmentFactory(cohort=session.cohort)
    client.force_login(editor)
    html = client.get(reverse("delivery:session_sheet", args=[session.pk])).content.decode()
    assert "DAFTAR HADIR" in html and "Tanda tangan" in html
    assert e.application.applicant.full_name in html


def test_participant_xlsx_keeps_nik_as_text_and_has_signature_column(client, editor):
    cohort = CohortFactory()
    e = EnrolmentFactory(cohort=cohort)
    client.force_login(editor)
    response = client.get(reverse("delivery:cohort_participants_xlsx", args=[cohort.pk]))
    ws = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = [r for r in ws.iter_rows(values_only=True)]
    header = next(r for r in rows if r and r[0] == "No.")
    assert header[-1] == "Tanda tangan"
    data = rows[rows.index(header) + 1]
    assert data[1] == e.application.applicant.nik and isinstance(data[1], str)


def test_cohort_screens_render_for_an_editor(client, editor):
    cohort = CohortFactory()
    EnrolmentFactory(cohort=cohort)
    accepted_for(cohort)
    client.force_login(editor)
    for url in ["/admin/programs/cohort/", reverse("delivery:cohort_detail", args=[cohort.pk]),
                reverse("delivery:cohort_enrol", args=[cohort.pk])]:
        assert client.get(url).status_code == 200, url


def test_bulk_enrol_from_the_filtered_list(client, editor):
    cohort = CohortFactory()
    apps = [accepted_for(cohort) for _ in range(2)]
    client.force_login(editor)
    client.post(reverse("delivery:cohort_enrol", args=[cohort.pk]), {"application": [a.pk for a in apps]})
    assert cohort.enrolments.count() == 2


def test_screens_refuse_users_without_permission(client):
    cohort = CohortFactory()
    client.force_login(UserFactory(username="nobody", is_staff=True))
    response = client.get(reverse("delivery:cohort_detail", args=[cohort.pk]))
    assert response.status_code in (302, 403)


def test_demo_seed_builds_classes_awards_groups_and_follow_ups_once(editor):
    from applicants.delivery import demo as delivery_demo
    from applicants.models import BusinessGroup, CapitalAward, FollowUp

    cohort_program = ProgramFactory()
    intake = ApplicationFactory(accepted=True, program=cohort_program).intake  # one accepted application
    intake.programs.add(cohort_program)
    for _ in range(11):
        ApplicationFactory(accepted=True, intake=intake, program=cohort_program)
    # A round that ended over a year ago: attendance, completion and handovers are refused in the future.
    today = timezone.localdate()
    type(intake).objects.filter(pk=intake.pk).update(
        registration_opens=today - datetime.timedelta(days=520),
        registration_closes=today - datetime.timedelta(days=490),
    )
    first = delivery_demo.seed(today=today)
    assert first["cohorts"] == 1 and first["enrolments"] == 12
    assert CapitalAward.objects.filter(enrolment__isnull=False).count() == 3
    assert BusinessGroup.objects.count() == 1
    assert FollowUp.objects.count() == 3 * Enrolment.objects.filter(status="completed").count()
    counts = (Enrolment.objects.count(), CapitalAward.objects.count(), FollowUp.objects.count())
    assert delivery_demo.seed(today=today) == {"cohorts": 0, "enrolments": 0, "awards": 0, "groups": 0,
                                               "followups": 0}
    assert (Enrolment.objects.count(), CapitalAward.objects.count(), FollowUp.objects.count()) == counts


def test_editor_role_gets_the_delivery_permissions():
    from django.contrib.auth.models import Group

    from applicants.privacy import roles

    editor_perms = set(Group.objects.get(name=roles.EDITOR).permissions.values_list("codename", flat=True))
    assert {"change_capitalaward", "add_cohort", "view_followup"} <= editor_perms
    auditor_perms = set(Group.objects.get(name=roles.AUDITOR).permissions.values_list("codename", flat=True))
    assert "view_capitalaward" in auditor_perms and "change_capitalaward" not in auditor_perms
