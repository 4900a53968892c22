"""Demo selection for `seed_demo`: a welfare register batch, the eligibility check, interviews and decisions.

Runs after `applicants.intake.demo.seed_applicants` and before `applicants.delivery.demo.seed`, so every admin
screen (Pendaftar, register import, interview schedule, delivery) shows a realistic funnel. Every status
change goes through the workflow (eligibility check, `schedule_bulk`, `record_outcome`, `withdraw`).

Deterministic and idempotent: each application's intended end of the funnel is drawn from a random
generator seeded with its reference, and an application is only moved forward while it is short of that
end; a second run finds nothing to do. The register batch is imported once (recognised by its file name).
"""

from __future__ import annotations

import csv
import datetime
import random
import tempfile
from collections import Counter
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from applicants.enums import ApplicationStatus, DecisionReason, Register
from applicants.models import Applicant, Application, Interview, WelfareImportBatch
from applicants.selection import services as interviews
from applicants.welfare.eligibility import check_open_applications
from applicants.welfare.importer import import_register
from programs.models import Intake

S = ApplicationStatus
REGISTER_FILE = "dtsen-demo-kota-tangerang.csv"
REGISTER_COVERAGE = 0.85  # share of demo applicants found in the register
KK_MISMATCH = 0.04  # of those found: registered under another KK
HIGH_DESIL = 0.06  # of those found: desil above the intakes' limit (4)
UNCHECKED_DAYS = 1  # open-intake applications from the last day wait for the next check ("Terkirim")
PLACE = "Aula Kantor Dinas Sosial Kota Tangerang, Jl. Satria Sudirman No. 1"

# Where a verified application ends up: (target, weight). Closed intakes are fully decided.
CLOSED_TARGETS = (("accepted", 44), ("waitlisted", 16), ("rejected", 18), ("no_show", 8), ("interviewed", 6),
                  ("withdrawn", 4), ("verified", 4))
OPEN_TARGETS = (("verified", 40), ("interview_scheduled", 35), ("interviewed", 12), ("accepted", 5),
                ("no_show", 4), ("withdrawn", 4))
REJECT_REASONS = (DecisionReason.OTHER_PROGRAM_FITS, DecisionReason.NOT_AVAILABLE, DecisionReason.QUOTA_FULL)
DECISIONS = {"accepted": Interview.Decision.ACCEPT, "waitlisted": Interview.Decision.WAITLIST,
             "rejected": Interview.Decision.REJECT, "interviewed": ""}


def seed(today: datetime.date | None = None, stdout=None) -> dict[str, int]:
    """Import the demo register, check eligibility, schedule and record interviews. Returns counts of moves."""
    today = today or timezone.localdate()
    editor, interviewer = _users()
    summary: Counter = Counter()
    summary["register_rows"] = _import_register(editor, today)
    recent = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=UNCHECKED_DAYS),
                                                           datetime.time()))
    checked = check_open_applications(
        Application.objects.exclude(submitted_at__gte=recent, intake__registration_closes__gte=today), user=editor
    )
    summary["status_changed_by_check"] = checked.get("status_changed", 0)
    for intake in Intake.objects.order_by("pk"):
        closed = intake.registration_state(today) == "closed"
        targets = CLOSED_TARGETS if closed else OPEN_TARGETS
        plan = _plan(intake, targets)
        summary["withdrawn"] += _withdraw(plan, editor)
        summary["scheduled"] += _schedule(intake, plan, interviewer, editor)
        summary["recorded"] += _record(intake, plan, interviewer, closed, today)
        if not closed:
            summary["due"] += _make_due(intake, plan, today)
    if stdout:
        stdout.write("Seleksi demo: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return dict(summary)


def _users():
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["editor", "pewawancara"])}
    if len(users) < 2:
        raise RuntimeError("selection_demo needs the demo users 'editor' and 'pewawancara' (seed_demo creates them)")
    return users["editor"], users["pewawancara"]


# --- Register ------------------------------------------------------------------------------------
def _import_register(user, today: datetime.date) -> int:
    """One DTSEN extract holding most demo applicants (a few under another KK or a higher desil), some
    other residents and two malformed rows (the import's rejection report has something to show)."""
    if WelfareImportBatch.objects.filter(file_name=REGISTER_FILE).exists():
        return 0
    rows = [["NIK", "No KK", "Nama", "Tgl Lahir", "Jenis Kelamin", "Alamat", "RT", "RW", "Kode Kelurahan",
             "Desil", "Bansos"]]
    people = Applicant.objects.select_related("kelurahan").order_by("pk").iterator(chunk_size=2000)
    for person in people:
        rng = random.Random(f"register-{person.nik}")
        if rng.random() >= REGISTER_COVERAGE:
            continue
        kk = person.kk_number
        if rng.random() < KK_MISMATCH:
            kk = kk[:-4] + f"{(int(kk[-4:]) + 1) % 10000:04d}"
        desil = rng.randint(5, 7) if rng.random() < HIGH_DESIL else rng.randint(1, 4)
        rows.append([person.nik, kk, person.full_name.upper(), person.birth_date.strftime("%d-%m-%Y"),
                     "P" if person.sex == "P" else "L", person.address, person.rt, person.rw,
                     person.kelurahan.code if person.kelurahan_id else "", desil,
                     rng.choice(["PKH", "BPNT", "PKH, BPNT", ""])])
    rows.append(["3671xx", "3671", "BARIS RUSAK", "", "", "", "", "", "", "2", ""])
    rows.append(["", "", "", "", "", "", "", "", "", "", ""])
    rows.append(["367101010190", "", "TANPA KK", "", "", "", "", "", "", "3", ""])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / REGISTER_FILE
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, delimiter=";").writerows(rows)
        batch = import_register(path, register=Register.DTSEN, as_of=today - datetime.timedelta(days=30),
                                user=user, check_eligibility=False)
    return batch.rows_accepted


