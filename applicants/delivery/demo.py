"""Demo delivery data for `seed_demo`: classes, sessions, attendance, scores, awards, KUB and follow-ups.

Built from the demo applications already seeded (accepted ones), deterministic and idempotent. The
random choices are seeded by natural keys (intake and class names, NIKs), never by row ids: PostgreSQL
does not give back the ids of rolled-back rows, so ids differ between databases and runs, and the demo
must come out the same on each: a class that already has participants is left as it is.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from applicants.delivery import services
from applicants.enums import ApplicationStatus
from applicants.models import (
    Application,
    BusinessGroup,
    CapitalAward,
    Enrolment,
    FollowUp,
    GroupMembership,
    GroupState,
    with_state,
)
from applicants.models.groups import shift_months
from programs.models import CapitalPackage, Cohort, CohortSession, Instructor, Intake

MIN_CLASS = 5
CLASS_SIZE = 20
SESSIONS = 12


def _users():
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["editor", "admin"])}
    if len(users) < 2:  # seed_demo creates both; standalone calls get two system users
        for name in ("editor", "admin"):
            users[name] = users.get(name) or User.objects.get_or_create(username=f"demo-{name}")[0]
    return users["editor"], users["admin"]


def seed(today: datetime.date | None = None, stdout=None) -> dict[str, int]:
    today = today or timezone.localdate()
    editor, admin = _users()
    summary = {"cohorts": 0, "enrolments": 0, "awards": 0, "groups": 0, "followups": 0}
    pairs = (
        Application.objects.filter(status=ApplicationStatus.ACCEPTED)
        .values("intake", "program").annotate(n=Count("pk")).filter(n__gte=MIN_CLASS).order_by("intake", "program")
    )
    intakes = Intake.objects.in_bulk({p["intake"] for p in pairs})
    for pair in pairs:
        intake = intakes[pair["intake"]]
        cohort = _cohort(intake, pair["program"], today)
        if cohort.enrolments.exists():
            continue
        summary["cohorts"] += 1
        accepted = Application.objects.filter(intake=intake, program_id=pair["program"],
                                              status=ApplicationStatus.ACCEPTED).order_by("submitted_at")
        result = services.bulk_enrol(list(accepted[:cohort.capacity]), cohort, editor)
        summary["enrolments"] += len(result.enrolled)
        if cohort.end_date < today:
            summary["awards"] += _run_class(cohort, editor, admin)
    for intake in Intake.objects.filter(cohorts__status=Cohort.Status.COMPLETED).distinct():
        summary["groups"] += _groups(intake, editor, admin, today)
    summary["followups"] += _followups(today, editor)
    if stdout:
        stdout.write("Pelaksanaan demo: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return summary


def _cohort(intake, program_id, today) -> Cohort:
    start = intake.registration_closes + datetime.timedelta(days=30)
    cohort, created = Cohort.objects.get_or_create(
        intake=intake, program_id=program_id, name=f"Kelas {intake.programs.get(pk=program_id).name} A",
        defaults={"venue": "UPT Pelatihan Dinsos Kota Tangerang", "start_date": start,
                  "end_date": start + datetime.timedelta(days=41), "capacity": CLASS_SIZE},
    )
    if created:
        cohort.status = Cohort.Status.RUNNING if cohort.start_date <= today else Cohort.Status.PLANNED
        cohort.save(update_fields=["status"])
        instructor, _ = Instructor.objects.get_or_create(
            name=f"Instruktur {cohort.program.name}", skill=cohort.program, defaults={"phone": "+6281100000000"})
        cohort.instructors.add(instructor)
        CohortSession.objects.bulk_create([
            CohortSession(cohort=cohort, number=i + 1, date=start + datetime.timedelta(days=3 * i))
            for i in range(SESSIONS)
        ])
        CapitalPackage.objects.get_or_create(
            program=cohort.program, name=f"Paket usaha {cohort.program.name}",
            defaults={"contents": "Peralatan dasar dan bahan awal usaha", "value_rupiah": 5_000_000})
        CapitalPackage.objects.get_or_create(
            program=cohort.program, name=f"Paket KUB {cohort.program.name}",
            defaults={"contents": "Peralatan bersama kelompok", "value_rupiah": 25_000_000, "for_groups": True})
    return cohort


def _run_class(cohort, editor, admin) -> int:
    """Attendance, scores, completion and top-3 awards for a class that has ended."""
    rng = random.Random(f"class-{cohort.intake.name}-{cohort.name}")
    enrolments = list(cohort.enrolments.filter(status=Enrolment.Status.ACTIVE))
    diligence = {e.pk: rng.choice([0.7, 0.85, 0.95, 1.0, 1.0]) for e in enrolments}
    for session in cohort.sessions.all():
        marks = {}
        for e in enrolments:
            roll = rng.random()
            marks[e.pk] = "present" if roll < diligence[e.pk] else ("excused" if roll < diligence[e.pk] + 0.05
                                                                      else "absent")
        services.save_attendance(session, marks, editor)
    services.save_scores(cohort, {e.pk: rng.randint(50, 98) for e in enrolments}, editor)
    services.complete_cohort(cohort, editor)
    package = CapitalPackage.objects.filter(program=cohort.program, for_groups=False).first()
    awards = services.propose_top3(cohort, editor, package)
    for i, award in enumerate(awards):
        award.approve(admin)
        # The demo's history: approved a week after the class ended, handed over a week later.
        award.approved_at = timezone.make_aware(datetime.datetime.combine(
            cohort.end_date + datetime.timedelta(days=7), datetime.time(10)))
        CapitalAward.objects.filter(pk=award.pk).update(approved_at=award.approved_at)
        handover_day = cohort.end_date + datetime.timedelta(days=14)
        if i < 2 and handover_day <= timezone.localdate():
            award.hand_over(admin, on=handover_day,
                            number=f"BA-{cohort.pk:03d}-{award.place}/{cohort.end_date:%Y}")
    return len(awards)


def _groups(intake, editor, admin, today=None) -> int:
    """One KUB per completed class from graduates not yet in a group, with its business plan and account,
    a proposed-then-approved award and monthly reports (the oldest group stopped reporting: dormant)."""
    today = today or timezone.localdate()
    created = 0
    in_group = GroupMembership.objects.filter(active=True).values("applicant")
    for cohort in intake.cohorts.filter(status=Cohort.Status.COMPLETED).order_by("end_date", "pk"):
        free = list(cohort.enrolments.filter(status=Enrolment.Status.COMPLETED)
                    .exclude(application__applicant__in=in_group).select_related("application__applicant")[:7])
        if len(free) < 5 or BusinessGroup.objects.filter(intake=intake, name=f"KUB {cohort.name}").exists():
            continue
        group = services.form_group(intake=intake, name=f"KUB {cohort.name}", business_type=cohort.program.name,
                                    kelurahan=free[0].application.applicant.kelurahan, enrolments=free,
                                    chair=free[0], user=editor)
        _group_business(group, cohort, editor, today)
        package = CapitalPackage.objects.filter(program=cohort.program, for_groups=True).first()
        if package:
            CapitalAward.propose(user=editor, package=package, group=group).approve(admin)
        created += 1
    return created


def _group_business(group, cohort, editor, today) -> None:
    """Plan, account and up to six months of reports. One group formed long ago reported its first two
    months and then nothing: it shows the dormant state on the dashboard and in the register."""
    rng = random.Random(f"group-{group.intake.name}-{group.name}")
    formed = min(cohort.end_date + datetime.timedelta(days=7), today)
    group.created_at = timezone.make_aware(datetime.datetime.combine(formed, datetime.time(9)))
    BusinessGroup.objects.filter(pk=group.pk).update(created_at=group.created_at)
    services.save_plan(
        group, editor, product=f"Produk {cohort.program.name}",
        market="Warga sekitar, kantor kelurahan, pesanan daring",
        capital_use="Peralatan bersama dan bahan baku tiga bulan pertama",
        expected_monthly_income_rupiah=rng.choice([3_000_000, 4_500_000, 6_000_000]))
    members = list(group.memberships.filter(active=True).order_by("pk"))
    services.save_account(group, editor, bank=rng.choice(["Bank BJB", "BRI", "Bank Mandiri"]),
                          account_number=f"{rng.randrange(10**9, 10**10)}{group.pk:03d}", holders=members[:2])
    first, this_month = formed.replace(day=1), today.replace(day=1)
    months = []
    month = max(first, shift_months(this_month, -5))
    while month <= this_month:
        months.append(month)
        month = shift_months(month, 1)
    already_dormant = with_state(BusinessGroup.objects.exclude(pk=group.pk), today).filter(
        state=GroupState.DORMANT).exists()
    if first < shift_months(this_month, -5) and not already_dormant:
        months = [first, shift_months(first, 1)]  # reported twice, then went quiet
    for i, month in enumerate(months):
        meeting = i % 4 != 3  # now and then a month without a meeting
        services.record_report(
            group, editor, period=month, meeting_held=meeting,
            members_present=[m for m in members if rng.random() < 0.8] or members[:1] if meeting else [],
            sales_rupiah=rng.randrange(10, 80) * 100_000, cash_balance_rupiah=rng.randrange(5, 40) * 100_000,
            problems=rng.choice(["", "", "Bahan baku naik", "Satu anggota sakit"]), today=today)


def _followups(today, editor) -> int:
    created = 0
    graduates = Enrolment.objects.filter(status=Enrolment.Status.COMPLETED).select_related(
        "cohort__intake", "application__applicant")
    done = set(FollowUp.objects.values_list("enrolment_id", "milestone"))
    for e in graduates:
        rng = random.Random(f"followup-{e.cohort.intake.name}-{e.cohort.name}-{e.application.applicant.nik}")
        for m in FollowUp.Milestone.values:
            if (e.pk, m) in done or services.add_months(e.cohort.end_date, m) > today:
                continue
            working = rng.choice(["own_business", "own_business", "employed", "not_working"])
            services.record_followup(
                e, m, editor, working_status=working, business_running=working == "own_business",
                income_band="none" if working == "not_working" else rng.choice(["lt_1m", "1m_2m", "2m_3m"]),
                receiving_bansos=rng.random() < 0.6)
            created += 1
    return created
