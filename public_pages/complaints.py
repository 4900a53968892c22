"""The complaint page (pengaduan dan sanggahan): anyone sends a complaint or an objection, gets a ticket
number and a check code, checks the state and reads the answer, and may appeal an answer.

Built like the interest form (interest.py): the page holds what editors write, the records go through
applicants.complaints.services in one transaction, every POST passes the same guard (body size, the
shared rate limiter, CSRF by Django's middleware, a honeypot), and no response is cacheable.
Routes: "" (form), "terima-kasih/" (after a successful POST, PRG), "status/" (check), "banding/" (appeal).
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from applicants.complaints.forms import AppealForm, ComplaintForm, TicketStatusForm
from applicants.complaints.services import find_ticket, open_appeal, submit_ticket

from .post_guard import PostGuardMixin
from .site_data import PublicPageMixin

# The number and check code travel to the thank-you page in a short-lived signed cookie (the sender's
# own browser only), never in the URL, so they do not end up in proxy logs or the browser history.
TICKET_COOKIE = "sigap_adu"
TICKET_COOKIE_SALT = "sigap.complaints.ticket"
TICKET_COOKIE_AGE = 15 * 60


class ComplaintPage(PostGuardMixin, PublicPageMixin, RoutablePageMixin, Page):
    """The one complaint page; editors place it under the home page (e.g. /pengaduan/)."""

    rate_limited_template = "public_pages/complaint_page_429.html"

    intro = RichTextField(_("introduction"), blank=True)
    thank_you_text = RichTextField(_("thank-you text"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("thank_you_text")]

    max_count = 1
    parent_page_types = ["public_pages.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("complaint page")

    def _respond(self, request, template=None, status=200, **context):
        response = self.render(request, template=template, context_overrides=context)
        response.status_code = status
        add_never_cache_headers(response)  # holds what the sender typed, or their ticket
        return response


    def _thanks_redirect(self, request, ticket, code):
        response = HttpResponseRedirect(self.get_url(request) + self.reverse_subpage("thanks_view"))
        response.set_signed_cookie(
            TICKET_COOKIE, f"{ticket.number}|{code}", salt=TICKET_COOKIE_SALT, max_age=TICKET_COOKIE_AGE,
            path=self.get_url(request), secure=request.is_secure(), httponly=True, samesite="Lax",
        )
        return response

    @path("")
    def form_view(self, request):
        if request.method != "POST":
            return self._respond(request, form=ComplaintForm())
        refused = self._guard_post(request, "complaint")
        if refused is not None:
            return refused
        form = ComplaintForm(request.POST)
        if form.is_spam:
            # No record and no hint: the same kind of thank-you page, without a number.
            return self._respond(request, template="public_pages/complaint_page_thanks.html", number=None)
        if not form.is_valid():
            return self._respond(request, form=form)
        try:
            ticket, code = submit_ticket(form.cleaned_data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
            return self._respond(request, form=form)
        return self._thanks_redirect(request, ticket, code)

    @path("terima-kasih/")
    def thanks_view(self, request):
        value = request.get_signed_cookie(
            TICKET_COOKIE, default=None, salt=TICKET_COOKIE_SALT, max_age=TICKET_COOKIE_AGE
        )
        if not value or "|" not in value:
            return HttpResponseRedirect(self.get_url(request))
        number, code = value.split("|", 1)
        return self._respond(request, template="public_pages/complaint_page_thanks.html", number=number, code=code)

    @path("status/")
    def status_view(self, request):
        template = "public_pages/complaint_page_status.html"
        if request.method != "POST":
            return self._respond(request, template=template, form=TicketStatusForm())
        refused = self._guard_post(request, "complaint_status")
        if refused is not None:
            return refused
        form = TicketStatusForm(request.POST)
        context = {"form": form}
        if form.is_valid():
            ticket = find_ticket(form.cleaned_data["number"], form.cleaned_data["secret"])
            if ticket is None:
                context["not_found"] = True
            else:
                context.update(ticket=ticket, appeal_form=AppealForm(initial={
                    "number": ticket.number, "secret": form.cleaned_data["secret"]}))
        return self._respond(request, template=template, **context)

    @path("banding/")
    def appeal_view(self, request):
        if request.method != "POST":
            return HttpResponseRedirect(self.get_url(request) + self.reverse_subpage("status_view"))
        refused = self._guard_post(request, "complaint_status")
        if refused is not None:
            return refused
        form = AppealForm(request.POST)
        template = "public_pages/complaint_page_status.html"
        if form.is_spam:
            return self._respond(request, template="public_pages/complaint_page_thanks.html", number=None)
        if not form.is_valid():
            if form.errors.keys() & {"number", "secret"}:
                return self._respond(request, template=template, form=TicketStatusForm(), not_found=True)
            ticket = find_ticket(form.cleaned_data["number"], form.cleaned_data["secret"])
            if ticket is None:
                return self._respond(request, template=template, form=TicketStatusForm(), not_found=True)
            return self._respond(request, template=template, form=None, ticket=ticket, appeal_form=form)
        ticket = find_ticket(form.cleaned_data["number"], form.cleaned_data["secret"])
        if ticket is None:
            return self._respond(request, template=template, form=TicketStatusForm(), not_found=True)
        try:
            appeal, code = open_appeal(ticket, form.cleaned_data["description"])
        except ValidationError as exc:
            form.add_error(None, exc)  # a dict names its field (description); a message goes on top
            return self._respond(request, template=template, form=None, ticket=ticket, appeal_form=form)
        return self._thanks_redirect(request, appeal, code)
