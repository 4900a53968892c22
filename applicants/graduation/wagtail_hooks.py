"""Wagtail wiring for graduation: the certificate screens' URLs and their audit-log actions."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from applicants.graduation import views
from applicants.privacy.gates import PermissionMenuItem

app_name = "graduation"
urlpatterns = [
    path("peserta/<int:pk>/terbitkan-sertifikat/", views.enrolment_issue, name="enrolment_issue"),
    path("kelas/<int:pk>/terbitkan-sertifikat/", views.cohort_issue, name="cohort_issue"),
    path("sertifikat/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("sertifikat/<int:pk>/cetak/", views.certificate_print, name="certificate_print"),
    path("papan/", views.board, name="board"),
    path("lulusan/<int:pk>/", views.graduate_outcomes, name="graduate_outcomes"),
    path("kontak/tindak-lanjut/<int:enrolment_pk>/<int:milestone>/", views.followup_attempt,
         name="followup_attempt"),
    path("kontak/wawancara/<int:pk>/", views.interview_attempt, name="interview_attempt"),
    path("modal-usaha/<int:pk>/foto/", views.award_photo, name="award_photo"),
]


@hooks.register("register_admin_urls")
def register_graduation_urls():
    return [path("kelulusan/", include((urlpatterns, app_name), namespace="graduation"))]


@hooks.register("register_log_actions")
def register_graduation_log_actions(actions):
    for action, label in [
        ("sigap.certificate.issue", _("Certificate issued")),
        ("sigap.certificate.withdraw", _("Certificate revoked")),
        ("sigap.contact_attempt", _("Contact attempt recorded")),
    ]:
        actions.register_action(action, label, label)


@hooks.register("register_reports_menu_item")
def register_board_menu_item():
    return PermissionMenuItem(_("Graduation board"), reverse("graduation:board"), icon_name="table",
                              permission=views.VIEW, order=900)
