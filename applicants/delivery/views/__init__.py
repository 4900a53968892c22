"""Delivery action screens under /admin/pelaksanaan/: the class page (sessions, enrolment, attendance,
scores, completion, ranking and top-3), the award page (approve, hand over, cancel), forming a KUB,
the follow-ups due in a month and recording one. The lists are the registers (delivery/registers).

Personal data (docs/privacy.md): every view is behind the one gate (applicants.privacy.gates: a real
403 for comms, interviewers and anyone without the permission; POSTs need the change permission, so
auditors stay read-only); records named in a URL and every list are narrowed by the model's access
policy; NIK/KK are masked in exports for users without `view_full_identity`; every export is logged.
"""
