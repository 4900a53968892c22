"""Admin wiring for interviews: URLs, the "Wawancara" menu and the workflow's audit-log actions.

Imported from applicants/wagtail_hooks.py (Wagtail only autoloads `wagtail_hooks` modules).
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.log_actions import LogFormatter

from applicants.enums import ApplicationStatus, DecisionReason
from applicants.privacy.gates import PermissionMenuItem
from applicants.selection import views as interview_views
from applicants.workflow import LOG_ACTIONS, RESCHEDULE_ACTION


@hooks.register("register_admin_urls")
def register_interview_urls():
    return [
        path(
            "wawancara/",
            include((interview_views.urlpatterns, interview_views.app_name), namespace=interview_views.app_name),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_interview_menu():
    items = [
        PermissionMenuItem(
            gettext_lazy("My schedule"), reverse("sigap_interviews:mine"), icon_name="user",
            permission="applicants.view_interview", order=100,
        ),
        PermissionMenuItem(
            gettext_lazy("All interviews"), reverse("sigap_interviews:all"), icon_name="list-ul",
            permission="applicants.view_application", order=200,
        ),
        PermissionMenuItem(
            gettext_lazy("Bulk schedule"), reverse("sigap_interviews:bulk"), icon_name="calendar",
            permission="applicants.add_interview", order=300,
        ),
    ]
    return SubmenuMenuItem(
        gettext_lazy("Interview schedule"), Menu(items=items), icon_name="calendar", name="wawancara", order=310
    )


def _status(value: str) -> str:
    return str(ApplicationStatus(value).label) if value in ApplicationStatus.values else value


class StatusChangeFormatter(LogFormatter):
    """"Terverifikasi → Wawancara dijadwalkan (alasan: ...)" in the object's history."""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        message = _("Status: %(from)s → %(to)s") % {
            "from": _status(data.get("from", "")), "to": _status(data.get("to", ""))
        }
        reason = data.get("reason")
        if reason:
            label = DecisionReason(reason).label if reason in DecisionReason.values else reason
            message += " " + _("(reason: %(reason)s)") % {"reason": label}
        return message

    def format_comment(self, log_entry):
        return (log_entry.data or {}).get("note", "")


@hooks.register("register_log_actions")
def register_workflow_log_actions(actions):
    for action, label in [*LOG_ACTIONS.values(), RESCHEDULE_ACTION]:
        actions.register_action(action)(type("Formatter", (StatusChangeFormatter,), {"label": label}))
