"""Test data: one factory per model, variants as traits (`ApplicationFactory(submitted=True)`), grouped by
area. Import from here (`from tests.factories import X` or `import tests.factories as f`); the area modules
are an implementation detail."""

from .allocation import RecipientListBatchFactory, RecipientListRecordFactory, RecipientListRejectionFactory
from .complaints import CHECK_CODE, TicketFactory
from .delivery import (
    AttendanceFactory,
    BusinessGroupFactory,
    BusinessPlanFactory,
    CapitalAwardFactory,
    EnrolmentFactory,
    FollowUpFactory,
    GroupAccountFactory,
    GroupMembershipFactory,
    GroupReportFactory,
)
from .graduation import CertificateFactory, ContactAttemptFactory, RegisterOutcomeCheckFactory
from .identity import BIRTH_DATE, make_kk, make_nik, nik_serial
from .pages import (
    ComplaintPageFactory,
    HomePageFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    ProgramIndexPageFactory,
    ProgramPageFactory,
    StoryIndexPageFactory,
    SuccessStoryPageFactory,
    build_site,
)
from .people import (
    KELURAHAN_CODE,
    ApplicantFactory,
    ApplicationFactory,
    ConsentVersionFactory,
    DataSubjectRequestFactory,
    open_intake,
    valid_data,
)
from .programs import (
    CapitalPackageFactory,
    CapitalPackageItemFactory,
    CohortFactory,
    CohortSessionFactory,
    HolidayFactory,
    InstructorFactory,
    IntakeFactory,
    KelurahanQuotaFactory,
    ProgramFactory,
)
from .scenarios import WORLD_ROLES, build_role_world
from .selection import InterviewFactory
from .staff import PASSWORD, UserFactory
from .welfare import RECORD_BIRTH_DATE, WelfareImportBatchFactory, WelfareRecordFactory, WelfareRejectionFactory

__all__ = [
    "CHECK_CODE",
    "TicketFactory",
    "ComplaintPageFactory",
    "RecipientListBatchFactory",
    "RecipientListRecordFactory",
    "RecipientListRejectionFactory",
    "CapitalPackageItemFactory",
    "ContactAttemptFactory",
    "CertificateFactory",
    "RegisterOutcomeCheckFactory",
    "DataSubjectRequestFactory",
    "HolidayFactory",
    "BIRTH_DATE",
    "KELURAHAN_CODE",
    "PASSWORD",
    "RECORD_BIRTH_DATE",
    "WORLD_ROLES",
    "ApplicantFactory",
    "ApplicationFactory",
    "AttendanceFactory",
    "BusinessGroupFactory",
    "BusinessPlanFactory",
    "CapitalAwardFactory",
    "CapitalPackageFactory",
    "CohortFactory",
    "CohortSessionFactory",
    "ConsentVersionFactory",
    "EnrolmentFactory",
    "FollowUpFactory",
    "GroupAccountFactory",
    "GroupMembershipFactory",
    "GroupReportFactory",
    "HomePageFactory",
    "InstructorFactory",
    "IntakeFactory",
    "InterviewFactory",
    "KelurahanQuotaFactory",
    "NewsIndexPageFactory",
    "NewsPageFactory",
    "ProgramFactory",
    "ProgramIndexPageFactory",
    "ProgramPageFactory",
    "StoryIndexPageFactory",
    "SuccessStoryPageFactory",
    "UserFactory",
    "WelfareImportBatchFactory",
    "WelfareRecordFactory",
    "WelfareRejectionFactory",
    "build_role_world",
    "build_site",
    "make_kk",
    "make_nik",
    "nik_serial",
    "open_intake",
    "valid_data",
]
