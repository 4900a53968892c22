"""Wagtail hooks for personal-data protection: audit-log actions and the data-subject-rights views.

Imported from applicants/wagtail_hooks.py so Wagtail finds it.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from applicants.models import StaffProfile
from applicants.privacy import audit, retention, subject_rights
from applicants.privacy import views as views_privacy


@hooks.register("register_log_actions")
def register_privacy_log_actions(actions):
    actions.register_action(audit.VIEW_ACTION, _("Lihat data pribadi"), _("Data pribadi dilihat"))
    actions.register_action(audit.EXPORT_ACTION, _("Ekspor data"), _("Data diekspor"))
    actions.register_action(
        subject_rights.SUBJECT_EXPORT_ACTION, _("Salinan data subjek"), _("Salinan data untuk pemilik data dibuat")
    )
    actions.register_action(
        subject_rights.RESTRICT_ACTION, _("Batasi pemrosesan"), _("Pemrosesan data dibatasi")
    )
    actions.register_action(
        subject_rights.LIFT_ACTION, _("Cabut pembatasan"), _("Pembatasan pemrosesan dicabut")
    )
    actions.register_action(retention.RETENTION_ACTION, _("Retensi data"), _("Data lama dianonimkan"))


@hooks.register("register_admin_urls")
def register_privacy_admin_urls():
    return [
        path(
            "privasi/pendaftar/<int:pk>/salinan-data/",
            views_privacy.SubjectDataExportView.as_view(),
            name="sigap_subject_export",
        ),
        path(
            "privasi/pendaftar/<int:pk>/pembatasan/",
            views_privacy.RestrictionView.as_view(),
            name="sigap_subject_restriction",
        ),
    ]


class StaffProfileViewSet(ModelViewSet):
    """Settings > Profil petugas: limit an editor or interviewer to some kecamatan (admins only)."""

    model = StaffProfile
    form_fields = ["user", "kecamatan"]
    list_display = ["user", "kecamatan_list"]
    icon = "user"
    add_to_settings_menu = True
    menu_label = _("Profil petugas")
    name = "profil_petugas"


@hooks.register("register_admin_viewset")
def register_staff_profile_viewset():
    return StaffProfileViewSet()
