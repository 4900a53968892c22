"""The application status workflow: allowed moves, refused moves with their messages, audit log."""

import datetime

import pytest
from django.utils import timezone
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from applicants import workflow
from applicants.enums import ApplicationStatus as S
from applicants.enums import DecisionReason
from applicants.models import Application, Interview
from applicants.workflow import LOG_ACTIONS, TRANSITIONS, TransitionError
from tests.factories import ApplicationFactory, InterviewFactory, UserFactory

pytestmark = pytest.mark.django_db

# The workflow as the issue states it, written out independently of the code's table.
EXPECTED_EDGES = {
    (S.SUBMITTED, S.VERIFIED), (S.SUBMITTED, S.NOT_ELIGIBLE), (S.SUBMITTED, S.INTERVIEW_SCHEDULED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.VERIFIED, S.NOT_ELIGIBLE), (S.VERIFIED, S.INTERVIEW_SCHEDULED), (S.VERIFIED, S.WITHDRAWN),
    (S.NOT_ELIGIBLE, S.VERIFIED), (S.NOT_ELIGIBLE, S.INTERVIEW_SCHEDULED), (S.NOT_ELIGIBLE, S.WITHDRAWN),
    (S.INTERVIEW_SCHEDULED, S.INTERVIEW_SCHEDULED), (S.INTERVIEW_SCHEDULED, S.INTERVIEWED),
    (S.INTERVIEW_SCHEDULED, S.REJECTED), (S.INTERVIEW_SCHEDULED, S.WITHDRAWN),
    (S.INTERVIEWED, S.ACCEPTED), (S.INTERVIEWED, S.WAITLISTED), (S.INTERVIEWED, S.REJECTED),
    (S.INTERVIEWED, S.WITHDRAWN),
    (S.WAITLISTED, S.ACCEPTED), (S.WAITLISTED, S.REJECTED), (S.WAITLISTED, S.WITHDRAWN),
    (S.ACCEPTED, S.ENROLLED), (S.ACCEPTED, S.WITHDRAWN),
    (S.ENROLLED, S.WITHDRAWN),
}


def _edges():
    return {(old, new) for old, targets in TRANSITIONS.items() for new in targets}


def test_transition_table_matches_the_workflow_of_the_issue():
    assert _edges() == EXPECTED_EDGES
    assert set(TRANSITIONS) == set(S.values)


def test_withdrawal_is_possible_from_every_non_final_status():
    for status, targets in TRANSITIONS.items():
        if status not in (S.REJECTED, S.WITHDRAWN):
            assert S.WITHDRAWN in targets, status


def _prepare(application: Application, old: str, new: str) -> str:
    """Meet the preconditions of old -> new; return the reason code the move needs."""
    if new == S.INTERVIEW_SCHEDULED and old != S.VERIFIED:
        application.eligibility_override = True
        application.save(update_fields=["eligibility_override"])
    if new in (S.INTERVIEWED, S.ACCEPTED, S.WAITLISTED):
        InterviewFactory(application=application, attendance="came", recorded_at=timezone.now())
    if new == S.REJECTED and old == S.INTERVIEW_SCHEDULED:
        InterviewFactory(application=application, attendance="no_show", recorded_at=timezone.now())
        return DecisionReason.NO_SHOW
    if new == S.REJECTED:
        return DecisionReason.QUOTA_FULL
    return ""


