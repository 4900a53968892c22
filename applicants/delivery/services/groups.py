"""KUB joint business groups: forming a group of graduates, ending a membership, the business plan
and group account a capital award needs, the monthly reports and dissolving a group.

Every write locks the group row first (`_lock`): the award approval takes the same lock, so a plan
or account cannot vanish between its check and its save (docs/delivery.md)."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from applicants.identity import mask_identity, normalise_digits
from applicants.models import (
    Applicant,
    BusinessGroup,
    BusinessPlan,
    CapitalAward,
    Enrolment,
    GroupAccount,
    GroupMembership,
    GroupReport,
)
from applicants.models.groups import BINDING_AWARD_STATES, month_start

ACCOUNT_NUMBER = re.compile(r"[0-9]{6,20}")


def form_group(*, intake, name: str, business_type: str, kelurahan, enrolments: list[Enrolment], chair: Enrolment,
               user) -> BusinessGroup:
    """Create a KUB of graduates within the configured size bounds; each person in one active group only."""
    low, high = settings.KUB_MIN_MEMBERS, settings.KUB_MAX_MEMBERS
    ids = {e.pk for e in enrolments}
    if not low <= len(ids) <= high:
        raise ValidationError(_("A KUB must have %(low)s to %(high)s members.") % {"low": low, "high": high})
    if chair.pk not in ids:
        raise ValidationError({"chair": _("The chair must be one of the members.")})
    members = list(Enrolment.objects.filter(pk__in=ids).select_related("application", "cohort"))
    if any(m.status != Enrolment.Status.COMPLETED for m in members):
        raise ValidationError(_("KUB members must be training graduates."))
    if any(m.cohort.intake_id != intake.pk for m in members):
        raise ValidationError(_("All members must be from the same intake."))
    Applicant.ensure_processing_allowed_for(m.application.applicant_id for m in members)
    try:
        with transaction.atomic():
            group = BusinessGroup.objects.create(
                intake=intake, name=name, business_type=business_type, kelurahan=kelurahan, chair=chair
            )
            GroupMembership.objects.bulk_create([
                GroupMembership(group=group, enrolment=m, applicant_id=m.application.applicant_id) for m in members
            ])
            log(group, "sigap.group.form", user=user, data={"members": len(members)})
    except IntegrityError as exc:
        raise ValidationError(_("A member already belongs to another active KUB, or the KUB name is already taken.")) \
            from exc
    return group


def leave_group(membership: GroupMembership, user) -> None:
    """End a membership (keeps the history). A group below the minimum stays visible for the editor.
    An account holder stays until another holder is chosen: the account must keep one."""
    Applicant.ensure_processing_allowed_for([membership.applicant_id])
    if membership.held_accounts.exists():
        raise ValidationError(_("This member holds the KUB's account: choose another account holder first."))
    membership.active, membership.left_at = False, timezone.now()
    with transaction.atomic():
        membership.save(update_fields=["active", "left_at"])
        log(membership.group, "sigap.group.leave", user=user, data={"enrolment": membership.enrolment_id})


def _lock(group: BusinessGroup) -> BusinessGroup:
    """The group row, locked for the rest of the transaction, refused once the group is dissolved."""
    locked = BusinessGroup.objects.select_for_update().get(pk=group.pk)
    if locked.status == BusinessGroup.Status.DISSOLVED:
        raise ValidationError(_("This KUB has been dissolved; its records can no longer be changed."))
    return locked


def _award_states(group: BusinessGroup) -> set[str]:
    return set(CapitalAward.objects.filter(group=group).values_list("state", flat=True))


def save_plan(group: BusinessGroup, user, *, product: str, market: str, capital_use: str,
              expected_monthly_income_rupiah: int) -> BusinessPlan:
    """Write the group's business plan. Fixed once the group's award is approved: it is what was approved."""
    with transaction.atomic():
        group = _lock(group)
        if _award_states(group) & set(BINDING_AWARD_STATES):
            raise ValidationError(_("The capital award was approved on this business plan; it can no longer be "
                                    "changed."))
        plan = BusinessPlan.objects.filter(group=group).first() or BusinessPlan(group=group)
        plan.product, plan.market, plan.capital_use = product.strip(), market.strip(), capital_use.strip()
        plan.expected_monthly_income_rupiah = expected_monthly_income_rupiah
        plan.updated_by, plan.updated_at = user, timezone.now()
        plan.full_clean(exclude=["group"])
        plan.save()
        log(group, "sigap.group.plan", user=user, data={"product": plan.product})
    return plan


def clean_account_number(value) -> str:
    number = normalise_digits(value)
    if not ACCOUNT_NUMBER.fullmatch(number):
        raise ValidationError({"account_number": _("An account number is 6 to 20 digits.")})
    return number


def save_account(group: BusinessGroup, user, *, bank: str, account_number: str,
                 holders: list[GroupMembership]) -> GroupAccount:
    """Write the group account: holders are active members of this group, at least one. Locked between
    the award's approval and its handover, so the approved payment cannot be redirected."""
    errors = {}
    bank = (bank or "").strip()
    if not bank:
        errors["bank"] = [_("Enter the bank.")]
    try:
        account_number = clean_account_number(account_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    holder_ids = {h.pk for h in holders}
    if not holder_ids:
        errors["holders"] = [_("Choose at least one account holder among the members.")]
    elif GroupMembership.objects.filter(pk__in=holder_ids, group=group, active=True).count() != len(holder_ids):
        errors["holders"] = [_("Account holders must be active members of this KUB.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        group = _lock(group)
        if CapitalAward.State.APPROVED in _award_states(group):
            raise ValidationError(_("The capital award is approved and not yet handed over: the account it will be "
                                    "paid into cannot be changed now."))
        account = GroupAccount.objects.filter(group=group).first() or GroupAccount(group=group)
        before = set(account.holders.values_list("pk", flat=True)) if account.pk else set()
        # Adding or removing a holder is a write about that person (restriction of processing).
        Applicant.ensure_processing_allowed_for(
            GroupMembership.objects.filter(pk__in=before ^ holder_ids).values_list("applicant_id", flat=True)
        )
        account.bank, account.account_number = bank[:80], account_number
        account.updated_by, account.updated_at = user, timezone.now()
        account.save()
        account.holders.set(holder_ids)
        log(group, "sigap.group.account", user=user, data={
            "bank": account.bank, "account_number": mask_identity(account_number), "holders": len(holder_ids)})
    return account


def record_report(group: BusinessGroup, user, *, period: datetime.date, meeting_held: bool,
                  members_present: list[GroupMembership], sales_rupiah: int, cash_balance_rupiah: int,
                  problems: str = "", report: GroupReport | None = None,
                  today: datetime.date | None = None) -> GroupReport:
    """Record (or, with `report`, correct) one month's report: not a future month, not before the group
    was formed, once per month, members present only among the group's members and only at a meeting."""
    today = today or timezone.localdate()
    period = month_start(report.period if report is not None else period)
    errors = {}
    if period > month_start(today):
        errors["period"] = [_("A report cannot be for a future month.")]
    elif period < month_start(timezone.localdate(group.created_at)):
        errors["period"] = [_("A report cannot be for a month before the KUB was formed.")]
    present_ids = {m.pk for m in members_present}
    members = GroupMembership.objects.filter(group=group, pk__in=present_ids)
    # A member who left after the month began was still there that month.
    members = members.filter(active=True) | members.filter(left_at__date__gte=period)
    if members.count() != len(present_ids):
        errors["members_present"] = [_("Members present must be members of this KUB.")]
    elif present_ids and not meeting_held:
        errors["members_present"] = [_("No meeting was held, so no member can be marked present.")]
    elif meeting_held and not present_ids:
        errors["members_present"] = [_("Tick the members present at the meeting.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            group = _lock(group)
            before = set(report.members_present.values_list("pk", flat=True)) if report is not None else set()
            Applicant.ensure_processing_allowed_for(
                GroupMembership.objects.filter(pk__in=before ^ present_ids).values_list("applicant_id", flat=True)
            )
            if report is None:
                if GroupReport.objects.filter(group=group, period=period).exists():
                    raise ValidationError({"period": [_("This KUB already has a report for that month.")]})
                report = GroupReport(group=group, period=period)
            report.meeting_held, report.problems = meeting_held, (problems or "").strip()[:2000]
            report.sales_rupiah, report.cash_balance_rupiah = sales_rupiah, cash_balance_rupiah
            report.recorded_by, report.recorded_at = user, timezone.now()
            report.save()
            report.members_present.set(present_ids)
            log(group, "sigap.group.report", user=user, data={
                "period": period.isoformat(), "meeting_held": meeting_held, "present": len(present_ids)})
    except IntegrityError as exc:  # the same month saved meanwhile (group_report_once_per_month)
        raise ValidationError({"period": [_("This KUB already has a report for that month.")]}) from exc
    return report


def dissolve_group(group: BusinessGroup, user, reason: str) -> None:
    """An explicit decision with a reason, logged; the members are free to join another group."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"dissolved_reason": [_("Write the reason for dissolving the KUB.")]})
    with transaction.atomic():
        group = _lock(group)
        if _award_states(group) & {CapitalAward.State.PROPOSED, CapitalAward.State.APPROVED}:
            raise ValidationError(_("The KUB has a capital award still in progress: cancel it or hand it over "
                                    "before dissolving the KUB."))
        active = group.memberships.filter(active=True)
        Applicant.ensure_processing_allowed_for(active.values_list("applicant_id", flat=True))
        now = timezone.now()
        active.update(active=False, left_at=now)
        group.status, group.dissolved_at, group.dissolved_reason = BusinessGroup.Status.DISSOLVED, now, reason[:255]
        group.save(update_fields=["status", "dissolved_at", "dissolved_reason"])
        log(group, "sigap.group.dissolve", user=user, data={"reason": group.dissolved_reason})
