"""Admin views for data-subject rights: a person's data (JSON file, printable document), restriction of
processing, and the register of data-subject requests.

The copy and the restriction: editors only (`applicants.change_applicant`), inside their access scope.
Requests: listed for whoever may view them (editors, auditors), recorded and closed by editors; each
request is reachable only when its person is inside the user's scope (403 otherwise).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateTimeInput

from applicants.models import Applicant, DataSubjectRequest
from applicants.privacy import access, login_security
from applicants.privacy.access import refuse
from applicants.privacy.gates import GatedViewMixin, object_in_scope
from applicants.privacy.masking import display_identity
from applicants.privacy.retention import erase_applicant
from applicants.privacy.subject_rights import (
    export_subject_data,
    lift_restriction,
    restrict_processing,
    subject_document,
)

PERMISSION = "applicants.change_applicant"


class _EditorApplicantMixin(GatedViewMixin):
    """Loads the applicant named in the URL, or refuses (403) users without the right or the scope."""

    permission_required = PERMISSION
    write_permissions = (PERMISSION,)

    def load_object(self, request, **kwargs):
        self.applicant = object_in_scope(request, access.applicants, pk=kwargs["pk"])


class SubjectDataExportView(_EditorApplicantMixin, View):
    """A JSON file of everything stored about the person (UU PDP access request)."""

    def get(self, request, pk):
        payload = export_subject_data(self.applicant, user=request.user)
        response = HttpResponse(payload, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="data-pribadi-{self.applicant.pk}.json"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store"
        return response


class RestrictionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, required=False
    )

    def __init__(self, *args, restricted: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.restricted = restricted
        self.fields["reason"].required = not restricted


class RestrictionView(_EditorApplicantMixin, WagtailAdminTemplateMixin, FormView):
    """Restrict processing (reason required) or lift the restriction; both go to the audit log."""

    template_name = "applicants/admin/restriction.html"
    form_class = RestrictionForm
    header_icon = "lock"

    def get_page_title(self):
        if self.applicant.processing_restricted:
            return _("Lift processing restriction")
        return _("Restrict data processing")

    def get_page_subtitle(self):
        return self.applicant.full_name

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "restricted": self.applicant.processing_restricted}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["applicant"] = self.applicant
        context["nik"] = display_identity(self.applicant.nik, self.request.user)
        return context

    def form_valid(self, form):
        reason = form.cleaned_data["reason"]
        if self.applicant.processing_restricted:
            lift_restriction(self.applicant, self.request.user, reason)
            messages.success(self.request, _("Processing restriction lifted."))
        else:
            restrict_processing(self.applicant, self.request.user, reason)
            messages.success(self.request, _("Processing of this applicant's data is now restricted."))
        return redirect("sigap_subject_restriction", pk=self.applicant.pk)


class SubjectDocumentView(_EditorApplicantMixin, View):
    """The copy as a document the resident can read and print (Indonesian headings, print stylesheet)."""

    def get(self, request, pk):
        copy = subject_document(self.applicant, user=request.user)
        response = render(request, "applicants/privacy/subject_document.html", {"copy": copy})
        response["Cache-Control"] = "no-store"
        return response


# --- Data-subject requests -----------------------------------------------------------------------------
class _RequestPermissionMixin:
    """403 without the model permission named by `permission` (view/add/change_datasubjectrequest)."""

    permission = "applicants.view_datasubjectrequest"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            return refuse(request)
        return super().dispatch(request, *args, **kwargs)


def scoped_requests(user):
    return DataSubjectRequest.objects.filter(
        applicant__in=access.applicants.scope(user, Applicant.objects.all()).values("pk")
    ).select_related("applicant")


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All")), ("open", _("In progress")), ("overdue", _("Overdue")),
                 ("closed", _("Completed or rejected"))],
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All")), *DataSubjectRequest.Kind.choices]
    )


class SubjectRequestListView(_RequestPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every request of the people the user may see, open ones first by deadline."""

    template_name = "applicants/privacy/request_list.html"
    page_title = _("Data subject requests")
    header_icon = "clipboard-list"
    per_page = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = RequestFilterForm(self.request.GET or None)
        requests = scoped_requests(self.request.user).order_by("status", "due_at", "pk")
        if form.is_valid():
            status, kind = form.cleaned_data["status"], form.cleaned_data["kind"]
            if status == "open":
                requests = requests.filter(status=DataSubjectRequest.Status.OPEN)
            elif status == "overdue":
                requests = requests.filter(status=DataSubjectRequest.Status.OPEN, due_at__lt=timezone.now())
            elif status == "closed":
                requests = requests.exclude(status=DataSubjectRequest.Status.OPEN)
            if kind:
                requests = requests.filter(kind=kind)
        paginator = Paginator(requests, self.per_page)
        page = paginator.get_page(self.request.GET.get("p"))
        params = self.request.GET.copy()
        params.pop("p", None)
        context.update(form=form, page_obj=page, requests=page.object_list, querystring=params.urlencode(),
                       now=timezone.now())
        return context


class SubjectRequestForm(forms.ModelForm):
    class Meta:
        model = DataSubjectRequest
        fields = ["kind", "requester_name", "channel", "details", "requested_at"]
        widgets = {"details": forms.Textarea(attrs={"rows": 4}), "requested_at": AdminDateTimeInput()}


