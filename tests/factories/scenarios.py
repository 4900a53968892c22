"""A small world for the per-role screen tests: two kecamatan, interviews and a class with people in each,
and one user per role."""

import datetime

from django.utils import timezone

from applicants.enums import ApplicationStatus
from applicants.models import CapitalAward, Enrolment
from programs.models import Kecamatan, Kelurahan

from .delivery import EnrolmentFactory
from .people import ApplicantFactory, ApplicationFactory
from .programs import CapitalPackageFactory, CohortFactory, CohortSessionFactory
from .selection import InterviewFactory
from .staff import UserFactory

WORLD_ROLES = ["superuser", "editor", "editor_kec1", "interviewer", "comms", "auditor"]


def build_role_world() -> dict:
    """Ani (kecamatan 1) and Budi (kecamatan 2) await interviews by two interviewers; Citra (1) and Dodi (2)
    finished a class and were proposed capital awards. `users` is keyed by WORLD_ROLES (and
    "other_interviewer")."""
    kec1, kec2 = Kecamatan.objects.order_by("code")[:2]
    kel1 = Kelurahan.objects.filter(kecamatan=kec1).order_by("code").first()
    kel2 = Kelurahan.objects.filter(kecamatan=kec2).order_by("code").first()
    users = {
        "superuser": UserFactory(superuser=True, username="root"),
        "editor": UserFactory(editor=True, username="ed"),
        "editor_kec1": UserFactory(editor=True, username="ed1", kecamatan=[kec1]),
        "interviewer": UserFactory(interviewer=True, username="iv"),
        "other_interviewer": UserFactory(interviewer=True, username="iv2"),
        "comms": UserFactory(comms=True, username="hu"),
        "auditor": UserFactory(auditor=True, username="au"),
    }
    scheduled = ApplicationStatus.INTERVIEW_SCHEDULED
    app_ani = ApplicationFactory(applicant=ApplicantFactory(full_name="Ani Satu", kelurahan=kel1), status=scheduled)
    app_budi = ApplicationFactory(
        applicant=ApplicantFactory(full_name="Budi Dua", kelurahan=kel2), intake=app_ani.intake,
        program=app_ani.program, status=scheduled,
    )
    iv_ani = InterviewFactory(application=app_ani, interviewer=users["interviewer"])
    iv_budi = InterviewFactory(application=app_budi, interviewer=users["other_interviewer"])

    cohort = CohortFactory(end_date=datetime.date(2026, 3, 31))
    session = CohortSessionFactory(cohort=cohort)

    def participant(name, kel):
        application = ApplicationFactory(
            applicant=ApplicantFactory(full_name=name, kelurahan=kel), intake=cohort.intake, program=cohort.program,
            status=ApplicationStatus.ENROLLED,
        )
        return EnrolmentFactory(cohort=cohort, application=application, status=Enrolment.Status.COMPLETED)

    e_citra, e_dodi = participant("Citra Tiga", kel1), participant("Dodi Empat", kel2)
    package = CapitalPackageFactory(program=cohort.program)
    award_citra = CapitalAward.propose(user=users["editor"], package=package, enrolment=e_citra, place=1)
    award_dodi = CapitalAward.propose(user=users["editor"], package=package, enrolment=e_dodi, place=2)
    return {
        "users": users, "kec1": kec1, "kec2": kec2, "kel1": kel1, "kel2": kel2,
        "app_ani": app_ani, "app_budi": app_budi, "iv_ani": iv_ani, "iv_budi": iv_budi,
        "cohort": cohort, "session": session, "e_citra": e_citra, "e_dodi": e_dodi,
        "award_citra": award_citra, "award_dodi": award_dodi, "now": timezone.now(),
    }
