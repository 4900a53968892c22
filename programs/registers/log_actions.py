"""The audit-log action for register exports (imported by `views`, so registering a register registers it)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from .export import EXPORT_ACTION


@hooks.register("register_log_actions")
def register_export_action(actions):
    @actions.register_action(EXPORT_ACTION)
    class RegisterExport(LogFormatter):
        label = _("Register export")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return _("Export of %(register)s: %(rows)s rows (%(file)s)") % {
                "register": data.get("register_name", ""),
                "rows": data.get("rows", "?"),
                "file": data.get("file_name", ""),
            }
