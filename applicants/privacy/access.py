"""Who may see and change which records: one access policy per model, used by every list, export,
object view, download, report and dashboard figure.

The policies have the shape of Wagtail's permission policies (`wagtail.permission_policies.base`):
`user_has_permission(user, action)`, `user_has_permission_for_instance(user, action, instance)` and
`instances_user_has_permission_for(user, action)` (a queryset), plus `scope(user, queryset)`, which
narrows a queryset the caller already built (a register's rows with its joins, a class's participants).
A user who may not see a record gets an empty list and a 403 on its URL alike.

Reach comes from permissions, not group names:
- superuser or `applicants.view_application` (editor, auditor): everything;
- `applicants.view_interview` only (interviewer): records of applications they interview;
- anyone else (comms, anonymous, inactive): nothing.
A StaffProfile with kecamatan narrows any reach to the records of those kecamatan. Records that have
no kecamatan to narrow by (import reports, rejected register rows, the site history) are for users
without a restriction only (`UnrestrictedPolicy`).

Performance, measured on PostgreSQL at 10^5-10^6 rows: a user who sees everything gets no condition
at all (a register COUNT joins nothing it does not need); a kecamatan restriction is read first (one
small query) and applied as a plain `IN (ids)` on joined rows, never as a correlated EXISTS or an
`IN (subquery of visible applications)`: both made register COUNTs run for minutes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import HttpResponse
from django.views.defaults import permission_denied
from wagtail.permission_policies.base import ModelPermissionPolicy

from applicants.models import (
    Applicant,
    Application,
    Attendance,
    BusinessGroup,
    BusinessPlan,
    CapitalAward,
    Certificate,
    ContactAttempt,
    Enrolment,
    FollowUp,
    GroupAccount,
    GroupMembership,
    GroupReport,
    Interview,
    RecipientListBatch,
    RecipientListRecord,
    RecipientListRejection,
    RegisterOutcomeCheck,
    StaffProfile,
    Ticket,
    WelfareImportBatch,
    WelfareRecord,
    WelfareRejection,
)
from applicants.privacy.roles import IDENTITY_PERMISSION

ALL = "all"
OWN_INTERVIEWS = "own_interviews"
NONE = "none"
VIEW = "view"
WRITE_ACTIONS = ("add", "change", "delete")


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def reach(user) -> str:
    """ALL, OWN_INTERVIEWS or NONE for this user (see the module docstring)."""
    if not _active(user):
        return NONE
    if user.is_superuser or user.has_perm("applicants.view_application"):
        return ALL
    if user.has_perm("applicants.view_interview"):
        return OWN_INTERVIEWS
    return NONE


def restricted_kecamatan_ids(user) -> list[int]:
    """The kecamatan a user is limited to ([] = not limited). One small query per user object, kept
    on it like Django's permission cache (a request's menus, gate and lists ask several times)."""
    if not _active(user):
        return []
    cached = getattr(user, "_sigap_kecamatan_ids", None)
    if cached is None:
        cached = list(
            StaffProfile.kecamatan.through.objects.filter(staffprofile__user_id=user.pk).values_list(
                "kecamatan_id", flat=True
            )
        )
        user._sigap_kecamatan_ids = cached
    return list(cached)


def sees_everything(user) -> bool:
    """Full reach and no kecamatan restriction: the policies add no condition at all for this user."""
    return reach(user) == ALL and not restricted_kecamatan_ids(user)


def can_view_full_identity(user) -> bool:
    """True when NIK and KK may be shown unmasked to this user."""
    return bool(_active(user) and user.has_perm(IDENTITY_PERMISSION))


def refuse(request) -> HttpResponse:
    """A real 403 page (a raised PermissionDenied inside the admin URLs becomes a dashboard redirect)."""
    return permission_denied(request, PermissionDenied())


class AccessPolicy(ModelPermissionPolicy):
    """Django model permissions (`applicants.<action>_<model>`) plus the row rule of `narrow()`.

    `user_has_permission` also needs some reach on personal data, so a stray model permission given
    to comms opens nothing."""

    needs_reach = True

    def user_has_permission(self, user, action) -> bool:
        if not _active(user) or (self.needs_reach and reach(user) == NONE):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def scope(self, user, queryset: QuerySet) -> QuerySet:
        """Narrow `queryset` (of this policy's model) to the rows `user` may reach. SQL conditions only."""
        level = reach(user)
        if level == NONE:
            return queryset.none()
        kecamatan_ids = restricted_kecamatan_ids(user)
        if level == ALL and not kecamatan_ids:
            return queryset
        return self.narrow(user, queryset, level, kecamatan_ids)

    def narrow(self, user, queryset: QuerySet, level: str, kecamatan_ids: list[int]) -> QuerySet:
        """The conditions for a user who does not see everything (`level` ALL or OWN_INTERVIEWS)."""
        raise NotImplementedError

    def has_no_condition(self, user) -> bool:
        """True when `scope()` returns every row for this user (reports that cannot be scoped row by row)."""
        return sees_everything(user)

    def instances_user_has_permission_for(self, user, action) -> QuerySet:
        return self.instances_user_has_any_permission_for(user, [action])

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        queryset = self.model._default_manager.all()
        if not self.user_has_any_permission(user, actions):
            return queryset.none()
        return self.scope(user, queryset)

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self.user_has_permission(user, action) and self.in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def in_scope(self, user, instance) -> bool:
        """The row rule alone, for one record reached by URL (same answer as the lists)."""
        if instance is None or instance.pk is None:
            return False
        return self.scope(user, self.model._default_manager.filter(pk=instance.pk)).exists()


class PersonPolicy(AccessPolicy):
    """Records about one person, reached through their application (`application_path`, "" for the
    Application itself) and narrowed by the kecamatan of the person's kelurahan (`kecamatan_path`)."""

    def __init__(self, model, *, application_path: str, kecamatan_path: str, own_interviews=None):
        super().__init__(model)
        self.application_path = application_path
        self.kecamatan_path = kecamatan_path
        self._own_interviews = own_interviews

    def own_interviews(self, user) -> Q:
        """Rows of applications `user` interviews (an EXISTS, so a second interview never doubles a row)."""
        if self._own_interviews is not None:
            return self._own_interviews(user)
        column = f"{self.application_path}_id" if self.application_path else "pk"
        return Q(Exists(Interview.objects.filter(application_id=OuterRef(column), interviewer_id=user.pk)))

    def narrow(self, user, queryset, level, kecamatan_ids):
        if level == OWN_INTERVIEWS:
            queryset = queryset.filter(self.own_interviews(user))
        if kecamatan_ids:
            queryset = queryset.filter(**{f"{self.kecamatan_path}__in": kecamatan_ids})
        return queryset


class InterviewPolicy(PersonPolicy):
    """Changing an interview (recording its outcome) is for its own interviewer, or for users who may
    change applications (editors), always within their reach."""

    def may_change(self, user, interview) -> bool:
        """The change rule for an interview already in the user's scope (rows of a list): no query."""
        if not (_active(user) and user.has_perm("applicants.change_interview")):
            return False
        return (
            interview.interviewer_id == user.pk
            or user.is_superuser
            or user.has_perm("applicants.change_application")
        )

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        allowed = super().user_has_permission_for_instance(user, action, instance)
        return allowed and (action not in WRITE_ACTIONS or self.may_change(user, instance))


class AreaPolicy(AccessPolicy):
    """Records that belong to a kelurahan rather than to one applicant (KUB groups, register rows):
    full-reach users only, narrowed to their kecamatan."""

    def __init__(self, model, *, kecamatan_path: str):
        super().__init__(model)
        self.kecamatan_path = kecamatan_path

    def narrow(self, user, queryset, level, kecamatan_ids):
        if level != ALL:
            return queryset.none()
        return queryset.filter(**{f"{self.kecamatan_path}__in": kecamatan_ids}) if kecamatan_ids else queryset


class CapitalAwardPolicy(AccessPolicy):
    """Person awards by the participant's rule, KUB awards by the group's rule (full reach, kecamatan)."""

    def narrow(self, user, queryset, level, kecamatan_ids):
        if level != ALL:  # interviewers: awards of people they interviewed; KUB awards need full reach
            return queryset.filter(
                Q(enrolment__isnull=False),
                Exists(Interview.objects.filter(application_id=OuterRef("enrolment__application_id"),
                                                interviewer_id=user.pk)),
                _kecamatan_q("enrolment__application__applicant__kelurahan__kecamatan_id", kecamatan_ids),
            )
        person = Q(enrolment__isnull=False) & _kecamatan_q(
            "enrolment__application__applicant__kelurahan__kecamatan_id", kecamatan_ids
        )
        group = Q(group__isnull=False) & _kecamatan_q("group__kelurahan__kecamatan_id", kecamatan_ids)
        return queryset.filter(person | group)


class UnrestrictedPolicy(AccessPolicy):
    """Records with no kecamatan to narrow by (import reports, rejected rows): full reach and no
    kecamatan restriction, or nothing."""

    def user_has_permission(self, user, action) -> bool:
        return super().user_has_permission(user, action) and not restricted_kecamatan_ids(user)

    def narrow(self, user, queryset, level, kecamatan_ids):
        return queryset.none()


class CityWidePolicy(AccessPolicy):
    """City-wide records without personal data (import batches): full reach reads them all; writing
    one (an import replaces the register of every kecamatan) needs its model permission and no
    kecamatan restriction (the permission is granted for this job alone, so no other reach is needed)."""

    needs_reach = False

    def user_has_permission(self, user, action) -> bool:
        allowed = super().user_has_permission(user, action)
        return allowed and (action not in WRITE_ACTIONS or not restricted_kecamatan_ids(user))

    def narrow(self, user, queryset, level, kecamatan_ids):
        return queryset if level == ALL else queryset.none()

    def scope(self, user, queryset):
        return queryset.none() if reach(user) == NONE else queryset


class StaffPolicy(AccessPolicy):
    """Staff restrictions are not personal data about residents: model permissions alone decide."""

    needs_reach = False

    def scope(self, user, queryset):
        return queryset if _active(user) else queryset.none()


class TicketPolicy(AccessPolicy):
    """Complaints and objections: full-reach users (editors, auditors) narrowed to their kecamatan by
    the ticket's own kecamatan; interviewers see none, not even tickets about their own interviews.

    The description and the sender's number are free text and contact data a resident typed: shown in
    full only to users who may see full identity, masked for the rest (`reads_personal_text`)."""

    def narrow(self, user, queryset, level, kecamatan_ids):
        if level != ALL:
            return queryset.none()
        return queryset.filter(kecamatan_id__in=kecamatan_ids) if kecamatan_ids else queryset

    def reads_personal_text(self, user) -> bool:
        return can_view_full_identity(user)

    def may_handle(self, user, ticket) -> bool:
        """Review, assign, answer, close or record an appeal: the change permission, within reach."""
        return self.user_has_permission_for_instance(user, "change", ticket)


def _kecamatan_q(path: str, kecamatan_ids: list[int]) -> Q:
    return Q(**{f"{path}__in": kecamatan_ids}) if kecamatan_ids else Q()


# --- One policy object per model ------------------------------------------------------------------
applicants = PersonPolicy(
    Applicant, application_path="", kecamatan_path="kelurahan__kecamatan_id",
    own_interviews=lambda user: Q(Exists(Interview.objects.filter(
        application__applicant_id=OuterRef("pk"), interviewer_id=user.pk))),
)
applications = PersonPolicy(
    Application, application_path="", kecamatan_path="applicant__kelurahan__kecamatan_id"
)
interviews = InterviewPolicy(
    Interview, application_path="application", kecamatan_path="application__applicant__kelurahan__kecamatan_id",
    own_interviews=lambda user: Q(interviewer_id=user.pk),
)
enrolments = PersonPolicy(
    Enrolment, application_path="application", kecamatan_path="application__applicant__kelurahan__kecamatan_id"
)
attendance = PersonPolicy(
    Attendance, application_path="enrolment__application",
    kecamatan_path="enrolment__application__applicant__kelurahan__kecamatan_id",
)
followups = PersonPolicy(
    FollowUp, application_path="enrolment__application",
    kecamatan_path="enrolment__application__applicant__kelurahan__kecamatan_id",
)
memberships = PersonPolicy(
    GroupMembership, application_path="enrolment__application", kecamatan_path="applicant__kelurahan__kecamatan_id"
)
certificates = PersonPolicy(
    Certificate, application_path="enrolment__application",
    kecamatan_path="enrolment__application__applicant__kelurahan__kecamatan_id",
)
contact_attempts = PersonPolicy(
    ContactAttempt, application_path="application", kecamatan_path="application__applicant__kelurahan__kecamatan_id",
)
outcome_checks = PersonPolicy(
    RegisterOutcomeCheck, application_path="enrolment__application",
    kecamatan_path="enrolment__application__applicant__kelurahan__kecamatan_id",
)
awards = CapitalAwardPolicy(CapitalAward)
groups = AreaPolicy(BusinessGroup, kecamatan_path="kelurahan__kecamatan_id")
# A group's plan, account (holders, number) and reports (members present) follow the group's rule.
business_plans = AreaPolicy(BusinessPlan, kecamatan_path="group__kelurahan__kecamatan_id")
group_accounts = AreaPolicy(GroupAccount, kecamatan_path="group__kelurahan__kecamatan_id")
group_reports = AreaPolicy(GroupReport, kecamatan_path="group__kelurahan__kecamatan_id")
welfare_records = AreaPolicy(WelfareRecord, kecamatan_path="kelurahan__kecamatan_id")
welfare_batches = CityWidePolicy(WelfareImportBatch)
welfare_rejections = UnrestrictedPolicy(WelfareRejection)
staff_profiles = StaffPolicy(StaffProfile)
tickets = TicketPolicy(Ticket)
# Earlier recipients of other programs: like the welfare register (docs/welfare-register.md).
recipient_batches = CityWidePolicy(RecipientListBatch)
recipient_records = AreaPolicy(RecipientListRecord, kecamatan_path="kecamatan_id")
recipient_rejections = UnrestrictedPolicy(RecipientListRejection)

POLICIES: dict[type[Model], AccessPolicy] = {
    policy.model: policy
    for policy in (
        applicants, applications, interviews, enrolments, attendance, followups, memberships, awards, groups,
        welfare_records, welfare_batches, welfare_rejections, staff_profiles, certificates, outcome_checks,
        contact_attempts, business_plans, group_accounts, group_reports, tickets,
        recipient_batches, recipient_records, recipient_rejections,
    )
}


def policy_for(model) -> AccessPolicy | None:
    """The policy of a model (or instance), None for models without personal data."""
    model = model if isinstance(model, type) else type(model)
    return POLICIES.get(model._meta.concrete_model)


def in_reach_area(user, queryset: QuerySet, kecamatan_path: str = "kecamatan_id") -> QuerySet:
    """Places (kelurahan, quotas) narrowed to a restricted user's kecamatan: the choices of forms and
    filters and the rows of area figures, so nobody is offered a place they cannot then reach."""
    kecamatan_ids = restricted_kecamatan_ids(user)
    return queryset.filter(**{f"{kecamatan_path}__in": kecamatan_ids}) if kecamatan_ids else queryset


def whole_cohort_visible(user, cohort) -> bool:
    """Class-wide actions (scores, completion, top-3, the ranking) need every participant in scope."""
    if sees_everything(user):
        return True
    if reach(user) != ALL:
        return False
    return not cohort.enrolments.exclude(pk__in=enrolments.scope(user, cohort.enrolments.all())).exists()
