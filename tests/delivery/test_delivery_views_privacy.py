"""Delivery screens (/admin/pelaksanaan/) per role: 403 for comms everywhere, read-only auditor, kecamatan
restriction in lists, exports and direct URLs, masked NIK in exports, every export logged."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from wagtail.models import ModelLogEntry

from applicants.identity import mask_identity
from applicants.models import CapitalAward, Enrolment

pytestmark = pytest.mark.django_db


def _urls(w):
    """Every delivery URL, with whether it is a change screen (editors only)."""
    c, s, e, a = w["cohort"].pk, w["session"].pk, w["e_dodi"].pk, w["award_dodi"].pk
    return {
        "cohort_detail": (reverse("delivery:cohort_detail", args=[c]), False),
        "cohort_enrol": (reverse("delivery:cohort_enrol", args=[c]), True),
        "participants_xlsx": (reverse("delivery:cohort_participants_xlsx", args=[c]), False),
        "enrolment_withdraw": (reverse("delivery:enrolment_withdraw", args=[e]), True),
        "session_attendance": (reverse("delivery:session_attendance", args=[s]), False),
        "session_sheet": (reverse("delivery:session_sheet", args=[s]), False),
        "award_sheet": (reverse("delivery:award_sheet"), False),
        "award_detail": (reverse("delivery:award_detail", args=[a]), False),
        "award_document": (reverse("delivery:award_document", args=[a]), False),
        "group_create": (reverse("delivery:group_create"), True),
        "followup_due": (reverse("delivery:followup_due") + "?month=2026-06", False),
        "followup_record": (reverse("delivery:followup_record", args=[e, 3]), True),
    }


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (2, 2), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def handed_over(role_world):
    award = role_world["award_dodi"]
    award.approve(role_world["users"]["superuser"])
    award.hand_over(role_world["users"]["superuser"], on=timezone.localdate(role_world["now"]), number="BA-7",
                    document=SimpleUploadedFile("ba.png", _png()))
    return role_world


@pytest.mark.parametrize("method", ["get", "post"])
def test_comms_gets_403_on_every_delivery_url(client, handed_over, method):
    client.force_login(handed_over["users"]["comms"])
    for name, (url, _change) in _urls(handed_over).items():
        response = getattr(client, method)(url)
        assert response.status_code == 403, name
        assert not getattr(response, "streaming", False)


def test_interviewers_have_no_business_in_delivery(client, handed_over):
    client.force_login(handed_over["users"]["interviewer"])
    for name, (url, _change) in _urls(handed_over).items():
        assert client.get(url).status_code == 403, name


def test_auditor_reads_but_every_post_and_change_screen_is_refused(client, handed_over):
    client.force_login(handed_over["users"]["auditor"])
    for name, (url, change) in _urls(handed_over).items():
        if name != "enrolment_withdraw":  # POST-only URL
            assert client.get(url).status_code == (403 if change else 200), name
        assert client.post(url, {"action": "complete", "reason": "x"}).status_code == 403, name
    assert Enrolment.objects.filter(status=Enrolment.Status.WITHDRAWN).count() == 0
    assert handed_over["cohort"].__class__.objects.get(pk=handed_over["cohort"].pk).status != "completed"


@pytest.mark.parametrize("role", ["superuser", "editor"])
def test_unrestricted_editors_open_every_delivery_screen(client, handed_over, role):
    client.force_login(handed_over["users"][role])
    for name, (url, _change) in _urls(handed_over).items():
        if name != "enrolment_withdraw":
            assert client.get(url).status_code == 200, name


def test_editor_restricted_to_a_kecamatan_is_refused_other_peoples_records_by_url(client, handed_over):
    client.force_login(handed_over["users"]["editor_kec1"])
    for name in ["award_detail", "award_document", "followup_record", "enrolment_withdraw"]:
        url, _change = _urls(handed_over)[name]
        method = client.post if name == "enrolment_withdraw" else client.get
        assert method(url).status_code == 403, name
    assert Enrolment.objects.get(pk=handed_over["e_dodi"].pk).status == Enrolment.Status.COMPLETED
    own = reverse("delivery:award_detail", args=[handed_over["award_citra"].pk])
    assert client.get(own).status_code == 200


def test_restricted_editor_lists_show_only_people_of_their_kecamatan(client, role_world):
    client.force_login(role_world["users"]["editor_kec1"])
    for name in ["cohort_detail", "session_attendance", "session_sheet", "followup_due"]:
        html = client.get(_urls(role_world)[name][0]).content.decode()
        assert "Citra Tiga" in html, name
        assert "Dodi Empat" not in html, name


def _sheet_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize(
    ("role", "full", "names"),
    [("editor", True, {"Citra Tiga", "Dodi Empat"}), ("auditor", False, {"Citra Tiga", "Dodi Empat"}),
     ("editor_kec1", True, {"Citra Tiga"})],
)
def test_participant_export_is_scoped_masked_for_auditors_and_logged(client, role_world, role, full, names):
    user = role_world["users"][role]
    client.force_login(user)
    rows = _sheet_rows(client.get(_urls(role_world)["participants_xlsx"][0]))
    applicants = [e.application.applicant for e in (role_world["e_citra"], role_world["e_dodi"])]
    people = {a.full_name: a.nik for a in applicants}
    listed = {row[2]: row[1] for row in rows if row[2] in people}
    assert set(listed) == names
    for name, nik in listed.items():
        assert nik == (people[name] if full else mask_identity(people[name]))
    entry = ModelLogEntry.objects.get(action="sigap.export", user=user)
    assert entry.data["rows"] == len(names) and entry.data["what"] == "ekspor xlsx"


@pytest.mark.parametrize(("role", "full"), [("editor", True), ("auditor", False)])
def test_award_export_masks_nik_for_auditors_and_is_logged_with_filters(client, role_world, role, full):
    user = role_world["users"][role]
    client.force_login(user)
    rows = _sheet_rows(client.get(reverse("delivery:award_sheet") + "?state=proposed"))
    citra = role_world["e_citra"].application.applicant.nik
    expected = citra if full else mask_identity(citra)
    assert [row[1] for row in rows if row[2] == "Citra Tiga"] == [expected]
    entry = ModelLogEntry.objects.get(action="sigap.export", user=user)
    assert entry.data["rows"] == CapitalAward.objects.count()
    assert entry.data["filters"]["state"] == "proposed"