class SubjectRequestCreateView(_RequestPermissionMixin, _EditorApplicantMixin, WagtailAdminTemplateMixin,
                               FormView):
    """Register a request received in person, by letter, e-mail or phone; the deadline follows its kind."""

    permission = "applicants.add_datasubjectrequest"
    template_name = "applicants/privacy/request_form.html"
    form_class = SubjectRequestForm
    page_title = _("Record a data subject request")
    header_icon = "clipboard-list"

    def get_page_subtitle(self):
        return self.applicant.full_name

    def get_initial(self):
        return {"requested_at": timezone.localtime().replace(second=0, microsecond=0)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["applicant"] = self.applicant
        context["nik"] = display_identity(self.applicant.nik, self.request.user)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            subject_request = DataSubjectRequest.register(
                applicant=self.applicant, kind=data["kind"], requester_name=data["requester_name"],
                channel=data["channel"], details=data["details"], requested_at=data["requested_at"],
                user=self.request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Request recorded. Deadline: %(due)s.") % {
            "due": formats.date_format(timezone.localtime(subject_request.due_at), "DATETIME_FORMAT")})
        return redirect("sigap_subject_request", request_pk=subject_request.pk)


class CloseRequestForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"), widget=forms.RadioSelect,
        choices=[("done", _("Fulfilled")), ("refused", _("Rejected"))],
    )
    outcome = forms.CharField(
        label=_("Action taken / reason for rejection"), widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )
    apply_now = forms.BooleanField(label="", required=False)

    def __init__(self, *args, subject_request, **kwargs):
        super().__init__(*args, **kwargs)
        kind = subject_request.kind
        if kind == DataSubjectRequest.Kind.RESTRICTION:
            self.fields["apply_now"].label = _("Restrict processing of this person's data now")
            self.fields["apply_now"].initial = not subject_request.applicant.processing_restricted
        elif kind == DataSubjectRequest.Kind.ERASURE:
            self.fields["apply_now"].label = _(
                "Anonymise this person's data now (name, NIK, KK, contact "
                "details and notes are removed; statistics are kept)"
            )
        else:
            del self.fields["apply_now"]


class SubjectRequestDetailView(WagtailAdminTemplateMixin, FormView):
    """One request: what was asked and by when; staff who may change requests close it here."""

    template_name = "applicants/privacy/request_detail.html"
    form_class = CloseRequestForm
    header_icon = "clipboard-list"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("applicants.view_datasubjectrequest"):
            return refuse(request)
        self.subject_request = get_object_or_404(
            DataSubjectRequest.objects.select_related("applicant"), pk=kwargs["request_pk"]
        )
        if not access.applicants.in_scope(request.user, self.subject_request.applicant):
            return refuse(request)
        if request.method == "POST" and not request.user.has_perm("applicants.change_datasubjectrequest"):
            return refuse(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.subject_request.get_kind_display())

    def get_page_subtitle(self):
        return self.subject_request.applicant.full_name

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "subject_request": self.subject_request}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        applicant = self.subject_request.applicant
        context.update(
            subject_request=self.subject_request, applicant=applicant,
            nik=display_identity(applicant.nik, self.request.user),
            can_close=self.subject_request.status == DataSubjectRequest.Status.OPEN
            and self.request.user.has_perm("applicants.change_datasubjectrequest"),
            can_copy=self.request.user.has_perm(PERMISSION),
        )
        return context

    def form_valid(self, form):
        subject_request = self.subject_request
        refused = form.cleaned_data["result"] == "refused"
        apply_now = form.cleaned_data.get("apply_now") and not refused
        try:
            with transaction.atomic():
                if apply_now and subject_request.kind == DataSubjectRequest.Kind.RESTRICTION:
                    restrict_processing(subject_request.applicant, self.request.user, subject_request.details)
                elif apply_now and subject_request.kind == DataSubjectRequest.Kind.ERASURE:
                    erase_applicant(subject_request.applicant, self.request.user)
                subject_request.close(user=self.request.user, outcome=form.cleaned_data["outcome"], refused=refused)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "closed":  # closed meanwhile by someone else: show what it is now
                messages.error(self.request, exc.messages[0])
                return redirect("sigap_subject_request", request_pk=subject_request.pk)
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error("apply_now" if "apply_now" in form.fields else None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Request closed."))
        return redirect("sigap_subject_request", request_pk=subject_request.pk)


# --- Locked logins (admins) ----------------------------------------------------------------------------
class UnlockForm(forms.Form):
    ip_address = forms.GenericIPAddressField(label=_("Address"), unpack_ipv4=True)


class LockedLoginsView(WagtailAdminTemplateMixin, TemplateView):
    """Client addresses locked out after failed logins, the usernames tried from each, and unlocking."""

    template_name = "applicants/privacy/locked_logins.html"
    page_title = _("Locked logins")
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            return refuse(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["locked"] = login_security.locked_addresses()
        context["limit"] = login_security.failure_limit()
        return context

    def post(self, request, *args, **kwargs):
        form = UnlockForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Invalid address."))
        elif login_security.unlock(form.cleaned_data["ip_address"], request.user):
            messages.success(request, _("Address %(address)s unlocked.") % {
                "address": form.cleaned_data["ip_address"]})
        else:
            messages.warning(request, _("This address is not locked."))
        return redirect("sigap_locked_logins")
