"""The "Program Pelatihan" and "Pelaksanaan" admin menus that group the registers of every area."""


from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem, SubmenuMenuItem
from wagtail_modeladmin.menus import GroupMenuItem
from wagtail_modeladmin.options import ModelAdminGroup, modeladmin_register

from applicants.delivery.registers import (
    AttendanceRegister,
    AwardRegister,
    CohortRegister,
    FollowUpRegister,
    GroupRegister,
    ParticipantRegister,
)
from applicants.intake.registers import ApplicantRegister, ApplicationRegister
from applicants.selection.registers import InterviewRegister
from applicants.welfare.registers import WelfareBatchRegister, WelfareRecordRegister


@modeladmin_register
class ProgramAdminGroup(ModelAdminGroup):
    menu_label = _("Program Pelatihan")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (ApplicationRegister, ApplicantRegister, InterviewRegister, WelfareRecordRegister, WelfareBatchRegister)


class PermissionLinkItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@modeladmin_register
class DeliveryAdminGroup(ModelAdminGroup):
    """One "Pelaksanaan" menu: the registers, plus the follow-ups-due work list (an action screen)."""

    menu_label = _("Pelaksanaan")
    menu_icon = "group"
    menu_order = 250
    items = (CohortRegister, ParticipantRegister, AttendanceRegister, AwardRegister, GroupRegister, FollowUpRegister)

    def get_submenu_items(self):
        return [*super().get_submenu_items(), PermissionLinkItem(
            _("Tindak lanjut jatuh tempo"), reverse("delivery:followup_due"), icon_name="date",
            permission="applicants.view_application", order=100,
        )]


@hooks.register("construct_main_menu")
def keep_one_delivery_menu(request, menu_items):
    """delivery_hooks' ad-hoc "Pelaksanaan" submenu (capped lists) is superseded by the register group."""
    menu_items[:] = [
        item for item in menu_items
        if isinstance(item, GroupMenuItem) or not (
            isinstance(item, SubmenuMenuItem) and str(item.label) == str(DeliveryAdminGroup.menu_label)
        )
    ]
