"""Admin wiring for fair allocation: the list import URLs, menu item and audit-log actions.

`applicants/wagtail_hooks.py` imports this module; the registers join the "Program Pelatihan" menu
(applicants/intake/wagtail_hooks.py).
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from applicants.allocation import views
from applicants.privacy import access
from applicants.privacy.gates import PermissionMenuItem


@hooks.register("register_admin_urls")
def register_allocation_urls():
    return [path("daftar-penerima/", include((views.urlpatterns, "allocation"), namespace="allocation"))]


@hooks.register("register_admin_menu_item")
def register_allocation_menu_item():
    return PermissionMenuItem(
        _("Import earlier-recipient list"), reverse("allocation:upload"), name="recipient-list-import",
        icon_name="upload", order=460, permission=views.IMPORT_PERMISSION, policy=access.recipient_batches,
        action="add",
    )


@hooks.register("register_log_actions")
def register_allocation_log_actions(actions):
    actions.register_action(
        "sigap.award.second_override", _("Second-package override"),
        _("Second individual capital package allowed with a reason"),
    )