@pytest.mark.parametrize(("old", "new"), sorted(EXPECTED_EDGES))
def test_every_allowed_transition_changes_status_and_writes_an_audit_entry(old, new):
    user = UserFactory(editor=True)
    application = ApplicationFactory(status=old, status_changed_at=timezone.now() - datetime.timedelta(days=3))
    reason = _prepare(application, old, new)

    application.transition_to(new, user, reason=reason, note="catatan uji")

    application.refresh_from_db()
    assert application.status == new
    assert application.status_changed_at > timezone.now() - datetime.timedelta(minutes=1)
    assert application.decision_reason == reason
    entry = ModelLogEntry.objects.for_instance(application).get()
    assert entry.user == user
    assert entry.data["from"] == old and entry.data["to"] == new
    assert entry.data["reason"] == reason and entry.data["note"] == "catatan uji"
    expected_action = "sigap.application.reschedule_interview" if old == new else LOG_ACTIONS[new][0]
    assert entry.action == expected_action


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (S.SUBMITTED, S.ACCEPTED, "Status tidak bisa diubah dari «Terkirim» ke «Diterima»."),
        (S.VERIFIED, S.ENROLLED, "Status tidak bisa diubah dari «Terverifikasi» ke «Terdaftar di kelas»."),
        (S.INTERVIEWED, S.VERIFIED, "Status tidak bisa diubah dari «Sudah diwawancara» ke «Terverifikasi»."),
        (S.REJECTED, S.ACCEPTED, "Pendaftaran berstatus «Tidak diterima» sudah final dan tidak bisa diubah lagi."),
        (S.WITHDRAWN, S.VERIFIED, "Pendaftaran berstatus «Mengundurkan diri» sudah final dan tidak bisa diubah lagi."),
    ],
)
def test_moves_outside_the_table_are_refused_with_an_indonesian_message(old, new, message):
    application = ApplicationFactory(status=old)
    with pytest.raises(TransitionError) as exc:
        application.transition_to(new, UserFactory(editor=True), reason=DecisionReason.QUOTA_FULL)
    assert exc.value.messages == [message]
    application.refresh_from_db()
    assert application.status == old
    assert not ModelLogEntry.objects.for_instance(application).exists()


@pytest.mark.parametrize("new", [S.ACCEPTED, S.WAITLISTED])
def test_accept_or_waitlist_without_interview_outcome_is_refused(new):
    application = ApplicationFactory(status=S.INTERVIEWED)
    # An interview that was only scheduled is not an outcome.
    InterviewFactory(application=application, attendance="rescheduled")
    with pytest.raises(TransitionError, match="Belum ada hasil wawancara"):
        application.transition_to(new)
    assert Application.objects.get(pk=application.pk).status == S.INTERVIEWED


def test_waitlisted_applicant_can_be_offered_a_seat_later():
    application = ApplicationFactory(status=S.WAITLISTED)
    InterviewFactory(application=application, attendance="came", recorded_at=timezone.now())
    application.accept(UserFactory(editor=True))
    assert Application.objects.get(pk=application.pk).status == S.ACCEPTED


def test_not_eligible_applicant_cannot_be_interviewed_without_override():
    application = ApplicationFactory(status=S.NOT_ELIGIBLE)
    when = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(TransitionError, match="pengecualian kelayakan"):
        application.schedule_interview(when, "Aula", UserFactory(interviewer=True), UserFactory(editor=True))
    assert not Interview.objects.filter(application=application).exists()

    application.eligibility_override = True
    application.save(update_fields=["eligibility_override"])
    interview = application.schedule_interview(when, "Aula", UserFactory(interviewer=True), UserFactory(editor=True))
    assert interview.attendance == "scheduled"
    assert Application.objects.get(pk=application.pk).status == S.INTERVIEW_SCHEDULED


def test_rejection_needs_a_reason_from_the_fixed_list():
    application = ApplicationFactory(status=S.INTERVIEWED)
    with pytest.raises(TransitionError, match="Pilih alasan penolakan"):
        application.reject(UserFactory(editor=True))
    with pytest.raises(TransitionError, match="tidak ada dalam daftar alasan"):
        application.reject(UserFactory(editor=True), reason="malas")


