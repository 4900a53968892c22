"""Staff handling of complaints: the register, the ticket screen and its steps, and who may see what."""

import datetime
import re
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from applicants.complaints.services import find_ticket, open_appeal
from applicants.identity import mask_identity
from applicants.models import Ticket
from applicants.privacy import access
from programs.models import Kecamatan
from tests.factories import CHECK_CODE, ComplaintPageFactory, TicketFactory, UserFactory, build_site

pytestmark = pytest.mark.django_db

REGISTER = "/admin/applicants/ticket/"
PHONE = "+6281234567890"


@pytest.fixture
def world():
    kec1, kec2 = Kecamatan.objects.order_by("code")[:2]
    users = {
        "editor": UserFactory(editor=True, username="ed"),
        "editor_kec1": UserFactory(editor=True, username="ed1", kecamatan=[kec1]),
        "editor_kec2": UserFactory(editor=True, username="ed2", kecamatan=[kec2]),
        "auditor": UserFactory(auditor=True, username="au"),
        "interviewer": UserFactory(interviewer=True, username="iv"),
        "comms": UserFactory(comms=True, username="hu"),
    }
    t1 = TicketFactory(kecamatan=kec1, contact_phone=PHONE, contact_name="Siti",
                       description="Rumah saya di RT 3, NIK 3671014105900001.")
    t2 = TicketFactory(kecamatan=kec2, category=Ticket.Category.WRONG_RECIPIENT, overdue=True)
    return {"users": users, "kec1": kec1, "kec2": kec2, "t1": t1, "t2": t2}


def detail(ticket):
    return reverse("complaints:ticket_detail", args=[ticket.pk])


def act(ticket, action):
    return reverse("complaints:ticket_action", args=[ticket.pk, action])


def rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_complaint_walks_from_the_public_form_to_an_answered_closed_ticket_and_an_appeal(client, world):
    ComplaintPageFactory(parent=build_site().get_parent())
    response = client.post("/pengaduan/", {"kind": "objection", "category": "rejection",
                                           "description": "Saya ditolak padahal keluarga saya miskin.",
                                           "kecamatan": str(world["kec1"].pk)})
    assert response.status_code == 302
    ticket = Ticket.objects.exclude(pk__in=[world["t1"].pk, world["t2"].pk]).get()
    editor = world["users"]["editor_kec1"]
    client.force_login(editor)

    assert client.post(act(ticket, "review")).status_code == 302
    assert client.post(act(ticket, "assign"), {"assignee": editor.pk}).status_code == 302
    # An answer needs the decision and the text; refused next to the fields, nothing saved.
    html = client.post(act(ticket, "answer"), {"decision_code": "", "answer": " "}).content.decode()
    assert "Pilih keputusannya" in html and "Tuliskan jawaban" in html
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.IN_REVIEW and ticket.assignee == editor
    client.post(act(ticket, "answer"), {"decision_code": "not_upheld", "answer": "Desil Anda 7, batas program 4."})
    client.post(act(ticket, "note"), {"internal_note": "Dicek ulang di DTSEN 2026-11."})
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.ANSWERED and ticket.answered_at
    assert client.post(act(ticket, "close")).status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.CLOSED and ticket.closed_at

    response = client.post(act(ticket, "appeal"), {"description": "Data desil sudah diperbarui."})
    appeal = Ticket.objects.get(appeal_of=ticket)
    assert response["Location"] == detail(appeal)
    assert appeal.kecamatan == ticket.kecamatan and appeal.state == Ticket.State.RECEIVED
    page = client.get(detail(appeal)).content.decode()
    code = re.search(r"hanya ditampilkan sekarang\): ([A-Z0-9]{10})", page).group(1)
    assert find_ticket(appeal.number, code) == appeal
    # A second appeal while the first is open is refused.
    html = client.post(act(ticket, "appeal"), {"description": "Lagi."}).content.decode()
    assert "sedang ditangani" in html and ticket.appeals.count() == 1

    actions = list(ModelLogEntry.objects.filter(object_id=str(ticket.pk), content_type__model="ticket")
                   .order_by("timestamp", "pk").values_list("action", flat=True))
    for expected in ("sigap.ticket.submit", "sigap.ticket.review", "sigap.ticket.assign", "sigap.ticket.answer",
                     "sigap.ticket.note", "sigap.ticket.close", "sigap.ticket.appeal"):
        assert expected in actions
    history = client.get(detail(ticket)).content.decode()
    assert "Pengaduan dijawab" in history and "Banding dibuka" in history


