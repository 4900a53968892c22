"""Forming a KUB from graduates and proposing a group's capital award. The list is the KUB register."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from applicants.delivery import services
from applicants.delivery.views.common import AWARD_CHANGE, CHANGE, PAGE_SIZE, VIEW, render, show_errors
from applicants.models import BusinessGroup, CapitalAward, Enrolment
from applicants.privacy import access
from applicants.privacy.gates import gate, object_in_scope
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


def _digits(value) -> int | None:
    value = str(value or "")
    return int(value) if value.isascii() and value.isdigit() else None
