"""Every selection and delivery register: one register view, bounded queries, exports per key, scopes."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from applicants.enums import ApplicationStatus
from applicants.models import (
    Attendance,
    BusinessGroup,
    CapitalAward,
    Enrolment,
    FollowUp,
    GroupMembership,
)
from programs.models import Kelurahan
from programs.registers.base import register_keys
from tests.factories import (
    CapitalPackageFactory,
    CohortFactory,
    CohortSessionFactory,
    EnrolmentFactory,
    InstructorFactory,
    InterviewFactory,
    UserFactory,
    WelfareImportBatchFactory,
    WelfareRecordFactory,
)

pytestmark = pytest.mark.django_db

# register key -> admin list URL
REGISTERS = {
    "interviews": "/admin/applicants/interview/",
    "register-records": "/admin/applicants/welfarerecord/",
    "register-batches": "/admin/applicants/welfareimportbatch/",
    "cohorts": "/admin/programs/cohort/",
    "participants": "/admin/applicants/enrolment/",
    "attendance": "/admin/applicants/attendance/",
    "awards": "/admin/applicants/capitalaward/",
    "groups": "/admin/applicants/businessgroup/",
    "followups": "/admin/applicants/followup/",
}


def count_in(response) -> int:
    match = re.search(rb'data-register-count="(\d+)"', response.content)
    assert match, response.content[:3000]
    return int(match.group(1))


class World:
    """n graduates, each in their own class, with an interview, attendance, award, KUB, follow-up,
    a welfare-register row and an import batch: one row per register per person."""

    def __init__(self):
        self.editor = UserFactory(username="editor-reg", is_superuser=True, is_staff=True)
        self.approver = UserFactory(username="approver-reg", is_superuser=True, is_staff=True)
        self.kelurahan = Kelurahan.objects.order_by("code").first()
        self.n = 0

    def grow(self, n: int) -> None:
        for i in range(self.n, n):
            cohort = CohortFactory(end_date=datetime.date(2026, 3, 31))
            cohort.instructors.add(InstructorFactory(skill=cohort.program))
            session = CohortSessionFactory(cohort=cohort, number=1)
            enrolment = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.COMPLETED, final_score=80)
            InterviewFactory(decided=True, application=enrolment.application)
            Attendance.objects.create(enrolment=enrolment, session=session, mark=Attendance.Mark.PRESENT)
            package = CapitalPackageFactory(program=cohort.program)
            CapitalAward.objects.create(
                intake=cohort.intake, enrolment=enrolment, package=package, value_rupiah=5_000_000, place=1,
                proposed_by=self.editor,
            )
            group = BusinessGroup.objects.create(
                intake=cohort.intake, name=f"KUB {i}", business_type="Kue kering", kelurahan=self.kelurahan,
                chair=enrolment,
            )
            GroupMembership.objects.create(group=group, enrolment=enrolment, applicant=enrolment.application.applicant)
            FollowUp.objects.create(
                enrolment=enrolment, milestone=3, working_status=FollowUp.Working.OWN_BUSINESS,
                business_running=True, income_band=FollowUp.IncomeBand.FROM_1M, receiving_bansos=False,
            )
            WelfareRecordFactory(batch=WelfareImportBatchFactory(state="superseded" if i else "current",
                                                                  file_sha256=f"{i:064d}"),
                                 kelurahan=self.kelurahan, desil=(i % 10) + 1)
        self.n = n


@pytest.fixture
def world():
    return World()


@pytest.fixture
def editor_client(client, world):
    client.force_login(world.editor)
    return client


def _page(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"per_page": 50})
    assert response.status_code == 200, response.content[:500]
    return count_in(response), len(ctx.captured_queries), ctx.captured_queries


@pytest.mark.parametrize("key", sorted(REGISTERS))
def test_register_page_issues_the_same_number_of_queries_at_5_and_50_rows(editor_client, world, key):
    url = REGISTERS[key]
    world.grow(5)
    editor_client.get(url)  # warm caches (content types, session)
    rows_small, queries_small, _ = _page(editor_client, url)
    world.grow(50)
    rows_big, queries_big, captured = _page(editor_client, url)
    assert (rows_small, rows_big) == (5, 50)
    assert queries_small == queries_big, "\n".join(q["sql"][:160] for q in captured)


@pytest.mark.parametrize(
    "key",
    ["applicants", "interviews", "cohorts", "participants", "awards", "groups", "followups", "register-records",
     "register-batches", "attendance"],
)
def test_export_register_accepts_every_key_and_writes_the_right_row_count(world, tmp_path, key):
    world.grow(3)
    output = tmp_path / f"{key}.xlsx"
    out = StringIO()
    call_command("export_register", key, "--output", str(output), stdout=out)
    expected = 3
    assert out.getvalue().strip().startswith(f"{expected} rows exported to ")
    sheet = load_workbook(output, read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows())) == expected + 1  # header + rows


def test_every_issue_register_key_is_registered():
    wanted = {"applicants", "interviews", "cohorts", "participants", "awards", "groups", "followups",
              "register-records"}
    assert wanted <= set(register_keys())


def test_export_filter_names_are_the_list_query_parameters(world, tmp_path, editor_client):
    world.grow(4)
    output = tmp_path / "records.xlsx"
    out = StringIO()
    call_command("export_register", "register-records", "--output", str(output), "--filter", "desil=2",
                 stdout=out)
    assert out.getvalue().strip().startswith("1 rows exported to ")
    assert count_in(editor_client.get(REGISTERS["register-records"], {"desil": 2})) == 1


def test_award_export_writes_rupiah_as_numbers(world, tmp_path):
    world.grow(2)
    output = tmp_path / "awards.xlsx"
    call_command("export_register", "awards", "--output", str(output), stdout=StringIO())
    sheet = load_workbook(output).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    value_cell = sheet.cell(row=2, column=header.index("Nilai (Rp)") + 1)
    assert value_cell.value == 5_000_000 and "Rp" in value_cell.number_format


@pytest.mark.parametrize(
    ("key", "params", "expected"),
    [
        ("interviews", {"attendance": "came"}, 3),
        ("interviews", {"attendance": "no_show"}, 0),
        ("interviews", {"decision": "accept"}, 3),
        ("cohorts", {"status": "completed"}, 0),
        ("participants", {"status": "completed"}, 3),
        ("participants", {"status": "withdrawn"}, 0),
        ("awards", {"recipient": "person"}, 3),
        ("awards", {"recipient": "group"}, 0),
        ("awards", {"state": "proposed"}, 3),
        ("groups", {"business_type": "kue"}, 3),
        ("groups", {"status": "dissolved"}, 0),
        ("followups", {"milestone": "3"}, 3),
        ("followups", {"milestone": "6"}, 0),
        ("followups", {"due_month": "2026-06"}, 3),  # class ended 31-03-2026 + 3 months
        ("followups", {"due_month": "2026-07"}, 0),
        ("followups", {"business_running": "true"}, 3),
        ("followups", {"receiving_bansos": "true"}, 0),
        ("attendance", {"mark": "present"}, 3),
        ("register-batches", {"state": "current"}, 1),
        ("register-records", {"register": "dtsen"}, 3),
    ],
)
def test_register_filters_narrow_the_rows(editor_client, world, key, params, expected):
    world.grow(3)
    assert count_in(editor_client.get(REGISTERS[key], params)) == expected


def test_register_record_search_finds_exact_nik_and_masks_it_for_auditors(client, world):
    world.grow(3)
    from applicants.models import WelfareRecord
    from applicants.privacy.roles import AUDITOR

    record = WelfareRecord.objects.order_by("pk").first()
    client.force_login(world.editor)
    response = client.get(REGISTERS["register-records"], {"q": record.nik})
    assert count_in(response) == 1 and record.nik in response.content.decode()
    assert count_in(client.get(REGISTERS["register-records"], {"q": record.nik[:10]})) == 0
    auditor = UserFactory(username="auditor-reg", is_staff=True, groups=[AUDITOR])
    client.force_login(auditor)
    response = client.get(REGISTERS["register-records"], {"q": record.nik})
    assert count_in(response) == 1
    cells = re.findall(r"<td[^>]*>(.*?)</td>", response.content.decode(), flags=re.S)
    assert record.nik not in " ".join(cells)  # (the auditor's own search term is echoed in the search box)
    assert "*" * 12 + record.nik[-4:] in " ".join(cells)


def test_interviewer_sees_only_own_interviews_in_the_register(client, world):
    world.grow(3)
    from applicants.models import Interview

    mine = Interview.objects.order_by("pk").first()
    client.force_login(mine.interviewer)
    response = client.get(REGISTERS["interviews"])
    assert count_in(response) == 1
    assert mine.application.reference in response.content.decode()


@pytest.mark.parametrize(
    "key", ["interviews", "participants", "attendance", "awards", "groups", "followups", "register-records"]
)
def test_editor_limited_to_another_kecamatan_sees_no_rows_of_this_one(client, world, key):
    from applicants.models import StaffProfile
    from applicants.privacy.roles import EDITOR
    from programs.models import Kecamatan

    world.grow(2)
    editor = UserFactory(username="kec-editor", is_staff=True, groups=[EDITOR])
    client.force_login(editor)
    assert count_in(client.get(REGISTERS[key])) == 2
    other = Kecamatan.objects.exclude(pk=world.kelurahan.kecamatan_id).first()
    StaffProfile.objects.create(user=editor).kecamatan.add(other)
    assert count_in(client.get(REGISTERS[key])) == 0


def test_registers_link_to_the_existing_action_screens(editor_client, world):
    world.grow(1)
    body = editor_client.get(REGISTERS["interviews"]).content.decode()
    assert "/admin/wawancara/" in body and "/hasil/" in body
    assert "/admin/pelaksanaan/pertemuan/" in editor_client.get(REGISTERS["attendance"]).content.decode()
    assert "/admin/pelaksanaan/modal-usaha/" in editor_client.get(REGISTERS["awards"]).content.decode()
    assert "/admin/pelaksanaan/kelas/" in editor_client.get(REGISTERS["cohorts"]).content.decode()


def test_read_only_registers_offer_no_create_button(editor_client, world):
    world.grow(1)
    response = editor_client.get(REGISTERS["participants"])
    assert "/admin/applicants/enrolment/create/" not in response.content.decode()
    assert editor_client.get("/admin/applicants/enrolment/create/").status_code in (302, 403)


def test_application_status_is_unchanged_by_a_register_view(editor_client, world):
    world.grow(1)
    editor_client.get(REGISTERS["participants"])
    assert Enrolment.objects.get().application.status == ApplicationStatus.ENROLLED
    assert timezone.now()


def test_admin_menu_has_one_delivery_group_with_the_registers_and_the_due_list(editor_client, world):
    body = editor_client.get(REGISTERS["participants"]).content.decode()
    assert body.count("Pelaksanaan") == 1  # one group, registered once
    for label in ("Peserta", "Absensi", "Modal usaha", "Tindak lanjut jatuh tempo", "Register DTSEN"):
        assert label in body
