"""Class participants (enrolments), attendance, capital awards, KUB groups (with their plan, account and
monthly reports) and follow-ups."""

from decimal import Decimal

import factory
from django.utils import timezone

from applicants.enums import ApplicationStatus
from applicants.models import (
    Attendance,
    BusinessGroup,
    BusinessPlan,
    CapitalAward,
    Enrolment,
    FollowUp,
    GroupAccount,
    GroupMembership,
    GroupReport,
)
from programs.models import Cohort, Kelurahan

from .people import ApplicationFactory
from .programs import CapitalPackageFactory, CohortFactory, CohortSessionFactory, IntakeFactory
from .staff import UserFactory


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A participant; the application is made in the cohort's intake and program."""

    class Meta:
        model = Enrolment

    class Params:
        completed = factory.Trait(status=Enrolment.Status.COMPLETED, final_score=80)
        # A participant who met the completion rule of a closed class; `failed`: one who did not.
        graduate = factory.Trait(
            cohort=factory.SubFactory(CohortFactory, status=Cohort.Status.COMPLETED),
            status=Enrolment.Status.COMPLETED, final_score=85, attendance_pct=Decimal("95.00"),
        )
        failed = factory.Trait(graduate=True, status=Enrolment.Status.NOT_COMPLETED, final_score=40)

    cohort = factory.SubFactory(CohortFactory)
    application = factory.LazyAttribute(
        lambda o: ApplicationFactory(
            intake=o.cohort.intake, program=o.cohort.program, status=ApplicationStatus.ENROLLED
        )
    )


class AttendanceFactory(factory.django.DjangoModelFactory):
    """Present at a session of the participant's own class."""

    class Meta:
        model = Attendance

    enrolment = factory.SubFactory(EnrolmentFactory)
    session = factory.LazyAttribute(lambda o: CohortSessionFactory(cohort=o.enrolment.cohort))
    mark = Attendance.Mark.PRESENT


class CapitalAwardFactory(factory.django.DjangoModelFactory):
    """A proposed award to a graduate, from a package of the class's program. Made as a record: the
    ranking and approval rules live in `CapitalAward.propose` and the delivery services."""

    class Meta:
        model = CapitalAward

    enrolment = factory.SubFactory(EnrolmentFactory, completed=True)
    intake = factory.LazyAttribute(lambda o: o.enrolment.cohort.intake)
    package = factory.LazyAttribute(lambda o: CapitalPackageFactory(program=o.enrolment.cohort.program))
    value_rupiah = factory.LazyAttribute(lambda o: o.package.value_rupiah)
    place = 1
    proposed_by = factory.SubFactory(UserFactory, editor=True)


class BusinessGroupFactory(factory.django.DjangoModelFactory):
    """A KUB without members; add them with GroupMembershipFactory(group=...)."""

    class Meta:
        model = BusinessGroup
        skip_postgeneration_save = True

    intake = factory.SubFactory(IntakeFactory)
    name = factory.Sequence(lambda n: f"KUB Sejahtera {n}")
    business_type = "Katering"
    kelurahan = factory.LazyFunction(lambda: Kelurahan.objects.order_by("code").first())

    @factory.post_generation
    def ready(self, create, extracted, **kwargs):
        """`ready=True`: a group its capital award can be approved for: five graduates of its intake,
        a business plan and an account held by the first member."""
        if not (create and extracted):
            return
        members = [GroupMembershipFactory(group=self, enrolment__cohort__intake=self.intake) for _ in range(5)]
        self.chair = members[0].enrolment
        self.save(update_fields=["chair"])
        BusinessPlanFactory(group=self)
        GroupAccountFactory(group=self, holders=[members[0]])


class GroupMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(BusinessGroupFactory)
    enrolment = factory.SubFactory(EnrolmentFactory, completed=True)
    applicant = factory.LazyAttribute(lambda o: o.enrolment.application.applicant)


class BusinessPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessPlan

    group = factory.SubFactory(BusinessGroupFactory)
    product = "Nasi kotak dan kue basah"
    market = "Kantor kelurahan dan acara warga di sekitar"
    capital_use = "Kompor dua tungku, panci besar, etalase"
    expected_monthly_income_rupiah = 4_500_000


class GroupAccountFactory(factory.django.DjangoModelFactory):
    """The group's account; held by the given members, else by a member of the group (made if none)."""

    class Meta:
        model = GroupAccount
        skip_postgeneration_save = True

    group = factory.SubFactory(BusinessGroupFactory)
    bank = "Bank BJB"
    account_number = factory.Sequence(lambda n: f"0012{n:08d}")

    @factory.post_generation
    def holders(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            first = self.group.memberships.filter(active=True).first()
            extracted = [first or GroupMembershipFactory(group=self.group)]
        self.holders.set(extracted)


class GroupReportFactory(factory.django.DjangoModelFactory):
    """This month's report of a meeting every active member attended."""

    class Meta:
        model = GroupReport
        skip_postgeneration_save = True

    group = factory.SubFactory(BusinessGroupFactory)
    period = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    meeting_held = True
    sales_rupiah = 3_000_000
    cash_balance_rupiah = 1_250_000

    @factory.post_generation
    def members_present(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = list(self.group.memberships.filter(active=True)) if self.meeting_held else []
        self.members_present.set(extracted)


class FollowUpFactory(factory.django.DjangoModelFactory):
    """The 3-month answer of a graduate running their own business."""

    class Meta:
        model = FollowUp

    enrolment = factory.SubFactory(EnrolmentFactory, completed=True)
    milestone = FollowUp.Milestone.M3
    working_status = FollowUp.Working.OWN_BUSINESS
    business_running = True
    income_band = FollowUp.IncomeBand.FROM_1M
    receiving_bansos = True
