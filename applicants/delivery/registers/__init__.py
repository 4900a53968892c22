"""Delivery registers: participants, attendance, capital awards, KUB groups, follow-ups.

Read-only tables over programs.registers (filters, search, sorting, xlsx export, `export_register`
keys). The work itself (attendance grid, ranking, award approval, group forming, recording a
follow-up) stays on the /admin/pelaksanaan/ action screens, linked from each table's rows. Rows are
narrowed by the model's access policy (applicants.privacy.access). The class register belongs to
`programs` (programs/wagtail_hooks.py).
"""

from applicants.delivery.registers.awards import AwardRegister
from applicants.delivery.registers.followups import FollowUpRegister
from applicants.delivery.registers.groups import GroupRegister, GroupReportRegister
from applicants.delivery.registers.participants import AttendanceRegister, ParticipantRegister

__all__ = [
    "AttendanceRegister", "AwardRegister", "FollowUpRegister", "GroupRegister", "GroupReportRegister",
    "ParticipantRegister",
]
