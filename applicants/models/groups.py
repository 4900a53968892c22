"""KUB groups as businesses: the business plan and the group account a capital award needs, and the
monthly report from which the group's state (active, dormant, dissolved) follows (docs/delivery.md).

The group account number and the members present are personal data: reached through the group's
policy (applicants.privacy.access) and the number is masked like a NIK (applicants.privacy.masking).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, CharField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.models.delivery import BusinessGroup, CapitalAward, GroupMembership

__all__ = ["BusinessPlan", "GroupAccount", "GroupReport", "GroupState", "with_state", "month_start", "shift_months"]

# Awards that rest on the plan and account: once approved (or handed over) they may not vanish.
BINDING_AWARD_STATES = (CapitalAward.State.APPROVED, CapitalAward.State.HANDED_OVER)


class GroupState(models.TextChoices):
    """What the reports say about a group: computed (`with_state`), never stored, so it cannot go stale."""

    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    DISSOLVED = "dissolved", _("Dissolved")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def shift_months(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` away from `month` (negative: earlier)."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def dormant_cutoff(today: datetime.date | None = None) -> datetime.date:
    """The earliest month whose meeting still keeps a group active: the current month is not over, so a
    group is dormant once `KUB_DORMANT_MONTHS` whole months have passed without a report of a meeting."""
    return shift_months(month_start(today or timezone.localdate()), -settings.KUB_DORMANT_MONTHS)


def with_state(queryset: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Groups annotated with `last_meeting` (the latest month with a meeting) and `state`.

    A subquery rather than a join, so other per-group counts (members) stay right and the state can be
    filtered in WHERE. A group formed on or after the cutoff month is active until it has had the time
    to miss its reports."""
    cutoff = dormant_cutoff(today)
    cutoff_at = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    last_meeting = GroupReport.objects.filter(group=OuterRef("pk"), meeting_held=True).order_by("-period")
    return queryset.annotate(
        last_meeting=Subquery(last_meeting.values("period")[:1]),
        state=Case(
            When(status=BusinessGroup.Status.DISSOLVED, then=Value(GroupState.DISSOLVED)),
            When(Q(last_meeting__gte=cutoff) | Q(created_at__gte=cutoff_at), then=Value(GroupState.ACTIVE)),
            default=Value(GroupState.DORMANT),
            output_field=CharField(max_length=10),
        ),
    )


def _has_binding_award(group_id) -> bool:
    return CapitalAward.objects.filter(group_id=group_id, state__in=BINDING_AWARD_STATES).exists()


class BusinessPlan(models.Model):
    """What the group will do with the capital. Fixed once an award resting on it is approved."""

    group = models.OneToOneField(BusinessGroup, on_delete=models.CASCADE, related_name="business_plan")
    product = models.CharField(_("Product or service"), max_length=200)
    market = models.TextField(_("Market"), max_length=1000, help_text=_("Who buys, where and how."))
    capital_use = models.TextField(_("What the capital buys"), max_length=1000)
    expected_monthly_income_rupiah = models.PositiveBigIntegerField(_("Expected monthly income (Rp)"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("Updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("business plan")
        verbose_name_plural = _("business plans")
        constraints = [
            models.CheckConstraint(
                condition=~Q(product="") & ~Q(market="") & ~Q(capital_use=""), name="business_plan_complete"
            ),
            models.CheckConstraint(
                condition=Q(expected_monthly_income_rupiah__gt=0), name="business_plan_income_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.product}"

    def delete(self, *args, **kwargs):
        _refuse_deleting_what_an_award_rests_on(type(self), self)
        return super().delete(*args, **kwargs)

    def clean(self):
        if not self.expected_monthly_income_rupiah:
            raise ValidationError({"expected_monthly_income_rupiah": _("Enter the expected monthly income.")})


class GroupAccount(models.Model):
    """The group's bank account; the capital is paid into it. Holders are members of the group."""

    group = models.OneToOneField(BusinessGroup, on_delete=models.CASCADE, related_name="account")
    bank = models.CharField(_("Bank"), max_length=80)
    account_number = models.CharField(_("Account number"), max_length=20)  # ASCII digits, see services
    holders = models.ManyToManyField(GroupMembership, related_name="held_accounts", verbose_name=_("Account holders"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("Updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("group account")
        verbose_name_plural = _("group accounts")
        constraints = [
            models.CheckConstraint(condition=~Q(bank="") & ~Q(account_number=""), name="group_account_complete"),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.bank}"

    def delete(self, *args, **kwargs):
        _refuse_deleting_what_an_award_rests_on(type(self), self)
        return super().delete(*args, **kwargs)


class GroupReport(models.Model):
    """One month of a group's business: at most one per group and month (`period` is the month's 1st)."""

    group = models.ForeignKey(BusinessGroup, on_delete=models.PROTECT, related_name="reports", verbose_name=_("KUB"))
    period = models.DateField(_("Month"))
    meeting_held = models.BooleanField(_("Meeting held"))
    members_present = models.ManyToManyField(
        GroupMembership, blank=True, related_name="reports_present", verbose_name=_("Members present")
    )
    sales_rupiah = models.PositiveBigIntegerField(_("Sales (Rp)"))
    cash_balance_rupiah = models.PositiveBigIntegerField(_("Cash balance (Rp)"))
    problems = models.TextField(_("Problems"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("Recorded at"), default=timezone.now)

    class Meta:
        ordering = ["group", "-period"]
        verbose_name = _("group report")
        verbose_name_plural = _("group reports")
        constraints = [
            models.UniqueConstraint(fields=["group", "period"], name="group_report_once_per_month"),
        ]
        indexes = [models.Index(fields=["period"])]

    def __str__(self) -> str:
        return f"{self.group} · {self.period:%m-%Y}"


@receiver(pre_delete, sender=BusinessPlan)
@receiver(pre_delete, sender=GroupAccount)
def _refuse_deleting_what_an_award_rests_on(sender, instance, **kwargs):
    """Checked by `delete()` before anything starts, and here again for queryset deletes (a receiver
    turns Django's fast delete off), inside the delete's transaction, which the refusal rolls back."""
    if _has_binding_award(instance.group_id):
        raise ValidationError(
            _("The capital award of this KUB has been approved on this plan and account; they cannot be deleted.")
        )