def test_before_the_interview_only_a_recorded_no_show_can_be_rejected():
    application = ApplicationFactory(status=S.INTERVIEW_SCHEDULED)
    InterviewFactory(application=application)
    with pytest.raises(TransitionError, match="Tidak hadir wawancara"):
        application.reject(UserFactory(editor=True), reason=DecisionReason.NO_SHOW)
    with pytest.raises(TransitionError, match="Tidak hadir wawancara"):
        application.reject(UserFactory(editor=True), reason=DecisionReason.QUOTA_FULL)


def test_a_stale_copy_cannot_overwrite_a_newer_status():
    application = ApplicationFactory(status=S.VERIFIED)
    stale = Application.objects.get(pk=application.pk)
    application.withdraw(UserFactory(editor=True))
    with pytest.raises(TransitionError, match="baru saja diubah orang lain"):
        stale.mark_not_eligible(UserFactory(editor=True))
    assert Application.objects.get(pk=application.pk).status == S.WITHDRAWN


def test_rescheduling_keeps_the_old_interview_as_rescheduled_and_logs_it():
    editor, interviewer = UserFactory(editor=True), UserFactory(interviewer=True)
    application = ApplicationFactory(status=S.VERIFIED)
    first = application.schedule_interview(timezone.now() + datetime.timedelta(days=1), "Aula", interviewer, editor)
    second = application.schedule_interview(
        timezone.now() + datetime.timedelta(days=2), "Kantor Kelurahan", interviewer, editor
    )
    first.refresh_from_db()
    assert first.attendance == "rescheduled"
    assert second.attendance == "scheduled" and second.place == "Kantor Kelurahan"
    assert application.active_interview() == second
    actions = list(ModelLogEntry.objects.for_instance(application).order_by("id").values_list("action", flat=True))
    assert actions == ["sigap.application.schedule_interview", "sigap.application.reschedule_interview"]
    entry = ModelLogEntry.objects.for_instance(application).order_by("id").last()
    assert entry.data["replaces"] == [first.pk] and entry.data["interview"] == second.pk


def test_only_interviewers_can_be_given_an_interview():
    application = ApplicationFactory(status=S.VERIFIED)
    with pytest.raises(TransitionError, match="bukan pewawancara"):
        application.schedule_interview(
            timezone.now() + datetime.timedelta(days=1), "Aula", UserFactory(editor=True), UserFactory(editor=True)
        )
    assert Application.objects.get(pk=application.pk).status == S.VERIFIED


def test_interview_in_the_past_is_refused():
    application = ApplicationFactory(status=S.VERIFIED)
    with pytest.raises(TransitionError, match="sudah lewat"):
        application.schedule_interview(
            timezone.now() - datetime.timedelta(hours=1), "Aula", UserFactory(interviewer=True),
            UserFactory(editor=True),
        )


def test_audit_log_actions_have_indonesian_labels_and_readable_messages():
    application = ApplicationFactory(status=S.INTERVIEWED)
    application.reject(UserFactory(editor=True), reason=DecisionReason.QUOTA_FULL, note="kuota habis")
    entry = ModelLogEntry.objects.for_instance(application).get()
    assert log_registry.get_action_label("sigap.application.reject") == "Pendaftaran: tidak diterima"
    assert log_registry.get_action_label("sigap.application.reschedule_interview") == (
        "Pendaftaran: wawancara dijadwal ulang"
    )
    formatter = log_registry.get_formatter(entry)
    assert formatter.format_message(entry) == (
        "Status: Sudah diwawancara → Tidak diterima (alasan: Kuota kelurahan sudah penuh)"
    )
    assert formatter.format_comment(entry) == "kuota habis"


def test_rejected_resident_reads_the_reason_in_plain_words():
    application = ApplicationFactory(status=S.INTERVIEWED)
    application.reject(UserFactory(editor=True), reason=DecisionReason.NOT_IN_REGISTER)
    text = Application.objects.get(pk=application.pk).public_status_text()
    assert text == (
        "Mohon maaf, Anda belum dapat diterima pada gelombang ini. Alasan: Belum terdaftar di DTSEN/DTKS."
    )


