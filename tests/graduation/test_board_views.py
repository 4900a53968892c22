"""The graduation board and a graduate's outcome page through the admin: figures with their evidence,
an xlsx with the same figures, typed URLs never a 500, roles without reach refused."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from applicants.graduation.outcomes import check_graduates
from applicants.models import FollowUp
from programs.models import Cohort
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    UserFactory,
    WelfareImportBatchFactory,
    WelfareRecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_data():
    cohort = CohortFactory(status=Cohort.Status.COMPLETED, start_date=datetime.date(2026, 1, 5),
                           end_date=datetime.date(2026, 1, 31))
    graduates = EnrolmentFactory.create_batch(2, graduate=True, cohort=cohort)
    FollowUp.objects.create(enrolment=graduates[0], milestone=3, working_status=FollowUp.Working.EMPLOYED,
                            income_band=FollowUp.IncomeBand.FROM_1M, receiving_bansos=False)
    batch = WelfareImportBatchFactory(as_of=datetime.date(2026, 6, 1))
    applicant = graduates[1].application.applicant
    WelfareRecordFactory(batch=batch, nik=applicant.nik, kk_number=applicant.kk_number, desil=2, bansos="PKH")
    check_graduates(batch)
    return cohort, graduates


def test_editor_sees_the_board_with_evidence_named_and_downloads_it(client, board_data):
    cohort, _graduates = board_data
    client.force_login(UserFactory(editor=True))
    page = client.get(reverse("graduation:board"), {"intake": cohort.intake_id})
    html = page.content.decode()
    assert page.status_code == 200
    assert "pengakuan sendiri saja" in html and "terverifikasi register" in html and "Tidak diketahui" in html
    download = client.get(reverse("graduation:board"), {"intake": cohort.intake_id, "format": "xlsx"})
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in values if row and row[0] == "Gelombang")
    total = values[-1]
    assert total[header.index("Lulusan")] == 2
    assert total[header.index("Lepas bansos: pengakuan sendiri saja")] == 1
    assert total[header.index("Masih menerima bansos")] == 1


@pytest.mark.parametrize("intake", ["abc", "-1", "9" * 40, "١", "0"])
def test_a_typed_intake_never_gives_a_500(client, board_data, intake):
    client.force_login(UserFactory(editor=True))
    assert client.get(reverse("graduation:board"), {"intake": intake}).status_code == 200


@pytest.mark.parametrize("make_user", [lambda: UserFactory(interviewer=True), lambda: UserFactory(groups=["Humas"])])
def test_roles_without_reach_are_refused(client, board_data, make_user):
    _cohort, graduates = board_data
    client.force_login(make_user())
    assert client.get(reverse("graduation:board")).status_code == 403
    assert client.get(reverse("graduation:graduate_outcomes", args=[graduates[0].pk])).status_code == 403


def test_graduate_page_shows_the_follow_up_beside_the_register_fact_of_that_date(client, board_data):
    _cohort, graduates = board_data
    FollowUp.objects.create(enrolment=graduates[1], milestone=6, working_status=FollowUp.Working.OWN_BUSINESS,
                            business_running=True, income_band=FollowUp.IncomeBand.FROM_2M, receiving_bansos=True)
    client.force_login(UserFactory(editor=True))
    html = client.get(reverse("graduation:graduate_outcomes", args=[graduates[1].pk])).content.decode()
    assert "01-06-2026" in html and "PKH" in html and "Usaha sendiri" in html
    assert client.get(reverse("graduation:graduate_outcomes", args=[999999])).status_code == 404
