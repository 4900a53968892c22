"""Demo graduation data (seed_demo): certificates for every closed class, the asset state of the
capital packages at follow-up, and the graduates checked against two register extracts (the demo's
first import and a later one in which some graduates' households no longer receive bansos), so the
graduation board shows self-reported and register-verified exits and the verification page real numbers."""

from __future__ import annotations

import csv
import datetime
import random
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from applicants.enums import Register
from applicants.graduation.certificates import issue_for_cohort
from applicants.graduation.outcomes import check_graduates
from applicants.models import CapitalAward, Enrolment, FollowUp, WelfareImportBatch, WelfareRecord
from applicants.welfare.importer import import_register
from programs.models import Cohort

LATER_REGISTER_FILE = "dtsen-demo-kota-tangerang-pembaruan.csv"
# Share of graduates on bansos whose household the later extract lists without it.
LEFT_SHARE = 0.4
HEADER = ["NIK", "No KK", "Nama", "Tgl Lahir", "Jenis Kelamin", "Alamat", "RT", "RW", "Kode Kelurahan",
          "Desil", "Bansos"]


def seed(today: datetime.date | None = None, stdout=None) -> dict[str, int]:
    today = today or timezone.localdate()
    editor = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    summary = {"certificates": 0, "asset_states": 0, "register_checks": 0, "later_register_rows": 0}
    for cohort in Cohort.objects.filter(status=Cohort.Status.COMPLETED).order_by("pk"):
        summary["certificates"] += len(issue_for_cohort(cohort, editor).issued)
    summary["asset_states"] = _asset_states()
    for batch in WelfareImportBatch.objects.filter(state=WelfareImportBatch.State.CURRENT):
        summary["register_checks"] += check_graduates(batch)
    summary["later_register_rows"] = _later_register(editor, today)
    if stdout:
        stdout.write("Kelulusan demo: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return summary


def _asset_states() -> int:
    """Follow-ups of graduates who received an individual package record what became of the asset."""
    recipients = CapitalAward.objects.filter(
        enrolment__isnull=False, state=CapitalAward.State.HANDED_OVER
    ).values("enrolment_id")
    pending = FollowUp.objects.filter(enrolment_id__in=recipients, asset_state="").select_related(
        "enrolment__cohort", "enrolment__application__applicant").order_by("pk")
    changed = 0
    for followup in pending:
        enrolment = followup.enrolment
        rng = random.Random(f"asset-{enrolment.cohort.name}-{enrolment.application.applicant.nik}-{followup.milestone}")
        followup.asset_state = rng.choices(
            [FollowUp.AssetState.IN_USE, FollowUp.AssetState.SOLD, FollowUp.AssetState.BROKEN],
            weights=[8, 1, 1])[0]
        followup.save(update_fields=["asset_state"])
        changed += 1
    return changed


def _later_register(user, today: datetime.date) -> int:
    """A later extract of the current register in which some graduates' households left bansos.

    Everyone else's row is repeated as it was, so applicants' eligibility reads the same; the import is
    confirmed without the eligibility re-check and, like every confirmed import, checks the graduates."""
    if WelfareImportBatch.objects.filter(file_name=LATER_REGISTER_FILE).exists():
        return 0
    current = WelfareImportBatch.objects.filter(
        register=Register.DTSEN, state=WelfareImportBatch.State.CURRENT).order_by("-pk").first()
    if current is None or current.as_of is None or current.as_of >= today:
        return 0
    graduate_kks = set(Enrolment.objects.filter(status=Enrolment.Status.COMPLETED).values_list(
        "application__applicant__kk_number", flat=True))
    if not graduate_kks or not WelfareRecord.objects.filter(batch=current).exists():
        return 0
    leaving = {kk for kk in graduate_kks if random.Random(f"left-{kk}").random() < LEFT_SHARE}
    rows = [HEADER]
    for record in WelfareRecord.objects.filter(batch=current).select_related("kelurahan").order_by(
            "row_number").iterator(chunk_size=2000):
        bansos = "" if record.kk_number in leaving else record.bansos
        rows.append([record.nik, record.kk_number, record.full_name,
                     record.birth_date.strftime("%d-%m-%Y") if record.birth_date else "",
                     record.sex, record.address, record.rt, record.rw,
                     record.kelurahan.code if record.kelurahan_id else "",
                     "" if record.desil is None else record.desil, bansos])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / LATER_REGISTER_FILE
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, delimiter=";").writerows(rows)
        batch = import_register(path, register=Register.DTSEN, as_of=today, user=user, check_eligibility=False)
    return batch.rows_accepted
