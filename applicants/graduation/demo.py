"""Demo graduation data (seed_demo): certificates for every closed class and the graduates checked
against the current register, so the graduation board and the verification page show real numbers."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from applicants.graduation.certificates import issue_for_cohort
from applicants.graduation.outcomes import check_graduates
from applicants.models import WelfareImportBatch
from programs.models import Cohort


def seed(stdout=None) -> dict[str, int]:
    editor = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    summary = {"certificates": 0, "register_checks": 0}
    for cohort in Cohort.objects.filter(status=Cohort.Status.COMPLETED).order_by("pk"):
        summary["certificates"] += len(issue_for_cohort(cohort, editor).issued)
    for batch in WelfareImportBatch.objects.filter(state=WelfareImportBatch.State.CURRENT):
        summary["register_checks"] += check_graduates(batch)
    if stdout:
        stdout.write("Kelulusan demo: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return summary