# --- Funnel --------------------------------------------------------------------------------------
def _plan(intake: Intake, targets) -> dict[int, str]:
    """Application id -> where it should end, for the intake's applications that passed the check."""
    names, weights = [t for t, _w in targets], [w for _t, w in targets]
    # Seeded by NIK, not by the reference: that is made from the row id, which differs between databases.
    eligible = Application.objects.filter(intake=intake, eligibility="verified").values_list("pk", "applicant__nik")
    return {pk: random.Random(f"funnel-{intake.name}-{nik}").choices(names, weights=weights)[0] for pk, nik in eligible}


def _withdraw(plan: dict[int, str], user) -> int:
    ids = [pk for pk, target in plan.items() if target == "withdrawn"]
    moved = 0
    for application in Application.objects.filter(pk__in=ids, status=S.VERIFIED).order_by("pk"):
        application.withdraw(user, note="Sudah bekerja (demo)")
        moved += 1
    return moved


def _schedule(intake: Intake, plan: dict[int, str], interviewer, user) -> int:
    ids = [pk for pk, target in plan.items() if target not in ("verified", "withdrawn")]
    waiting = Application.objects.filter(pk__in=ids, status=S.VERIFIED).order_by("submitted_at", "pk")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(8, 0)))
    scheduled = 0
    while True:
        chunk = list(waiting[: interviews.BULK_LIMIT])
        if not chunk:
            return scheduled
        # A day per chunk of slots (20 minutes each), so the schedule reads like a real one.
        day_start = start + datetime.timedelta(days=scheduled // 24)
        result = interviews.schedule_bulk(chunk, start=day_start, slot_minutes=20, place=PLACE,
                                          interviewer=interviewer, user=user)
        if not result.scheduled:
            return scheduled
        scheduled += len(result.scheduled)


DUE_NOW = 6  # waiting interviews of an open intake that already took place today, awaiting their outcome


def _make_due(intake: Intake, plan: dict[int, str], today: datetime.date) -> int:
    """Move a few waiting interviews to this morning (before now), so the interviewer has outcomes to record:
    an outcome is refused before the interview's time. Idempotent: only while none is due yet."""
    waiting = Interview.objects.filter(application__intake=intake, attendance=Interview.Attendance.SCHEDULED)
    now = timezone.now()
    if waiting.filter(scheduled_at__lte=now).exists():
        return 0
    ids = [pk for pk, target in plan.items() if target == "interview_scheduled"]
    due = list(waiting.filter(application_id__in=ids).order_by("scheduled_at", "pk")[:DUE_NOW])
    first = now - datetime.timedelta(minutes=20 * (len(due) + 1))
    for i, interview in enumerate(due):
        Interview.objects.filter(pk=interview.pk).update(scheduled_at=first + datetime.timedelta(minutes=20 * i))
    return len(due)


def _record(intake: Intake, plan: dict[int, str], interviewer, closed: bool, today: datetime.date) -> int:
    ids = [pk for pk, target in plan.items() if target not in ("verified", "withdrawn", "interview_scheduled")]
    pending = (
        Interview.objects.filter(application_id__in=ids, attendance=Interview.Attendance.SCHEDULED,
                                 application__status=S.INTERVIEW_SCHEDULED)
        .select_related("application__intake", "application__program", "application__applicant").order_by("pk")
    )
    recorded = 0
    for interview in pending:
        target = plan[interview.application_id]
        rng = random.Random(f"outcome-{intake.name}-{interview.application.applicant.nik}")
        # An outcome is refused before the interview's time: the demo's interviews were held in the past,
        # a closed intake's between registration and the classes, an open one's in the last days.
        if closed:
            held_on = intake.registration_closes + datetime.timedelta(days=rng.randint(3, 20))
        else:
            held_on = timezone.localdate() - datetime.timedelta(days=rng.randint(1, 5))
        held = timezone.make_aware(datetime.datetime.combine(
            held_on, datetime.time(rng.randint(8, 15), rng.choice([0, 20, 40]))))
        with transaction.atomic():
            Interview.objects.filter(pk=interview.pk).update(scheduled_at=held)
            interview.scheduled_at = held
            interviews.record_outcome(interview, _outcome(target, rng), interviewer)
            Interview.objects.filter(pk=interview.pk).update(recorded_at=held)
        recorded += 1
    return recorded


def _outcome(target: str, rng: random.Random) -> interviews.Outcome:
    if target == "no_show":
        return interviews.Outcome(attendance=Interview.Attendance.NO_SHOW, decision=Interview.Decision.REJECT,
                                  reason_code=DecisionReason.NO_SHOW, note="Tidak datang, tidak bisa dihubungi.")
    base = {"accepted": 4, "waitlisted": 3, "interviewed": 3, "rejected": 2}[target]
    scores = {name: max(1, min(5, base + rng.choice([-1, 0, 0, 1]))) for name in Interview.SCORE_FIELDS}
    reason = rng.choice(REJECT_REASONS) if target == "rejected" else ""
    if target == "waitlisted":
        reason = DecisionReason.QUOTA_FULL
    return interviews.Outcome(attendance=Interview.Attendance.CAME, scores=scores, decision=DECISIONS[target],
                              reason_code=reason, note="Wawancara demo.")
