"""Admin screens to open a round without a developer: intakes (gelombang), their kelurahan quotas, programs.

Wagtail ModelViewSets with the model permission policy: editors add, change and delete; auditors
(view permission only) read; interviewers and comms hold no permission here and are refused. No
personal data lives in these models.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Sum
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.defaults import permission_denied
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CopyView, CreateView, DeleteView, EditView, IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log

from programs.admin_forms import INTAKE_FIELDS, IntakeForm, ProgramForm, QuotaForm
from programs.models import Holiday, Intake, KelurahanQuota, Program

QUOTA_VIEW = "programs.view_kelurahanquota"
QUOTA_CHANGE = "programs.change_kelurahanquota"


def _refuse(request):
    """A real 403 (a raised PermissionDenied inside the admin becomes a redirect to the dashboard)."""
    return permission_denied(request, PermissionDenied())


# --- Intakes ---------------------------------------------------------------------------------------


class IntakeIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super().get_base_queryset()
            .annotate(n_programs=Count("programs", distinct=True), quota_sum=Sum("quotas__quota"))
        )


class QuotaRedirectMixin:
    """After saving an intake the editor goes on to its kelurahan quotas, the next step of opening a round."""

    def get_success_url(self):
        if self.request.user.has_perm(QUOTA_CHANGE):
            return reverse("programs_intake:quotas", args=[self.object.pk])
        return super().get_success_url()


class IndonesianLabelsMixin:
    """Wagtail's Indonesian catalogue leaves "New" and "Create" in English on these screens."""

    page_title = gettext_lazy("Add new")
    submit_button_label = gettext_lazy("Save")
    submit_button_active_label = gettext_lazy("Saving…")


class IntakeCreateView(IndonesianLabelsMixin, QuotaRedirectMixin, CreateView):
    pass


class IntakeEditView(QuotaRedirectMixin, EditView):
    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        buttons.append(HeaderButton(_("Kelurahan quotas"), url=reverse("programs_intake:quotas", args=[self.object.pk]),
                                    icon_name="site"))
        return buttons


class IntakeCopyView(IndonesianLabelsMixin, QuotaRedirectMixin, CopyView):
    """Start a new round from an earlier one: every setting, program and kelurahan quota, new name and dates."""

    def get_initial_form_instance(self):
        self.source = self.get_object()
        return None

    def get_initial(self):
        source = self.get_object()
        initial = model_to_dict(source, fields=INTAKE_FIELDS)
        initial["programs"] = list(source.programs.values_list("pk", flat=True))
        initial["name"] = _("%(name)s (copy)") % {"name": source.name}
        initial["year"] = timezone.localdate().year
        initial["registration_opens"] = initial["registration_closes"] = None
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.quota_source = self.source
        return form

    def save_instance(self):
        instance = super().save_instance()
        KelurahanQuota.objects.bulk_create(
            KelurahanQuota(intake=instance, kelurahan_id=q.kelurahan_id, quota=q.quota)
            for q in self.source.quotas.all()
        )
        log(instance, "sigap.intake.copy", user=self.request.user, data={"from": self.source.pk})
        return instance


class RefuseDeleteMixin:
    """Deleting a record that others build on is refused with the reason, before the confirm page."""

    def dispatch(self, request, *args, **kwargs):
        allowed = self.permission_policy.user_has_permission_for_instance(request.user, "delete", self.object)
        reason = self.object.refuse_delete_reason() if allowed else ""
        if reason:
            messages.error(request, reason)
            return redirect(self.edit_url_name, self.object.pk)
        return super().dispatch(request, *args, **kwargs)


class IntakeDeleteView(RefuseDeleteMixin, DeleteView):
    pass


class IntakeViewSet(ModelViewSet):
    model = Intake
    icon = "date"
    menu_label = gettext_lazy("Intake")
    url_prefix = "gelombang"
    name = "programs_intake"
    form_fields = INTAKE_FIELDS
    list_display = [
        "name",
        Column("registration_opens", label=gettext_lazy("Opens")),
        Column("registration_closes", label=gettext_lazy("Closes")),
        Column("n_programs", label=gettext_lazy("Program")),
        Column("quota_sum", label=gettext_lazy("Quota total")),
        "total_target",
    ]
    search_fields = ["name"]
    inspect_view_enabled = True
    index_view_class = IntakeIndexView
    add_view_class = IntakeCreateView
    edit_view_class = IntakeEditView
    copy_view_class = IntakeCopyView
    delete_view_class = IntakeDeleteView

    def get_form_class(self, for_update=False):
        return IntakeForm

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<int:pk>/kuota/", QuotaView.as_view(), name="quotas")]


