"""The "Program Pelatihan" admin menu: the registers of applicants, interviews and the welfare register.
(The "Pelaksanaan" menu is registered by applicants/delivery/wagtail_hooks.py.)"""

from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdminGroup, modeladmin_register

from applicants.allocation.registers import RecipientListRegister, RecipientRecordRegister
from applicants.intake.registers import ApplicantRegister, ApplicationRegister
from applicants.selection.registers import InterviewRegister
from applicants.welfare.registers import WelfareBatchRegister, WelfareRecordRegister


@modeladmin_register
class ProgramAdminGroup(ModelAdminGroup):
    menu_label = _("Training programs")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (ApplicationRegister, ApplicantRegister, InterviewRegister, WelfareRecordRegister, WelfareBatchRegister,
             RecipientRecordRegister, RecipientListRegister)
