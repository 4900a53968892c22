"""Permission helpers for registers whose rows are created and changed by their own workflow screens."""

from wagtail_modeladmin.helpers import PermissionHelper


class ReadOnlyRegisterPermissionHelper(PermissionHelper):
    """List, inspect and export only: rows change through the domain's own views and services
    (scheduling, outcomes, enrolment, imports), never through a generic edit form."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False
