"""Multi-step delivery operations, one module per step of the programme: enrolment, attendance and
completion, ranking and top-3 proposals, KUB groups, follow-ups. Views call these; the rules that
concern a single record live on the models (`applicants/models/delivery.py`).

Every name is re-exported here, so callers write `services.enrol(...)` whichever module holds it.
"""

from applicants.delivery.services.attendance import (
    attendance_pct,
    complete_cohort,
    last_session_day,
    save_attendance,
    save_scores,
)
from applicants.delivery.services.enrolment import (
    BulkResult,
    CohortFull,
    bulk_enrol,
    eligible_programs,
    enrol,
    longest_waiting,
    withdraw,
)
from applicants.delivery.services.followups import (
    FOLLOWUP_EARLY_DAYS,
    DueFollowUp,
    add_months,
    due_followups,
    followup_opens_on,
    record_followup,
)
from applicants.delivery.services.groups import (
    clean_account_number,
    dissolve_group,
    form_group,
    leave_group,
    record_report,
    save_account,
    save_plan,
)
from applicants.delivery.services.ranking import (
    Ranking,
    RankRow,
    interview_weighted_score,
    propose_top3,
    rank_cohort,
)

__all__ = [
    "FOLLOWUP_EARLY_DAYS", "followup_opens_on", "last_session_day",
    "BulkResult", "CohortFull", "DueFollowUp", "RankRow", "Ranking", "add_months", "attendance_pct", "bulk_enrol",
    "complete_cohort", "due_followups", "eligible_programs", "enrol", "form_group", "interview_weighted_score",
    "leave_group", "longest_waiting", "propose_top3", "rank_cohort", "record_followup", "save_attendance",
    "save_scores", "withdraw", "clean_account_number", "dissolve_group", "record_report", "save_account",
    "save_plan",
]
