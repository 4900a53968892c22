"""Every model of the `applicants` app, one module per area; import them from here."""

from applicants.models.allocation import RecipientListBatch, RecipientListRecord, RecipientListRejection
from applicants.models.complaints import Ticket
from applicants.models.delivery import (
    Attendance,
    BusinessGroup,
    CapitalAward,
    Enrolment,
    FollowUp,
    GroupMembership,
)
from applicants.models.groups import BusinessPlan, GroupAccount, GroupReport, GroupState, with_state
from applicants.models.interviews import Interview
from applicants.models.outcomes import Certificate, ContactAttempt, RegisterOutcomeCheck
from applicants.models.people import Applicant, Application, ConsentVersion, digits16, identity_or_anonymised
from applicants.models.rights import DataSubjectRequest
from applicants.models.staff import StaffProfile
from applicants.models.welfare import WelfareImportBatch, WelfareRecord, WelfareRejection

__all__ = [
    "Applicant",
    "Application",
    "Attendance",
    "BusinessGroup",
    "BusinessPlan",
    "CapitalAward",
    "Certificate",
    "ConsentVersion",
    "ContactAttempt",
    "DataSubjectRequest",
    "Enrolment",
    "FollowUp",
    "GroupAccount",
    "GroupMembership",
    "GroupReport",
    "GroupState",
    "Interview",
    "RecipientListBatch",
    "RecipientListRecord",
    "RecipientListRejection",
    "RegisterOutcomeCheck",
    "StaffProfile",
    "Ticket",
    "WelfareImportBatch",
    "WelfareRecord",
    "WelfareRejection",
    "digits16",
    "identity_or_anonymised",
    "with_state",
]
