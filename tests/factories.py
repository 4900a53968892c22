"""Shared factory_boy factories. Each section belongs to the work that added it."""

import datetime
from datetime import timedelta

import factory
import wagtail_factories
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from applicants.enums import ApplicationStatus, DtksSelfReport
from applicants.models import Applicant, Application, Enrolment, Interview
from applicants.privacy.roles import EDITOR, INTERVIEWER
from programs.models import CapitalPackage, Cohort, CohortSession, Instructor, Intake, Kecamatan, Kelurahan, Program
from public_pages import models as pages

# --- programs (public site) ----------------------------------------------------------------------


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Keterampilan {n}")
    slug = factory.Sequence(lambda n: f"keterampilan-{n}")


class IntakeFactory(factory.django.DjangoModelFactory):
    """An intake whose registration window contains today (Asia/Jakarta) unless dates are given."""

    class Meta:
        model = Intake
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pelatihan Keterampilan Gelombang {n}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    registration_opens = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
    registration_closes = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))

    @factory.post_generation
    def programs(self, create, extracted, **kwargs):
        if create and extracted:
            self.programs.set(extracted)


# --- public pages --------------------------------------------------------------------------------


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.HomePage

    title = "Sigap Kerja"
    slug = "beranda"


class ProgramIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.ProgramIndexPage

    title = "Pelatihan"
    slug = "pelatihan"
    show_in_menus = True


class NewsIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.NewsIndexPage

    title = "Berita"
    slug = "berita"
    show_in_menus = True


class StoryIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.StoryIndexPage

    title = "Kisah Sukses"
    slug = "kisah-sukses"
    show_in_menus = True


class ProgramPageFactory(wagtail_factories.PageFactory):
    """Needs `parent` (a ProgramIndexPage); the program is added to the intake's offer."""

    class Meta:
        model = pages.ProgramPage

    title = factory.LazyAttribute(lambda o: f"Pelatihan {o.program.name}")
    slug = factory.LazyAttribute(lambda o: o.program.slug)
    program = factory.SubFactory(ProgramFactory)
    intake = factory.LazyAttribute(lambda o: IntakeFactory(programs=[o.program]))
    skill_summary = "Belajar keterampilan yang bisa langsung dijual."
    learning_outcomes = "<ul><li>Teknik dasar</li><li>Menghitung harga pokok</li></ul>"
    schedule = "10 hari, Senin-Jumat pukul 08.00-15.00 WIB"
    venue = "UPT Balai Latihan Kerja Kota Tangerang"
    places = 40
    capital_package = "Tiga peserta terbaik menerima paket modal usaha."


class NewsPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.NewsPage

    title = factory.Sequence(lambda n: f"Berita nomor {n}")
    slug = factory.Sequence(lambda n: f"berita-{n}")
    date = factory.LazyFunction(timezone.localdate)
    lead = "Ringkasan berita untuk daftar berita."


class SuccessStoryPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = pages.SuccessStoryPage

    title = factory.Sequence(lambda n: f"Kisah alumni {n}")
    slug = factory.Sequence(lambda n: f"kisah-{n}")
    alumnus_first_name = "Sri"
    program = factory.SubFactory(ProgramFactory)
    business_type = "Katering nasi kotak"
    kecamatan = factory.LazyFunction(lambda: Kecamatan.objects.order_by("code").first())
    quote = "Sekarang saya punya penghasilan sendiri."
    story = "<p>Setelah pelatihan, Sri membuka usaha katering dari rumah.</p>"


# --- Selection: workflow and interviews (issue 4) ------------------------------------------------
class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@sigap.example")
    is_active = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


def _in_group(name):
    def add(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=name))

    return factory.PostGeneration(add)


class InterviewerFactory(UserFactory):
    """A member of the "Pewawancara" group (created by the roles migration)."""

    first_name = factory.Sequence(lambda n: f"Pewawancara {n}")
    groups = _in_group(INTERVIEWER)


class EditorFactory(UserFactory):
    groups = _in_group(EDITOR)


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    # Kota Tangerang region 367101, a man born 1-5-1990, then a running serial (never 0000).
    nik = factory.Sequence(lambda n: f"367101010590{n % 9999 + 1:04d}")
    kk_number = factory.Sequence(lambda n: f"367101{n % 10**10:010d}")
    full_name = factory.Sequence(lambda n: f"Warga Uji {n}")
    birth_date = datetime.date(1990, 5, 1)
    sex = "L"
    phone = "+6281234567890"
    address = "Jl. Contoh 1"
    rt = "001"
    rw = "002"
    kelurahan = factory.LazyFunction(lambda: Kelurahan.objects.order_by("code").first())
    household_size = 4


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A verified application with its reference number assigned."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    applicant = factory.SubFactory(ApplicantFactory)
    intake = factory.SubFactory(IntakeFactory)
    program = factory.SubFactory(ProgramFactory)
    status = ApplicationStatus.VERIFIED
    dtks_self_report = DtksSelfReport.REGISTERED

    @factory.post_generation
    def reference(self, create, extracted, **kwargs):
        if create:
            self.intake.programs.add(self.program)
            self.assign_reference()


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interview

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.INTERVIEW_SCHEDULED)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
    place = "Aula Kelurahan"
    interviewer = factory.SubFactory(InterviewerFactory)


# --- delivery (issue 5): classes, awards, KUB, follow-ups ------------------------------------------


class AcceptedApplicationFactory(ApplicationFactory):
    """An application accepted after its interview, ready to enrol."""

    status = ApplicationStatus.ACCEPTED
    submitted_at = factory.LazyFunction(timezone.now)


class HeldInterviewFactory(InterviewFactory):
    """An interview that took place with an accept decision and middle scores."""

    application = factory.SubFactory(AcceptedApplicationFactory)
    scheduled_at = factory.LazyFunction(timezone.now)
    place = "Kantor Dinsos"
    attendance = Interview.Attendance.CAME
    decision = Interview.Decision.ACCEPT
    recorded_at = factory.LazyFunction(timezone.now)
    score_motivation = 3
    score_readiness = 3
    score_business_potential = 3
    score_household_need = 3


class InstructorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instructor

    name = factory.Sequence(lambda n: f"Instruktur {n}")
    skill = factory.SubFactory(ProgramFactory)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    intake = factory.SubFactory(IntakeFactory)
    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Kelas {n}")
    venue = "BLK Kota Tangerang"
    start_date = datetime.date(2026, 3, 2)
    end_date = datetime.date(2026, 3, 31)
    capacity = 20


class CohortSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortSession

    cohort = factory.SubFactory(CohortFactory)
    number = factory.Sequence(lambda n: n + 1)
    date = datetime.date(2026, 3, 2)


class CapitalPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapitalPackage

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Paket usaha {n}")
    contents = "Kompor, wajan, bahan awal"
    value_rupiah = 5_000_000


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A participant; the application is made in the cohort's intake and program."""

    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    application = factory.LazyAttribute(
        lambda o: AcceptedApplicationFactory(intake=o.cohort.intake, program=o.cohort.program,
                                     status=ApplicationStatus.ENROLLED)
    )
