"""What a resident typed stays inert: HTML/JS is escaped in the interview and delivery screens, and a
formula is written to xlsx as a plain string. (The interest form and registers get the same test later.)"""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from applicants.enums import ApplicationStatus
from applicants.models import Enrolment
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CohortFactory,
    CohortSessionFactory,
    EnrolmentFactory,
    InterviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '=HYPERLINK("http://x","y")']
# Markup that must never reach a page verbatim from the data.
RAW_MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def _hostile_applicant(payload, **kwargs):
    # Created through the model (no form): every free-text field carries the payload.
    return ApplicantFactory(full_name=payload, address=payload, occupation=payload, **kwargs)


@pytest.fixture
def hostile(django_user_model):
    editor = UserFactory(superuser=True, username="root")
    interviewer = UserFactory(interviewer=True, username="iv")
    cohort = CohortFactory()
    CohortSessionFactory(cohort=cohort)
    interviews, enrolments = [], []
    for payload in PAYLOADS:
        application = ApplicationFactory(
            applicant=_hostile_applicant(payload), intake=cohort.intake, program=cohort.program,
            motivation=payload, status=ApplicationStatus.INTERVIEW_SCHEDULED,
        )
        interviews.append(InterviewFactory(application=application, interviewer=interviewer, place=payload))
        trainee = ApplicationFactory(
            applicant=_hostile_applicant(payload), intake=cohort.intake, program=cohort.program,
            motivation=payload, status=ApplicationStatus.ENROLLED,
        )
        enrolments.append(EnrolmentFactory(cohort=cohort, application=trainee, status=Enrolment.Status.ACTIVE))
    return {"editor": editor, "interviewer": interviewer, "cohort": cohort, "interviews": interviews,
            "enrolments": enrolments}


def _assert_inert(html: str, where: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, where
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, where  # the data is there, escaped


def test_interview_screens_escape_what_residents_typed(client, hostile):
    interview = hostile["interviews"][0]
    application = interview.application
    pages = {
        "mine": (hostile["interviewer"], reverse("sigap_interviews:mine")),
        "all": (hostile["editor"], reverse("sigap_interviews:all")),
        "outcome": (hostile["editor"], reverse("sigap_interviews:outcome", args=[interview.pk])),
        "schedule": (hostile["editor"], reverse("sigap_interviews:schedule", args=[application.pk])),
        "status": (hostile["editor"], reverse("sigap_interviews:status", args=[application.pk])),
    }
    for where, (user, url) in pages.items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, where
        _assert_inert(response.content.decode(), where)


def test_delivery_screens_escape_what_residents_typed(client, hostile):
    client.force_login(hostile["editor"])
    cohort = hostile["cohort"]
    session = cohort.sessions.get()
    for where, url in {
        "participants": reverse("delivery:cohort_detail", args=[cohort.pk]),
        "attendance": reverse("delivery:session_attendance", args=[session.pk]),
        "sheet": reverse("delivery:session_sheet", args=[session.pk]),
    }.items():
        response = client.get(url)
        assert response.status_code == 200, where
        _assert_inert(response.content.decode(), where)


def test_participant_export_writes_resident_text_as_plain_strings_never_formulas(client, hostile):
    client.force_login(hostile["editor"])
    response = client.get(reverse("delivery:cohort_participants_xlsx", args=[hostile["cohort"].pk]))
    content = (b"".join(response.streaming_content) if response.streaming else response.content)
    sheet = load_workbook(BytesIO(content)).active
    name_cells = [row[2] for row in sheet.iter_rows() if row[2].value in PAYLOADS]
    assert sorted(cell.value for cell in name_cells) == sorted(PAYLOADS)
    assert {cell.data_type for cell in name_cells} == {"s"}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
