"""Factories and role users for the privacy tests (kept apart from tests/factories.py to spare the merge;
the lead may fold them in)."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from applicants.enums import DtksSelfReport
from applicants.models import Applicant, Application, Interview, StaffProfile
from applicants.privacy.roles import AUDITOR, COMMS, EDITOR, INTERVIEWER
from programs.models import Intake, Kelurahan, Program


def make_nik(serial: int, birth_date=datetime.date(1990, 5, 17), sex="L") -> str:
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"367101{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial % 9999 + 1:04d}"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program Privasi {n}")
    slug = factory.Sequence(lambda n: f"program-privasi-{n}")


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intake

    name = factory.Sequence(lambda n: f"Gelombang Privasi {n}")
    year = 2026
    registration_opens = datetime.date(2026, 1, 1)
    registration_closes = datetime.date(2026, 12, 31)


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    nik = factory.Sequence(lambda n: make_nik(n))
    kk_number = factory.Sequence(lambda n: f"3671010101{n % 999999 + 1:06d}")
    full_name = factory.Sequence(lambda n: f"Warga Uji {n}")
    birth_date = datetime.date(1990, 5, 17)
    sex = "L"
    phone = factory.Sequence(lambda n: f"+62812{n % 10_000_000:08d}")
    address = "Jl. Melati No. 5"
    rt = "001"
    rw = "002"
    kelurahan = factory.LazyFunction(lambda: Kelurahan.objects.order_by("code").first())
    household_size = 4
    occupation = "Buruh harian"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    applicant = factory.SubFactory(ApplicantFactory)
    intake = factory.SubFactory(IntakeFactory)
    program = factory.SubFactory(ProgramFactory)
    dtks_self_report = DtksSelfReport.REGISTERED
    motivation = "Ingin membuka usaha katering."
    submitted_at = factory.LazyFunction(timezone.now)


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interview

    application = factory.SubFactory(ApplicationFactory)
    scheduled_at = factory.LazyFunction(timezone.now)
    place = "Kantor Dinsos"
    interviewer = None
    attendance = Interview.Attendance.CAME  # held interviews: several per application are allowed


ROLES = {"editor": EDITOR, "interviewer": INTERVIEWER, "comms": COMMS, "auditor": AUDITOR}


def make_user(django_user_model, role: str | None, username: str | None = None, kecamatan=(), **extra):
    """A user in one role group ("editor", "interviewer", "comms", "auditor"), "superuser", or None."""
    username = username or f"{role or 'nobody'}-{django_user_model.objects.count() + 1}"
    if role == "superuser":
        user = django_user_model.objects.create_superuser(username, f"{username}@example.id", "Sigap-rahasia-2026")
    else:
        user = django_user_model.objects.create_user(username, f"{username}@example.id", "Sigap-rahasia-2026", **extra)
        if role:
            user.groups.add(Group.objects.get(name=ROLES[role]))
    if kecamatan:
        profile = StaffProfile.objects.create(user=user)
        profile.kecamatan.set(kecamatan)
    return user
