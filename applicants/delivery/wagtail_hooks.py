"""Wagtail wiring for delivery: admin URLs and menu, audit-log actions, the dashboard panel."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component

from applicants.dashboard import dashboard_context
from applicants.delivery import printing, sessions, views

app_name = "delivery"
urlpatterns = [
    path("kelas/", views.cohort_list, name="cohort_list"),
    path("kelas/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("kelas/<int:pk>/daftarkan/", views.cohort_enrol, name="cohort_enrol"),
    path("kelas/<int:pk>/peserta.xlsx", views.cohort_participants_xlsx, name="cohort_participants_xlsx"),
    path("peserta/<int:pk>/mundur/", views.enrolment_withdraw, name="enrolment_withdraw"),
    path("peserta/<int:pk>/persetujuan-publikasi/", views.enrolment_publication_consent,
         name="enrolment_publication_consent"),
    path("kelas/<int:pk>/buat-pertemuan/", sessions.cohort_generate_sessions, name="cohort_generate_sessions"),
    path("pertemuan/<int:pk>/ubah/", sessions.session_edit, name="session_edit"),
    path("pertemuan/<int:pk>/kehadiran/", views.session_attendance, name="session_attendance"),
    path("pertemuan/<int:pk>/daftar-hadir/", printing.attendance_sheet, name="session_sheet"),
    path("modal-usaha/", views.award_list, name="award_list"),
    path("modal-usaha/<int:pk>/", views.award_detail, name="award_detail"),
    path("modal-usaha/<int:pk>/berita-acara/", views.award_document, name="award_document"),
    path("modal-usaha/cetak/", printing.award_list, name="award_list_print"),
    path("modal-usaha/<int:pk>/cetak-berita-acara/", printing.handover_record, name="award_handover_print"),
    path("kub/", views.group_list, name="group_list"),
    path("kub/baru/", views.group_create, name="group_create"),
    path("kub/<int:pk>/usulkan-modal/", views.group_propose_award, name="group_propose_award"),
    path("tindak-lanjut/", views.followup_due, name="followup_due"),
    path("tindak-lanjut/<int:enrolment_pk>/<int:milestone>/", views.followup_record, name="followup_record"),
]


@hooks.register("register_admin_urls")
def register_delivery_urls():
    return [path("pelaksanaan/", include((urlpatterns, app_name), namespace="delivery"))]


class PermissionMenuItem(MenuItem):
    """A menu item shown only to users holding one permission."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


delivery_menu = Menu(items=[
    PermissionMenuItem(_("Kelas"), reverse_lazy("delivery:cohort_list"), permission=views.VIEW,
                       icon_name="group", order=100),
    PermissionMenuItem(_("Modal usaha"), reverse_lazy("delivery:award_list"), permission=views.AWARD_VIEW,
                       icon_name="tag", order=200),
    PermissionMenuItem(_("KUB"), reverse_lazy("delivery:group_list"), permission=views.VIEW,
                       icon_name="group", order=300),
    PermissionMenuItem(_("Tindak lanjut"), reverse_lazy("delivery:followup_due"), permission=views.VIEW,
                       icon_name="date", order=400),
])


@hooks.register("register_admin_menu_item")
def register_delivery_menu():
    return SubmenuMenuItem(_("Pelaksanaan"), delivery_menu, icon_name="group", order=250)


@hooks.register("register_log_actions")
def register_delivery_log_actions(actions):
    for action, label in [
        ("sigap.enrol", _("Daftarkan ke kelas")),
        ("sigap.withdraw", _("Peserta mundur")),
        ("sigap.seat_offered", _("Kursi ditawarkan dari daftar tunggu")),
        ("sigap.attendance", _("Kehadiran disimpan")),
        ("sigap.scores", _("Nilai akhir disimpan")),
        ("sigap.cohort.complete", _("Kelas diselesaikan")),
        ("sigap.sessions.generate", _("Jadwal pertemuan dibuat")),
        ("sigap.award.propose", _("Modal usaha diusulkan")),
        ("sigap.award.approve", _("Modal usaha disetujui")),
        ("sigap.award.hand_over", _("Modal usaha diserahkan")),
        ("sigap.award.cancel", _("Modal usaha dibatalkan")),
        ("sigap.group.form", _("KUB dibentuk")),
        ("sigap.group.leave", _("Anggota keluar dari KUB")),
        ("sigap.followup", _("Tindak lanjut dicatat")),
        ("sigap.publication_consent", _("Persetujuan publikasi kisah dicatat")),
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
    # Restricted staff get the figures of their kecamatan only (dashboard_context).
    if request.user.has_perm("applicants.view_application"):
        panels.append(DeliveryDashboardPanel(request.user))


