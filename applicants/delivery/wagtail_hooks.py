"""Wagtail wiring for delivery: the action screens' URLs, the one "Pelaksanaan" menu, audit-log
actions and the dashboard panel.

The menu is one modeladmin group registered once: the registers (classes, participants, attendance,
awards, KUB, follow-ups), whose rows link to the action screens, plus the screens that are not a
row of any register (the follow-ups due this month, forming a KUB, the printable list of recipients).
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail_modeladmin.options import ModelAdminGroup, modeladmin_register

from applicants.dashboard import dashboard_context
from applicants.delivery import printing, sessions
from applicants.delivery.registers import (
    AttendanceRegister,
    AwardRegister,
    FollowUpRegister,
    GroupRegister,
    GroupReportRegister,
    ParticipantRegister,
)
from applicants.delivery.views import awards, classes, common, followups, groups
from applicants.privacy.gates import PermissionMenuItem
from programs.wagtail_hooks import CohortRegister

app_name = "delivery"
urlpatterns = [
    # The lists are the registers; the old list URLs stay as redirects for bookmarks and printed guides.
    path("kelas/", classes.cohort_list_moved, name="cohort_list"),
    path("modal-usaha/", awards.award_list_moved, name="award_list"),
    path("kub/", groups.group_list_moved, name="group_list"),
    path("kelas/<int:pk>/", classes.cohort_detail, name="cohort_detail"),
    path("kelas/<int:pk>/daftarkan/", classes.cohort_enrol, name="cohort_enrol"),
    path("kelas/<int:pk>/peserta.xlsx", classes.cohort_participants_xlsx, name="cohort_participants_xlsx"),
    path("peserta/<int:pk>/mundur/", classes.enrolment_withdraw, name="enrolment_withdraw"),
    path("peserta/<int:pk>/persetujuan-publikasi/", classes.enrolment_publication_consent,
         name="enrolment_publication_consent"),
    path("pertemuan/<int:pk>/kehadiran/", classes.session_attendance, name="session_attendance"),
    path("pertemuan/<int:pk>/daftar-hadir/", printing.attendance_sheet, name="session_sheet"),
    path("modal-usaha/daftar-penerima.xlsx", awards.award_sheet, name="award_sheet"),
    path("modal-usaha/<int:pk>/", awards.award_detail, name="award_detail"),
    path("modal-usaha/<int:pk>/berita-acara/", awards.award_document, name="award_document"),
    path("kub/baru/", groups.group_create, name="group_create"),
    path("kub/<int:pk>/usulkan-modal/", groups.group_propose_award, name="group_propose_award"),
    path("kub/<int:pk>/", groups.group_detail, name="group_detail"),
    path("kub/<int:pk>/laporan/", groups.group_report, name="group_report"),
    path("kub/<int:pk>/laporan/<int:report_pk>/", groups.group_report, name="group_report_edit"),
    path("tindak-lanjut/", followups.followup_due, name="followup_due"),
    path("tindak-lanjut/<int:enrolment_pk>/<int:milestone>/", followups.followup_record, name="followup_record"),
    path("kelas/<int:pk>/buat-pertemuan/", sessions.cohort_generate_sessions, name="cohort_generate_sessions"),
    path("pertemuan/<int:pk>/ubah/", sessions.session_edit, name="session_edit"),
    path("modal-usaha/cetak/", printing.award_list, name="award_list_print"),
    path("modal-usaha/<int:pk>/cetak-berita-acara/", printing.handover_record, name="award_handover_print"),
]


@hooks.register("register_admin_urls")
def register_delivery_urls():
    return [path("pelaksanaan/", include((urlpatterns, app_name), namespace="delivery"))]


@modeladmin_register
class DeliveryAdminGroup(ModelAdminGroup):
    """Pelaksanaan: the delivery registers and the action screens that are not a register's row."""

    menu_label = _("Delivery")
    menu_icon = "group"
    menu_order = 250
    items = (CohortRegister, ParticipantRegister, AttendanceRegister, AwardRegister, GroupRegister, GroupReportRegister,
             FollowUpRegister)

    def get_submenu_items(self):
        return [
            *super().get_submenu_items(),
            PermissionMenuItem(_("Follow-ups due"), reverse("delivery:followup_due"), icon_name="date",
                               permission=common.VIEW, order=100),
            PermissionMenuItem(_("Form a KUB"), reverse("delivery:group_create"), icon_name="plus",
                               permission=common.CHANGE, order=110),
            PermissionMenuItem(_("Print capital recipient list"), reverse("delivery:award_sheet"),
                               icon_name="download", permission=common.AWARD_VIEW, order=120),
        ]


@hooks.register("register_log_actions")
def register_delivery_log_actions(actions):
    for action, label in [
        ("sigap.enrol", _("Enrol in class")),
        ("sigap.withdraw", _("Participant withdrew")),
        ("sigap.seat_offered", _("Place offered from waiting list")),
        ("sigap.attendance", _("Attendance saved")),
        ("sigap.scores", _("Final scores saved")),
        ("sigap.cohort.complete", _("Class completed")),
        ("sigap.sessions.generate", _("Session schedule created")),
        ("sigap.award.propose", _("Business capital proposed")),
        ("sigap.award.approve", _("Business capital approved")),
        ("sigap.award.hand_over", _("Business capital handed over")),
        ("sigap.award.cancel", _("Business capital cancelled")),
        ("sigap.group.form", _("KUB formed")),
        ("sigap.group.leave", _("Member left KUB")),
        ("sigap.group.plan", _("KUB business plan saved")),
        ("sigap.group.account", _("KUB account saved")),
        ("sigap.group.report", _("KUB monthly report saved")),
        ("sigap.group.dissolve", _("KUB dissolved")),
        ("sigap.followup", _("Follow-up recorded")),
        ("sigap.publication_consent", _("Story publication consent recorded")),
    ]:
        actions.register_action(action, label, label)


class DeliveryDashboardPanel(Component):
    """Funnel, kelurahan quotas and follow-up outcomes on the admin home, as SVG bars with numbers."""

    name = "sigap_delivery_dashboard"
    order = 50
    template_name = "applicants/delivery/dashboard_panel.html"

    def __init__(self, user=None):
        self.user = user

    def get_context_data(self, parent_context=None):
        return dashboard_context(user=self.user)


@hooks.register("construct_homepage_panels")
def add_delivery_dashboard(request, panels):
    # Comms (no view_application) get no panel at all: no figure below the kelurahan level for them.
    # Restricted staff get the figures of their kecamatan only (dashboard_context, through the policies).
    if request.user.has_perm(common.VIEW):
        panels.append(DeliveryDashboardPanel(request.user))