class QuotaView(WagtailAdminTemplateMixin, View):
    """Every kelurahan with its quota for one intake; "Isi sekaligus" fills many at once before saving."""

    template_name = "programs/admin/quotas.html"
    header_icon = "site"

    def dispatch(self, request, pk):
        if not request.user.has_perm(QUOTA_VIEW) and not request.user.has_perm(QUOTA_CHANGE):
            return _refuse(request)
        if request.method == "POST" and not request.user.has_perm(QUOTA_CHANGE):
            return _refuse(request)
        self.intake = get_object_or_404(Intake, pk=pk)
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("Kelurahan quotas")

    def get_page_subtitle(self):
        return str(self.intake)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("programs_intake:index"), "label": _("Intake")},
            {"url": reverse("programs_intake:edit", args=[self.intake.pk]), "label": str(self.intake)},
            {"url": "", "label": _("Kelurahan quotas")},
        ]

    def render(self, form, status=200):
        return TemplateResponse(
            self.request, self.template_name,
            self.get_context_data(form=form, intake=self.intake, can_change=self.request.user.has_perm(QUOTA_CHANGE)),
            status=status,
        )

    def get(self, request, pk):
        return self.render(QuotaForm(intake=self.intake))

    def post(self, request, pk):
        form = QuotaForm(request.POST, intake=self.intake)
        if request.POST.get("action") == "fill":
            form.is_valid()  # only the fill fields matter here; the others are shown as typed
            if "fill_value" in form.errors:
                return self.render(form)
            filled = QuotaForm(form.filled(), intake=self.intake)
            filled.is_valid()
            messages.info(request, _("The quotas have been filled in the form. Check them, then save."))
            return self.render(filled)
        if not form.is_valid():
            return self.render(form)
        refused = save_quotas(self.intake, form.quotas(), form.cleaned_data["total_target"],
                              form.cleaned_data["quota_difference_reason"], request.user)
        if refused:
            for kel_id, message in refused.items():
                form.add_error(QuotaForm.field_name(kel_id), message)
            return self.render(form)
        messages.success(request, _("Quotas for %(n)s kelurahan saved.") % {"n": len(form.quotas())})
        return redirect("programs_intake:quotas", self.intake.pk)


def save_quotas(intake: Intake, quotas: dict[int, int], total_target: int, reason: str, user) -> dict[int, str]:
    """Replace the intake's quotas in one transaction. A kelurahan that already sent applications keeps
    its place: dropping it is refused (kelurahan id -> message) and nothing is saved."""
    from django.apps import apps

    # `programs` never imports `applicants`; the application model is looked up by name.
    Application = apps.get_model("applicants", "Application")
    dropped = set(intake.quotas_by_kelurahan) - set(quotas)
    busy = dict(
        Application.objects.filter(intake=intake, applicant__kelurahan_id__in=dropped)
        .values_list("applicant__kelurahan_id").annotate(n=Count("pk"))
    ) if dropped else {}
    if busy:
        return {
            kel_id: _("There are already %(n)s applicants from this kelurahan; its quota cannot be cleared.") % {"n": n}
            for kel_id, n in busy.items()
        }
    with transaction.atomic():
        intake.quotas.exclude(kelurahan_id__in=quotas).delete()
        existing = {q.kelurahan_id: q for q in intake.quotas.all()}
        changed = []
        for kel_id, quota in quotas.items():
            row = existing.get(kel_id)
            if row is None:
                changed.append(KelurahanQuota(intake=intake, kelurahan_id=kel_id, quota=quota))
            elif row.quota != quota:
                row.quota = quota
                row.save(update_fields=["quota"])
        KelurahanQuota.objects.bulk_create(changed)
        intake.total_target, intake.quota_difference_reason = total_target, reason.strip()
        intake.save(update_fields=["total_target", "quota_difference_reason"])
        log(intake, "sigap.intake.quotas", user=user,
            data={"kelurahan": len(quotas), "total": sum(quotas.values()), "target": total_target})
    intake.__dict__.pop("quotas_by_kelurahan", None)
    return {}


# --- Programs --------------------------------------------------------------------------------------


class ProgramDeleteView(RefuseDeleteMixin, DeleteView):
    pass


class ProgramCreateView(IndonesianLabelsMixin, CreateView):
    pass


class ProgramViewSet(ModelViewSet):
    model = Program
    icon = "pick"
    menu_label = gettext_lazy("Skills programs")
    url_prefix = "keterampilan"
    name = "programs_program"
    form_fields = ["name", "slug", "description", "is_active", "next_round_note"]
    list_display = ["name", "is_active"]
    search_fields = ["name"]
    inspect_view_enabled = True
    delete_view_class = ProgramDeleteView
    add_view_class = ProgramCreateView

    def get_form_class(self, for_update=False):
        return ProgramForm


class HolidayViewSet(ModelViewSet):
    """Days the office is closed: bulk interview scheduling leaves them out."""

    model = Holiday
    icon = "date"
    menu_label = gettext_lazy("Holidays")
    url_prefix = "hari-libur"
    name = "programs_holiday"
    form_fields = ["date", "name"]
    list_display = ["date", "name"]
    search_fields = ["name"]
    add_view_class = type("HolidayCreateView", (IndonesianLabelsMixin, CreateView), {})

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "date":
            kwargs["widget"] = AdminDateInput
        return super().formfield_for_dbfield(db_field, **kwargs)


class RoundViewSetGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("Intakes and programs")
    menu_icon = "date"
    menu_order = 240
    items = (IntakeViewSet, ProgramViewSet, HolidayViewSet)