def test_every_status_has_its_own_plain_text_for_the_resident():
    texts = {status: ApplicationFactory(status=status).public_status_text() for status in S.values}
    assert len(set(texts.values())) == len(texts)
    for status, text in texts.items():
        assert text and "_" not in text, status


def test_scheduled_resident_reads_date_time_and_place_in_jakarta_time():
    application = ApplicationFactory(status=S.VERIFIED)
    # 02:30 UTC on Monday 7 January 2030 is 09.30 WIB.
    when = datetime.datetime(2030, 1, 7, 2, 30, tzinfo=datetime.UTC)
    application.schedule_interview(
        when, "Aula Kecamatan Cibodas", UserFactory(interviewer=True), UserFactory(editor=True)
    )
    assert application.public_status_text() == (
        "Anda dijadwalkan wawancara pada Senin, 7 Januari 2030 pukul 09.30 WIB di Aula Kecamatan Cibodas. "
        "Bawa KTP dan Kartu Keluarga."
    )


def test_status_cannot_be_changed_by_assignment_and_save():
    application = Application.objects.get(pk=ApplicationFactory(status=S.VERIFIED).pk)
    application.status = S.ACCEPTED
    with pytest.raises(TransitionError, match="tidak boleh diubah langsung"):
        application.save()
    assert Application.objects.get(pk=application.pk).status == S.VERIFIED
    # Saving other fields, or after a proper transition, still works.
    application.status = S.VERIFIED
    application.motivation = "Ingin buka usaha katering"
    application.save()
    application.withdraw(UserFactory(editor=True))
    application.save()
    assert Application.objects.get(pk=application.pk).status == S.WITHDRAWN


def test_bulk_transition_moves_allowed_rows_in_chunks_with_one_audit_entry_each():
    editor = UserFactory(editor=True)
    submitted = [ApplicationFactory(status=S.SUBMITTED) for _ in range(5)]
    already_verified = ApplicationFactory(status=S.VERIFIED)
    accepted = ApplicationFactory(status=S.ACCEPTED)  # verified is not reachable from accepted
    ids = [a.pk for a in [*submitted, already_verified, accepted]]

    moved = workflow.bulk_transition(Application.objects.filter(pk__in=ids), S.VERIFIED, editor, chunk_size=2)

    assert moved == 5
    statuses = dict(Application.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert {statuses[a.pk] for a in submitted} == {S.VERIFIED}
    assert statuses[accepted.pk] == S.ACCEPTED
    entries = ModelLogEntry.objects.filter(action="sigap.application.verify")
    assert sorted(int(e.object_id) for e in entries) == sorted(a.pk for a in submitted)
    assert {(e.user_id, e.data["from"], e.data["to"]) for e in entries} == {(editor.pk, S.SUBMITTED, S.VERIFIED)}
    assert ModelLogEntry.objects.for_instance(submitted[0]).get().label == submitted[0].reference


def test_bulk_transition_refuses_targets_that_need_per_application_checks():
    with pytest.raises(ValueError):
        workflow.bulk_transition(Application.objects.all(), S.ACCEPTED)


def test_not_eligible_resident_reads_the_register_result_in_plain_words():
    application = ApplicationFactory(status=S.SUBMITTED, eligibility="kk_mismatch")
    application.mark_not_eligible(UserFactory(editor=True))
    assert application.public_status_text().startswith(
        "Mohon maaf, Anda belum memenuhi syarat program ini. "
        "Alasan: Nomor KK tidak sama dengan data DTSEN/DTKS."
    )


def test_a_refreshed_copy_can_be_saved_after_someone_else_moved_the_status():
    application = Application.objects.get(pk=ApplicationFactory(status=S.VERIFIED).pk)
    Application.objects.get(pk=application.pk).withdraw(UserFactory(editor=True))
    application.refresh_from_db()
    application.motivation = "Catatan baru"
    application.save()
    assert Application.objects.get(pk=application.pk).status == S.WITHDRAWN
