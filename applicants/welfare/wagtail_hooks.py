"""Admin wiring for the welfare register: upload/report URLs, menu item, audit-log actions.

`applicants/wagtail_hooks.py` imports this module so the hooks register at start-up.
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from applicants.privacy import access
from applicants.privacy.gates import PermissionMenuItem
from applicants.welfare import views as welfare_views


@hooks.register("register_admin_urls")
def register_welfare_urls():
    return [path("register-kesejahteraan/", include((welfare_views.urlpatterns, "welfare"), namespace="welfare"))]


@hooks.register("register_admin_menu_item")
def register_welfare_menu_item():
    return PermissionMenuItem(
        _("DTSEN/DTKS import"), reverse("welfare:upload"), name="welfare-import", icon_name="upload", order=450,
        permission=welfare_views.IMPORT_PERMISSION, policy=access.welfare_batches, action="add",
    )


@hooks.register("register_log_actions")
def register_welfare_log_actions(actions):
    actions.register_action("sigap.welfare_import", _("Register import"), _("Welfare register imported"))
    actions.register_action(
        "sigap.eligibility_checked", _("Eligibility check"), _("Eligibility checked against the register")
    )
    actions.register_action(
        "sigap.eligibility_override", _("Eligibility override"), _("Eligibility overridden by staff")
    )