def test_state_moves_out_of_order_are_refused_and_change_nothing(world):
    ticket, user = world["t1"], world["users"]["editor"]
    with pytest.raises(Exception, match="tidak dapat"):
        ticket.close(user)  # received, not answered
    ticket.give_answer(user, decision_code="upheld", answer="Diperbaiki.")
    with pytest.raises(Exception):
        ticket.take_in_review(user)
    with pytest.raises(Exception):
        ticket.give_answer(user, decision_code="upheld", answer="Sekali lagi.")
    stale = Ticket.objects.get(pk=ticket.pk)
    ticket.close(user)
    with pytest.raises(Exception):
        stale.close(user)  # another tab closed it meanwhile: compare-and-set refuses
    with pytest.raises(Exception):
        open_appeal(world["t2"], "Banding atas tiket yang masih terbuka")
    assert ModelLogEntry.objects.filter(action="sigap.ticket.close").count() == 1


def test_deadline_follows_the_category_service_level_setting(world, settings):
    settings.COMPLAINT_SLA_DAYS = {"default": 10, "wrong_recipient": 3}
    now = timezone.now()
    assert Ticket.deadline_for("interview", now) - now == datetime.timedelta(days=10)
    assert Ticket.deadline_for("wrong_recipient", now) - now == datetime.timedelta(days=3)


def test_restricted_staff_cannot_list_open_export_or_act_on_another_kecamatans_ticket(client, world):
    client.force_login(world["users"]["editor_kec1"])
    html = client.get(REGISTER).content.decode()
    assert world["t1"].number in html and world["t2"].number not in html
    assert client.get(detail(world["t2"])).status_code == 403
    for action in ("review", "assign", "answer", "close", "note", "appeal"):
        response = client.post(act(world["t2"], action), {"decision_code": "upheld", "answer": "x",
                                                          "description": "x", "internal_note": "x"})
        assert response.status_code == 403, action
    world["t2"].refresh_from_db()
    assert world["t2"].state == Ticket.State.RECEIVED and world["t2"].internal_note == ""
    numbers = {row[0] for row in rows(client.get(REGISTER + "export/"))[1:]}
    assert world["t1"].number in numbers and world["t2"].number not in numbers
    assert detail(world["t2"]) not in client.get(REGISTER + f"?q={world['t2'].number}").content.decode()
    assert access.tickets.in_scope(world["users"]["editor_kec2"], world["t2"])


def test_interviewers_and_comms_get_403_and_an_empty_scope(client, world):
    for role in ("interviewer", "comms"):
        client.force_login(world["users"][role])
        assert client.get(REGISTER).status_code in (302, 403), role
        assert client.get(detail(world["t1"])).status_code == 403, role
        assert client.post(act(world["t1"], "review")).status_code == 403, role
        assert not access.tickets.scope(world["users"][role], Ticket.objects.all()).exists()


def test_auditor_reads_masked_without_the_description_and_every_post_is_refused(client, world):
    client.force_login(world["users"]["auditor"])
    html = client.get(detail(world["t1"])).content.decode()
    assert world["t1"].number in html
    assert "3671014105900001" not in html and "Rumah saya" not in html
    assert PHONE not in html and mask_identity(PHONE) in html
    assert client.post(act(world["t1"], "review")).status_code == 403
    export = rows(client.get(REGISTER + "export/"))
    header, body = export[0], export[1:]
    phone_column = [str(h).lower() for h in header].index("nomor hp pengadu")
    assert {row[phone_column] for row in body if row[0] == world["t1"].number} == {mask_identity(PHONE)}


def test_editor_reads_the_description_and_the_detail_view_is_logged(client, world):
    editor = world["users"]["editor"]
    client.force_login(editor)
    html = client.get(detail(world["t1"])).content.decode()
    assert "Rumah saya di RT 3" in html and PHONE in html
    assert ModelLogEntry.objects.filter(action="sigap.view_personal_data", user=editor,
                                        object_id=str(world["t1"].pk)).exists()


def test_overdue_tickets_stand_out_and_filter(client, world):
    client.force_login(world["users"]["editor"])
    html = client.get(REGISTER).content.decode()
    assert re.search(r'<tr[^>]*class="[^"]*ticket-overdue', html) and "Lewat batas waktu" in html
    overdue = client.get(REGISTER + "?overdue=1").content.decode()
    assert world["t2"].number in overdue and world["t1"].number not in overdue
    filtered = client.get(REGISTER + f"?kecamatan={world['kec1'].pk}&state=received&kind=complaint&category=interview")
    assert world["t1"].number in filtered.content.decode()
    assert "Lewat batas waktu" in client.get(detail(world["t2"])).content.decode()


