"""The staff screens of one complaint: what was sent, its history, and the steps (take in review, assign,
answer, close, internal note, record an appeal). Each step is a POST to its own URL, behind the one gate
and the ticket policy: a ticket outside the user's kecamatan is a 403 whether listed, opened or acted on.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import registry as log_registry

from applicants.complaints.forms import ComplaintForm
from applicants.complaints.services import open_appeal, submit_ticket
from applicants.identity import mask_identity
from applicants.models import Ticket
from applicants.privacy import access
from applicants.privacy.access import refuse
from applicants.privacy.audit import log_personal_data_access
from applicants.privacy.gates import GatedViewMixin, object_in_scope

VIEW = "applicants.view_ticket"
CHANGE = "applicants.change_ticket"
ADD = "applicants.add_ticket"


def handlers_for(ticket: Ticket):
    """Staff who may handle this ticket: the change permission, and no restriction that leaves it out."""
    permission = Permission.objects.filter(content_type__app_label="applicants", codename="change_ticket")
    users = get_user_model().objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(groups__permissions__in=permission) | Q(user_permissions__in=permission)
    )
    users = users.filter(
        Q(staff_profile__isnull=True) | Q(staff_profile__kecamatan__isnull=True)
        | Q(staff_profile__kecamatan=ticket.kecamatan_id)
    )
    return users.distinct().order_by("username")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=get_user_model().objects.none(),
                                      required=False, empty_label=_("— nobody —"))

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = handlers_for(ticket)
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class AnswerForm(forms.Form):
    decision_code = forms.ChoiceField(
        label=_("Decision"), choices=[("", _("— choose —")), *Ticket.Decision.choices],
        error_messages={"required": _("Choose the decision.")},
    )
    answer = forms.CharField(
        label=_("Answer to the sender"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The sender reads this on the status page. Plain words; no other person's data."),
        error_messages={"required": _("Write the answer the sender will read.")},
    )


class NoteForm(forms.Form):
    internal_note = forms.CharField(
        label=_("Internal note"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff only; never shown to the sender."),
    )


class AppealForm(forms.Form):
    description = forms.CharField(
        label=_("What the sender disagrees with"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write why the sender disagrees with the answer.")},
    )


ACTIONS = ("review", "assign", "answer", "close", "note", "appeal")


class TicketView(GatedViewMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET: the ticket; POST to /<action>/: one step, then back to the ticket with a message."""

    template_name = "applicants/complaints/ticket_detail.html"
    permission_required = VIEW
    permission_policy = access.tickets
    write_permissions = (CHANGE,)
    header_icon = "help"

    def load_object(self, request, **kwargs):
        queryset = Ticket.objects.select_related("kecamatan", "assignee", "appeal_of", "application__applicant")
        self.ticket = object_in_scope(request, access.tickets, queryset, pk=kwargs["pk"])

    def get_page_title(self):
        return self.ticket.number

    def get_page_subtitle(self):
        return f"{self.ticket.get_kind_display()} · {self.ticket.get_category_display()}"

    def forms(self, bound: str = "", data=None) -> dict:
        ticket = self.ticket
        made = {
            "assign_form": AssignForm(data if bound == "assign" else None, ticket=ticket,
                                      initial={"assignee": ticket.assignee_id}),
            "answer_form": AnswerForm(data if bound == "answer" else None),
            "note_form": NoteForm(data if bound == "note" else None, initial={"internal_note": ticket.internal_note}),
            "appeal_form": AppealForm(data if bound == "appeal" else None),
        }
        return made

    def get_context_data(self, **kwargs):
        user = self.request.user
        ticket = self.ticket
        reads = access.tickets.reads_personal_text(user)
        log_personal_data_access(user, ticket, "detail")
        context = super().get_context_data(**kwargs)
        context.update(
            ticket=ticket,
            reads_personal_text=reads,
            contact_phone=ticket.contact_phone if reads else mask_identity(ticket.contact_phone),
            applicant_nik=(ticket.application.applicant.nik if reads else mask_identity(
                ticket.application.applicant.nik)) if ticket.application_id else "",
            can_handle=access.tickets.may_handle(user, ticket),
            history=list(log_registry.get_logs_for_instance(ticket).select_related("user")[:100]),
            appeals=list(ticket.appeals.order_by("created_at")),
            states=Ticket.State,
        )
        for name, form in self.forms().items():
            context.setdefault(name, form)
        return context

    def post(self, request, pk, action: str = ""):
        if action not in ACTIONS:
            raise Http404
        ticket = self.ticket
        if not access.tickets.may_handle(request.user, ticket):
            return refuse(request)
        forms_ = self.forms(action, request.POST)
        try:
            if action == "review":
                ticket.take_in_review(request.user)
                messages.success(request, _("The complaint is now in review."))
            elif action == "close":
                ticket.close(request.user)
                messages.success(request, _("The complaint is closed."))
            else:
                form = forms_[f"{action}_form"]
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(**{f"{action}_form": form}))
                data = form.cleaned_data
                if action == "assign":
                    ticket.assign(request.user, data["assignee"])
                    messages.success(request, _("Assignment saved."))
                elif action == "answer":
                    ticket.give_answer(request.user, decision_code=data["decision_code"], answer=data["answer"])
                    messages.success(request, _("The answer is saved; the sender can read it on the status page."))
                elif action == "note":
                    ticket.save_note(request.user, data["internal_note"])
                    messages.success(request, _("Internal note saved."))
                elif action == "appeal":
                    appeal, code = open_appeal(ticket, data["description"], user=request.user)
                    messages.success(request, _(
                        "Appeal %(number)s opened. Give the sender this check code (shown only now): %(code)s"
                    ) % {"number": appeal.number, "code": code})
                    return redirect("complaints:ticket_detail", pk=appeal.pk)
        except ValidationError as exc:
            form = forms_.get(f"{action}_form")
            if form is not None:
                form.add_error(None, exc)
                return self.render_to_response(self.get_context_data(**{f"{action}_form": form}))
            messages.error(request, " ".join(exc.messages))
        return redirect("complaints:ticket_detail", pk=ticket.pk)


class StaffComplaintForm(ComplaintForm):
    """The public form's fields and rules (an application only with its NIK) for a complaint received at
    the desk, by phone or by letter; a restricted user records only complaints of their kecamatan."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["website"]
        self.user = user
        kecamatan = self.fields["kecamatan"]
        kecamatan.queryset = access.in_reach_area(user, kecamatan.queryset, kecamatan_path="pk")

    def clean(self):
        data = super().clean()
        application = data.get("application")
        restricted = access.restricted_kecamatan_ids(self.user)
        if application is not None and restricted and application.applicant.kelurahan.kecamatan_id not in restricted:
            self.add_error("reference", _("This application is outside the kecamatan you work in."))
        return data


class TicketCreateView(GatedViewMixin, WagtailAdminTemplateMixin, FormView):
    """Record a complaint received in person, by phone or by letter; the check code is shown once."""

    template_name = "applicants/complaints/ticket_create.html"
    permission_required = ADD
    permission_policy = access.tickets
    policy_action = "add"
    write_permissions = (ADD,)
    header_icon = "help"
    page_title = _("Record a complaint")

    def get_form(self, form_class=None):
        return StaffComplaintForm(**self.get_form_kwargs(), user=self.request.user)

    def form_valid(self, form):
        try:
            ticket, code = submit_ticket(form.cleaned_data, user=self.request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _(
            "Complaint %(number)s recorded. Give the sender this check code (shown only now): %(code)s"
        ) % {"number": ticket.number, "code": code})
        return redirect("complaints:ticket_detail", pk=ticket.pk)
