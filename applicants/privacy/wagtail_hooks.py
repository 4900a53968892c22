"""Wagtail hooks for personal-data protection: audit-log actions and the data-subject-rights views.

Imported from applicants/wagtail_hooks.py so Wagtail finds it.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from applicants.models import StaffProfile
from applicants.models import rights as rights
from applicants.privacy import audit, retention, subject_rights
from applicants.privacy import views as views_privacy


@hooks.register("register_log_actions")
def register_privacy_log_actions(actions):
    actions.register_action(audit.VIEW_ACTION, _("View personal data"), _("Personal data viewed"))
    actions.register_action(audit.EXPORT_ACTION, _("Export data"), _("Data exported"))
    actions.register_action(
        subject_rights.SUBJECT_EXPORT_ACTION, _("Data subject copy"), _("Copy of data created for the data subject")
    )
    actions.register_action(
        subject_rights.RESTRICT_ACTION, _("Restrict processing"), _("Data processing restricted")
    )
    actions.register_action(
        subject_rights.LIFT_ACTION, _("Lift restriction"), _("Processing restriction lifted")
    )
    actions.register_action(retention.RETENTION_ACTION, _("Data retention"), _("Old data anonymised"))
    actions.register_action(retention.ERASURE_ACTION, _("Data erasure"), _("Data anonymised on request"))
    actions.register_action(rights.REQUEST_ACTION, _("Data subject requests"), _("Data subject request recorded"))
    actions.register_action(
        rights.REQUEST_DONE_ACTION, _("Request fulfilled"), _("Data subject request fulfilled")
    )
    actions.register_action(
        rights.REQUEST_REFUSED_ACTION, _("Request rejected"), _("Data subject request rejected")
    )


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
        path(
            "privasi/pendaftar/<int:pk>/salinan-data/dokumen/",
            views_privacy.SubjectDocumentView.as_view(),
            name="sigap_subject_document",
        ),
        path(
            "privasi/pendaftar/<int:pk>/permintaan/baru/",
            views_privacy.SubjectRequestCreateView.as_view(),
            name="sigap_subject_request_new",
        ),
        path("privasi/permintaan/", views_privacy.SubjectRequestListView.as_view(), name="sigap_subject_requests"),
        path("privasi/login-terkunci/", views_privacy.LockedLoginsView.as_view(), name="sigap_locked_logins"),
        path(
            "privasi/permintaan/<int:request_pk>/",
            views_privacy.SubjectRequestDetailView.as_view(),
            name="sigap_subject_request",
        ),
    ]


class SubjectRequestsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("applicants.view_datasubjectrequest")


@hooks.register("register_admin_menu_item")
def register_subject_requests_menu_item():
    return SubjectRequestsMenuItem(
        _("Data subject requests"), reverse("sigap_subject_requests"), icon_name="clipboard-list", order=400
    )


class StaffProfileViewSet(ModelViewSet):
    """Settings > Profil petugas: limit an editor or interviewer to some kecamatan (admins only)."""

    model = StaffProfile
    form_fields = ["user", "kecamatan"]
    list_display = ["user", "kecamatan_list"]
    icon = "user"
    add_to_settings_menu = True
    menu_label = _("Staff profiles")
    name = "profil_petugas"


@hooks.register("register_admin_viewset")
def register_staff_profile_viewset():
    return StaffProfileViewSet()


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_locked_logins_menu_item():
    return SuperuserMenuItem(_("Locked logins"), reverse("sigap_locked_logins"), icon_name="lock", order=900)