def test_assignee_must_be_a_handler_who_reaches_the_ticket(client, world):
    client.force_login(world["users"]["editor"])
    response = client.post(act(world["t2"], "assign"), {"assignee": world["users"]["editor_kec1"].pk})
    assert response.status_code == 200  # refused next to the field: kecamatan 1 staff cannot reach it
    world["t2"].refresh_from_db()
    assert world["t2"].assignee is None
    client.post(act(world["t2"], "assign"), {"assignee": world["users"]["editor_kec2"].pk})
    world["t2"].refresh_from_db()
    assert world["t2"].assignee == world["users"]["editor_kec2"]


def test_unknown_action_and_unknown_ticket_are_404_not_500(client, world):
    client.force_login(world["users"]["editor"])
    assert client.post(act(world["t1"], "delete")).status_code == 404
    assert client.get(reverse("complaints:ticket_detail", args=[999999])).status_code == 404


def test_the_database_refuses_a_second_open_appeal_and_an_answer_without_decision(world):
    from django.db import IntegrityError, transaction

    original = TicketFactory(closed=True)
    TicketFactory(appeal_of=original)
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketFactory(appeal_of=original)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=world["t1"].pk).update(state=Ticket.State.ANSWERED)


def test_check_code_is_required_for_an_anonymous_ticket(world):
    ticket = world["t2"]
    assert find_ticket(ticket.number, CHECK_CODE) == ticket
    assert find_ticket(ticket.number, "") is None
    assert find_ticket(ticket.number, "3671014105900001") is None  # no application: a NIK opens nothing


def test_typed_urls_with_impossible_ids_are_404_not_500(client, world):
    client.force_login(world["users"]["editor"])
    for pk in ("99999999999999999999", "0"):
        assert client.get(f"/admin/pengaduan/{pk}/").status_code == 404
        assert client.post(f"/admin/pengaduan/{pk}/close/").status_code == 404
    assert client.get(REGISTER + "?state=nonsense&kecamatan=abc&overdue=2&received_from=9999-99-99").status_code == 200


def test_admin_home_counts_open_and_overdue_complaints_in_the_users_scope(client, world):
    client.force_login(world["users"]["editor_kec1"])
    html = client.get("/admin/").content.decode()
    assert "Terbuka: 1" in html and "Lewat batas waktu: 0" in html  # t2 (overdue) is in kecamatan 2
    client.force_login(world["users"]["editor"])
    html = client.get("/admin/").content.decode()
    assert "Terbuka: 2" in html and "Lewat batas waktu: 1" in html
    client.force_login(world["users"]["interviewer"])
    assert "sigap-complaints-title" not in client.get("/admin/").content.decode()


def test_staff_record_a_desk_complaint_within_their_kecamatan_and_get_the_check_code_once(client, world):
    from tests.factories import ApplicantFactory, ApplicationFactory

    url = reverse("complaints:ticket_create")
    editor = world["users"]["editor_kec1"]
    client.force_login(editor)
    data = {"kind": "complaint", "category": "class", "description": "Disampaikan lewat telepon.",
            "kecamatan": str(world["kec2"].pk)}
    html = client.post(url, data).content.decode()
    assert "Pilih kecamatan dari daftar" in html  # kecamatan 2 is not offered to kecamatan 1 staff
    kel2 = world["kec2"].kelurahan_set.order_by("code").first()
    other = ApplicationFactory(applicant=ApplicantFactory(kelurahan=kel2))
    html = client.post(url, {**data, "kecamatan": "", "reference": other.reference,
                             "nik": other.applicant.nik}).content.decode()
    assert "di luar kecamatan" in html and Ticket.objects.filter(application=other).count() == 0
    before = Ticket.objects.count()
    response = client.post(url, {**data, "kecamatan": str(world["kec1"].pk)})
    ticket = Ticket.objects.order_by("-pk").first()
    assert Ticket.objects.count() == before + 1 and response["Location"] == detail(ticket)
    page = client.get(response["Location"]).content.decode()
    code = re.search(r"hanya ditampilkan sekarang\): ([A-Z0-9]{10})", page).group(1)
    assert find_ticket(ticket.number, code) == ticket
    entry = ModelLogEntry.objects.get(action="sigap.ticket.submit", object_id=str(ticket.pk))
    assert entry.user == editor and entry.data["channel"] == "admin"
    client.force_login(world["users"]["auditor"])
    assert client.get(url).status_code == 403 and client.post(url, data).status_code == 403
