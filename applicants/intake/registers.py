"""The applicant registers: Pendaftar (applications) and Orang (people), with their admin forms."""


from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry
from wagtail_modeladmin.views import CreateView, EditView

from applicants.allocation.services import earlier_for
from applicants.intake.admin_forms import ApplicantAdminForm, ApplicationAdminForm
from applicants.intake.bulk_actions import APPLICATION_BULK_ACTIONS
from applicants.intake.filters import ApplicantFilterSet, ApplicationFilterSet
from applicants.intake.tables import ApplicantTable, ApplicationTable
from applicants.models import Applicant, Application
from applicants.privacy import access
from applicants.privacy.audit import log_personal_data_access
from applicants.privacy.roles import IDENTITY_PERMISSION
from programs.registers import search
from programs.registers.base import RegisterModelAdmin
from programs.registers.views import RegisterInspectView
from programs.registers.xlsx import BIRTH_DATE, DATETIME, IDENTITY, ExportColumn

PERSON_PANELS = [
    FieldRowPanel([FieldPanel("nik"), FieldPanel("kk_number")]),
    FieldRowPanel([FieldPanel("full_name"), FieldPanel("birth_date")]),
    FieldPanel("phone"),
    FieldPanel("address"),
    FieldRowPanel([FieldPanel("rt"), FieldPanel("rw"), FieldPanel("kelurahan")]),
    FieldRowPanel([FieldPanel("household_size"), FieldPanel("occupation")]),
]


class ApplicationInspectView(RegisterInspectView):
    """The application, the person, and the audit history of both (Wagtail's log entries)."""

    def get_context_data(self, **kwargs):
        application = self.instance
        applicant = application.applicant
        log_personal_data_access(self.request.user, application, "detail")
        history = list(log_registry.get_logs_for_instance(application).select_related("user")[:50])
        history += list(log_registry.get_logs_for_instance(applicant).select_related("user")[:50])
        history.sort(key=lambda entry: entry.timestamp, reverse=True)
        mask = self.model_admin.identity_mask(self.request.user) or (lambda value: value)
        birth_date_mask = self.model_admin.birth_date_mask(self.request.user)
        return super().get_context_data(
            history=history,
            applicant=applicant,
            applicant_nik=mask(applicant.nik),
            applicant_kk=mask(applicant.kk_number),
            applicant_birth=(birth_date_mask(applicant.birth_date) if birth_date_mask
                             else applicant.birth_date.strftime("%d-%m-%Y")),
            contact_rows=application.contact_rows(mask=self.model_admin.identity_mask(self.request.user)),
            other_applications=[
                {"application": other, "kk": mask(other.contact_kk_number)}
                for other in applicant.applications.exclude(pk=application.pk)
                .select_related("intake", "contact_kelurahan").order_by("-submitted_at")
            ],
            applicant_ct=ContentType.objects.get_for_model(Applicant).pk,
            earlier=earlier_for(application),
            **kwargs,
        )


class ApplicationCreateView(CreateView):
    def form_valid(self, form):
        created_person = form.applicant.pk is None
        response = super().form_valid(form)  # logs "wagtail.create" for the application
        log(form.applicant, "wagtail.create" if created_person else "wagtail.edit",
            data={"via_application": self.instance.pk})
        return response


class ApplicationEditView(EditView):
    def form_valid(self, form):
        response = super().form_valid(form)  # logs "wagtail.edit" for the application
        log(form.applicant, "wagtail.edit", data={"via_application": self.instance.pk})
        return response


