"""Wagtail wiring for complaints: the ticket screens' URLs, the register in its own menu group, and the
audit-log actions of every step."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail_modeladmin.options import modeladmin_register

from applicants.complaints import views
from applicants.complaints.registers import TicketRegister
from applicants.complaints.services import open_summary

app_name = "complaints"
urlpatterns = [
    path("baru/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("<int:pk>/", views.TicketView.as_view(), name="ticket_detail"),
    path("<int:pk>/<slug:action>/", views.TicketView.as_view(), name="ticket_action"),
]


@hooks.register("register_admin_urls")
def register_complaint_urls():
    return [path("pengaduan/", include((urlpatterns, app_name), namespace="complaints"))]


@modeladmin_register
class ComplaintRegister(TicketRegister):
    menu_order = 260


@hooks.register("register_log_actions")
def register_complaint_log_actions(actions):
    for action, label in [
        ("sigap.ticket.submit", _("Complaint received")),
        ("sigap.ticket.review", _("Complaint taken in review")),
        ("sigap.ticket.assign", _("Complaint assigned")),
        ("sigap.ticket.answer", _("Complaint answered")),
        ("sigap.ticket.close", _("Complaint closed")),
        ("sigap.ticket.note", _("Internal note saved")),
        ("sigap.ticket.appeal", _("Appeal opened")),
    ]:
        actions.register_action(action, label, label)


class ComplaintPanel(Component):
    """Open and overdue complaints on the admin home, linked to the register filtered to them."""

    name = "sigap_complaints"
    order = 40
    template_name = "applicants/complaints/home_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        return {"summary": open_summary(self.user), "register_url": reverse("applicants_ticket_modeladmin_index"),
                "can_record": self.user.has_perm(views.ADD)}


@hooks.register("construct_homepage_panels")
def add_complaint_panel(request, panels):
    if request.user.has_perm(views.VIEW):
        panels.append(ComplaintPanel(request.user))
