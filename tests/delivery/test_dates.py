"""Dates and states that cannot be faked: attendance, class completion, handover and follow-up refuse
what has not happened yet, and every refusal says why."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applicants.delivery import services
from applicants.models import Attendance, CapitalAward, Enrolment, FollowUp
from programs.models import Cohort
from tests.factories import CapitalPackageFactory, CohortFactory, CohortSessionFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def editor():
    return UserFactory(username="editor", is_superuser=True, is_staff=True)


@pytest.fixture
def approver():
    return UserFactory(username="approver", is_superuser=True, is_staff=True)


def test_attendance_for_a_session_in_the_future_is_refused(editor):
    session = CohortSessionFactory(date=TODAY + DAY)
    enrolment = EnrolmentFactory(cohort=session.cohort)
    with pytest.raises(ValidationError) as exc:
        services.save_attendance(session, {enrolment.pk: "present"}, editor)
    assert "kehadiran dicatat pada hari itu" in exc.value.messages[0]
    assert not Attendance.objects.exists()
    session.refresh_from_db()
    assert not session.held


def test_attendance_on_the_session_day_itself_is_accepted(editor):
    session = CohortSessionFactory(date=TODAY)
    enrolment = EnrolmentFactory(cohort=session.cohort)
    assert services.save_attendance(session, {enrolment.pk: "present"}, editor) == 1


def test_the_attendance_screen_shows_the_future_refusal_instead_of_saving(client, editor):
    session = CohortSessionFactory(date=TODAY + 7 * DAY)
    enrolment = EnrolmentFactory(cohort=session.cohort)
    client.force_login(editor)
    response = client.post(reverse("delivery:session_attendance", args=[session.pk]),
                           {f"mark-{enrolment.pk}": "present"}, follow=True)
    assert "kehadiran dicatat pada hari itu" in response.content.decode()
    assert not Attendance.objects.exists()


def running_class(last_session_day):
    cohort = CohortFactory(start_date=TODAY - 30 * DAY, end_date=max(last_session_day, TODAY - DAY),
                           status=Cohort.Status.RUNNING)
    CohortSessionFactory(cohort=cohort, number=1, date=TODAY - 30 * DAY)
    CohortSessionFactory(cohort=cohort, number=2, date=last_session_day)
    EnrolmentFactory(cohort=cohort, final_score=90)
    return cohort


def test_a_class_is_not_completed_before_its_last_session(editor):
    cohort = running_class(TODAY + 3 * DAY)
    with pytest.raises(ValidationError) as exc:
        services.complete_cohort(cohort, editor)
    assert "early_reason" in exc.value.error_dict
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.RUNNING
    assert not Enrolment.objects.filter(cohort=cohort, status="completed").exists()


def test_an_early_close_with_a_reason_is_allowed_and_the_reason_is_logged(editor):
    from wagtail.models import ModelLogEntry

    cohort = running_class(TODAY + 3 * DAY)
    services.complete_cohort(cohort, editor, early_reason="   Gedung dipakai untuk pengungsian banjir ")
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.COMPLETED
    entry = ModelLogEntry.objects.get(action="sigap.cohort.complete", object_id=str(cohort.pk))
    assert entry.data["early_reason"] == "Gedung dipakai untuk pengungsian banjir"


def test_a_blank_reason_is_no_reason(editor):
    cohort = running_class(TODAY + DAY)
    with pytest.raises(ValidationError):
        services.complete_cohort(cohort, editor, early_reason="   ")


def test_a_session_added_after_the_end_date_moves_the_earliest_closing_day(editor):
    cohort = CohortFactory(start_date=TODAY - 30 * DAY, end_date=TODAY - DAY)
    CohortSessionFactory(cohort=cohort, number=1, date=TODAY + 2 * DAY)
    assert services.last_session_day(cohort) == TODAY + 2 * DAY
    with pytest.raises(ValidationError):
        services.complete_cohort(cohort, editor)


def test_the_class_page_shows_why_it_cannot_close_yet(client, editor):
    cohort = running_class(TODAY + 3 * DAY)
    client.force_login(editor)
    response = client.post(reverse("delivery:cohort_detail", args=[cohort.pk]), {"action": "complete"}, follow=True)
    assert "tulis alasannya" in response.content.decode()


def approved_award(editor, approver):
    cohort = CohortFactory(status=Cohort.Status.COMPLETED)
    enrolment = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.COMPLETED, final_score=90,
                                 attendance_pct=Decimal("100"))
    award = CapitalAward.propose(user=editor, package=CapitalPackageFactory(program=cohort.program),
                                 enrolment=enrolment, place=1)
    award.approve(approver)
    return award


@pytest.mark.parametrize(("offset", "message"), [
    (DAY, "tidak boleh di masa depan"),
    (-DAY, "tidak boleh sebelum tanggal persetujuan"),
])
def test_handover_dated_in_the_future_or_before_the_approval_is_refused(editor, approver, offset, message):
    award = approved_award(editor, approver)
    with pytest.raises(ValidationError) as exc:
        award.hand_over(approver, on=TODAY + offset, number="BA-1")
    assert message in " ".join(exc.value.error_dict["handed_over_on"][0].messages)
    award.refresh_from_db()
    assert award.state == CapitalAward.State.APPROVED and award.handed_over_on is None


def test_handover_on_the_approval_day_is_accepted(editor, approver):
    award = approved_award(editor, approver)
    award.hand_over(approver, on=TODAY, number="BA-1")
    assert award.state == CapitalAward.State.HANDED_OVER


def test_handover_form_refusal_is_shown_on_the_award_page(client, editor, approver):
    award = approved_award(editor, approver)
    client.force_login(approver)
    response = client.post(reverse("delivery:award_detail", args=[award.pk]), {
        "action": "hand_over", "handed_over_on": (TODAY + 30 * DAY).isoformat(), "handover_number": "BA-7"},
        follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and response.redirect_chain == []  # the form stays, with what was typed
    # The refusal sits in the form, right before the date field's input, and the typed number is kept.
    error_at = html.index("tidak boleh di masa depan")
    assert html.index('name="handed_over_on"') > error_at > html.index('enctype="multipart/form-data"')
    assert 'value="BA-7"' in html


def graduate(end_date):
    cohort = CohortFactory(start_date=end_date - 30 * DAY, end_date=end_date, status=Cohort.Status.COMPLETED)
    return EnrolmentFactory(cohort=cohort, status=Enrolment.Status.COMPLETED)


ANSWERS = {"working_status": "own_business", "business_running": True, "income_band": "1m_2m",
           "receiving_bansos": False}


def test_a_follow_up_long_before_it_is_due_is_refused(editor):
    enrolment = graduate(TODAY - 30 * DAY)  # 3-month follow-up due in about two months
    with pytest.raises(ValidationError) as exc:
        services.record_followup(enrolment, 3, editor, **ANSWERS)
    assert "bisa dicatat mulai" in exc.value.messages[0]
    assert not FollowUp.objects.exists()


def test_a_follow_up_a_few_days_before_it_is_due_is_fine(editor):
    due = TODAY + 5 * DAY
    end = services.add_months(due, -3)
    enrolment = graduate(end)
    assert services.add_months(end, 3) >= TODAY
    services.record_followup(enrolment, 3, editor, **ANSWERS)
    assert FollowUp.objects.filter(enrolment=enrolment, milestone=3).exists()


def test_the_twelve_month_follow_up_is_refused_at_six_months(editor):
    enrolment = graduate(services.add_months(TODAY, -6))
    services.record_followup(enrolment, 6, editor, **ANSWERS)
    with pytest.raises(ValidationError):
        services.record_followup(enrolment, 12, editor, **ANSWERS)


def test_the_follow_up_screen_says_why_it_is_too_early_instead_of_a_500(client, editor):
    enrolment = graduate(TODAY - 10 * DAY)
    client.force_login(editor)
    response = client.post(reverse("delivery:followup_record", args=[enrolment.pk, 12]), {
        "working_status": "own_business", "business_running": "yes", "receiving_bansos": "no", "income_band": "1m_2m"})
    assert response.status_code == 200
    assert "bisa dicatat mulai" in response.content.decode()
    assert not FollowUp.objects.exists()


# --- Follow-up answers: yes, no, not asked --------------------------------------------------------


def followup_post(**answers):
    return {"working_status": "own_business", "income_band": "1m_2m", "note": "", **answers}


def test_follow_up_answers_keep_yes_no_and_not_asked_apart(client, editor):
    enrolment = graduate(services.add_months(TODAY, -3))
    client.force_login(editor)
    url = reverse("delivery:followup_record", args=[enrolment.pk, 3])
    html = client.get(url).content.decode()
    assert "Tidak ditanyakan" in html and "checked" not in html  # nothing chosen for the graduate
    response = client.post(url, followup_post(business_running="yes", receiving_bansos="not_asked"))
    assert response.status_code == 302
    record = FollowUp.objects.get(enrolment=enrolment, milestone=3)
    assert record.business_running is True and record.receiving_bansos is None
    html = client.get(url).content.decode()
    assert html.count("checked") == 2
    assert 'value="not_asked" required id="id_receiving_bansos_2" checked' in html
    client.post(url, followup_post(business_running="no", receiving_bansos="no"))
    record.refresh_from_db()
    assert record.business_running is False and record.receiving_bansos is False


@pytest.mark.parametrize("value", ["", "maybe", "True", "1"])
def test_a_follow_up_answer_must_be_chosen_from_the_three(client, editor, value):
    enrolment = graduate(services.add_months(TODAY, -3))
    client.force_login(editor)
    response = client.post(reverse("delivery:followup_record", args=[enrolment.pk, 3]),
                           followup_post(business_running=value, receiving_bansos="yes"))
    assert response.status_code == 200 and response.context["form"].errors["business_running"]
    assert not FollowUp.objects.exists()


def test_follow_up_due_list_phones_are_click_to_call(client, editor):
    enrolment = graduate(services.add_months(TODAY.replace(day=1), -3))
    client.force_login(editor)
    html = client.get(reverse("delivery:followup_due"), {"month": TODAY.strftime("%Y-%m")}).content.decode()
    phone = enrolment.application.applicant.phone
    assert f'href="tel:{phone}"' in html