class ApplicationRegister(RegisterModelAdmin):
    """Pendaftar: one row per application with the applicant's details."""

    def scope_queryset(self, user, queryset):
        return access.applications.scope(user, queryset)

    model = Application
    register_key = "applicants"
    register_name = _("Applicants")
    export_slug = "pendaftar"
    menu_icon = "group"
    table_class = ApplicationTable
    filterset_class = ApplicationFilterSet
    search_help = _("Search by name, NIK, mobile number or application number")
    search_fields = (
        search.name("applicant__full_name"),
        search.nik("applicant__nik"),
        search.phone("applicant__phone"),
        search.reference("reference"),
    )
    list_select_related = ("applicant__kelurahan__kecamatan", "intake", "program")
    identity_permission = IDENTITY_PERMISSION
    bulk_actions = APPLICATION_BULK_ACTIONS  # Ubah status, Jadwalkan wawancara, Daftarkan ke kelas
    export_filename_prefixes = {"kecamatan": "kec", "kelurahan": "kel"}
    export_columns = (
        ExportColumn("reference", _("Application no.")),
        ExportColumn("applicant__full_name", _("Full name")),
        ExportColumn("applicant__nik", "NIK", kind=IDENTITY),
        ExportColumn("applicant__kk_number", _("KK number"), kind=IDENTITY),
        ExportColumn("applicant__sex", _("Sex")),
        ExportColumn("applicant__birth_date", _("Date of birth"), kind=BIRTH_DATE),
        ExportColumn("applicant__phone", _("Mobile number")),
        ExportColumn("applicant__address", _("Address")),
        ExportColumn("applicant__rt", _("RT"), width=6),
        ExportColumn("applicant__rw", _("RW"), width=6),
        ExportColumn("applicant__kelurahan__name", _("Kelurahan")),
        ExportColumn("applicant__kelurahan__kecamatan__name", _("Kecamatan")),
        ExportColumn("applicant__household_size", _("Household members")),
        ExportColumn("applicant__occupation", _("Occupation")),
        ExportColumn("intake__name", _("Intake")),
        ExportColumn("program__name", _("Program choice 1")),
        ExportColumn("program_alt__name", _("Second-choice program")),
        ExportColumn("status", _("Status")),
        ExportColumn("source", _("Source")),
        ExportColumn("dtks_self_report", _("DTKS (self-reported)")),
        ExportColumn("eligibility", _("Eligibility")),
        ExportColumn("submitted_at", _("Application date"), kind=DATETIME),
        ExportColumn("motivation", _("Motivation"), width=50),
    )
    inspect_view_enabled = True
    inspect_view_class = ApplicationInspectView
    inspect_view_fields = (
        "reference", "intake", "program", "program_alt", "status", "source", "dtks_self_report",
        "eligibility", "submitted_at", "motivation", "consent_version", "consent_at",
    )
    inspect_template_name = "applicants/admin/application_inspect.html"
    create_view_class = ApplicationCreateView
    edit_view_class = ApplicationEditView
    edit_handler = ObjectList(
        [
            MultiFieldPanel(PERSON_PANELS, heading=_("Personal details (as on KTP/KK)")),
            MultiFieldPanel(
                [
                    FieldPanel("intake"),
                    FieldRowPanel([FieldPanel("program"), FieldPanel("program_alt")]),
                    FieldRowPanel([FieldPanel("dtks_self_report"), FieldPanel("source")]),
                    FieldPanel("motivation"),
                    FieldPanel("consent"),
                ],
                heading=_("Application"),
            ),
        ],
        base_form_class=ApplicationAdminForm,
    )


class ApplicantInspectView(RegisterInspectView):
    def get_context_data(self, **kwargs):
        log_personal_data_access(self.request.user, self.instance, "detail")
        return super().get_context_data(**kwargs)


class ApplicantRegister(RegisterModelAdmin):
    """Orang: one row per person (unique NIK), for corrections that concern all their applications."""

    inspect_view_class = ApplicantInspectView

    def scope_queryset(self, user, queryset):
        return access.applicants.scope(user, queryset)

    model = Applicant
    register_key = "people"
    register_name = _("People")
    export_slug = "orang"
    menu_icon = "user"
    table_class = ApplicantTable
    filterset_class = ApplicantFilterSet
    search_help = _("Search by name, NIK, KK number or mobile number")
    search_fields = (
        search.name("full_name"),
        search.nik("nik"),
        search.nik("kk_number"),
        search.phone("phone"),
    )
    list_select_related = ("kelurahan__kecamatan",)
    identity_permission = IDENTITY_PERMISSION
    export_filename_prefixes = {"kecamatan": "kec", "kelurahan": "kel"}
    export_columns = (
        ExportColumn("full_name"),
        ExportColumn("nik", "NIK", kind=IDENTITY),
        ExportColumn("kk_number", _("KK number"), kind=IDENTITY),
        ExportColumn("sex"),
        ExportColumn("birth_date", kind=BIRTH_DATE),
        ExportColumn("phone"),
        ExportColumn("address"),
        ExportColumn("rt", width=6),
        ExportColumn("rw", width=6),
        ExportColumn("kelurahan__name", _("Kelurahan")),
        ExportColumn("kelurahan__kecamatan__name", _("Kecamatan")),
        ExportColumn("household_size"),
        ExportColumn("occupation"),
    )
    inspect_view_enabled = True
    identity_fields = ("nik", "kk_number")
    birth_date_fields = ("birth_date",)
    inspect_view_fields_exclude = ("processing_restricted", "anonymised_at")
    edit_handler = ObjectList(PERSON_PANELS, base_form_class=ApplicantAdminForm)
