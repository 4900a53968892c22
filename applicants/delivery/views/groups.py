"""Forming a KUB from graduates, the group's page (business plan, account, monthly reports, dissolving)
and proposing a group's capital award. The list is the KUB register."""

from __future__ import annotations

from django import forms
from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import ModelLogEntry

from applicants.delivery import services
from applicants.delivery.views.common import (
    AWARD_CHANGE,
    CHANGE,
    GROUP_CHANGE,
    PAGE_SIZE,
    VIEW,
    render,
    show_errors,
)
from applicants.models import (
    BusinessGroup,
    BusinessPlan,
    CapitalAward,
    Enrolment,
    GroupAccount,
    GroupReport,
    with_state,
)
from applicants.privacy import access
from applicants.privacy.audit import log_personal_data_access
from applicants.privacy.gates import gate, object_in_scope
from applicants.privacy.masking import display_identity
from programs.models import CapitalPackage, Intake, Kelurahan

GROUP_REGISTER_URL_NAME = "applicants_businessgroup_modeladmin_index"


@gate(VIEW, write_permissions=[CHANGE])
def group_list_moved(request):
    return redirect(GROUP_REGISTER_URL_NAME)


class GroupForm(forms.Form):
    intake = forms.ModelChoiceField(Intake.objects.all(), label=_("Intake"))
    name = forms.CharField(label=_("KUB name"), max_length=150)
    business_type = forms.CharField(label=_("Business type"), max_length=150)
    kelurahan = forms.ModelChoiceField(Kelurahan.objects.select_related("kecamatan"), label=_("Kelurahan"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A restricted editor forms groups in its own kecamatan only (a typed id elsewhere is invalid).
        self.fields["kelurahan"].queryset = access.in_reach_area(user, self.fields["kelurahan"].queryset)


@gate(CHANGE, write_permissions=[CHANGE])
def group_create(request):
    form = GroupForm(request.POST or None, initial={"intake": request.GET.get("intake")}, user=request.user)
    intake_id = str(request.POST.get("intake") or request.GET.get("intake") or "")
    graduates = Enrolment.objects.none()
    if intake_id.isascii() and intake_id.isdigit():
        graduates = access.enrolments.scope(
            request.user,
            Enrolment.objects.filter(cohort__intake_id=intake_id, status=Enrolment.Status.COMPLETED)
            .exclude(application__applicant__in=Enrolment.objects.filter(memberships__active=True)
                     .values("application__applicant"))
            .select_related("application__applicant__kelurahan", "cohort")
            .order_by("application__applicant__kelurahan__name", "application__applicant__full_name"),
        )[:PAGE_SIZE]
    if request.method == "POST" and form.is_valid():
        ids = [int(i) for i in request.POST.getlist("member") if i.isascii() and i.isdigit()]
        members = list(access.enrolments.scope(request.user, Enrolment.objects.filter(pk__in=ids)))
        chair = next((m for m in members if str(m.pk) == request.POST.get("chair")), None)
        try:
            if chair is None:
                raise ValidationError(_("Choose the chair from the members."))
            group = services.form_group(user=request.user, enrolments=members, chair=chair, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("KUB %(name)s formed.") % {"name": group.name})
            return redirect(GROUP_REGISTER_URL_NAME)
    return render(request, "group_form.html", _("Form a KUB"), {
        "form": form, "graduates": graduates, "intake_id": str(intake_id or ""),
        "selected": set(request.POST.getlist("member")), "chair_id": request.POST.get("chair", ""),
        "intakes": Intake.objects.order_by("-registration_opens")})


@gate(AWARD_CHANGE, write_permissions=[AWARD_CHANGE])
def group_propose_award(request, pk):
    """GET: the group and the packages for groups; POST: propose the award and go to its page."""
    group = object_in_scope(
        request, access.groups, BusinessGroup.objects.select_related("intake", "kelurahan__kecamatan"), pk=pk
    )
    live = CapitalAward.objects.filter(group=group).exclude(state=CapitalAward.State.CANCELLED).first()
    if request.method == "POST":
        package = get_object_or_404(CapitalPackage, pk=_digits(request.POST.get("package")), for_groups=True)
        try:
            if live is not None:  # a second tab or a typed POST: the database would refuse it too
                raise ValidationError(
                    _("This KUB already has a business capital proposal that has not been cancelled.")
                )
            with transaction.atomic():
                award = CapitalAward.propose(user=request.user, package=package, group=group)
        except IntegrityError:  # proposed meanwhile by someone else (award_one_live_per_group)
            show_errors(request, ValidationError(_("This KUB already has a business capital "
                                                   "proposal that has not been cancelled.")))
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            return redirect("delivery:award_detail", pk=award.pk)
    return render(request, "group_propose.html", _("Propose business capital: %(g)s") % {"g": group.name}, {
        "group": group, "live_award": live,
        "packages": CapitalPackage.objects.filter(active=True, for_groups=True)}, icon="tag")


class PlanForm(forms.ModelForm):
    class Meta:
        model = BusinessPlan
        fields = ["product", "market", "capital_use", "expected_monthly_income_rupiah"]
        widgets = {"market": forms.Textarea(attrs={"rows": 3}), "capital_use": forms.Textarea(attrs={"rows": 3})}


class MembersField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.applicant.full_name


class AccountForm(forms.Form):
    bank = forms.CharField(label=gettext_lazy("Bank"), max_length=80)
    account_number = forms.CharField(label=gettext_lazy("Account number"), max_length=40)
    holders = MembersField(queryset=None, label=gettext_lazy("Account holders"))

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holders"].queryset = group.memberships.filter(active=True).select_related("applicant")


class ReportForm(forms.Form):
    period = forms.DateField(
        label=gettext_lazy("Month"), input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    meeting_held = forms.BooleanField(label=gettext_lazy("Meeting held"), required=False)
    members_present = MembersField(queryset=None, label=gettext_lazy("Members present"), required=False)
    sales_rupiah = forms.IntegerField(label=gettext_lazy("Sales (Rp)"), min_value=0, max_value=10**13)
    cash_balance_rupiah = forms.IntegerField(label=gettext_lazy("Cash balance (Rp)"), min_value=0, max_value=10**13)
    problems = forms.CharField(label=gettext_lazy("Problems"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        # Members of the group, including those who left since (an older month's meeting).
        self.fields["members_present"].queryset = group.memberships.select_related("applicant").order_by(
            "-active", "applicant__full_name")


def _errors_to_form(request, form, exc: ValidationError) -> None:
    """Field errors next to their field when the form has it, everything else at the top of the page."""
    if hasattr(exc, "error_dict") and all(name in form.fields for name in exc.error_dict):
        form.add_error(None, exc)
    else:
        show_errors(request, exc)


def _group(request, pk) -> BusinessGroup:
    return object_in_scope(request, access.groups, with_state(BusinessGroup.objects.select_related(
        "intake", "kelurahan__kecamatan", "chair__application__applicant")), pk=pk)


@gate(VIEW, write_permissions=[GROUP_CHANGE])
def group_detail(request, pk):
    """The group's page: members, state, the business plan and account a capital award needs, the
    monthly reports, dissolving. POST `action` = plan, account or dissolve."""
    group = _group(request, pk)
    plan = access.business_plans.scope(request.user, BusinessPlan.objects.filter(group=group)).first()
    account = access.group_accounts.scope(request.user, GroupAccount.objects.filter(group=group)).first()
    sees_full = access.can_view_full_identity(request.user)
    plan_form = PlanForm(instance=plan)
    account_form = AccountForm(group=group, initial={
        "bank": account.bank, "holders": list(account.holders.all()),
        # Without the identity permission the number is never sent to the browser, not even in a form.
        "account_number": account.account_number if sees_full else "",
    } if account else None)
    if request.method == "POST":
        action, form, done = request.POST.get("action"), None, ""
        try:
            if action == "plan":
                form = plan_form = PlanForm(request.POST, instance=plan or BusinessPlan(group=group))
                if form.is_valid():
                    services.save_plan(group, request.user, **{name: form.cleaned_data[name]
                                                               for name in PlanForm.Meta.fields})
                    done = _("Business plan saved.")
            elif action == "account":
                form = account_form = AccountForm(request.POST, group=group)
                if form.is_valid():
                    services.save_account(group, request.user, bank=form.cleaned_data["bank"],
                                          account_number=form.cleaned_data["account_number"],
                                          holders=list(form.cleaned_data["holders"]))
                    done = _("Group account saved.")
            elif action == "dissolve":
                services.dissolve_group(group, request.user, request.POST.get("reason", ""))
                done = _("The KUB has been dissolved.")
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            if form is not None:
                _errors_to_form(request, form, exc)
            else:
                show_errors(request, exc)
        else:
            if done:
                messages.success(request, done)
                return redirect("delivery:group_detail", pk=group.pk)
    reports = access.group_reports.scope(request.user, GroupReport.objects.filter(group=group)) \
        .prefetch_related("members_present__applicant").order_by("-period")
    members = group.memberships.select_related("applicant", "enrolment__cohort").order_by(
        "-active", "applicant__full_name")
    log_personal_data_access(request.user, BusinessGroup, "lihat KUB", filters={"group": group.pk},
                             rows=members.count())
    return render(request, "group_detail.html", group.name, {
        "group": group, "plan": plan, "account": account, "plan_form": plan_form, "account_form": account_form,
        "account_number": display_identity(account.account_number, request.user) if account else "",
        "holders": list(account.holders.select_related("applicant")) if account else [],
        "members": members, "reports": reports, "problems": group.capital_readiness_problems(),
        "awards": access.awards.scope(request.user, CapitalAward.objects.filter(group=group).select_related("package")),
        "history": ModelLogEntry.objects.for_instance(group).select_related("user").order_by("-timestamp")[:50],
        "can_change": request.user.has_perm(GROUP_CHANGE), "dissolved": group.status == BusinessGroup.Status.DISSOLVED,
        "dormant_months": django_settings.KUB_DORMANT_MONTHS,
    })


@gate(GROUP_CHANGE, write_permissions=[GROUP_CHANGE])
def group_report(request, pk, report_pk=None):
    """Record a month's report (or correct one: `report_pk`): a form for writers only (the auditor reads the
    reports on the group's page). Out-of-scope groups are refused (403)."""
    group = _group(request, pk)
    report = None
    if report_pk is not None:
        report = get_object_or_404(GroupReport.objects.filter(group=group), pk=report_pk)
    initial = {"period": timezone.localdate().replace(day=1)}
    if report is not None:
        initial = {"period": report.period, "meeting_held": report.meeting_held,
                   "members_present": list(report.members_present.all()), "sales_rupiah": report.sales_rupiah,
                   "cash_balance_rupiah": report.cash_balance_rupiah, "problems": report.problems}
    form = ReportForm(request.POST or None, group=group, initial=initial)
    if report is not None:
        form.fields["period"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.record_report(group, request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(request, form, exc)
        else:
            messages.success(request, _("Monthly report saved."))
            return redirect("delivery:group_detail", pk=group.pk)
    title = _("Monthly report: %(group)s") % {"group": group.name}
    return render(request, "group_report_form.html", title, {"group": group, "form": form, "report": report},
                  icon="doc-full")


def _digits(value) -> int | None:
    value = str(value or "")
    return int(value) if value.isascii() and value.isdigit() else None
